"""The public privacy notice is served from the cache, with a CSRF token of each visitor's own."""

import re

import pytest
from django.test import Client

from privacy.models import NoticeVersion
from privacy.notices import new_version, publish_notice

pytestmark = pytest.mark.django_db
URL = "/tietosuojaseloste/"


def token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_notice_is_served_from_the_cache_without_a_query(client, organisation, django_assert_num_queries):
    first = client.get(URL).content.decode()
    with django_assert_num_queries(0):
        again = client.get(URL)
    assert again.status_code == 200
    assert again.content.decode().replace(token_in(again.content.decode()), "") == first.replace(token_in(first), "")


def test_each_visitor_gets_a_token_that_lets_them_post_the_cookie_choice(organisation):
    tokens = []
    for _visitor in range(2):
        browser = Client(enforce_csrf_checks=True)
        token = token_in(browser.get(URL).content.decode())
        tokens.append(token)
        response = browser.post("/evasteet/", {"choice": "necessary", "next": URL, "csrfmiddlewaretoken": token})
        assert response.status_code == 302
        # After the choice the banner is gone from the (cached) page, for this visitor only.
        assert 'data-testid="cookie-banner"' not in browser.get(URL).content.decode()
    assert tokens[0] != tokens[1]
    assert 'data-testid="cookie-banner"' in Client().get(URL).content.decode()


def test_each_language_has_its_own_copy(client, organisation):
    assert "Tietosuojaseloste" in client.get(URL).content.decode()
    assert "Privacy notice" in client.get("/en/privacy-notice/").content.decode()
    assert "Tietosuojaseloste" in client.get(URL).content.decode()


def test_a_new_version_and_a_renamed_organisation_show_at_once(client, organisation):
    client.get(URL)
    draft = new_version(source=NoticeVersion.objects.current())
    publish_notice(notice=draft, confirm_incomplete=True)
    assert f"Versio {draft.number}," in client.get(URL).content.decode()
    organisation.name = "Uusi Nimi Oy"
    organisation.save()
    assert "Uusi Nimi Oy" in client.get(URL).content.decode()

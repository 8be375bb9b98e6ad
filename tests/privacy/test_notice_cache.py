"""The public privacy notice is served from the cache as it is; its cookie banner posts without a token.

The banner's form is the same for every visitor: the browser's Sec-Fetch-Site or Origin header says the
post came from the site's own page (register.same_origin), and a post from elsewhere is refused.
"""

import re

import pytest
from django.test import Client

from consents.models import CookieChoice
from privacy.models import NoticeVersion
from privacy.notices import new_version, publish_notice

pytestmark = pytest.mark.django_db
URL = "/tietosuojaseloste/"


def token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_notice_is_served_from_the_cache_without_a_query(client, organisation, django_assert_num_queries):
    first = client.get(URL).content
    with django_assert_num_queries(0):
        again = client.get(URL)
    assert again.status_code == 200
    assert again.content == first
    assert b"csrfmiddlewaretoken" not in first
    assert "csrftoken" not in again.cookies


@pytest.mark.parametrize(
    "headers",
    [{"sec-fetch-site": "same-origin"}, {"origin": "http://testserver"}],
    ids=["Sec-Fetch-Site", "Origin"],
)
def test_a_visitor_posts_the_cookie_choice_from_the_cached_banner(organisation, headers):
    browser = Client(enforce_csrf_checks=True)
    assert 'data-testid="cookie-banner"' in browser.get(URL).content.decode()
    response = browser.post("/evasteet/", {"choice": "necessary", "next": URL}, headers=headers)
    assert response.status_code == 302
    assert CookieChoice.objects.filter(analytics=False, marketing=False).count() == 1
    # After the choice the banner is gone from the (cached) page, for this visitor only.
    assert 'data-testid="cookie-banner"' not in browser.get(URL).content.decode()
    assert 'data-testid="cookie-banner"' in Client().get(URL).content.decode()


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site", "origin": "http://testserver"},
    ],
    ids=["cross-site", "same-site", "other origin", "opaque origin", "cross-site with a forged origin"],
)
def test_a_cookie_choice_posted_from_another_site_is_refused(organisation, headers):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/evasteet/", {"choice": "all", "next": URL}, headers=headers)
    assert response.status_code == 403
    assert not CookieChoice.objects.exists()
    assert "evasteet" not in "".join(response.cookies)


def test_without_the_browsers_headers_the_choice_needs_the_settings_pages_token(organisation):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/evasteet/", {"choice": "all", "next": URL}).status_code == 403
    token = token_in(browser.get("/evasteet/").content.decode())
    response = browser.post("/evasteet/", {"choice": "all", "next": URL, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CookieChoice.objects.filter(analytics=True, marketing=True).count() == 1


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

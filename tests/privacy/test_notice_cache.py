"""The public privacy notice is served from the cache, and its cookie banner keeps Django's CSRF protection.

The cached page holds no token: the view gives every visitor the CSRF cookie and the banner's script
sends the cookie's token in the X-CSRFToken header. A post without the token is refused; without scripts
the banner opens the cookie settings page, whose plain form carries the token.
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


def test_the_notice_is_served_from_the_cache_and_gives_a_new_visitor_the_csrf_cookie(
    organisation, django_assert_num_queries
):
    first = Client().get(URL)
    assert first.status_code == 200
    assert b"csrfmiddlewaretoken" not in first.content
    visitor = Client()
    with django_assert_num_queries(0):  # nothing rendered: no notice, organisation or cookie choice read
        again = visitor.get(URL)
    assert again.status_code == 200
    assert again.content == first.content
    assert again.cookies["csrftoken"].value


def test_a_cookie_choice_posted_without_the_token_is_refused_with_the_sites_own_page(organisation):
    browser = Client(enforce_csrf_checks=True)
    assert 'data-testid="cookie-banner"' in browser.get(URL).content.decode()  # the cookie is set now
    response = browser.post("/evasteet/", {"choice": "all", "next": URL})
    assert response.status_code == 403
    assert 'data-testid="csrf-failure"' in response.content.decode()
    assert not CookieChoice.objects.exists()
    assert "cookie_choice" not in response.cookies


def test_a_token_from_another_visitors_cookie_is_refused(organisation):
    someone_else = Client(enforce_csrf_checks=True)
    someone_else.get(URL)
    browser = Client(enforce_csrf_checks=True)
    browser.get(URL)
    token = someone_else.cookies["csrftoken"].value
    response = browser.post("/evasteet/", {"choice": "all", "next": URL}, headers={"x-csrftoken": token})
    assert response.status_code == 403
    assert not CookieChoice.objects.exists()


def test_the_banners_script_posts_the_choice_with_the_cookies_token(organisation):
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(URL).content.decode()
    assert 'data-testid="cookie-banner"' in html and "js/cookie-banner.js" in html
    token = browser.cookies["csrftoken"].value
    response = browser.post("/evasteet/", {"choice": "necessary", "next": URL}, headers={"x-csrftoken": token})
    assert response.status_code == 302 and response["Location"] == URL
    assert CookieChoice.objects.filter(analytics=False, marketing=False).count() == 1
    # After the choice the banner is gone from the (cached) page, for this visitor only.
    assert 'data-testid="cookie-banner"' not in browser.get(URL).content.decode()
    assert 'data-testid="cookie-banner"' in Client().get(URL).content.decode()


def test_without_scripts_the_banner_leads_to_the_settings_pages_plain_form(organisation):
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(URL).content.decode()
    assert re.search(r'<form method="get" action="/evasteet/"[^>]*data-cookie-banner', html)
    # The banner's "Accept all" sent as a plain form: a GET that opens the settings page, changing nothing.
    settings_page = browser.get("/evasteet/", {"next": URL, "choice": "all"})
    assert settings_page.status_code == 200
    assert not CookieChoice.objects.exists()
    form = settings_page.content.decode().split("<main")[1]  # the settings page's own form, not its banner
    assert f'name="next" value="{URL}"' in form
    response = browser.post("/evasteet/", {"choice": "all", "next": URL, "csrfmiddlewaretoken": token_in(form)})
    assert response.status_code == 302 and response["Location"] == URL
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

"""In a real browser: no tracker script before consent, the tag after accepting it, and the banner's
choice posted with Django's CSRF token from the cached notice page, or through the settings page
when scripts are off."""

import pytest
from playwright.sync_api import expect

from consents.models import CookieChoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTICE = "/tietosuojaseloste/"


def test_no_tracker_before_consent_and_the_tag_after_accepting_analytics(page, live_server, settings):
    settings.GOOGLE_TAG_ID = "G-BROWSER1"
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/")
    expect(page.get_by_test_id("cookie-banner")).to_be_visible()
    expect(page.locator('script[src*="trackers.js"]')).to_have_count(0)
    assert not any("googletagmanager" in url for url in requested)

    page.get_by_role("link", name="Valitse luokittain").click()
    page.get_by_label("Analytiikka", exact=False).check()
    page.get_by_role("button", name="Tallenna valintani").click()
    expect(page.locator('script[src*="trackers.js"]')).to_have_count(1)
    expect(page.locator('script[src*="googletagmanager.com/gtag/js?id=G-BROWSER1"]')).to_have_count(1)
    expect(page.get_by_test_id("cookie-banner")).to_have_count(0)


def test_the_banner_on_the_cached_notice_posts_the_choice_with_the_csrf_token(page):
    page.goto(NOTICE)  # the first visit fills the cache
    page.context.clear_cookies()
    page.goto(NOTICE)  # this one is served from it
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)

    page.get_by_role("button", name="Vain välttämättömät").click()

    expect(page.get_by_test_id("cookie-banner")).to_have_count(0)
    assert page.url.endswith(NOTICE)
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    assert [post.headers.get("x-csrftoken") for post in posts] == [token]
    assert CookieChoice.objects.filter(analytics=False, marketing=False).count() == 1


def test_without_scripts_the_banner_leads_to_the_settings_page(browser, live_server, organisation):
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(NOTICE)
        page.get_by_test_id("cookie-banner").get_by_role("button", name="Hyväksy kaikki").click()
        expect(page.get_by_role("heading", name="Evästeasetukset")).to_be_visible()
        assert not CookieChoice.objects.exists()

        page.get_by_role("main").get_by_role("button", name="Hyväksy kaikki").click()

        assert page.url.endswith(NOTICE)
        expect(page.get_by_test_id("cookie-banner")).to_have_count(0)
        assert CookieChoice.objects.filter(analytics=True, marketing=True).count() == 1
    finally:
        context.close()

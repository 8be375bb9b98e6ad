"""In a real browser: no tracker script before consent, and the analytics tag after accepting it."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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

"""The public pages in a real browser: both languages, the switch, the old address, no third parties."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_page_renders_in_finnish_and_english(page, live_server):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rekisterimme ja sinun tietosi")
    expect(page.get_by_role("link", name="Liikkuvat Puntit")).to_be_visible()

    page.goto("/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our register and your data")


def test_the_language_switch_keeps_the_page(page, live_server):
    page.goto("/")
    page.get_by_role("link", name="Lue tietosuojaseloste").click()
    expect(page).to_have_url(f"{live_server.url}/tietosuojaseloste/")

    page.get_by_test_id("language-switch").get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{live_server.url}/en/privacy-notice/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")

    page.get_by_test_id("language-switch").get_by_role("link", name="Suomi").click()
    expect(page).to_have_url(f"{live_server.url}/tietosuojaseloste/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tietosuojaseloste")


def test_the_old_notice_address_lands_on_the_notice(page, live_server):
    response = page.goto("/rekisteriseloste/")
    expect(page).to_have_url(f"{live_server.url}/tietosuojaseloste/")
    assert response.status == 200
    assert response.request.redirected_from.url == f"{live_server.url}/rekisteriseloste/"


def test_the_public_pages_make_no_third_party_request_and_load_the_vendored_styles(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/")
    hosts = {urlsplit(url).netloc for url in requested}
    assert hosts == {urlsplit(live_server.url).netloc}
    assert any(re.search(r"/static/vendor/bootstrap/css/bootstrap\.min\.css$", url) for url in requested)
    # Bootstrap's styles are applied: the primary button is not the browser's default grey.
    colour = page.get_by_role("link", name="Lue tietosuojaseloste").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert colour == "rgb(13, 110, 253)"

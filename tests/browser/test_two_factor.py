"""A new staff member's first login in a real browser: password, enrolling the phone app, backup codes."""

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_staff_member_enrols_their_phone_and_reaches_the_back_office(page, live_server):
    UserFactory(username="uusivalmentaja", is_staff=True, is_superuser=True)
    errors = []
    page.on("console", lambda message: errors.append(message.location["url"]) if message.type == "error" else None)

    page.goto("/admin/")
    page.get_by_label("Käyttäjätunnus").fill("uusivalmentaja")
    page.get_by_label("Salasana").fill("correct horse battery staple")
    page.get_by_role("button", name="Kirjaudu sisään").click()

    # The QR code is drawn (inline SVG, no script) and the key is there for typing by hand.
    expect(page.locator(".two-factor-qr svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.locator("input[name=code]").fill(f"{totp(key):06d}")
    page.locator("input[type=submit]").click()

    codes = page.get_by_test_id("backup-codes").locator("li")
    expect(codes).to_have_count(10)
    page.locator("a.button").click()
    expect(page.get_by_role("link", name="Henkilöt")).to_be_visible()
    assert errors == []

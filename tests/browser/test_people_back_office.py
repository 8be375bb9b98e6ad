"""Staff in a real browser: log in, add a client with a guardian, find them by phone number."""

import pytest
from playwright.sync_api import expect

from clients.models import Client
from tests.browser.staff import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_create_a_client_with_a_guardian_and_find_them_by_phone(page, live_server):
    UserFactory(username="valmentaja", is_staff=True, is_superuser=True)

    log_in(page, "valmentaja", start="/admin/")
    expect(page.get_by_role("link", name="Henkilöt")).to_be_visible()

    page.goto("/admin/clients/client/add/")
    page.locator("#id_first_name").fill("Onni")
    page.locator("#id_last_name").fill("Nuorimmainen")
    page.locator("#id_date_of_birth").fill("3.4.2014")
    page.locator("#id_phone").fill("+358 40 555 1234")
    page.locator("#id_postal_code").fill("01750")
    page.locator("#id_city").fill("Vantaa")
    page.get_by_text("Lisää toinen Huoltaja").click()
    page.locator("#id_guardians-0-first_name").fill("Helmi")
    page.locator("#id_guardians-0-last_name").fill("Nuorimmainen")
    page.locator("#id_guardians-0-relation").fill("äiti")
    page.locator("#id_guardians-0-email").fill("helmi@example.fi")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("Nuorimmainen, Onni")

    person = Client.objects.get(last_name="Nuorimmainen")
    assert person.phone.as_e164 == "+358405551234"
    assert [g.first_name for g in person.guardians.all()] == ["Helmi"]

    page.locator("#searchbar").fill("040-5551234")
    page.keyboard.press("Enter")
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Nuorimmainen, Onni")
    expect(results.first).to_contain_text("040 5551234")

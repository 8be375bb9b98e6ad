"""Staff in a real browser: invoices from visits, issue, PDF, a payment, and the invoice is paid."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import Invoice
from register.models import Organisation
from tests.browser.staff import log_in
from tests.factories import AppointmentFactory, ClientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_invoice_visits_issue_download_the_pdf_and_record_the_payment(page, live_server):
    Organisation.objects.filter(pk=1).update(
        business_id="0112038-9", vat_number="FI01120389", iban="FI2112345600000785", bic="NDEAFIHH"
    )
    UserFactory(username="kirjanpitaja", is_staff=True, is_superuser=True)
    person = ClientFactory(first_name="Ville", last_name="Laskutettava")
    yesterday = timezone.now() - timedelta(days=1)
    AppointmentFactory(client=person, status="attended", starts_at=yesterday, ends_at=yesterday + timedelta(hours=1))

    log_in(page, "kirjanpitaja")

    page.goto("/admin/billing/invoice/")
    page.get_by_role("link", name="Laskut käynneistä").click()
    page.locator("#id_start").fill((timezone.localdate() - timedelta(days=7)).strftime("%d.%m.%Y"))
    page.locator("#id_end").fill(timezone.localdate().strftime("%d.%m.%Y"))
    page.get_by_role("button", name="Tee laskuluonnokset").click()
    expect(page.locator(".messagelist")).to_contain_text("1")
    row = page.locator("#result_list tbody tr").filter(has_text="Ville Laskutettava")
    expect(row).to_have_count(1)

    row.locator("input.action-select").check()
    page.locator('select[name="action"]').select_option("issue_selected")
    page.get_by_role("button", name="Suorita").click()
    expect(page.locator(".messagelist")).to_contain_text("1 laskua laskutettu")

    page.goto("/admin/billing/invoice/")
    with page.expect_download() as download_info:
        page.locator("#result_list").get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"

    invoice = Invoice.objects.get(client=person)
    page.goto("/admin/billing/payment/add/")
    page.locator("#id_invoice").locator("xpath=following-sibling::span").first.click()
    page.locator(".select2-search__field").fill(invoice.reference)
    page.locator(".select2-results__option").first.click()
    page.locator("#id_amount").fill("85.00")
    page.locator("#id_paid_on").fill(timezone.localdate().strftime("%d.%m.%Y"))
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_be_visible()

    page.goto("/admin/billing/invoice/")
    row = page.locator("#result_list tbody tr").filter(has_text="Ville Laskutettava")
    expect(row.locator("td.field-status")).to_have_text("maksettu")

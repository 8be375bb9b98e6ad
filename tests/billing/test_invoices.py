"""Invoices: VAT by the rate in force, totals, gap-free numbers, credit notes, the PDF and its codes."""

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import zxingcpp
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from billing.models import Invoice, InvoiceLine, VatRate
from billing.payment_codes import rf_reference
from billing.pdf import payment_codes, render_invoice_pdf
from billing.services import credit_invoice, invoices_from_visits, issue_invoice, net_unit_price
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    GuardianFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    MinorFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("category", "day", "rate"),
    [
        ("sports", date(2024, 12, 31), "10.00"),
        ("sports", date(2025, 6, 1), "14.00"),
        ("sports", date(2026, 1, 1), "13.50"),
        ("general", date(2024, 8, 31), "24.00"),
        ("general", date(2024, 9, 1), "25.50"),
        ("reduced", date(2026, 5, 5), "10.00"),
    ],
)
def test_the_rate_in_force_on_the_delivery_date_is_used(category, day, rate):
    assert VatRate.rate_for(category, day) == Decimal(rate)


def test_totals_per_rate_with_mixed_rates_round_each_line_half_up():
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice, quantity=Decimal(3), unit_price=Decimal("10.005"), vat_rate=Decimal("25.50"))
    InvoiceLineFactory(invoice=invoice, quantity=Decimal(1), unit_price=Decimal("74.8899"), vat_rate=Decimal("13.50"))
    InvoiceLineFactory(invoice=invoice, quantity=Decimal(2), unit_price=Decimal("0.125"), vat_rate=Decimal("13.50"))
    breakdown = {g["rate"]: (g["net"], g["vat"], g["gross"]) for g in invoice.vat_breakdown()}
    # 3 × 10.005 = 30.015 → 30.02; VAT 25.5 % of 30.02 = 7.6551 → 7.66
    assert breakdown[Decimal("25.50")] == (Decimal("30.02"), Decimal("7.66"), Decimal("37.68"))
    # 74.8899 → 74.89, VAT 10.11015 → 10.11; 2 × 0.125 = 0.25, VAT 0.03375 → 0.03
    assert breakdown[Decimal("13.50")] == (Decimal("75.14"), Decimal("10.14"), Decimal("85.28"))
    invoice.compute_totals()
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        Decimal("105.16"),
        Decimal("17.80"),
        Decimal("122.96"),
    )


def test_a_price_with_vat_becomes_a_net_price_that_adds_back_up():
    assert net_unit_price(Decimal("85.00"), Decimal("13.50")) == Decimal("74.8899")
    line = InvoiceLine(quantity=Decimal(1), unit_price=Decimal("74.8899"), vat_rate=Decimal("13.50"))
    assert line.gross == Decimal("85.00")


def test_visits_and_late_cancellations_become_one_draft_per_client_and_are_never_invoiced_twice(seller):
    service = ServiceFactory(price=Decimal("85.00"))
    person = ClientFactory(preferred_language="fi")
    day = datetime(2026, 11, 3, 10, tzinfo=HELSINKI)
    AppointmentFactory(
        client=person, service=service, status="attended", starts_at=day, ends_at=day + timedelta(hours=1)
    )
    AppointmentFactory(
        client=person,
        service=service,
        status="cancelled_by_client",
        late_cancellation=True,
        cancelled_at=day,
        starts_at=day + timedelta(days=1),
        ends_at=day + timedelta(days=1, hours=1),
    )
    AppointmentFactory(
        client=person,
        service=service,
        status="no_show",
        starts_at=day + timedelta(days=2),
        ends_at=day + timedelta(days=2, hours=1),
    )
    (draft,) = invoices_from_visits(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert [line.description for line in draft.lines.all()] == [
        "Personal training",
        "Myöhäinen peruutus: Personal training",
    ]
    assert draft.total_gross == Decimal("170.00")
    assert invoices_from_visits(start=date(2026, 11, 1), end=date(2026, 11, 30)) == []


def test_a_minors_invoice_goes_to_the_guardian_who_receives_invoices(seller):
    minor = MinorFactory()
    GuardianFactory(minor=minor, first_name="Helmi", last_name="Huoltaja", is_invoice_recipient=True)
    day = datetime(2026, 11, 3, 10, tzinfo=HELSINKI)
    AppointmentFactory(client=minor, status="attended", starts_at=day, ends_at=day + timedelta(hours=1))
    (draft,) = invoices_from_visits(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert draft.buyer_name == "Helmi Huoltaja"
    assert draft.guardian.first_name == "Helmi"


def issued(**fields):
    invoice = InvoiceFactory(**fields)
    InvoiceLineFactory(invoice=invoice)
    return issue_invoice(invoice=invoice, on=date(2026, 11, 25))


def test_issuing_numbers_the_year_gap_free_and_freezes_the_invoice(seller):
    first, second = issued(), issued()
    assert [(first.year, first.number), (second.year, second.number)] == [(2026, 1), (2026, 2)]
    assert first.reference == "2026000011"
    assert first.due_date == date(2026, 12, 9)
    assert first.seller["iban"] == "FI2112345600000785"
    assert first.total_gross == Decimal("85.00")
    with translation.override("fi"), pytest.raises(ValidationError, match="Vain luonnoksen"):
        issue_invoice(invoice=first)


def test_an_invoice_missing_what_the_vat_act_requires_is_not_issued(organisation):
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice)
    with pytest.raises(ValidationError) as error:
        issue_invoice(invoice=invoice)
    assert "IBAN" in str(error.value)
    invoice.refresh_from_db()
    assert invoice.status == "draft" and invoice.number is None


def test_a_credit_note_refers_to_the_invoice_and_cancels_its_sum(seller):
    invoice = issued()
    note = credit_invoice(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == "credited"
    assert note.is_credit_note and note.credits == invoice
    assert note.total_gross == -invoice.total_gross
    assert note.number == invoice.number + 1


def test_a_credit_note_of_prices_with_vat_cancels_the_same_net_and_vat(seller):
    # Visits are invoiced at the service's price with VAT; the credit note must take out exactly that.
    AppointmentFactory(
        starts_at=datetime(2026, 11, 3, 10, tzinfo=HELSINKI),
        ends_at=datetime(2026, 11, 3, 11, tzinfo=HELSINKI),
        status="attended",
    )
    (draft,) = invoices_from_visits(start=date(2026, 11, 1), end=date(2026, 11, 30))
    invoice = issue_invoice(invoice=draft, on=date(2026, 11, 25))
    note = credit_invoice(invoice=invoice)
    assert (note.total_net, note.total_vat, note.total_gross) == (
        -invoice.total_net,
        -invoice.total_vat,
        Decimal("-85.00"),
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need a server")
@pytest.mark.django_db(transaction=True)
def test_two_invoices_issued_at_the_same_moment_get_consecutive_numbers(seller):
    drafts = []
    for _ in range(2):
        invoice = InvoiceFactory()
        InvoiceLineFactory(invoice=invoice)
        drafts.append(invoice)
    barrier = threading.Barrier(2, timeout=10)
    numbers, errors = [], []

    def issue(invoice):
        try:
            barrier.wait()
            numbers.append(issue_invoice(invoice=invoice, on=date(2026, 11, 25)).number)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert sorted(numbers) == [1, 2]
    assert Invoice.objects.filter(number__isnull=False).count() == 2


def decoded_codes(pdf_bytes):
    page = pypdfium2.PdfDocument(pdf_bytes)[0]
    image = page.render(scale=4).to_pil()
    return {result.format.name: result.text for result in zxingcpp.read_barcodes(image)}


def test_the_pdf_opens_and_its_barcode_and_qr_code_decode_to_exactly_what_was_computed(seller):
    invoice = issued(buyer_language="fi")
    pdf_bytes = render_invoice_pdf(invoice)
    assert pdf_bytes.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(pdf_bytes)
    text = document[0].get_textpage().get_text_range()
    assert "LASKU" in text and "2026-00001" in text and "85,00" in text
    barcode, payload = payment_codes(invoice)
    assert barcode == "4" + "2112345600000785" + "00008500" + "000" + "2026000011".rjust(20, "0") + "261209"
    codes = decoded_codes(pdf_bytes)
    assert codes["Code128"] == barcode
    assert codes["QRCode"] == payload
    assert payload.splitlines()[-1] == rf_reference("2026000011")


def test_an_english_speaking_buyer_gets_an_english_pdf(seller):
    text = pypdfium2.PdfDocument(render_invoice_pdf(issued(buyer_language="en")))[0].get_textpage().get_text_range()
    assert "INVOICE" in text and "Due date" in text


def test_a_price_with_vat_stays_exactly_what_the_client_pays_for_every_whole_euro_price():
    for euros in range(1, 400):
        for rate in ("13.50", "25.50", "10.00"):
            line = InvoiceLine(
                quantity=Decimal(1), unit_price=Decimal(euros), unit_price_includes_vat=True, vat_rate=Decimal(rate)
            )
            assert line.gross == Decimal(euros)
            assert line.net + line.vat == line.gross


def test_a_credit_note_pdf_has_no_payment_slip_and_says_to_be_refunded(seller):
    note = credit_invoice(invoice=issued())
    pdf_bytes = render_invoice_pdf(note)
    text = pypdfium2.PdfDocument(pdf_bytes)[0].get_textpage().get_text_range()
    assert "HYVITYSLASKU" in text and "Hyvitetään" in text
    assert decoded_codes(pdf_bytes) == {}


def test_an_issued_invoice_cannot_be_deleted_in_the_back_office(client, visitors, seller):
    from django.urls import reverse

    invoice = issued()
    visitors().log_in(client, "superuser")
    response = client.post(reverse("admin:billing_invoice_delete", args=[invoice.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()

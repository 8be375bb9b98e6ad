"""The billing pages of the back office for each kind of visitor."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import Feedback, Invoice, Payment
from billing.services import issue_invoice
from tests.billing.test_payments import camt
from tests.factories import AppointmentFactory, ClientFactory, FeedbackFactory, InvoiceFactory, InvoiceLineFactory

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
def test_the_invoice_pdf_is_for_staff_who_may_see_invoices(client, visitors, seller, visitor, status):
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice)
    issue_invoice(invoice=invoice)
    visitors(permissions=["billing.view_invoice"]).log_in(client, visitor)
    response = client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.content.startswith(b"%PDF")


def test_issuing_needs_its_own_permission_and_sending_emails_the_pdf(client, visitors, seller):
    invoice = InvoiceFactory(buyer_email="ostaja@example.fi")
    InvoiceLineFactory(invoice=invoice)
    url = reverse("admin:billing_invoice_changelist")
    clerk = visitors(permissions=["billing.view_invoice", "billing.change_invoice"])
    clerk.log_in(client, "permitted")
    client.post(url, {"action": "issue_selected", ACTION_CHECKBOX_NAME: [invoice.pk]})
    invoice.refresh_from_db()
    assert invoice.is_draft

    clerk.log_in(client, "superuser")
    client.post(url, {"action": "issue_selected", ACTION_CHECKBOX_NAME: [invoice.pk]})
    client.post(url, {"action": "send_selected", ACTION_CHECKBOX_NAME: [invoice.pk]})
    invoice.refresh_from_db()
    assert invoice.status == "sent" and invoice.sent_at
    (message,) = mail.outbox
    assert message.to == ["ostaja@example.fi"]
    assert message.attachments[0][2] == "application/pdf"


def test_an_issued_invoices_fields_and_lines_cannot_be_edited(client, visitors, seller):
    invoice = InvoiceFactory()
    line = InvoiceLineFactory(invoice=invoice)
    invoice = issue_invoice(invoice=invoice)
    visitors().log_in(client, "superuser")
    url = reverse("admin:billing_invoice_change", args=[invoice.pk])
    response = client.get(url)
    assert list(response.context["adminform"].form.fields) == []
    client.post(
        url,
        {
            "lines-TOTAL_FORMS": 1,
            "lines-INITIAL_FORMS": 1,
            "lines-0-id": line.pk,
            "lines-0-invoice": invoice.pk,
            "lines-0-description": "Muutettu",
            "lines-0-quantity": "9",
            "lines-0-unit": "kpl",
            "lines-0-unit_price": "1",
            "lines-0-vat_rate": "0",
            "payments-TOTAL_FORMS": 0,
            "payments-INITIAL_FORMS": 0,
        },
    )
    line.refresh_from_db()
    assert (line.description, line.quantity) == ("Personal training", 1)


def test_staff_make_drafts_from_visits_in_the_back_office(client, visitors, seller):
    visitors().log_in(client, "superuser")
    person = ClientFactory()
    day = datetime(2026, 11, 3, 10, tzinfo=HELSINKI)
    AppointmentFactory(client=person, status="attended", starts_at=day, ends_at=day + timedelta(hours=1))
    response = client.post(reverse("admin:billing_invoice_from_visits"), {"start": "1.11.2026", "end": "30.11.2026"})
    assert response.status_code == 302
    assert Invoice.objects.get().client == person


def test_a_bank_file_is_imported_in_the_back_office_and_a_broken_one_gets_a_field_error(client, visitors, seller):
    visitors().log_in(client, "superuser")
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice)
    invoice = issue_invoice(invoice=invoice)
    url = reverse("admin:billing_payment_import")
    broken = client.post(url, {"file": SimpleUploadedFile("x.xml", b"<nonsense")})
    assert broken.status_code == 200 and broken.context["form"].errors["file"]
    ok = client.post(url, {"file": SimpleUploadedFile("c.xml", camt(("A1", "85.00", invoice.reference)))})
    assert ok.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Payment.objects.count() == 1


def test_feedback_averages_per_coach_and_month_are_shown(client, visitors):
    visitors().log_in(client, "superuser")
    appointment = AppointmentFactory(status="attended")
    FeedbackFactory(appointment=appointment, score=4)
    FeedbackFactory(
        appointment=AppointmentFactory(
            status="attended",
            coach=appointment.coach,
            starts_at=appointment.starts_at + timedelta(days=1),
            ends_at=appointment.ends_at + timedelta(days=1),
        ),
        score=5,
    )
    response = client.get(reverse("admin:billing_feedback_changelist"))
    (row,) = response.context["averages"]
    assert (row["average"], row["answers"]) == (4.5, 2)


def test_a_visit_has_at_most_one_feedback():
    from django.db import IntegrityError, transaction

    feedback = FeedbackFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackFactory(appointment=feedback.appointment)
    assert Feedback.objects.count() == 1


def test_moving_or_deleting_a_payment_updates_both_invoices(client, visitors, seller):
    visitors().log_in(client, "superuser")
    first, second = [], []
    for bucket in (first, second):
        invoice = InvoiceFactory()
        InvoiceLineFactory(invoice=invoice)
        bucket.append(issue_invoice(invoice=invoice))
    (a,), (b,) = first, second
    from billing.services import record_payment

    payment = record_payment(invoice=a, amount=a.total_gross, paid_on=date(2026, 12, 1))
    client.post(
        reverse("admin:billing_payment_change", args=[payment.pk]),
        {"invoice": b.pk, "amount": "85.00", "paid_on": "1.12.2026", "reference": "", "payer_name": ""},
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("issued", "paid")
    client.post(reverse("admin:billing_payment_delete", args=[payment.pk]), {"post": "yes"})
    b.refresh_from_db()
    assert b.status == "issued"


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
def test_the_bank_import_page_is_for_staff_who_may_add_payments(client, visitors, visitor, status):
    visitors(permissions=["billing.add_payment", "billing.view_payment"]).log_in(client, visitor)
    assert client.get(reverse("admin:billing_payment_import")).status_code == status


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
def test_the_invoices_from_visits_page_is_for_staff_who_may_add_invoices(client, visitors, visitor, status):
    visitors(permissions=["billing.add_invoice", "billing.view_invoice"]).log_in(client, visitor)
    assert client.get(reverse("admin:billing_invoice_from_visits")).status_code == status


def test_the_year_filter_offers_a_new_years_invoices_at_once(client, visitors, seller):
    from billing.models import InvoiceSequence

    visitors().log_in(client, "superuser")
    InvoiceSequence.objects.create(year=2025)
    url = reverse("admin:billing_invoice_changelist")

    def years():
        response = client.get(url)
        spec = next(
            spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", "") == "year"
        )
        return [label for _value, label in spec.lookup_choices]

    assert years() == ["2025"]
    InvoiceSequence.objects.create(year=2026)
    assert years() == ["2026", "2025"]

"""Erasure from the declarations: invoices kept pseudonymised, everything else gone, the address suppressed."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import translation

from billing.models import Invoice, InvoiceLine, Payment
from billing.services import issue_invoice, record_payment
from clients.models import Client, Guardian, ReceivedEmail, StaffNote
from consents.eligibility import may_market
from consents.models import ConsentEvent, ConsentState, Purpose
from consents.services import record_event
from privacy.erasure import erase
from register.declarations import Subject, erasure_plan
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    EmailAttachmentFactory,
    GuardianFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    StaffNoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(seller):
    person = ClientFactory(first_name="Maija", last_name="Virtanen", email="maija@example.fi")
    StaffNoteFactory(client=person, text="Muistiinpano")
    attachment = EmailAttachmentFactory(email__client=person)
    person.attachment_path = Path(attachment.file.path)
    AppointmentFactory(client=person, notes="Polvi kipeä", status="attended")
    invoice = InvoiceFactory(client=person, buyer_name="Maija Virtanen", buyer_email="maija@example.fi")
    InvoiceLineFactory(invoice=invoice)
    invoice = issue_invoice(invoice=invoice, on=date(2026, 3, 1))
    record_payment(invoice=invoice, amount=invoice.total_gross, paid_on=date(2026, 3, 5), payer_name="Maija Virtanen")
    purpose = Purpose.objects.get(code="email_marketing")
    record_event(client=person, kind="granted", purpose=purpose, channel="web", recorded_by="person")
    record_event(client=person, kind="withdrawn", purpose=purpose, channel="web", recorded_by="person")
    LogEntry.objects.log_actions(user_id=UserFactory(is_staff=True).pk, queryset=[person], action_flag=CHANGE)
    return person


def test_the_plan_says_what_is_deleted_what_anonymised_and_what_kept_until_when(person):
    plan = {item.model: item for item in erasure_plan(Subject(people=(person,)), today=date(2026, 11, 25))}
    assert plan["clients.StaffNote"].action == "delete"
    assert plan["bookings.Appointment"].action == "anonymise"
    assert plan["billing.Invoice"].action == "keep"
    assert plan["billing.Invoice"].kept_until == date(2032, 12, 31)
    assert "Kirjanpitolaki" in plan["billing.Invoice"].reason or "Accounting Act" in plan["billing.Invoice"].reason


def test_erasure_keeps_invoices_pseudonymised_and_removes_everything_else(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        receipt = erase(subject=Subject(people=(person,)), today=date(2026, 11, 25))
    client = Client.objects.get(pk=person.pk)
    assert (client.first_name, client.email, client.is_active) == ("", "", False)
    assert not StaffNote.objects.filter(client=person).exists()
    assert not ReceivedEmail.objects.filter(client=person).exists()
    assert not person.attachment_path.exists()
    appointment = person.appointments.model.objects.get(notes="")
    assert appointment.client is None  # kept for statistics, without the person
    invoice = Invoice.objects.get()
    assert invoice.client is None and invoice.buyer_email == "" and "Maija" not in invoice.buyer_name
    assert invoice.number == 1 and InvoiceLine.objects.filter(invoice=invoice).exists()
    assert Payment.objects.get().payer_name == ""
    assert ConsentEvent.objects.filter(client=person).count() == 2  # proof of consent, pseudonymised
    assert not ConsentState.objects.filter(client=person).exists()
    assert LogEntry.objects.get().object_repr == "-"
    assert receipt.kept["billing.Invoice"] == 1
    with translation.override("en"):
        assert "Kept: Invoices (1) until 31.12.2032." in receipt.as_text()
        assert "Deleted: Staff notes (1)" in receipt.as_text()


def test_an_erased_objector_cannot_return_to_marketing_on_an_old_list(person):
    erase(subject=Subject(people=(person,)))
    again = ClientFactory(email="MAIJA@example.fi")
    record_event(
        client=again,
        kind="granted",
        purpose=Purpose.objects.get(code="email_marketing"),
        channel="web",
        recorded_by="person",
    )
    assert not may_market(again, "email_marketing")


def test_a_minors_guardians_go_with_them(seller):
    minor = GuardianFactory().minor
    erase(subject=Subject(people=(minor,)))
    assert not Guardian.objects.filter(minor=minor).exists()


def test_an_invoice_whose_six_years_have_passed_is_deleted_outright(person):
    erase(subject=Subject(people=(person,)), today=date(2033, 1, 1) + timedelta(days=1))
    assert not Invoice.objects.exists()


def test_staff_see_the_plan_then_erase_and_the_receipt_is_kept(client, visitors, person):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.urls import reverse

    from privacy.requests import record_request

    visitors().log_in(client, "superuser")
    request = record_request(
        received_on=date(2026, 11, 20),
        kind="erasure",
        channel="email",
        name="Maija Virtanen",
        email="maija@example.fi",
    )
    request.people.add(person)
    url = reverse("admin:privacy_datarequest_changelist")
    plan_page = client.post(url, {"action": "erase_people", ACTION_CHECKBOX_NAME: [request.pk]})
    assert plan_page.status_code == 200
    assert StaffNote.objects.filter(client=person).exists()  # the plan changes nothing
    client.post(url, {"action": "erase_people", ACTION_CHECKBOX_NAME: [request.pk], "confirm": "erase"})
    assert not StaffNote.objects.filter(client=person).exists()
    request.refresh_from_db()
    assert request.status == "completed"
    assert "2032" in request.events.last().note

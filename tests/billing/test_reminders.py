"""Payment reminders: not before 14 days overdue, a fee of at most 5 euros, never twice within 14 days."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from billing.models import PaymentReminder
from billing.reminders import reminder_terms, send_due_reminders
from billing.services import issue_invoice, record_payment
from tests.factories import InvoiceFactory, InvoiceLineFactory

pytestmark = pytest.mark.django_db
ISSUED = date(2026, 10, 1)
DUE = ISSUED + timedelta(days=14)


def overdue_invoice():
    invoice = InvoiceFactory(buyer_email="maksaja@example.fi")
    InvoiceLineFactory(invoice=invoice)
    return issue_invoice(invoice=invoice, on=ISSUED)


def test_no_reminder_before_14_days_past_the_due_date(seller):
    overdue_invoice()
    assert send_due_reminders(today=DUE + timedelta(days=13)) == 0
    assert send_due_reminders(today=DUE + timedelta(days=14)) == 1
    (message,) = mail.outbox
    assert message.to == ["maksaja@example.fi"]
    assert message.attachments[0][0] == "2026-00001.pdf"
    assert "5.00 €" in message.body or "5,00 €" in message.body


def test_never_twice_within_14_days_then_again(seller):
    overdue_invoice()
    first = DUE + timedelta(days=14)
    assert send_due_reminders(today=first) == 1
    assert send_due_reminders(today=first) == 0
    assert send_due_reminders(today=first + timedelta(days=13)) == 0
    assert send_due_reminders(today=first + timedelta(days=14)) == 1
    assert PaymentReminder.objects.count() == 2


def test_the_fee_is_capped_at_five_euros_and_interest_is_the_reference_rate_plus_seven(settings):
    settings.PAYMENT_REMINDER_FEE = "12.00"
    settings.REFERENCE_INTEREST_RATE = "2.50"
    terms = reminder_terms()
    assert terms.fee == Decimal("5.00")
    assert terms.interest_rate == Decimal("9.50")


def test_a_paid_invoice_gets_no_reminder(seller):
    invoice = overdue_invoice()
    record_payment(invoice=invoice, amount=Decimal("85.00"), paid_on=DUE)
    assert send_due_reminders(today=DUE + timedelta(days=30)) == 0


def test_a_business_buyer_pays_the_reference_rate_plus_eight(settings):
    settings.REFERENCE_INTEREST_RATE = "2.50"
    assert reminder_terms(business=True).interest_rate == Decimal("10.50")


def test_the_reminder_sent_states_a_capped_fee(seller, settings):
    settings.PAYMENT_REMINDER_FEE = "15.00"
    overdue_invoice()
    send_due_reminders(today=DUE + timedelta(days=14))
    assert PaymentReminder.objects.get().fee == Decimal("5.00")
    assert "Muistutusmaksu: 5,00 €" in mail.outbox[0].body

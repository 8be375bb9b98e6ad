"""Payment reminders (maksumuistutus) within what the Debt Collection Act and the Interest Act allow."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation

from billing.models import Invoice, PaymentReminder
from billing.pdf import render_invoice_pdf

logger = logging.getLogger(__name__)

# Debt Collection Act (513/1999) 10 e §: a consumer's reminder may be sent no earlier than 14 days after
# the due date, costs at most 5 euros, and the next one may follow 14 days after the previous.
FIRST_REMINDER_AFTER = timedelta(days=14)
BETWEEN_REMINDERS = timedelta(days=14)
CONSUMER_FEE_CAP = Decimal("5.00")
# Interest Act (633/1982) 4 §: late interest is the reference rate plus seven percentage points; between
# businesses (4 a §) plus eight.
LATE_INTEREST_POINTS = Decimal("7.00")
BUSINESS_LATE_INTEREST_POINTS = Decimal("8.00")


@dataclass(frozen=True)
class ReminderTerms:
    fee: Decimal
    interest_rate: Decimal


def reminder_terms(*, business: bool = False) -> ReminderTerms:
    """Return the fee and late interest of a reminder; the fee is never above a consumer's cap."""
    fee = min(Decimal(str(settings.PAYMENT_REMINDER_FEE)), CONSUMER_FEE_CAP)
    points = BUSINESS_LATE_INTEREST_POINTS if business else LATE_INTEREST_POINTS
    return ReminderTerms(fee=fee, interest_rate=Decimal(str(settings.REFERENCE_INTEREST_RATE)) + points)


def reminder_due(invoice: Invoice, *, today: date) -> bool:
    """Return whether the law and our own rule allow a reminder of ``invoice`` today."""
    if invoice.is_credit_note or invoice.status not in Invoice.OPEN_STATUSES or not invoice.due_date:
        return False
    if today < invoice.due_date + FIRST_REMINDER_AFTER or invoice.balance <= 0:
        return False
    last = invoice.reminders.aggregate(last=Max("sent_on"))["last"]
    return last is None or last + BETWEEN_REMINDERS <= today


def send_reminder(*, invoice: Invoice, today: date | None = None) -> PaymentReminder | None:
    """Send one reminder if it is allowed today; record it in the same transaction; None when not allowed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not reminder_due(invoice, today=today) or not invoice.buyer_email:
            return None
        terms = reminder_terms(business=bool(invoice.buyer_business_id))
        reminder = PaymentReminder.objects.create(
            invoice=invoice, sent_at=timezone.now(), sent_on=today, fee=terms.fee, interest_rate=terms.interest_rate
        )
        invoice.status = Invoice.Status.OVERDUE
        invoice.save(update_fields=["status"])
        with translation.override(invoice.buyer_language):
            context = {"invoice": invoice, "terms": terms, "total_due": invoice.balance + terms.fee}
            message = EmailMessage(
                subject=render_to_string("billing/email/reminder_subject.txt", context).strip(),
                body=render_to_string("billing/email/reminder.txt", context),
                to=[invoice.buyer_email],
            )
            message.attach(f"{invoice.display_number}.pdf", render_invoice_pdf(invoice), "application/pdf")
        message.send()
    return reminder


def send_due_reminders(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    candidates = Invoice.objects.overdue(on=today - FIRST_REMINDER_AFTER + timedelta(days=1))
    return sum(1 for invoice in candidates if send_reminder(invoice=invoice, today=today))

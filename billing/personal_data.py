"""Personal data held by the billing app: invoices, payments and reminders (kept for the Accounting Act), feedback."""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models import Feedback, FeedbackRequest, Invoice, InvoiceLine, Payment, PaymentReminder
from clients.models import Client, Guardian
from register.declarations import Anonymise, Delete, Keep, Retention, about_people, declare, related_to
from register.history import declare_history

ACCOUNTING_YEARS = 6
ACCOUNTING_ACT = _(
    "Accounting Act (1336/1997) chapter 2 section 10: invoices and payment records are kept six years from "
    "the end of the accounting period; the person's name and contact details are replaced by a pseudonym."
)


def accounting_period_end(invoice: Invoice) -> date:
    """Return the last day the invoice must be kept: six years after the end of its calendar year."""
    day = invoice.issue_date or invoice.delivery_date
    return date(day.year + ACCOUNTING_YEARS, 12, 31)


@about_people
def _invoices_of(model, subject):
    query = Q(client__in=subject.people_of(Client)) | Q(guardian__in=subject.people_of(Guardian))
    return model._default_manager.filter(query)


def _pseudonym(invoice):
    return f"#{invoice.client_id or invoice.pk}"


def _invoices_past(rows, day: date):
    """Invoices whose accounting period ended more than six years before ``day``."""
    return rows.filter(
        Q(issue_date__year__lt=day.year - ACCOUNTING_YEARS)
        | Q(issue_date__isnull=True, delivery_date__year__lt=day.year - ACCOUNTING_YEARS)
    )


def _rows_of_invoices_past(rows, day: date):
    return rows.filter(invoice__in=_invoices_past(Invoice.objects.all(), day))


def _payments_past(rows, day: date):
    return rows.filter(
        Q(invoice__in=_invoices_past(Invoice.objects.all(), day))
        | Q(invoice__isnull=True, paid_on__year__lt=day.year - ACCOUNTING_YEARS)
    )


RETENTION_TEXT = _("Six years from the end of the accounting period (calendar year) of the invoice.")


def _kept_until(row):
    invoice = row if isinstance(row, Invoice) else row.invoice
    if invoice is not None:
        return accounting_period_end(invoice)
    # A payment matched to no invoice is still a bookkeeping record of the year it was paid.
    paid_on = getattr(row, "paid_on", None)
    return date(paid_on.year + ACCOUNTING_YEARS, 12, 31) if paid_on else None


declare(
    Invoice,
    category=_("Invoices"),
    find=_invoices_of,
    export=(
        "year",
        "number",
        "reference",
        "status",
        "buyer_name",
        "buyer_address",
        "buyer_email",
        "issue_date",
        "delivery_date",
        "delivery_end",
        "due_date",
        "total_net",
        "total_vat",
        "total_gross",
    ),
    erasure=Keep(
        reason=ACCOUNTING_ACT,
        until=_kept_until,
        meanwhile=Anonymise(
            fields={
                "buyer_name": _pseudonym,
                "buyer_address": "",
                "buyer_email": "",
                "notes": "",
                "client": None,
                "guardian": None,
            }
        ),
    ),
    retention=Retention(RETENTION_TEXT, expired=_invoices_past),
)

declare(
    InvoiceLine,
    category=_("Invoice lines"),
    find=related_to("invoice__client"),
    export=("description", "quantity", "unit", "unit_price", "vat_rate", "service_date"),
    erasure=Keep(reason=ACCOUNTING_ACT, until=_kept_until),
    retention=Retention(RETENTION_TEXT, expired=_rows_of_invoices_past),
)


@about_people
def _payments_of(model, subject):
    return model._default_manager.filter(invoice__in=_invoices_of(Invoice, subject))


declare(
    Payment,
    category=_("Payments"),
    find=_payments_of,
    export=("paid_on", "amount", "reference", "payer_name", "message", "source"),
    erasure=Keep(
        reason=ACCOUNTING_ACT, until=_kept_until, meanwhile=Anonymise(fields={"payer_name": "", "message": ""})
    ),
    retention=Retention(RETENTION_TEXT, expired=_payments_past),
)

declare(
    PaymentReminder,
    category=_("Payment reminders"),
    find=related_to("invoice__client"),
    export=("sent_on", "fee", "interest_rate"),
    erasure=Keep(reason=ACCOUNTING_ACT, until=_kept_until),
    retention=Retention(RETENTION_TEXT, expired=_rows_of_invoices_past),
)

declare(
    Feedback,
    category=_("Feedback on visits"),
    find=related_to("appointment__client"),
    export=("score", "comment", "answered_at"),
    erasure=Delete(),
    retention=Retention(_("As long as the visit it is about.")),
)

declare(
    FeedbackRequest,
    category=_("Feedback requests"),
    find=related_to("appointment__client"),
    export=("sent_at",),
    erasure=Delete(),
    retention=Retention(_("As long as the visit it is about.")),
)

declare_history(Invoice, category=_("Earlier versions of invoices"))

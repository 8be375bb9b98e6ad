"""Invoicing: drafts from visits, issuing with gap-free numbers, credit notes, payments and their matching."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

# django-simple-history ships no type information.
from simple_history.utils import bulk_update_with_history  # type: ignore[import-untyped]

from billing.models import Invoice, InvoiceLine, InvoiceSequence, Payment, VatRate, cents
from billing.payment_codes import make_reference, validate_reference, validate_rf
from bookings.models import Appointment
from register.models import Organisation


def seller_details(organisation: Organisation) -> dict:
    """Return the seller as printed on an invoice; frozen into the invoice when it is issued."""
    return {
        "name": organisation.name,
        "business_id": organisation.business_id,
        "vat_number": organisation.vat_number,
        "is_vat_registered": organisation.is_vat_registered,
        "address": [organisation.street_address, f"{organisation.postal_code} {organisation.city}"],
        "phone": organisation.phone,
        "email": organisation.email,
        "iban": organisation.iban.replace(" ", ""),
        "bic": organisation.bic,
        "late_interest_text": organisation.late_interest_text,
    }


def _buyer_of(client) -> dict:
    """Return who pays for a client: the guardian marked as invoice recipient for a minor, else the client."""
    guardian = None
    if client.is_minor:
        guardian = client.guardians.filter(is_invoice_recipient=True).first() or client.guardians.first()
    payer = guardian or client
    address = "\n".join(line for line in [payer.street_address, f"{payer.postal_code} {payer.city}".strip()] if line)
    return {
        "guardian": guardian,
        "buyer_name": f"{payer.first_name} {payer.last_name}",
        "buyer_address": address,
        "buyer_email": payer.email,
        "buyer_language": "en" if client.preferred_language == "en" else "fi",
    }


def net_unit_price(gross: Decimal, rate: Decimal) -> Decimal:
    """Return the price without VAT, to four decimals, of a price that includes VAT at ``rate`` %."""
    return (gross / (1 + rate / 100)).quantize(Decimal("0.0001"))


def uninvoiced_visits(*, start: date, end: date, client=None):
    """Return attended visits and late cancellations in [start, end] that no invoice has yet."""
    invoiced = InvoiceLine.objects.filter(appointment=OuterRef("pk"), on_credit_note=False)
    visits = (
        Appointment.objects.filter(starts_at__date__gte=start, starts_at__date__lte=end, client__isnull=False)
        .filter(Q(status=Appointment.Status.ATTENDED) | Q(late_cancellation=True))
        .exclude(Exists(invoiced))
        .select_related("client", "service")
        .order_by("client_id", "starts_at")
    )
    if client is not None:
        visits = visits.filter(client=client)
    return visits


@transaction.atomic
def invoices_from_visits(*, start: date, end: date, client=None, created_by: User | None = None) -> list[Invoice]:
    """Create one draft invoice per client from their visits and late cancellations not yet invoiced."""
    organisation = Organisation.current()
    drafts: dict[int, Invoice] = {}
    for visit in uninvoiced_visits(start=start, end=end, client=client):
        person = visit.client
        invoice = drafts.get(person.pk)
        if invoice is None:
            invoice = Invoice.objects.create(
                client=person, delivery_date=start, delivery_end=end, created_by=created_by, **_buyer_of(person)
            )
            drafts[person.pk] = invoice
        day = timezone.localtime(visit.starts_at).date()
        vat_registered = organisation is None or organisation.is_vat_registered
        rate = VatRate.rate_for(visit.service.vat_category, day) if vat_registered else Decimal(0)
        with override(invoice.buyer_language):
            name = visit.service.name
            description = _("Late cancellation: %(service)s") % {"service": name} if visit.late_cancellation else name
        InvoiceLine.objects.create(
            invoice=invoice,
            description=description,
            quantity=Decimal(1),
            unit=_("pcs"),
            # The service's price is what the client pays: the line keeps it, and its VAT is taken out
            # of it, so that 85.00 stays 85.00 whatever the rate.
            unit_price=visit.service.price,
            unit_price_includes_vat=True,
            vat_rate=rate,
            service_date=day,
            appointment=visit,
        )
    for invoice in drafts.values():
        invoice.compute_totals()
        invoice.save(update_fields=["total_net", "total_vat", "total_gross"])
    return list(drafts.values())


def _next_number(year: int) -> int:
    """Return the next invoice number of ``year``, holding the year's row lock until the commit.

    Two issues at the same moment queue on the lock, so the numbers have no gaps and no repeats; the
    unique constraint on (year, number) is the last guard.
    """
    try:
        with transaction.atomic():
            InvoiceSequence.objects.create(year=year)
    except IntegrityError:
        pass  # another transaction made the year's row first
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


REQUIRED_SELLER = {
    "name": _("the seller's name"),
    "business_id": _("the business ID"),
    "iban": _("the IBAN"),
    "bic": _("the BIC"),
}


@transaction.atomic
def issue_invoice(*, invoice: Invoice, issued_by: User | None = None, on: date | None = None) -> Invoice:
    """Give a draft its number, reference, dates and frozen seller details; from then on it never changes.

    Refuses when an entry the VAT Act (209 e §) requires on an invoice would be missing.
    """
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_draft:
        raise ValidationError(_("Only a draft can be issued."))
    organisation = Organisation.current()
    if organisation is None:
        raise ValidationError(_("Fill in the organisation's details first."))
    seller = seller_details(organisation)
    missing = [str(label) for key, label in REQUIRED_SELLER.items() if not seller[key]]
    if seller["is_vat_registered"] and not seller["vat_number"]:
        missing.append(_("the VAT number"))
    if not invoice.buyer_name.strip():
        missing.append(_("the buyer's name"))
    if not invoice.buyer_address.strip() and not invoice.is_credit_note:
        missing.append(_("the buyer's address"))
    if not invoice.lines.exists():
        missing.append(_("at least one line"))
    if missing:
        raise ValidationError(_("The invoice cannot be issued without %(missing)s.") % {"missing": ", ".join(missing)})

    issue_date = on or timezone.localdate()
    invoice.year = issue_date.year
    invoice.number = _next_number(issue_date.year)
    invoice.reference = make_reference(f"{invoice.year}{invoice.number:05d}")
    invoice.issue_date = issue_date
    invoice.due_date = invoice.due_date or issue_date + timedelta(days=organisation.payment_terms_days)
    invoice.seller = seller
    invoice.compute_totals()
    invoice.status = Invoice.Status.ISSUED
    invoice.full_clean()
    invoice.save()
    return invoice


@transaction.atomic
def credit_invoice(*, invoice: Invoice, credited_by: User | None = None) -> Invoice:
    """Issue a credit note cancelling an issued invoice; the original is marked credited, never edited."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_draft or invoice.is_credit_note or invoice.status == Invoice.Status.CREDITED:
        raise ValidationError(_("Only an issued invoice can be credited."))
    note = Invoice.objects.create(
        client=invoice.client,
        guardian=invoice.guardian,
        buyer_name=invoice.buyer_name,
        buyer_address=invoice.buyer_address,
        buyer_email=invoice.buyer_email,
        buyer_language=invoice.buyer_language,
        delivery_date=invoice.delivery_date,
        delivery_end=invoice.delivery_end,
        is_credit_note=True,
        credits=invoice,
        notes=_("Credit note for invoice %(number)s.") % {"number": invoice.display_number},
        created_by=credited_by,
    )
    for line in invoice.lines.all():
        InvoiceLine.objects.create(
            invoice=note,
            description=line.description,
            quantity=-line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            # The price is read the same way as on the original (with or without VAT), or a visit priced
            # at 85.00 with VAT would be credited as 85.00 plus VAT.
            unit_price_includes_vat=line.unit_price_includes_vat,
            vat_rate=line.vat_rate,
            service_date=line.service_date,
            appointment=line.appointment,
            on_credit_note=True,
        )
    # The credited visits may be invoiced again (corrected): free them from the original's lines.
    invoice.lines.update(on_credit_note=True)
    note.due_date = invoice.issue_date
    note.save(update_fields=["due_date"])
    issue_invoice(invoice=note, issued_by=credited_by)
    invoice.status = Invoice.Status.CREDITED
    invoice.save(update_fields=["status"])
    return Invoice.objects.get(pk=note.pk)


def payment_status(invoice: Invoice, paid: Decimal) -> str:
    """Return the status of ``invoice`` once ``paid`` of it has been paid: paid, partly paid, or back to open.

    A draft, a credit note and a credited invoice keep their status whatever is paid.
    """
    if invoice.is_draft or invoice.status == Invoice.Status.CREDITED or invoice.is_credit_note:
        return invoice.status
    if paid >= invoice.total_gross:
        return Invoice.Status.PAID
    if paid > 0:
        return Invoice.Status.PARTLY_PAID
    if invoice.status in (Invoice.Status.PAID, Invoice.Status.PARTLY_PAID):
        return Invoice.Status.SENT if invoice.sent_at else Invoice.Status.ISSUED
    return invoice.status


def refresh_payment_status(invoice: Invoice) -> Invoice:
    """Set an issued invoice's status from its payments: paid, partly paid, or back to open."""
    status = payment_status(invoice, invoice.paid_amount)
    if status != invoice.status:
        invoice.status = status
        invoice.save(update_fields=["status"])
    return invoice


def national_reference(reference: str) -> str:
    """Return the Finnish reference a payment's reference (Finnish or RF) stands for, as invoices keep it.

    Empty when the reference is neither.
    """
    text = reference.replace(" ", "").upper()
    try:
        national = validate_rf(text)[4:] if text.startswith("RF") else validate_reference(text)
    except ValidationError:
        return ""
    return national.lstrip("0")


def invoices_for_references(references) -> dict[str, Invoice]:
    """Return the issued invoice each of ``references`` (as paid) points to, read in one query.

    A credited invoice takes no payment: money paid on it is a refund for staff to handle, so it is
    left unmatched where they look for such.
    """
    national = {reference: national_reference(reference) for reference in set(references)}
    found: dict[str, Invoice] = {}
    invoices = Invoice.objects.filter(reference__in={n for n in national.values() if n}, is_credit_note=False).exclude(
        status__in=[Invoice.Status.DRAFT, Invoice.Status.CREDITED]
    )
    for invoice in invoices:  # in the invoices' order: the first one a reference finds is the one it pays
        found.setdefault(invoice.reference, invoice)
    return {reference: found[n] for reference, n in national.items() if n in found}


def invoice_for_reference(reference: str) -> Invoice | None:
    """Return the issued invoice a payment's reference (Finnish or RF) points to."""
    return invoices_for_references([reference]).get(reference)


def new_payment(
    *,
    amount: Decimal,
    paid_on: date,
    reference: str = "",
    invoice: Invoice | None = None,
    payer_name: str = "",
    message: str = "",
    source: str = Payment.Source.MANUAL,
    bank_entry_id: str = "",
    bank_file=None,
) -> Payment:
    """Return an unsaved payment as it is recorded: the amount in cents, the reference without spaces."""
    return Payment(
        invoice=invoice,
        amount=cents(amount),
        paid_on=paid_on,
        reference=reference.replace(" ", ""),
        payer_name=payer_name[:140],
        message=message,
        source=source,
        bank_entry_id=bank_entry_id,
        bank_file=bank_file,
    )


@transaction.atomic
def record_payment(
    *,
    amount: Decimal,
    paid_on: date,
    reference: str = "",
    invoice: Invoice | None = None,
    payer_name: str = "",
    source: str = Payment.Source.MANUAL,
    bank_entry_id: str = "",
    bank_file=None,
) -> Payment:
    """Record a payment, matched to ``invoice`` or else by its reference, and update the invoice's status."""
    if invoice is None and reference:
        invoice = invoice_for_reference(reference)
    payment = new_payment(
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        invoice=invoice,
        payer_name=payer_name,
        source=source,
        bank_entry_id=bank_entry_id,
        bank_file=bank_file,
    )
    payment.full_clean()
    payment.save()
    if invoice is not None:
        refresh_payment_status(Invoice.objects.get(pk=invoice.pk))
    return payment


@dataclass
class BankImportResult:
    already_imported: bool = False
    matched: int = 0
    unmatched: int = 0
    duplicates: int = 0
    payments: list[Payment] = field(default_factory=list)


def settle_invoices(payments: list[Payment]) -> None:
    """Update the status of the invoices that ``payments``, just recorded together, pay.

    Each invoice ends with the status that recording the payments one by one, in their order, would
    leave it with; its field history records the change once. Two queries, however many payments.
    """
    invoices = {payment.invoice.pk: payment.invoice for payment in payments if payment.invoice is not None}
    new = [payment.pk for payment in payments]
    paid = dict(
        Payment.objects.filter(invoice__in=invoices.keys())
        .exclude(pk__in=new)
        .order_by()
        .values_list("invoice")
        .annotate(Sum("amount"))
    )
    before = {pk: invoice.status for pk, invoice in invoices.items()}
    for payment in payments:
        if payment.invoice is not None:
            invoice = invoices[payment.invoice.pk]
            paid[invoice.pk] = paid.get(invoice.pk, Decimal(0)) + payment.amount
            invoice.status = payment_status(invoice, paid[invoice.pk])
    changed = [invoice for pk, invoice in invoices.items() if invoice.status != before[pk]]
    bulk_update_with_history(changed, Invoice, ["status"], batch_size=1000)

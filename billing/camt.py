"""Reading the bank's ISO 20022 camt.054 notification of incoming reference payments."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import Payment, PaymentImport
from billing.services import BankImportResult, invoices_for_references, new_payment, settle_invoices
from register.models import Organisation


@dataclass(frozen=True)
class BankPayment:
    entry_id: str
    amount: Decimal
    paid_on: date
    reference: str
    payer_name: str
    message: str = ""


@dataclass(frozen=True)
class SkippedEntry:
    """An entry of the file that is not a payment yet: its position, the bank's reference and why."""

    position: int
    reference: str
    reason: str


@dataclass
class CamtImportResult(BankImportResult):
    skipped: list[SkippedEntry] = field(default_factory=list)


# A payer who writes the reference number into the free-text message instead of its own field: the
# message is taken as the reference when, without its spaces, it is one (digits, or RF and digits).
REFERENCE_IN_MESSAGE = re.compile(r"(RF[0-9]{2})?[0-9]{2,25}", re.ASCII | re.IGNORECASE)


def _reference_in(message: str) -> str:
    compact = "".join(message.split())
    return compact.upper() if REFERENCE_IN_MESSAGE.fullmatch(compact) else ""


def _text(element: Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


# Euros and cents as the schema's decimal writes them, read strictly: ASCII digits, at most two
# decimals, no sign, exponent, NaN or infinity, which Decimal() would all accept.
AMOUNT = re.compile(r"[0-9]{1,18}(\.[0-9]{1,2})?", re.ASCII)


# The camt.054 versions Finnish banks send; an element's tag carries its namespace as {namespace}name.
VERSIONS = ("001.02", "001.04", "001.06", "001.08")
NAMESPACES = {f"urn:iso:std:iso:20022:tech:xsd:camt.054.{version}" for version in VERSIONS}
ISO_MESSAGE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.[0-9]{3})\.[0-9]{3}\.[0-9]{2}", re.ASCII)


def _notification(root: Element) -> Element:
    """The file's camt.054 notification; raise, with a one-line reason, for any other namespace or message."""
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if namespace not in NAMESPACES:
        message = ISO_MESSAGE.fullmatch(namespace)
        if message and message.group(1) != "camt.054":
            raise ValidationError(
                _("The file is a %(message)s message, not a camt.054 bank notification.")
                % {"message": message.group(1)}
            )
        raise ValidationError(
            _("The file's namespace “%(namespace)s” is not one of the camt.054 versions read here (%(versions)s).")
            % {"namespace": namespace[:100] or "-", "versions": ", ".join(VERSIONS)}
        )
    notification = root.find(f"{{{namespace}}}BkToCstmrDbtCdtNtfctn")
    if root.tag != f"{{{namespace}}}Document" or notification is None:
        raise ValidationError(_("The file is not a camt.054 bank notification."))
    return notification


def _entry_name(number: int, reference: str) -> str:
    """How an error names an entry: its position in the file and the bank's reference, if it has one."""
    if reference:
        return _("Entry %(n)s (bank reference %(ref)s)") % {"n": number, "ref": reference[:35]}
    return _("Entry %(n)s") % {"n": number}


def _amount(text: str, *, entry: str, path: str) -> Decimal | ValidationError:
    """The amount ``text`` of field ``path``, or the error that names the entry, the field and the text."""
    if not text:
        return ValidationError(_("%(entry)s: %(field)s has no amount.") % {"entry": entry, "field": path})
    if not AMOUNT.fullmatch(text):
        return ValidationError(
            _("%(entry)s: %(field)s is “%(value)s”, not an amount in euros with at most two decimals.")
            % {"entry": entry, "field": path, "value": text[:20]}
        )
    amount = Decimal(text)
    if amount == 0:
        return ValidationError(_("%(entry)s: %(field)s is zero.") % {"entry": entry, "field": path})
    return amount


def _skip_reason(status: str) -> str:
    """Why an entry the bank has not booked (status other than BOOK) is not a payment."""
    if status == "PDNG":
        return _("pending: the bank has not booked it yet, a later file brings it booked")
    if status == "INFO":
        return _("informational only: the bank will not book it")
    if status == "FUTR":
        return _("future: the bank books it on a later date, a later file brings it booked")
    return _("status %(status)s is not booked") % {"status": status or "-"}


def parse_camt054(content: bytes, *, account_iban: str = "") -> tuple[list[BankPayment], list[SkippedEntry]]:
    """Return the incoming payments of a camt.054 file and the entries skipped; raise ValidationError.

    The versions Finnish banks send (001.02, 001.04, 001.06, 001.08) are read; any other namespace
    or message is refused with a one-line reason.
    Debit entries (money going out) are left out, except the bank's reversal of an earlier incoming
    payment, which comes back as a negative payment. Only entries the bank has booked are payments:
    pending, informational and future ones are returned as skipped, with the reason. A file for
    another account than ``account_iban`` is refused.
    """
    try:
        root = ElementTree.fromstring(content)
    except (ParseError, DefusedXmlException) as error:
        raise ValidationError(_("The file is not readable XML: %(error)s") % {"error": error}) from error
    notification = _notification(root)
    payments = []
    skipped = []
    # Amount errors are gathered, so that one reading lists every entry whose amount is wrong.
    errors: list[ValidationError] = []
    for report in notification.iterfind("{*}Ntfctn"):
        iban = _text(report, "{*}Acct/{*}Id/{*}IBAN").replace(" ", "").upper()
        if account_iban and iban and iban != account_iban.replace(" ", "").upper():
            raise ValidationError(
                _("The file is for account %(iban)s, not for the organisation's account.") % {"iban": iban}
            )
    entries = notification.iterfind("{*}Ntfctn/{*}Ntry")
    for entry_number, entry in enumerate(entries, start=1):
        reversal = _text(entry, "{*}RvslInd").lower() == "true"
        direction = _text(entry, "{*}CdtDbtInd")
        if direction != "CRDT" and not (direction == "DBIT" and reversal):
            continue
        entry_ref = _text(entry, "{*}AcctSvcrRef") or _text(entry, "{*}NtryRef")
        # Versions 001.02 and 001.04 write the status code in Sts itself; 001.06 and later wrap it
        # in a choice of an ISO code (Sts/Cd) or a bank's own status (Sts/Prtry), which is not a booking
        # in the standard's terms.
        status = _text(entry, "{*}Sts/{*}Cd") or _text(entry, "{*}Sts")
        if status != "BOOK":
            proprietary = _text(entry, "{*}Sts/{*}Prtry")
            reason = (
                _("the bank's own status %(status)s, not a booking") % {"status": proprietary}
                if proprietary and not status
                else _skip_reason(status)
            )
            skipped.append(SkippedEntry(position=entry_number, reference=entry_ref, reason=reason))
            continue
        sign = Decimal(-1) if direction == "DBIT" else Decimal(1)
        currency = entry.find("{*}Amt")
        if currency is not None and currency.get("Ccy", "EUR") != "EUR":
            raise ValidationError(_("Entry %(n)s is not in euros.") % {"n": entry_number})
        booked = (
            _text(entry, "{*}BookgDt/{*}Dt")
            or _text(entry, "{*}ValDt/{*}Dt")
            or _text(entry, "{*}BookgDt/{*}DtTm")[:10]
        )
        try:
            paid_on = date.fromisoformat(booked)
        except ValueError as error:
            raise ValidationError(_("Entry %(n)s has no booking date.") % {"n": entry_number}) from error
        name = _entry_name(entry_number, entry_ref)
        entry_amount = _amount(_text(entry, "{*}Amt"), entry=name, path="Ntry/Amt")
        if isinstance(entry_amount, ValidationError):
            errors.append(entry_amount)
            continue
        details = entry.findall("{*}NtryDtls/{*}TxDtls") or [None]
        for tx_number, tx in enumerate(details, start=1):
            amount: Decimal | ValidationError
            if tx is not None and tx.find("{*}AmtDtls/{*}TxAmt/{*}Amt") is not None:
                path = "NtryDtls/TxDtls/AmtDtls/TxAmt/Amt"
                amount = _amount(_text(tx, "{*}AmtDtls/{*}TxAmt/{*}Amt"), entry=name, path=path)
            elif tx is not None and tx.find("{*}Amt") is not None:
                amount = _amount(_text(tx, "{*}Amt"), entry=name, path="NtryDtls/TxDtls/Amt")
            elif len(details) == 1:
                amount = entry_amount
            else:
                amount = _amount("", entry=name, path="NtryDtls/TxDtls/AmtDtls/TxAmt/Amt")
            if isinstance(amount, ValidationError):
                errors.append(amount)
                continue
            tx_ref = _text(tx, "{*}Refs/{*}AcctSvcrRef")
            message = "\n".join(line.text or "" for line in tx.findall("{*}RmtInf/{*}Ustrd")) if tx is not None else ""
            # The bank's own identifiers recognise a payment sent again in another file: the transaction's
            # archive id, else the entry's reference with the transaction's place, booking date and amount,
            # else the payer's end-to-end id with the date and amount. Never the file: a file re-sent with a
            # new creation time holds the same payments.
            end_to_end = _text(tx, "{*}Refs/{*}EndToEndId")
            if tx_ref:
                entry_id = tx_ref
            elif entry_ref:
                entry_id = f"{entry_ref}/{tx_number}/{paid_on:%Y%m%d}/{amount}"
            elif end_to_end and end_to_end != "NOTPROVIDED":
                entry_id = f"e2e:{end_to_end}/{paid_on:%Y%m%d}/{amount}"
            else:
                entry_id = ""
            if not entry_id:
                raise ValidationError(_("Entry %(n)s has no archive id of the bank.") % {"n": entry_number})
            payments.append(
                BankPayment(
                    entry_id=entry_id,
                    amount=sign * amount,
                    paid_on=paid_on,
                    reference=_text(tx, "{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref") or _reference_in(message),
                    message=message,
                    payer_name=_text(tx, "{*}RltdPties/{*}Dbtr/{*}Nm")
                    or _text(tx, "{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm"),
                )
            )
    if errors:
        raise ValidationError(errors)
    return payments, skipped


@transaction.atomic
def import_camt054(*, content: bytes, file_name: str, imported_by=None) -> CamtImportResult:
    """Record the payments of a camt.054 file, matched to invoices by reference; all or nothing.

    The same file a second time changes nothing; a payment already recorded from another file (same
    archive id of the bank) is not recorded twice. The payments are recorded together, as
    ``record_payment`` records one: the file's references, archive ids and invoices are each read in
    one query, whatever the number of entries. Entries the bank has not booked change nothing and
    are listed in the result's ``skipped``.
    """
    digest = hashlib.sha256(content).hexdigest()
    if PaymentImport.objects.filter(sha256=digest).exists():
        return CamtImportResult(already_imported=True)
    organisation = Organisation.current()
    bank_payments, skipped = parse_camt054(content, account_iban=organisation.iban if organisation else "")
    batch = PaymentImport.objects.create(file_name=file_name[:255], sha256=digest, imported_by=imported_by)
    result = CamtImportResult(skipped=skipped)
    known = set(
        Payment.objects.filter(bank_entry_id__in=[p.entry_id for p in bank_payments]).values_list(
            "bank_entry_id", flat=True
        )
    )
    invoices = invoices_for_references(p.reference for p in bank_payments if p.reference)
    for item in bank_payments:
        if item.entry_id in known:
            result.duplicates += 1
            continue
        known.add(item.entry_id)
        payment = new_payment(
            amount=item.amount,
            paid_on=item.paid_on,
            reference=item.reference,
            invoice=invoices.get(item.reference),
            payer_name=item.payer_name,
            message=item.message,
            source=Payment.Source.BANK,
            bank_entry_id=item.entry_id,
            bank_file=batch,
        )
        # full_clean() without a query a row: the invoice and the file were just read, and the archive
        # id was checked against the register above. The one constraint left, an amount that rounds to
        # nothing, is put to Django's check only when it fails, for the same error.
        payment.full_clean(exclude=["invoice", "bank_file"], validate_unique=False, validate_constraints=False)
        if payment.amount == 0:
            payment.validate_constraints()
        result.payments.append(payment)
        if payment.invoice_id:
            result.matched += 1
        else:
            result.unmatched += 1
    Payment.objects.bulk_create(result.payments, batch_size=1000)
    settle_invoices(result.payments)
    batch.payments = len(result.payments)
    batch.save(update_fields=["payments"])
    return result

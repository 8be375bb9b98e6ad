"""Finnish and SEPA payment identifiers: reference numbers, RF references, the bank barcode, the EPC QR code.

Sources of the rules: the Finnish reference number and the virtual bank barcode follow Finance
Finland's bank guides; the RF creditor reference follows ISO 11649; the QR payload follows the
European Payments Council's guideline EPC069-12 (SEPA credit transfer).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

REFERENCE_WEIGHTS = (7, 3, 1)
MAX_BARCODE_AMOUNT = Decimal("999999.99")


def _digits(value: str) -> str:
    return re.sub(r"\s", "", str(value or ""))


def reference_check_digit(base: str) -> int:
    """Return the check digit of a reference number's base digits.

    The digits are weighted 7, 3, 1, 7, 3, 1, ... from the right; the check digit is what the weighted
    sum lacks from the next multiple of ten (0 when the sum is one).
    """
    total = sum(int(digit) * REFERENCE_WEIGHTS[i % 3] for i, digit in enumerate(reversed(base)))
    return (10 - total % 10) % 10


def make_reference(base: str | int) -> str:
    """Return the reference number made of ``base`` (3 to 19 digits) and its check digit."""
    base = str(base)
    if not base.isdigit() or not 3 <= len(base) <= 19 or base.startswith("0"):
        raise ValueError(f"a reference base is 3 to 19 digits not starting with 0, not {base!r}")
    return base + str(reference_check_digit(base))


def validate_reference(value: str) -> str:
    """Return the reference number without spaces; raise ValidationError when it is not one."""
    digits = _digits(value)
    if not digits.isdigit() or not 4 <= len(digits) <= 20:
        raise ValidationError(_("A reference number has 4 to 20 digits."), code="reference_format")
    if reference_check_digit(digits[:-1]) != int(digits[-1]):
        raise ValidationError(_("The check digit of this reference number is wrong."), code="reference_check")
    return digits


def format_reference(reference: str) -> str:
    """Return a reference number in groups of five digits counted from the right: 12 34561."""
    digits = _digits(reference)
    head = len(digits) % 5
    groups = ([digits[:head]] if head else []) + [digits[i : i + 5] for i in range(head, len(digits), 5)]
    return " ".join(groups)


def _iso7064_mod97(text: str) -> int:
    """Return text (letters as 10..35) read as a number, modulo 97."""
    return int("".join(str(int(ch, 36)) for ch in text)) % 97


def rf_reference(reference: str) -> str:
    """Return the international RF creditor reference (ISO 11649) of a Finnish reference number."""
    digits = validate_reference(reference)
    check = 98 - _iso7064_mod97(digits + "RF00")
    return f"RF{check:02d}{digits}"


def validate_rf(value: str) -> str:
    """Return the RF reference without spaces, upper-case; raise ValidationError when it is not one."""
    text = _digits(value).upper()
    if not re.fullmatch(r"RF[0-9]{2}[0-9A-Z]{1,21}", text):
        raise ValidationError(_("An RF reference is RF, two check digits and up to 21 characters."), code="rf_format")
    if _iso7064_mod97(text[4:] + text[:4]) != 1:
        raise ValidationError(_("The check digits of this RF reference are wrong."), code="rf_check")
    return text


def format_rf(rf: str) -> str:
    """Return an RF reference in groups of four characters: RF33 1234 5612."""
    text = validate_rf(rf)
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _amount_digits(amount: Decimal | None) -> str:
    if amount is None or amount <= 0 or amount > MAX_BARCODE_AMOUNT:
        # An open amount, or one too large for the barcode: the payer types it in.
        return "0" * 8
    cents = int((amount * 100).quantize(Decimal("1")))
    return f"{cents // 100:06d}{cents % 100:02d}"


def _iban_digits(iban: str) -> str:
    text = _digits(iban).upper()
    if not re.fullmatch(r"FI[0-9]{16}", text):
        raise ValueError("the bank barcode needs a Finnish IBAN")
    return text[2:]


def virtual_barcode(*, iban: str, amount: Decimal | None, reference: str, due: date | None) -> str:
    """Return the 54-digit virtual bank barcode (virtuaaliviivakoodi).

    Version 4 carries a Finnish reference number, version 5 an RF reference; which one follows from
    ``reference``.
    """
    due_digits = due.strftime("%y%m%d") if due else "000000"
    head = _iban_digits(iban) + _amount_digits(amount)
    text = _digits(reference).upper()
    if text.startswith("RF"):
        rf = validate_rf(text)
        body = rf[4:]
        if not body.isdigit():
            raise ValueError("the bank barcode carries only numeric RF references")
        code = "5" + head + rf[2:4] + body.rjust(21, "0") + due_digits
    else:
        code = "4" + head + "000" + validate_reference(text).rjust(20, "0") + due_digits
    assert len(code) == 54, code
    return code


def epc_qr_payload(*, bic: str, name: str, iban: str, amount: Decimal, rf: str, purpose: str = "") -> str:
    """Return the text of an EPC QR code for a SEPA credit transfer with an RF reference.

    Elements, one a line: service tag BCD, version 002, character set 1 (UTF-8), identification SCT,
    BIC, beneficiary name (at most 70 characters), IBAN, EUR and the amount, purpose, the structured
    remittance (the RF reference). The unstructured remittance and the note to the payer stay empty,
    and nothing follows the last element.
    """
    if not Decimal("0.01") <= amount <= Decimal("999999999.99"):
        raise ValueError("an EPC QR amount is between 0.01 and 999999999.99 euros")
    elements = [
        "BCD",
        "002",
        "1",
        "SCT",
        _digits(bic).upper(),
        name.strip()[:70],
        _digits(iban).upper(),
        f"EUR{amount.quantize(Decimal('0.01'))}",
        purpose,
        validate_rf(rf),
    ]
    return "\n".join(elements)

"""Validators for Finnish identifiers and contact details used across the register."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# [0-9], not \d: \d also matches digits of other scripts, which no Finnish register uses.
BUSINESS_ID = re.compile(r"([0-9]{7})-([0-9])")
BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_check_digit(digits: str) -> int | None:
    """Return the check digit of a business ID's seven digits, or None when no digit is valid.

    The Finnish Patent and Registration Office's rule: weight the digits 7, 9, 10, 5, 8, 4, 2, take
    the sum modulo 11; remainder 0 gives 0, remainder 1 is never issued, otherwise 11 minus it.
    """
    remainder = sum(int(d) * w for d, w in zip(digits, BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def validate_business_id(value: str) -> None:
    """Accept a Finnish business ID (Y-tunnus) such as 1572860-0 with a correct check digit."""
    match = BUSINESS_ID.fullmatch(value or "")
    if not match:
        raise ValidationError(
            _("Enter the business ID as seven digits, a hyphen and a check digit, for example 1234567-1."),
            code="business_id_format",
        )
    digits, check = match.groups()
    if business_id_check_digit(digits) != int(check):
        raise ValidationError(
            _("The check digit of this business ID is wrong; check the number."), code="business_id_check"
        )


def validate_finnish_postal_code(value: str) -> None:
    """Accept a Finnish postal code: exactly five digits."""
    if not re.fullmatch(r"[0-9]{5}", value or ""):
        raise ValidationError(_("A Finnish postal code has five digits."), code="postal_code")


PHONE = re.compile(r"\+?[0-9][0-9 ()-]{4,22}")


def validate_phone(value: str) -> None:
    """Accept a phone number written with digits, spaces, hyphens, brackets and an optional +."""
    if not PHONE.fullmatch(value or "") or sum(c in "0123456789" for c in value) < 5:
        raise ValidationError(_("Enter a phone number such as 040 123 4567 or +358 40 123 4567."), code="phone")


def validate_iban(value: str) -> None:
    """Accept an IBAN with a correct checksum (spaces allowed)."""
    from stdnum import iban

    if not iban.is_valid(value or ""):
        raise ValidationError(_("Enter a valid IBAN, for example FI21 1234 5600 0007 85."), code="iban")


def validate_bic(value: str) -> None:
    """Accept a BIC (SWIFT code) of 8 or 11 characters."""
    from stdnum import bic

    if not bic.is_valid(value or ""):
        raise ValidationError(_("Enter a valid BIC, for example OKOYFIHH."), code="bic")


def validate_finnish_vat_number(value: str) -> None:
    """Accept a Finnish VAT number: FI and the eight digits of the business ID."""
    from stdnum.fi import alv

    if not alv.is_valid(value or ""):
        raise ValidationError(
            _("Enter the VAT number as FI and the business ID's digits, e.g. FI01120389."), code="vat"
        )

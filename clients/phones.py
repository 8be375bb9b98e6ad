"""Phone numbers as staff type them and as the register stores them (E.164)."""

import re
from functools import lru_cache

import phonenumbers

PHONE_CHARACTERS = re.compile(r"^[\d\s()+./-]+$")


def format_phone(number) -> str:
    """Return a number for display: Finnish numbers as Finns write them, others with the country code."""
    # A number's display is worked out once from its text and then looked up (a list shows the same
    # fifty people again and again, and formatting one costs more than reading its row). The text as
    # stored (or typed) is the key: str() of a PhoneNumber, and so its truth value (its length), would
    # format it all over again.
    if isinstance(number, phonenumbers.PhoneNumber) and number.raw_input:
        return _formatted(number.raw_input)
    return _formatted(str(number)) if number else ""


@lru_cache(maxsize=8192)
def _formatted(text: str) -> str:
    try:
        parsed = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException:
        return text
    if parsed.country_code == 358:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_search_digits(term: str) -> str | None:
    """Return the digits to look for in stored E.164 numbers, or None when ``term`` is no phone number.

    Whatever the format typed (040 123 4567, +358 40 1234567, 00358401234567, 401234567), the result
    is a run of digits that occurs in the stored number: a leading 0 becomes Finland's 358, a leading
    00 is dropped.
    """
    term = term.strip()
    if not PHONE_CHARACTERS.match(term):
        return None
    digits = re.sub(r"\D", "", term)
    if len(digits) < 4:
        return None
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0") and not term.startswith("+"):
        return "358" + digits[1:]
    return digits

"""Phone numbers as staff type them and as the register stores them (E.164)."""

import re

import phonenumbers

PHONE_CHARACTERS = re.compile(r"^[\d\s()+./-]+$")


def format_phone(number) -> str:
    """Return a number for display: Finnish numbers as Finns write them, others with the country code.

    ``number`` is a stored PhoneNumber (already parsed when its row was read) or text as typed; text
    that is no phone number is shown as it is. No display form is kept between calls: a number is
    personal data, and formatting one takes microseconds.
    """
    if not isinstance(number, phonenumbers.PhoneNumber):
        if not number:
            return ""
        try:
            number = phonenumbers.parse(str(number), "FI")
        except phonenumbers.NumberParseException:
            return str(number)
    if number.country_code is None:  # a stored text that could not be parsed
        return number.raw_input or ""
    finnish = number.country_code == 358
    style = phonenumbers.PhoneNumberFormat.NATIONAL if finnish else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


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

"""An invoice line's amounts computed by the database, to the cent exactly as billing computes them.

``billing.models.InvoiceLine`` rounds each line to cents half up (ties away from zero): a price with
VAT gives the gross and the VAT is taken out of it, a price without VAT gives the net and the VAT is
added. The VAT summary and the dashboard add up thousands of lines per rate and month, so the database
keeps each line's net and VAT in cents as generated columns computed by this same arithmetic in SQL. It
is done in whole numbers (cents, and the price in millionths of a euro): SQLite keeps decimals as binary
floating point, where 0.125 is not always a tie, and integer arithmetic gives the same answer on SQLite
and PostgreSQL. ``tests/billing/test_amounts.py`` holds the two to each other.
"""

from django.db.models import BigIntegerField, Case, ExpressionWrapper, F, Value, When
from django.db.models.functions import Abs, Cast, Round
from django.db.models.lookups import LessThan

WHOLE = BigIntegerField()


def _whole(expression):
    return ExpressionWrapper(expression, output_field=WHOLE)


def _int(value: int):
    return Value(value, output_field=WHOLE)


def _scaled(field: str, factor: int):
    """Return the decimal column times ``factor`` as a whole number (its decimals are at most that many)."""
    return Cast(Round(F(field) * Value(factor)), WHOLE)


def line_cents():
    """Return expressions for a line's net and VAT in cents: {"net": ..., "vat": ...} (the gross is their sum).

    Rounding half away from zero is symmetric, so the arithmetic is done on the amount's absolute value,
    where rounding x / d is floor((2x + d) / 2d) and both databases divide whole numbers by truncation,
    and the sign is put back at the end. That keeps the SQL short: no case per rounding.
    """
    amount = _whole(_scaled("quantity", 100) * _scaled("unit_price", 10_000))  # euros × 10⁶
    sign = Case(When(LessThan(amount, 0), then=_int(-1)), default=_int(1), output_field=WHOLE)
    rate = _scaled("vat_rate", 100)  # 13.50 % is 1350
    rounded = _whole((Abs(amount) + _int(5_000)) / _int(10_000))  # the price in cents

    # A price with VAT: the gross is the price, the VAT is gross × rate / (100 + rate).
    vat_inside = _whole((_int(2) * rounded * rate + _int(10_000) + rate) / (_int(2) * (_int(10_000) + rate)))
    # A price without VAT: the net is the price, the VAT is net × rate / 100.
    vat_on_top = _whole((_int(2) * rounded * rate + _int(10_000)) / _int(20_000))

    def signed(with_vat, without_vat):
        chosen = Case(When(unit_price_includes_vat=True, then=with_vat), default=without_vat, output_field=WHOLE)
        return _whole(sign * chosen)

    return {
        "net": signed(_whole(rounded - vat_inside), rounded),
        "vat": signed(vat_inside, vat_on_top),
    }

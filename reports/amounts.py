"""An invoice line's amounts computed by the database, to the cent exactly as billing computes them.

``billing.models.InvoiceLine`` rounds each line to cents half up (ties away from zero): a price with
VAT gives the gross and the VAT is taken out of it, a price without VAT gives the net and the VAT is
added. The VAT summary adds up thousands of lines per rate and month, so the same arithmetic is done
here as SQL. It is done in whole numbers (cents, and the price in millionths of a euro): SQLite keeps
decimals as binary floating point, where 0.125 is not always a tie, and integer arithmetic gives the
same answer on SQLite and PostgreSQL. ``tests/reports/test_amounts.py`` holds the two to each other.
"""

from django.db.models import BigIntegerField, Case, ExpressionWrapper, F, Value, When
from django.db.models.functions import Cast, Round
from django.db.models.lookups import GreaterThanOrEqual

WHOLE = BigIntegerField()


def _whole(expression):
    return ExpressionWrapper(expression, output_field=WHOLE)


def _scaled(field: str, factor: int):
    """Return the decimal column times ``factor`` as a whole number (its decimals are at most that many)."""
    return Cast(Round(F(field) * Value(factor)), WHOLE)


def _half_up(numerator, denominator):
    """Return numerator / denominator rounded half away from zero, in integer arithmetic.

    For n >= 0 that is floor((2n + d) / 2d); both databases divide whole numbers by truncation.
    """
    two = Value(2, output_field=WHOLE)
    return Case(
        When(
            GreaterThanOrEqual(numerator, 0),
            then=_whole((two * numerator + denominator) / (two * denominator)),
        ),
        default=_whole(-((-two * numerator + denominator) / (two * denominator))),
        output_field=WHOLE,
    )


def line_cents():
    """Return expressions for a line's net, VAT and gross in cents: {"net": ..., "vat": ..., "gross": ...}."""
    amount = _whole(_scaled("quantity", 100) * _scaled("unit_price", 10_000))  # euros × 10⁶
    rate = _scaled("vat_rate", 100)  # 13.50 % is 1350
    ten_thousand = Value(10_000, output_field=WHOLE)
    rounded = _half_up(amount, ten_thousand)

    # A price with VAT: the gross is the price, the VAT is gross × rate / (100 + rate).
    vat_inside = _half_up(_whole(rounded * rate), _whole(ten_thousand + rate))
    # A price without VAT: the net is the price, the VAT is net × rate / 100.
    vat_on_top = _half_up(_whole(rounded * rate), ten_thousand)

    def either(with_vat, without_vat):
        return Case(When(unit_price_includes_vat=True, then=with_vat), default=without_vat, output_field=WHOLE)

    return {
        "net": either(_whole(rounded - vat_inside), rounded),
        "vat": either(vat_inside, vat_on_top),
        "gross": either(rounded, _whole(rounded + vat_on_top)),
    }

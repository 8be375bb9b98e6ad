"""Money as people read it: every euro figure on an invoice, its PDF, its emails and the reports.

Django's ``number_format`` (and the ``floatformat`` filter) cut a Decimal's extra decimals off instead
of rounding them: 105.725 printed with two decimals reads 105,72. So every figure is first rounded half
up to the cent from the exact Decimal, as ``billing.models.cents`` rounds the invoice's own amounts, and
only then formatted, with nothing left for the formatter to cut.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

CENT = Decimal("0.01")
# A unit price is stored with four decimals (InvoiceLine.unit_price).
PRICE_PLACES = 4


def format_money(value, *, currency: bool = True) -> str:
    """Return an amount rounded half up to the cent in the active language's way: "1 234,57 €"."""
    if value is None or value == "":
        return ""
    rounded = Decimal(str(value) if isinstance(value, float) else value).quantize(CENT, rounding=ROUND_HALF_UP)
    text = number_format(rounded, 2, force_grouping=True)
    return f"{text} €" if currency else text


def format_unit_price(value: Decimal) -> str:
    """Return a unit price with every decimal it is stored with, at least two: 105,725 and 12,50.

    A line's total is the quantity times the stored unit price, rounded to the cent. Printed to the
    cent only, a price of 105,725 would read 105,73 and three of them would not make the 317,18 printed
    beside it; printed whole, the line can be checked with a calculator.
    """
    exact = Decimal(value).quantize(Decimal(1).scaleb(-PRICE_PLACES), rounding=ROUND_HALF_UP)
    places = max(2, -exact.normalize().as_tuple().exponent) if exact else 2
    return number_format(exact.quantize(Decimal(1).scaleb(-places)), places, force_grouping=True)

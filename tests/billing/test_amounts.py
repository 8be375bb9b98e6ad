"""The database keeps an invoice line's net and VAT to the cent as billing's Python computes them."""

import random
from decimal import Decimal

import pytest

from billing.models import InvoiceLine
from tests.factories import InvoiceFactory, InvoiceLineFactory

pytestmark = pytest.mark.django_db

RATES = ["0.00", "10.00", "13.50", "14.00", "24.00", "25.50"]


def cents(value: Decimal) -> int:
    return int(value * 100)


def test_every_line_rounds_half_up_like_billing_on_the_database():
    rng = random.Random(9)  # noqa: S311 - repeatable test data
    invoice = InvoiceFactory()
    # The ties first: 0.125 × 2, 10.005 × 3 and a VAT that lands on half a cent exactly (0.50 at 25.5 %
    # inside the price: 0.50 × 25.5 / 125.5 is no tie, 2.00 at 25 % on top is 0.50 exactly).
    lines = [
        ("2", "0.125", "13.50", False),
        ("3", "10.005", "25.50", False),
        ("1", "0.02", "25.00", False),
        ("-1", "85.00", "14.00", True),
        ("-3", "10.005", "25.50", False),
        ("1", "-10.005", "25.50", False),  # a discount line
        ("-2", "-0.125", "13.50", True),
    ]
    for _ in range(300):
        quantity = Decimal(rng.randint(-300, 3000)) / Decimal(100)
        price = Decimal(rng.randint(1, 2_000_000)) / Decimal(10_000)
        lines.append((str(quantity), str(price), rng.choice(RATES), rng.random() < 0.5))
    for quantity, price, rate, with_vat in lines:
        InvoiceLineFactory(
            invoice=invoice,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            vat_rate=Decimal(rate),
            unit_price_includes_vat=with_vat,
        )

    mismatches = [
        (line.quantity, line.unit_price, line.vat_rate, line.unit_price_includes_vat)
        for line in InvoiceLine.objects.all()
        if (line.net_cents, line.vat_cents, line.net_cents + line.vat_cents)
        != (cents(line.net), cents(line.vat), cents(line.gross))
    ]
    assert mismatches == []

"""Money as printed: rounded half up to the cent from the exact decimals, and every figure adds up."""

from datetime import date, datetime
from decimal import Decimal

import pypdfium2
import pytest
from django.db import transaction
from django.db.models import Sum
from django.template import Context, Template
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Invoice, InvoiceLine, cents
from billing.money import format_money, format_unit_price
from billing.pdf import line_figures, payment_codes, price_with_vat_note, render_invoice_pdf
from billing.services import issue_invoice
from tests.factories import ClientFactory, InvoiceFactory, InvoiceLineFactory

# The rates Finnish invoices have carried: general 24 and 25.5, reduced 14, 13.5 and 10, and zero.
RATES = [Decimal(rate) for rate in ("25.50", "24.00", "14.00", "13.50", "10.00", "0.00")]
SELLER = {"name": "Valmennus Oy", "iban": "FI2112345600000785", "bic": "NDEAFIHH"}


def parsed(text: str) -> Decimal:
    """Return a figure printed the Finnish way (1 234,57 €) as the Decimal a reader would type in."""
    return Decimal(text.replace("€", "").replace("\xa0", "").replace(" ", "").replace(",", "."))


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (Decimal("105.725"), "105,73 €"),
        (Decimal("0.005"), "0,01 €"),
        (Decimal("-0.005"), "-0,01 €"),
        (Decimal("1234.5649"), "1\xa0234,56 €"),
        (Decimal("999.995"), "1\xa0000,00 €"),
        (Decimal(12), "12,00 €"),
    ],
)
def test_an_amount_is_rounded_half_up_to_the_cent_never_cut(value, printed):
    with translation.override("fi"):
        assert format_money(value) == printed
        assert Template("{% load money %}{{ value|euros }}").render(Context({"value": value})) == printed


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (Decimal("105.725"), "105,725"),
        (Decimal("105.7250"), "105,725"),
        (Decimal("74.8899"), "74,8899"),
        (Decimal("12.5"), "12,50"),
        (Decimal(100), "100,00"),
        (Decimal(0), "0,00"),
    ],
)
def test_a_unit_price_is_printed_with_every_decimal_it_is_stored_with(value, printed):
    with translation.override("fi"):
        assert format_unit_price(value) == printed


@pytest.mark.django_db
def test_the_pdf_prints_a_unit_price_of_105_725_whole_and_the_line_adds_up(seller):
    invoice = InvoiceFactory(buyer_language="fi")
    InvoiceLineFactory(invoice=invoice, quantity=Decimal(3), unit_price=Decimal("105.725"), vat_rate=Decimal("25.50"))
    invoice = issue_invoice(invoice=invoice, on=date(2026, 11, 25))
    text = pypdfium2.PdfDocument(render_invoice_pdf(invoice))[0].get_textpage().get_text_range()
    # 3 × 105,725 = 317,175 → 317,18; VAT 25,5 % of it 80,8809 → 80,88; together 398,06.
    assert "105,725" in text and "105,72 " not in text
    assert "80,88" in text and "398,06" in text
    assert invoice.total_gross == Decimal("398.06")


prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("9999.9999"), places=4)
quantities = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2)
lines = st.lists(st.tuples(prices, quantities, st.sampled_from(RATES), st.booleans()), min_size=1, max_size=6)


@pytest.fixture
def buyer(db):
    """Return one client for every example: the examples differ in their lines, not in their buyer."""
    return ClientFactory()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=lines)
def test_printed_prices_lines_vat_per_rate_and_total_add_up_and_equal_the_database(buyer, lines):
    with transaction.atomic(), translation.override("fi"):
        invoice = InvoiceFactory(client=buyer, seller=SELLER, reference="2026000011", due_date=date(2026, 12, 9))
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                description="Valmennus",
                quantity=quantity,
                unit_price=price,
                vat_rate=rate,
                unit_price_includes_vat=with_vat,
            )
            for price, quantity, rate, with_vat in lines
        )
        invoice.compute_totals()
        invoice.save()
        invoice = Invoice.objects.get(pk=invoice.pk)

        # A line priced without VAT: the quantity times the printed unit price, rounded half up, plus the
        # printed VAT at the printed rate, is the printed total. A line priced with VAT: the printed sum,
        # price with VAT times the quantity, is the printed total, and the VAT is taken out of it.
        per_rate: dict[Decimal, list[Decimal]] = {}
        for line in invoice.lines.all():
            quantity, unit_price, rate, vat, total = (parsed(figure) for figure in line_figures(line))
            note = price_with_vat_note(line)
            if note is None:
                net = cents(quantity * unit_price)
                assert vat == cents(net * rate / 100)
            else:
                price, times, result = note.removeprefix("verollinen à-hinta ").replace("=", "×").split("×")
                assert parsed(times) == quantity and parsed(result) == total
                assert cents(quantity * parsed(price)) == total
                assert vat == cents(total * rate / (100 + rate))
                net = total - vat
            assert net + vat == total
            sums = per_rate.setdefault(rate, [Decimal(0), Decimal(0)])
            sums[0] += net
            sums[1] += vat

        # The VAT summary per rate is the sum of the printed lines, and the database's cents agree.
        stored = {
            row["vat_rate"]: (Decimal(row["net"]) / 100, Decimal(row["vat"]) / 100)
            for row in invoice.lines.values("vat_rate").annotate(net=Sum("net_cents"), vat=Sum("vat_cents"))
        }
        for group in invoice.vat_breakdown():
            net, vat, gross = (parsed(format_money(group[key])) for key in ("net", "vat", "gross"))
            assert [net, vat] == per_rate[group["rate"]]
            assert (net, vat) == stored[group["rate"]]
            assert net + vat == gross

        # The grand total as printed is the sum of the VAT summary and what the database holds.
        total = parsed(format_money(invoice.total_gross))
        assert total == sum(sum(figures) for figures in per_rate.values())
        assert total == invoice.total_gross == invoice.total_net + invoice.total_vat

        # The bank barcode and the QR code carry the same amount (nothing is due on an invoice of 0 €).
        # A barcode has six digits for the euros: from a million up it carries none, and the payer types it.
        barcode, payload = payment_codes(invoice)
        assert Decimal(barcode[17:23] + "." + barcode[23:25]) == (total if total < 1_000_000 else 0)
        assert payload is None if total == 0 else payload.splitlines()[7] == f"EUR{total}"
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_pdf_metadata_names_the_seller_as_author_and_the_day_it_was_made(seller):
    invoice = InvoiceFactory(buyer_language="fi")
    InvoiceLineFactory(invoice=invoice)
    invoice = issue_invoice(invoice=invoice, on=date(2026, 11, 25))
    metadata = pypdfium2.PdfDocument(render_invoice_pdf(invoice)).get_metadata_dict()
    assert metadata["Author"] == invoice.seller["name"] == seller.name
    # "D:20261206045512+00'00'": the day the file was made (give or take the date line), not 1.1.2000.
    made = datetime.strptime(metadata["CreationDate"][2:10], "%Y%m%d").date()
    assert abs((made - timezone.now().date()).days) <= 1


@pytest.mark.django_db
def test_a_line_priced_with_vat_prints_the_sum_it_is_made_of(seller):
    invoice = InvoiceFactory(buyer_language="fi")
    InvoiceLineFactory(
        invoice=invoice,
        quantity=Decimal(2),
        unit_price=Decimal("51.00"),
        unit_price_includes_vat=True,
        vat_rate=Decimal("25.50"),
    )
    invoice = issue_invoice(invoice=invoice, on=date(2026, 11, 25))
    text = pypdfium2.PdfDocument(render_invoice_pdf(invoice))[0].get_textpage().get_text_range()
    # The VAT Act's unit price without VAT, 51 / 1,255 = 40,6375, times 2 is 81,28; but the line is
    # 102,00 with 20,73 VAT in it, 81,27 without: the note shows the sum the line is made of.
    assert "40,6375" in text and "20,73" in text and "102,00" in text
    assert "verollinen à-hinta 51,00 × 2,00 = 102,00" in text
    assert invoice.total_gross == Decimal("102.00")

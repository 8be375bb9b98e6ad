"""The invoice as a PDF: seller, buyer, lines, VAT breakdown, payment details, bank barcode and QR code."""

from io import BytesIO

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from billing.models import Invoice, InvoiceLine
from billing.money import format_money, format_unit_price
from billing.payment_codes import epc_qr_payload, format_reference, format_rf, rf_reference, virtual_barcode


def line_figures(line: InvoiceLine) -> tuple[str, str, str, str, str]:
    """Return a line's quantity, unit price without VAT, VAT %, VAT and total as the PDF prints them.

    The unit price keeps every decimal it is stored with (billing.money.format_unit_price), so that
    the quantity times the printed price, rounded half up to the cent, is the printed amount.
    """
    return (
        number_format(line.quantity, 2),
        format_unit_price(line.net_unit_price),
        number_format(line.vat_rate, 1),
        format_money(line.vat, currency=False),
        format_money(line.gross, currency=False),
    )


def price_with_vat_note(line: InvoiceLine) -> str | None:
    """Return, for a line priced with VAT, the sum it is computed by: "price with VAT 85,00 × 3 = 255,00".

    The VAT Act asks for the unit price without VAT, which the line's column shows; but a price with VAT
    divided by 1.255 or 1.135 has no exact decimals, so that column times the quantity is a cent off on
    about one such line in five. The line is the quantity times the price with VAT, and this note prints
    that product, so the line can still be checked as printed.
    """
    if not line.unit_price_includes_vat:
        return None
    price, quantity = format_unit_price(line.unit_price), number_format(line.quantity, 2)
    total = format_money(line.gross, currency=False)
    return _("price with VAT %(price)s × %(quantity)s = %(total)s") % {
        "price": price,
        "quantity": quantity,
        "total": total,
    }


def payment_codes(invoice: Invoice) -> tuple[str, str | None]:
    """Return the invoice's 54-digit bank barcode and its EPC QR payload (None when nothing is due)."""
    seller = invoice.seller
    amount = invoice.total_gross if invoice.total_gross > 0 else None
    barcode = virtual_barcode(iban=seller["iban"], amount=amount, reference=invoice.reference, due=invoice.due_date)
    payload = None
    if amount is not None:
        payload = epc_qr_payload(
            bic=seller["bic"],
            name=seller["name"],
            iban=seller["iban"],
            amount=amount,
            rf=rf_reference(invoice.reference),
        )
    return barcode, payload


def _draw_lines(pdf, x, y, lines, size=10, leading=13, font="Helvetica"):
    pdf.setFont(font, size)
    for line in lines:
        pdf.drawString(x, y, line)
        y -= leading
    return y


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """Return the issued invoice as a PDF in the buyer's language."""
    with translation.override(invoice.buyer_language):
        return _render(invoice)


def _render(invoice: Invoice) -> bytes:
    seller = invoice.seller
    buffer = BytesIO()
    # Not reportlab's invariant mode, which dates every file 1 January 2000: the metadata says when this
    # copy was made, and by whom the invoice is (the seller), as a bookkeeper's archive lists them.
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=False)
    pdf.setTitle(f"{invoice} – {seller['name']}")
    pdf.setAuthor(seller["name"])
    width, height = A4
    left, right = 20 * mm, width - 20 * mm

    # Seller and title.
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(left, height - 25 * mm, seller["name"])
    seller_lines = [*seller["address"], seller.get("phone") or "", seller.get("email") or ""]
    business_id_label, vat_number_label = _("Business ID"), _("VAT number")
    seller_lines.append(f"{business_id_label} {seller['business_id']}")
    if seller.get("vat_number"):
        seller_lines.append(f"{vat_number_label} {seller['vat_number']}")
    _draw_lines(pdf, left, height - 32 * mm, [line for line in seller_lines if line], size=9, leading=11)

    title = _("CREDIT NOTE") if invoice.is_credit_note else _("INVOICE")
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(120 * mm, height - 25 * mm, title)
    facts = [
        (_("Invoice number"), invoice.display_number),
        (_("Issue date"), f"{invoice.issue_date:%d.%m.%Y}"),
        (
            _("Delivery"),
            f"{invoice.delivery_date:%d.%m.%Y}"
            + (f"–{invoice.delivery_end:%d.%m.%Y}" if invoice.delivery_end else ""),
        ),
        (_("Due date"), f"{invoice.due_date:%d.%m.%Y}" if invoice.due_date else "-"),
        (_("Reference"), format_reference(invoice.reference)),
    ]
    if invoice.credits_id:
        facts.append((_("Credits invoice"), invoice.credits.display_number))
    y = height - 33 * mm
    for label, value in facts:
        pdf.setFont("Helvetica", 9)
        pdf.drawString(120 * mm, y, label)
        pdf.setFont("Helvetica-Bold", 9)
        pdf.drawString(155 * mm, y, value)
        y -= 12

    # Buyer.
    pdf.setFont("Helvetica", 8)
    pdf.drawString(left, height - 62 * mm, _("Buyer"))
    _draw_lines(pdf, left, height - 67 * mm, [invoice.buyer_name, *invoice.buyer_address.splitlines()], size=10)

    # Lines.
    y = height - 100 * mm
    columns = [
        (left, _("Description")),
        (105 * mm, _("Qty")),
        (120 * mm, _("Unit price")),
        (143 * mm, _("VAT %")),
        (158 * mm, _("VAT")),
        (175 * mm, _("Total")),
    ]
    pdf.setFont("Helvetica-Bold", 8)
    for x, label in columns:
        pdf.drawString(x, y, label)
    pdf.line(left, y - 3, right, y - 3)
    y -= 14
    pdf.setFont("Helvetica", 9)
    for line in invoice.lines.all():
        date_text = f"{line.service_date:%d.%m.%Y} " if line.service_date else ""
        pdf.drawString(left, y, (date_text + line.description)[:60])
        quantity, unit_price, vat_rate, vat, total = line_figures(line)
        pdf.drawRightString(117 * mm, y, f"{quantity} {line.unit}")
        pdf.drawRightString(140 * mm, y, unit_price)
        pdf.drawRightString(155 * mm, y, vat_rate)
        pdf.drawRightString(172 * mm, y, vat)
        pdf.drawRightString(right, y, total)
        y -= 12
        note = price_with_vat_note(line)
        if note:
            pdf.setFont("Helvetica", 7)
            pdf.drawString(left + 4 * mm, y + 2, note)
            pdf.setFont("Helvetica", 9)
            y -= 9
        if y < 120 * mm:
            pdf.showPage()
            y = height - 25 * mm
            pdf.setFont("Helvetica", 9)

    # VAT breakdown and totals.
    pdf.line(left, y + 4, right, y + 4)
    y -= 8
    pdf.setFont("Helvetica-Bold", 8)
    for x, label in [
        (105 * mm, _("VAT %")),
        (130 * mm, _("Without VAT")),
        (155 * mm, _("VAT")),
        (175 * mm, _("Total")),
    ]:
        pdf.drawString(x, y, label)
    y -= 12
    pdf.setFont("Helvetica", 9)
    for group in invoice.vat_breakdown():
        pdf.drawString(105 * mm, y, f"{number_format(group['rate'], 1)} %")
        pdf.drawRightString(150 * mm, y, format_money(group["net"]))
        pdf.drawRightString(172 * mm, y, format_money(group["vat"]))
        pdf.drawRightString(right, y, format_money(group["gross"]))
        y -= 12
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(105 * mm, y - 4, _("Total to pay") if invoice.is_payable else _("To be refunded"))
    pdf.drawRightString(right, y - 4, format_money(invoice.total_gross))
    y -= 22
    pdf.setFont("Helvetica", 8)
    if not seller.get("is_vat_registered", True):
        pdf.drawString(
            left, y, _("No VAT: the seller is a small business not registered for VAT (VAT Act, section 3).")
        )
        y -= 11
    pdf.drawString(left, y, seller.get("late_interest_text") or "")
    y -= 11
    if invoice.notes:
        _draw_lines(pdf, left, y, invoice.notes.splitlines()[:4], size=8, leading=10)

    if not invoice.is_payable:
        # A credit note is paid back, not paid: no payment slip, no codes for a bank to read.
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()

    # Payment slip at the bottom: account, reference, due date, amount, barcode and QR code.
    barcode, payload = payment_codes(invoice)
    slip_top = 95 * mm
    pdf.line(left, slip_top, right, slip_top)
    slip = [
        (_("Recipient"), seller["name"]),
        (_("IBAN"), " ".join(seller["iban"][i : i + 4] for i in range(0, len(seller["iban"]), 4))),
        (_("BIC"), seller["bic"]),
        (_("Reference"), format_reference(invoice.reference)),
        (_("RF reference"), format_rf(rf_reference(invoice.reference))),
        (_("Due date"), f"{invoice.due_date:%d.%m.%Y}" if invoice.due_date else "-"),
        (_("Amount"), format_money(invoice.total_gross)),
    ]
    y = slip_top - 12
    for label, value in slip:
        pdf.setFont("Helvetica", 8)
        pdf.drawString(left, y, label)
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(left + 30 * mm, y, value)
        y -= 13

    if payload:
        widget = qr.QrCodeWidget(payload, barLevel="M", barBorder=4)
        x0, y0, x1, y1 = widget.getBounds()
        size = 45 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, pdf, 140 * mm, slip_top - 50 * mm)
        pdf.setFont("Helvetica", 7)
        pdf.drawString(140 * mm, slip_top - 53 * mm, _("Pay with your bank's app: scan the QR code."))

    # Code 128 in subset C: the 54 digits as 27 digit pairs. Quiet zones left and right are part of the
    # symbol, so the bars keep a clear margin on the page.
    symbol = code128.Code128(
        barcode, barWidth=0.27 * mm, barHeight=13 * mm, quiet=True, lquiet=10 * mm, rquiet=10 * mm
    )
    symbol.drawOn(pdf, left - 10 * mm, 12 * mm)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(left, 8 * mm, barcode)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

"""Payments by hand and from the bank's camt.054 file: matched, partial, over, unmatched, duplicate, malformed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.camt import import_camt054
from billing.models import Payment, PaymentImport
from billing.payment_codes import rf_reference
from billing.services import issue_invoice, record_payment
from tests.factories import InvoiceFactory, InvoiceLineFactory

pytestmark = pytest.mark.django_db


def issued():
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice)  # 85.00 with VAT
    return issue_invoice(invoice=invoice, on=date(2026, 11, 25))


def tx(archive_id, amount, reference, name="Maija Virtanen"):
    return f"""
        <TxDtls>
          <Refs><AcctSvcrRef>{archive_id}</AcctSvcrRef></Refs>
          <AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls>"""


def camt(*transactions, booked="2026-12-01", indicator="CRDT"):
    total = sum(Decimal(t[1]) if t[1].replace(".", "").isdigit() else Decimal(0) for t in transactions)
    details = "".join(tx(*t) for t in transactions)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>MSG1</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>N1</Id>
      <Acct><Id><IBAN>FI2112345600000785</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="EUR">{total}</Amt>
        <CdtDbtInd>{indicator}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{booked}</Dt></BookgDt>
        <AcctSvcrRef>E1</AcctSvcrRef>
        <NtryDtls>{details}</NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>""".encode()


def test_a_payment_recorded_by_hand_pays_the_invoice(seller):
    invoice = issued()
    record_payment(invoice=invoice, amount=Decimal("85.00"), paid_on=date(2026, 12, 1))
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_the_bank_file_matches_by_reference_and_handles_partial_over_and_unknown_payments(seller):
    full, partial, over = issued(), issued(), issued()
    content = camt(
        ("A1", "85.00", full.reference),
        ("A2", "40.00", partial.reference),
        ("A3", "90.00", rf_reference(over.reference)),  # the RF form matches too
        ("A4", "12.00", "1232"),  # a reference of no invoice of ours
    )
    result = import_camt054(content=content, file_name="camt054.xml")
    assert (result.matched, result.unmatched, result.duplicates) == (3, 1, 0)
    for invoice in (full, partial, over):
        invoice.refresh_from_db()
    assert (full.status, partial.status, over.status) == ("paid", "partly_paid", "paid")
    assert partial.balance == Decimal("45.00")
    assert over.balance == Decimal("-5.00")  # overpaid: staff see what to refund
    unmatched = Payment.objects.get(invoice__isnull=True)
    assert (unmatched.amount, unmatched.payer_name, unmatched.paid_on) == (
        Decimal("12.00"),
        "Maija Virtanen",
        date(2026, 12, 1),
    )


def test_the_same_file_twice_or_the_same_payment_in_another_file_is_not_recorded_again(seller):
    invoice = issued()
    content = camt(("A1", "85.00", invoice.reference))
    import_camt054(content=content, file_name="a.xml")
    again = import_camt054(content=content, file_name="a.xml")
    assert again.already_imported
    overlapping = import_camt054(
        content=camt(("A1", "85.00", invoice.reference), booked="2026-12-02"), file_name="b.xml"
    )
    assert overlapping.duplicates == 1
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    "content",
    [
        b"not xml at all",
        b"<Document><Other/></Document>",
        camt(("A1", "abc", "1232")),
        camt(("A1", "85.00", "1232"), booked="yesterday"),
    ],
)
def test_a_malformed_file_is_rejected_with_the_reason_and_changes_nothing(seller, content):
    issued()
    with pytest.raises(ValidationError):
        import_camt054(content=content, file_name="bad.xml")
    assert Payment.objects.count() == 0
    assert PaymentImport.objects.count() == 0


def test_outgoing_money_in_the_file_is_not_a_payment(seller):
    result = import_camt054(content=camt(("A1", "85.00", "1232"), indicator="DBIT"), file_name="out.xml")
    assert result.payments == []


def test_a_reversal_takes_the_payment_back_and_pending_entries_wait(seller):
    invoice = issued()
    import_camt054(content=camt(("A1", "85.00", invoice.reference)), file_name="in.xml")
    reversal = camt(("R1", "85.00", invoice.reference), indicator="DBIT").replace(
        b"<CdtDbtInd>DBIT</CdtDbtInd>", b"<CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>"
    )
    import_camt054(content=reversal, file_name="reversal.xml")
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    assert invoice.balance == Decimal("85.00")
    pending = camt(("P1", "85.00", invoice.reference)).replace(b"<Sts>BOOK</Sts>", b"<Sts>PDNG</Sts>")
    assert import_camt054(content=pending, file_name="pending.xml").payments == []


def test_a_file_for_another_account_is_refused(seller):
    other = camt(("A1", "85.00", "1232")).replace(b"FI2112345600000785", b"FI5810171000000122")
    with pytest.raises(ValidationError, match="FI5810171000000122"):
        import_camt054(content=other, file_name="other.xml")


def test_a_reference_with_leading_zeros_still_matches_and_money_on_a_credited_invoice_is_left_for_staff(seller):
    from billing.services import credit_invoice

    padded, credited = issued(), issued()
    credit_invoice(invoice=credited)
    result = import_camt054(
        content=camt(("A1", "85.00", "000" + padded.reference), ("A2", "85.00", credited.reference)), file_name="z.xml"
    )
    assert (result.matched, result.unmatched) == (1, 1)
    assert Payment.objects.get(bank_entry_id="A2").invoice is None


def test_a_long_file_settles_each_invoice_as_its_payments_one_by_one_would_with_a_fixed_number_of_queries(
    seller, django_assert_max_num_queries
):
    from billing.models import Invoice

    earlier, split, untouched = issued(), issued(), issued()
    record_payment(invoice=earlier, amount=Decimal("50.00"), paid_on=date(2026, 11, 30))
    # An invoice paid in parts across the file, one topped up from an earlier payment, and sixty
    # payments of references that are no invoice of ours.
    entries = [("S1", "30.00", split.reference), ("E1", "35.00", earlier.reference), ("S2", "55.00", split.reference)]
    entries += [(f"U{number}", "1.00", "1232") for number in range(60)]
    with django_assert_max_num_queries(16):
        result = import_camt054(content=camt(*entries), file_name="long.xml")
    assert (result.matched, result.unmatched) == (3, 60)
    statuses = dict(Invoice.objects.values_list("pk", "status"))
    assert (statuses[earlier.pk], statuses[split.pk], statuses[untouched.pk]) == ("paid", "paid", "issued")
    # The field history records each invoice's change of status.
    assert split.history.filter(status="paid").count() == 1
    assert earlier.history.filter(status="paid").count() == 1
    assert Payment.objects.filter(bank_file__isnull=False).count() == 63

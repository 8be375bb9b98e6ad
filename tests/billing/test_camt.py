"""camt.054 files in the layouts of each schema version: booked entries only, strict amounts, known versions."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from billing.camt import import_camt054
from billing.models import Payment, PaymentImport
from billing.services import issue_invoice
from tests.factories import InvoiceFactory, InvoiceLineFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "FI2112345600000785"


@pytest.fixture(autouse=True)
def english():
    """The reasons are read in English here; the Finnish ones are in the message catalogue."""
    with translation.override("en"):
        yield


def issued():
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice)  # 85.00 with VAT
    return issue_invoice(invoice=invoice, on=date(2026, 11, 25))


def entry(archive_id, amount, reference, *, status="BOOK", version="02"):
    """One reference payment entry, its status written in the form of the schema version."""
    # 001.02 and 001.04 write the status code in Sts (EntryStatus2Code); 001.06 and later wrap it
    # (EntryStatus1Choice), and their Dbtr is a choice of a party (Pty) or an agent.
    sts = f"<Sts>{status}</Sts>" if version in ("02", "04") else f"<Sts><Cd>{status}</Cd></Sts>"
    debtor = "<Nm>Maija Virtanen</Nm>" if version in ("02", "04") else "<Pty><Nm>Maija Virtanen</Nm></Pty>"
    booking = "<BookgDt><Dt>2026-12-01</Dt></BookgDt>" if status == "BOOK" else ""
    return f"""
      <Ntry>
        <NtryRef>{archive_id}</NtryRef>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        {sts}
        {booking}
        <ValDt><Dt>2026-12-01</Dt></ValDt>
        <AcctSvcrRef>E-{archive_id}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>{archive_id}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr>{debtor}</Dbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""


def notification(*entries, version="02", message="BkToCstmrDbtCdtNtfctn"):
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.054.001.{version}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <{message}>
    <GrpHdr><MsgId>MSG-{version}</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>N1</Id>
      <CreDtTm>2026-12-01T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      {"".join(entries)}
    </Ntfctn>
  </{message}>
</Document>""".encode()


@pytest.mark.parametrize("version", ["02", "04", "06", "08"])
def test_only_booked_entries_become_payments_and_the_others_are_listed_as_skipped(seller, version):
    invoice = issued()
    content = notification(
        entry("P1", "85.00", invoice.reference, status="PDNG", version=version),
        entry("B1", "85.00", invoice.reference, version=version),
        entry("I1", "10.00", "1232", status="INFO", version=version),
        entry("F1", "20.00", "1232", status="FUTR", version=version),
        version=version,
    )
    result = import_camt054(content=content, file_name="mixed.xml")
    assert list(Payment.objects.values_list("bank_entry_id", flat=True)) == ["B1"]
    assert (result.matched, result.unmatched) == (1, 0)
    assert [(s.position, s.reference) for s in result.skipped] == [(1, "E-P1"), (3, "E-I1"), (4, "E-F1")]
    reasons = [s.reason for s in result.skipped]
    assert "pending" in reasons[0] and "informational" in reasons[1] and "future" in reasons[2]
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_a_file_of_pending_entries_only_changes_no_invoice(seller):
    invoice = issued()
    content = notification(entry("P1", "85.00", invoice.reference, status="PDNG", version="08"), version="08")
    result = import_camt054(content=content, file_name="pending.xml")
    assert result.payments == [] and len(result.skipped) == 1
    assert Payment.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_a_bank_s_own_status_is_not_a_booking(seller):
    content = notification(entry("X1", "85.00", "1232", version="06"), version="06").replace(
        b"<Sts><Cd>BOOK</Cd></Sts>", b"<Sts><Prtry>BOOK</Prtry></Sts>"
    )
    result = import_camt054(content=content, file_name="own.xml")
    assert Payment.objects.count() == 0
    assert "own status BOOK" in result.skipped[0].reason


@pytest.mark.parametrize("amount", ["1e3", "NaN", "Infinity", "12.345", "-5.00", "+5.00", "", "0.00", "٣.00"])
def test_an_amount_not_in_euros_and_cents_is_an_error_naming_the_entry_and_field_and_nothing_is_stored(seller, amount):
    invoice = issued()
    content = notification(
        entry("B1", "85.00", invoice.reference),
        entry("B2", "10.00", "1232").replace('<TxAmt><Amt Ccy="EUR">10.00', f'<TxAmt><Amt Ccy="EUR">{amount}'),
    )
    with pytest.raises(ValidationError) as raised:
        import_camt054(content=content, file_name="bad.xml")
    (message,) = raised.value.messages
    assert message.startswith("Entry 2 (bank reference E-B2): NtryDtls/TxDtls/AmtDtls/TxAmt/Amt ")
    assert Payment.objects.count() == 0
    assert PaymentImport.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_every_wrong_amount_of_the_file_is_listed(seller):
    content = notification(entry("B1", "1e3", "1232"), entry("B2", "10.00", "1232"), entry("B3", "NaN", "1232"))
    with pytest.raises(ValidationError) as raised:
        import_camt054(content=content, file_name="bad.xml")
    assert [message.split(":")[0] for message in raised.value.messages] == [
        "Entry 1 (bank reference E-B1)",
        "Entry 3 (bank reference E-B3)",
    ]
    assert Payment.objects.count() == 0


def test_an_entry_amount_with_three_decimals_is_refused_even_when_the_transaction_s_is_right(seller):
    content = notification(
        entry("B1", "10.00", "1232").replace('<Amt Ccy="EUR">10.00</Amt>\n', '<Amt Ccy="EUR">10.000</Amt>\n', 1)
    )
    with pytest.raises(ValidationError, match=r"Entry 1 \(bank reference E-B1\): Ntry/Amt is “10.000”"):
        import_camt054(content=content, file_name="bad.xml")


@pytest.mark.parametrize(
    "namespace, reason",
    [
        (
            "urn:iso:std:iso:20022:tech:xsd:camt.054.001.03",
            "“urn:iso:std:iso:20022:tech:xsd:camt.054.001.03” is not one",
        ),
        ("urn:iso:std:iso:20022:tech:xsd:camt.054.001.12", "(001.02, 001.04, 001.06, 001.08)"),
        ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", "a camt.053 message, not a camt.054"),
        ("urn:iso:std:iso:20022:tech:xsd:pain.002.001.03", "a pain.002 message"),
        ("http://example.com/camt.054.001.02", "“http://example.com/camt.054.001.02” is not one"),
    ],
)
def test_a_file_of_another_namespace_or_message_is_refused_with_a_one_line_reason(seller, namespace, reason):
    content = notification(entry("B1", "85.00", "1232")).replace(
        b"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02", namespace.encode()
    )
    with pytest.raises(ValidationError) as raised:
        import_camt054(content=content, file_name="other.xml")
    (message,) = raised.value.messages
    assert reason in message and "\n" not in message
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    "content",
    [
        notification(entry("B1", "85.00", "1232"), message="BkToCstmrStmt"),
        notification(entry("B1", "85.00", "1232"))
        .replace(b'<Document xmlns="', b'<Doc xmlns="')
        .replace(b"</Document>", b"</Doc>"),
        notification(entry("B1", "85.00", "1232")).replace(
            b' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"', b""
        ),
    ],
)
def test_a_file_without_a_camt054_notification_is_refused(seller, content):
    with pytest.raises(ValidationError):
        import_camt054(content=content, file_name="other.xml")
    assert Payment.objects.count() == 0


def test_the_back_office_import_tells_which_entries_were_not_imported_and_why(client, visitors, seller):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    visitors().log_in(client, "superuser")
    invoice = issued()
    content = notification(
        entry("B1", "85.00", invoice.reference, version="08"),
        entry("P1", "20.00", "1232", status="PDNG", version="08"),
        version="08",
    )
    response = client.post(
        reverse("admin:billing_payment_import"), {"file": SimpleUploadedFile("mixed.xml", content)}, follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    assert any("Entry 2 (bank reference E-P1) was not imported" in text and "pending" in text for text in shown)
    assert Payment.objects.count() == 1


def test_a_file_of_many_pending_entries_names_the_first_twenty_and_counts_the_rest(client, visitors, seller):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    visitors().log_in(client, "superuser")
    content = notification(*(entry(f"P{n}", "20.00", "1232", status="PDNG") for n in range(25)))
    response = client.post(
        reverse("admin:billing_payment_import"), {"file": SimpleUploadedFile("pending.xml", content)}, follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    assert sum("was not imported" in text for text in shown) == 20
    assert any(text.startswith("5 more entries") for text in shown)
    assert Payment.objects.count() == 0


def test_staff_are_told_in_finnish_too(client, visitors, seller):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    visitors().log_in(client, "superuser")
    content = notification(entry("P1", "20.00", "1232", status="PDNG"))
    with translation.override("fi"):
        url = reverse("admin:billing_payment_import")
    response = client.post(url, {"file": SimpleUploadedFile("pending.xml", content)}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert any(text.startswith("Tapahtumaa 1 (pankin arkistotunnus E-P1) ei tuotu:") for text in shown)


def entry_with_message(archive_id, amount, *lines):
    """A booked entry whose payer wrote free text (unstructured remittance lines) instead of a reference."""
    message = "".join(f"<Ustrd>{line}</Ustrd>" for line in lines)
    return entry(archive_id, amount, "X").replace(
        "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>X</Ref></CdtrRefInf></Strd></RmtInf>",
        f"<RmtInf>{message}</RmtInf>",
    )


def test_a_long_free_text_message_is_kept_whole_with_its_spaces(seller):
    first = "Lasku marraskuu  " + "x" * 120  # 137 characters, two spaces kept
    second = "ja joulukuun valmennukset, kiitos! " + "y" * 100
    result = import_camt054(content=notification(entry_with_message("M1", "40.00", first, second)), file_name="m.xml")
    payment = Payment.objects.get()
    assert payment.message == f"{first}\n{second}"
    assert payment.reference == "" and payment.invoice is None
    assert result.unmatched == 1


def test_a_reference_written_in_the_message_still_finds_the_invoice(seller):
    invoice = issued()
    spaced = " ".join(invoice.reference[i : i + 5] for i in range(0, len(invoice.reference), 5))
    import_camt054(content=notification(entry_with_message("M2", "85.00", spaced)), file_name="r.xml")
    payment = Payment.objects.get()
    assert payment.invoice == invoice and payment.message == spaced
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_entries_sent_again_in_a_new_file_are_recognised_by_the_banks_identifiers(seller):
    invoice = issued()
    # The transactions carry no archive id of their own: the entry's reference, place, date and amount
    # recognise them, whatever the file they come in.
    entries = [
        entry("R1", "85.00", invoice.reference).replace("<AcctSvcrRef>R1</AcctSvcrRef><EndToEndId>", "<EndToEndId>"),
        entry("R2", "10.00", "1232").replace("<AcctSvcrRef>R2</AcctSvcrRef><EndToEndId>", "<EndToEndId>"),
    ]
    first = notification(*entries)
    again = first.replace(b"2026-12-01T18:00:00", b"2026-12-02T07:30:00").replace(b"MSG-02", b"MSG-03")
    assert first != again
    import_camt054(content=first, file_name="first.xml")
    result = import_camt054(content=again, file_name="again.xml")
    assert result.duplicates == 2 and not result.already_imported
    assert Payment.objects.count() == 2
    assert PaymentImport.objects.count() == 2


def test_two_entries_alike_but_for_their_amount_are_two_payments(seller):
    entries = [
        entry("S1", "10.00", "1232").replace("<AcctSvcrRef>S1</AcctSvcrRef><EndToEndId>", "<EndToEndId>"),
        entry("S1", "12.00", "1232").replace("<AcctSvcrRef>S1</AcctSvcrRef><EndToEndId>", "<EndToEndId>"),
    ]
    import_camt054(content=notification(*entries), file_name="alike.xml")
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [Decimal("10.00"), Decimal("12.00")]

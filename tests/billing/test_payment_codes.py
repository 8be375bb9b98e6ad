"""Reference numbers, RF references, the virtual bank barcode and the EPC QR payload."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from stdnum import iso11649

from billing.payment_codes import (
    epc_qr_payload,
    format_reference,
    format_rf,
    make_reference,
    reference_check_digit,
    rf_reference,
    validate_reference,
    validate_rf,
    virtual_barcode,
)


@pytest.mark.parametrize(
    ("base", "reference"),
    [
        ("123", "1232"),
        ("1234", "12344"),
        ("12345", "123453"),
        ("100", "1009"),
        ("1000", "10003"),
        ("2026000001", "20260000011"),
        ("1234561", "12345614"),
        ("9999999999999999999", "99999999999999999993"),
        # The example of Finance Finland's bank barcode guide.
        ("86851625961989", "868516259619897"),
    ],
)
def test_the_check_digit_is_computed_with_weights_7_3_1_from_the_right(base, reference):
    assert make_reference(base) == reference


def test_the_check_digit_for_many_bases_matches_the_definition_by_hand():
    for base in range(100, 5000, 7):
        digits = str(base)
        weights = [7, 3, 1] * 7
        total = sum(int(d) * w for d, w in zip(reversed(digits), weights, strict=False))
        assert reference_check_digit(digits) == (10 - total % 10) % 10
        assert validate_reference(make_reference(base)) == make_reference(base)


@pytest.mark.parametrize("bad", ["12345", "1", "123", "12a45", "1" * 21])
def test_a_wrong_check_digit_or_length_is_rejected(bad):
    with pytest.raises(ValidationError):
        validate_reference(bad)


def test_spaces_are_ignored_and_the_printed_form_groups_five_digits_from_the_right():
    assert validate_reference("12 34561 4") == "12345614"
    assert format_reference("12345614") == "123 45614"
    assert format_reference("20260000011") == "2 02600 00011"
    assert format_reference("1232") == "1232"


@pytest.mark.parametrize("reference", ["1232", "12345614", "20260000011", "99999999999999999993"])
def test_the_rf_form_agrees_with_iso_11649(reference):
    rf = rf_reference(reference)
    assert rf.endswith(reference)
    assert iso11649.is_valid(rf)
    assert validate_rf(rf) == rf


def test_the_rf_form_of_the_bank_guides_example_and_its_printed_form():
    assert rf_reference("868516259619897") == "RF09868516259619897"
    assert format_rf("RF09868516259619897") == "RF09 8685 1625 9619 897"
    assert validate_rf("rf09 8685 1625 9619 897") == "RF09868516259619897"
    assert validate_rf("RF18 5390 0754 7034") == "RF18539007547034"  # the example of ISO 11649


@pytest.mark.parametrize("bad", ["RF0312345614", "RF02", "XX0212345614", "RF02123456-14"])
def test_a_wrong_rf_reference_is_rejected(bad):
    with pytest.raises(ValidationError):
        validate_rf(bad)


IBAN = "FI79 4405 2020 0360 82"


def test_the_barcode_version_4_carries_iban_amount_reference_and_due_date():
    code = virtual_barcode(iban=IBAN, amount=Decimal("4883.15"), reference="86851 62596 19897", due=date(2010, 6, 12))
    assert code == "479440520200360820048831500000000868516259619897100612"
    assert len(code) == 54


def test_the_barcode_version_5_carries_the_rf_check_and_body():
    code = virtual_barcode(
        iban=IBAN, amount=Decimal("4883.15"), reference="RF09 8685 1625 9619 897", due=date(2010, 6, 12)
    )
    assert code == "579440520200360820048831509000000868516259619897100612"


def test_the_barcode_zero_amount_no_due_date_and_too_large_amount():
    open_amount = virtual_barcode(iban=IBAN, amount=None, reference="868516259619897", due=None)
    assert open_amount[17:25] == "00000000"
    assert open_amount.endswith("000000")
    too_large = virtual_barcode(iban=IBAN, amount=Decimal("1000000.00"), reference="868516259619897", due=None)
    assert too_large[17:25] == "00000000"
    largest = virtual_barcode(iban=IBAN, amount=Decimal("999999.99"), reference="868516259619897", due=None)
    assert largest[17:25] == "99999999"
    cents = virtual_barcode(iban=IBAN, amount=Decimal("0.05"), reference="1232", due=date(2026, 12, 31))
    assert cents[17:25] == "00000005"
    assert cents[25:48] == "000" + "1232".rjust(20, "0")
    assert cents.endswith("261231")


def test_the_epc_qr_payload_has_every_element_in_order_and_nothing_after_the_reference():
    payload = epc_qr_payload(
        bic="OKOYFIHH", name="Liikkuvat Puntit", iban="FI21 1234 5600 0007 85", amount=Decimal("85"), rf="RF0212345614"
    )
    assert payload == "BCD\n002\n1\nSCT\nOKOYFIHH\nLiikkuvat Puntit\nFI2112345600000785\nEUR85.00\n\nRF0212345614"
    assert not payload.endswith("\n")

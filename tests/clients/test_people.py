"""The rules of a person in the register: unique email, phone in E.164, postal code, minors, restriction."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from clients.models import Client, RoleChange, adulthood_birth_date
from clients.phones import format_phone, phone_search_digits
from clients.services import change_role
from tests.factories import ClientFactory, GuardianFactory, MinorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_email_differing_only_in_case_is_rejected_with_a_field_error():
    ClientFactory(email="Matti@x.fi")
    duplicate = ClientFactory.build(email="matti@x.fi")
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean()
        assert error.value.message_dict == {
            "email": ["Another person in the register already has this email address."]
        }


def test_the_database_itself_refuses_the_same_email_in_another_case():
    ClientFactory(email="Matti@x.fi")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientFactory(email="MATTI@X.FI")


def test_the_email_is_stored_as_entered():
    assert Client.objects.get(pk=ClientFactory(email="Matti.Meikalainen@X.fi").pk).email == "Matti.Meikalainen@X.fi"


def test_an_erased_or_merged_persons_email_can_be_used_again_and_people_without_email_coexist():
    ClientFactory(email="matti@x.fi", is_active=False)
    ClientFactory(email="MATTI@x.fi").full_clean()
    ClientFactory(email="")
    ClientFactory(email="").full_clean()


@pytest.mark.parametrize("typed", ["040 123 4567", "0401234567", "+358 40 123 4567", "+358401234567", "040-1234567"])
def test_a_phone_typed_in_any_finnish_format_is_stored_in_e164_and_shown_the_finnish_way(typed):
    person = ClientFactory(phone=typed)
    person.full_clean()
    person.refresh_from_db()
    assert person.phone.as_e164 == "+358401234567"
    assert format_phone(person.phone) == "040 1234567"


def test_a_foreign_phone_keeps_its_country_code():
    person = ClientFactory(phone="+46 70 123 45 67")
    person.refresh_from_db()
    assert format_phone(person.phone) == "+46 70 123 45 67"


def test_a_malformed_phone_is_a_field_error():
    with pytest.raises(ValidationError) as error:
        ClientFactory.build(phone="040 12").full_clean()
    assert "phone" in error.value.message_dict


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("040 123 4567", "358401234567"),
        ("+358 40 123", "35840123"),
        ("00358401234567", "358401234567"),
        ("401234567", "401234567"),
        ("Virtanen", None),
        ("12", None),
    ],
)
def test_a_search_term_that_is_a_phone_number_becomes_digits_of_the_stored_number(typed, digits):
    assert phone_search_digits(typed) == digits


@pytest.mark.parametrize(
    ("country", "code", "valid"),
    [("FI", "01750", True), ("FI", "1750", False), ("FI", "0175O", False), ("SE", "114 55", True)],
)
def test_a_finnish_postal_code_has_five_digits_and_a_foreign_one_is_free(country, code, valid):
    person = ClientFactory.build(country=country, postal_code=code)
    if valid:
        person.full_clean()
    else:
        with translation.override("en"), pytest.raises(ValidationError) as error:
            person.full_clean()
        assert error.value.message_dict["postal_code"] == ["A Finnish postal code has five digits."]


def test_minors_without_a_guardian_are_found_and_adults_and_guarded_minors_are_not():
    alone = MinorFactory()
    guarded = GuardianFactory().minor
    ClientFactory()  # an adult
    ClientFactory(date_of_birth=None)  # age unknown: not flagged
    assert list(Client.objects.minors_without_guardian()) == [alone]
    assert alone.is_minor and guarded.is_minor


def test_adulthood_starts_on_the_18th_birthday_even_for_someone_born_on_29_february():
    assert adulthood_birth_date(dt.date(2026, 11, 25)) == dt.date(2008, 11, 25)
    assert adulthood_birth_date(dt.date(2028, 2, 29)) == dt.date(2010, 2, 28)
    person = ClientFactory.build(date_of_birth=dt.date(2008, 11, 26))
    assert person.age(dt.date(2026, 11, 25)) == 17
    assert person.age(dt.date(2026, 11, 26)) == 18


def test_a_restriction_needs_a_reason_and_marks_the_person_everywhere_their_name_shows():
    person = ClientFactory(last_name="Virtanen", first_name="Ville")
    person.restricted_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "restriction_reason" in error.value.message_dict
    person.restriction_reason = "Tietojen oikeellisuus kiistetty"
    person.full_clean()
    with translation.override("fi"):
        assert str(person) == "Virtanen, Ville (rajoitettu)"


def test_a_prospect_becomes_a_client_without_reentering_data_and_the_change_is_dated():
    staff = UserFactory(is_staff=True)
    person = ClientFactory(role=Client.Role.PROSPECT, email="liidi@x.fi")
    change_role(person=person, role=Client.Role.CLIENT, changed_by=staff)
    person.refresh_from_db()
    assert (person.role, person.email) == (Client.Role.CLIENT, "liidi@x.fi")
    change = RoleChange.objects.get(client=person)
    assert (change.previous_role, change.role, change.changed_by) == ("prospect", "client", staff)

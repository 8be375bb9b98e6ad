"""The organisation that keeps the register: seeded from the notice, validated, one row, shown everywhere."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from register.models import Organisation
from register.validators import validate_business_id, validate_finnish_postal_code

CHANGE_URL = reverse("admin:register_organisation_change", args=[1])


def form_data(organisation, **changes):
    fields = [
        "name",
        "business_id",
        "street_address",
        "postal_code",
        "city",
        "phone",
        "email",
        "website",
        "contact_name",
        "contact_phone",
        "contact_email",
        "contact_street_address",
        "contact_postal_code",
        "contact_city",
        "cancellation_window_hours",
        "vat_number",
        "iban",
        "bic",
        "payment_terms_days",
        "late_interest_text",
        "reminder_hours_before",
    ]
    data = {name: getattr(organisation, name) for name in fields}
    if organisation.is_vat_registered:
        data["is_vat_registered"] = "on"
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_data_migration_holds_the_controller_and_contact_person_of_the_notice():
    organisation = Organisation.objects.get()
    assert organisation.name == "Liikkuvat Puntit"
    assert organisation.address_lines == ["Vestrantie 39", "01750 Vantaa"]
    assert organisation.contact_name == "Sami Muhonen"
    assert organisation.contact_email == "sami@liikkuvatpuntit.fi"


@pytest.mark.parametrize("value", ["0112038-9", "0108023-3", "0109862-8", "1572860-0"])
def test_it_accepts_business_ids_with_a_correct_check_digit(value):
    validate_business_id(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0112038-8", "business_id_check"),
        ("0112038", "business_id_format"),
        ("112038-9", "business_id_format"),
        ("01120389", "business_id_format"),
        ("0112038-9 ", "business_id_format"),
        # Weighted sums with remainder 1 are never issued, whatever the last digit.
        ("0000001-0", "business_id_check"),
        ("0112038-9\n", "business_id_format"),
        ("\u0660\u0661\u0661\u0662\u0660\u0663\u0668-\u0669", "business_id_format"),  # Arabic-Indic digits
    ],
)
def test_it_rejects_malformed_business_ids(value, code):
    with pytest.raises(ValidationError) as error:
        validate_business_id(value)
    assert error.value.code == code


@pytest.mark.parametrize(
    "value", ["0175", "017500", "O1750", "01 750", "01750\n", "\u0660\u0661\u0667\u0665\u0660"]
)  # the last in Arabic-Indic digits
def test_it_rejects_postal_codes_that_are_not_five_digits(value):
    with pytest.raises(ValidationError):
        validate_finnish_postal_code(value)


def test_a_bad_business_id_in_the_back_office_gives_a_field_error_and_changes_nothing(client, visitors, organisation):
    people = visitors(permissions=["register.change_organisation", "register.view_organisation"])
    people.log_in(client, "permitted")
    response = client.post(CHANGE_URL, form_data(organisation, business_id="1234567-8", name="Uusi nimi"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["business_id"] == [
        "Y-tunnuksen tarkistusnumero on väärä; tarkista tunnus."
    ]
    organisation.refresh_from_db()
    assert organisation.name == "Liikkuvat Puntit"
    assert organisation.business_id == ""


def test_a_valid_change_is_saved_and_shown_on_the_public_pages_at_once(
    client, visitors, organisation, django_capture_on_commit_callbacks
):
    assert "Liikkuvat Puntit" in client.get("/").content.decode()  # now cached
    people = visitors(permissions=["register.change_organisation", "register.view_organisation"])
    people.log_in(client, "permitted")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGE_URL, form_data(organisation, business_id="0112038-9", name="Puntit Oy"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.business_id) == ("Puntit Oy", "0112038-9")
    html = client.get("/").content.decode()
    assert "Puntit Oy" in html
    assert "0112038-9" in html


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
def test_only_staff_with_the_permission_can_open_the_organisation(client, visitors, organisation, visitor, status):
    people = visitors(permissions=["register.change_organisation", "register.view_organisation"])
    people.log_in(client, visitor)
    response = client.get(CHANGE_URL)
    assert response.status_code == status
    if status != 200:
        assert b"Vestrantie" not in response.content


def test_the_list_page_opens_the_one_record_and_it_cannot_be_added_twice_or_deleted(client, visitors, organisation):
    people = visitors()
    people.log_in(client, "superuser")
    response = client.get(reverse("admin:register_organisation_changelist"))
    assert response.status_code == 302
    assert response["Location"] == CHANGE_URL
    assert client.get(reverse("admin:register_organisation_add")).status_code == 403
    assert client.post(reverse("admin:register_organisation_delete", args=[1]), {"post": "yes"}).status_code == 403
    assert Organisation.objects.count() == 1


def test_the_database_refuses_a_second_organisation(organisation):
    with pytest.raises(IntegrityError):
        Organisation.objects.bulk_create([Organisation(id=2, name="Toinen", contact_email="x@example.invalid")])


def test_the_back_office_is_branded_with_the_organisation_and_speaks_finnish(client, visitors, organisation):
    people = visitors()
    people.log_in(client, "superuser")
    html = client.get(reverse("admin:index")).content.decode()
    assert "Liikkuvat Puntit" in html
    assert "Kirjaudu ulos" in html  # "Log out" in Django's own Finnish translation
    english = client.get("/en/admin/").content.decode()
    assert "Log out" in english


def test_the_back_office_login_page_answers_anonymous_visitors(client, organisation):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert "Liikkuvat Puntit" in response.content.decode()


def test_a_cache_that_does_not_answer_does_not_take_the_pages_down(client, organisation, monkeypatch):
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    response = client.get("/")
    assert response.status_code == 200
    assert "Liikkuvat Puntit" in response.content.decode()

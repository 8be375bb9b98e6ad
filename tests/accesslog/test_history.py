"""Field-level history: who changed what from which value, shown to those who may see the record, gone on erasure."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from billing.models import Invoice
from bookings.models import Appointment
from clients.models import Client, CollectedData, Guardian, StaffNote
from privacy.erasure import erase
from privacy.models import AccessLogEntry
from register.declarations import Subject
from tests.accesslog.helpers import BOOKKEEPER, COACH, OWNER, signed_in
from tests.factories import (
    AccessLogEntryFactory,
    AppointmentFactory,
    ClientFactory,
    CollectedDataFactory,
    GuardianFactory,
    InvoiceFactory,
    StaffNoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HISTORIES = {
    Client: "id",
    Guardian: "minor_id",
    StaffNote: "client_id",
    CollectedData: "client_id",
    Appointment: "client_id",
    Invoice: "client_id",
}


def history_rows_of(person) -> dict[str, int]:
    """Return, per model, how many history rows still name the person; straight from the history tables."""
    return {
        model._meta.label: model.history.model.objects.filter(**{key: person.pk}).count()
        for model, key in HISTORIES.items()
    }


def person_form(person, **changes):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": str(person.phone),
        "country": "FI",
        "preferred_language": "fi",
        "role": person.role,
        "role_since": person.role_since.isoformat(),
        "source": person.source,
        "entered_at_0": "2026-11-25",
        "entered_at_1": "10:00",
        "guardians-TOTAL_FORMS": 0,
        "guardians-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
        "collected_data-TOTAL_FORMS": 0,
        "collected_data-INITIAL_FORMS": 0,
    }
    return {**data, **changes}


def test_changing_a_phone_in_the_back_office_keeps_the_old_value_and_who_changed_it(client, organisation):
    owner = signed_in(client, OWNER)
    person = ClientFactory(phone="+358401112222")
    url = reverse("admin:clients_client_change", args=[person.pk])
    assert client.post(url, person_form(person, phone="050 333 4444")).status_code == 302

    newest, before = person.history.all()[:2]
    assert (newest.phone.as_e164, newest.history_user, newest.history_type) == ("+358503334444", owner, "~")
    assert before.phone.as_e164 == "+358401112222"
    changes = {change.field: (str(change.old), str(change.new)) for change in newest.diff_against(before).changes}
    assert changes["phone"] == ("+358 40 1112222", "+358 50 3334444")


def test_the_history_page_shows_the_change_to_those_who_may_see_the_person(client, organisation):
    coach = signed_in(client, COACH)
    own = ClientFactory(coach=coach, city="Vantaa")
    own.city = "Espoo"
    own.save()
    response = client.get(reverse("admin:clients_client_history", args=[own.pk]))
    assert response.status_code == 200
    assert "Vantaa" in response.content.decode() and "Espoo" in response.content.decode()

    someone_elses = ClientFactory(coach=UserFactory(is_staff=True), city="Kerava")
    assert client.get(reverse("admin:clients_client_history", args=[someone_elses.pk])).status_code == 404
    version = someone_elses.history.first().history_id
    url = reverse("admin:clients_client_simple_history", args=[someone_elses.pk, version])
    assert client.get(url).status_code == 404


def test_a_deleted_persons_history_is_not_shown_and_nothing_is_reverted(client, organisation):
    signed_in(client, OWNER)
    person = ClientFactory(city="Vantaa")
    person.city = "Espoo"
    person.save()
    old = person.history.last().history_id
    url = reverse("admin:clients_client_simple_history", args=[person.pk, old])
    assert client.get(url).status_code == 200
    assert client.post(url, person_form(person, city="Vantaa")).status_code == 403
    person.refresh_from_db()
    assert person.city == "Espoo"

    pk = person.pk
    person.delete()
    assert client.get(reverse("admin:clients_client_history", args=[pk])).status_code == 404
    # The history went with the row; the access log and the change log say who deleted it.
    assert not Client.history.filter(id=pk).exists()


def test_erasing_a_person_leaves_no_history_row_about_them(seller):
    person = ClientFactory(first_name="Maija", phone="+358401112222")
    person.phone = "+358503334444"
    person.save()
    guardian = GuardianFactory(minor=person)
    guardian.city = "Kerava"
    guardian.save()
    StaffNoteFactory(client=person)
    CollectedDataFactory(client=person)
    appointment = AppointmentFactory(client=person)
    appointment.notes = "Polvi"
    appointment.save()
    invoice = InvoiceFactory(client=person)
    invoice.buyer_address = "Uusi osoite 1"
    invoice.save()
    other = ClientFactory()
    other.city = "Espoo"
    other.save()
    assert all(history_rows_of(person).values())

    erase(subject=Subject(people=(person,)))

    assert history_rows_of(person) == dict.fromkeys(history_rows_of(person), 0)
    # Rows kept under a legal duty (the invoice) or for statistics (the appointment) stay, pseudonymised.
    assert Invoice.objects.filter(pk=invoice.pk).exists() and Appointment.objects.filter(pk=appointment.pk).exists()
    assert not Invoice.history.filter(buyer_name__contains="Maija").exists()
    # Someone else's history is theirs to keep.
    assert Client.history.filter(id=other.pk).count() == 2


def test_erasure_keeps_the_access_log_unlinked_from_the_person_and_without_their_name(organisation):
    person = ClientFactory(last_name="Poistettava")
    entry = AccessLogEntryFactory(person=person)
    viewer = entry.user_id
    someone_else = AccessLogEntryFactory()

    erase(subject=Subject(people=(person,)))

    entry.refresh_from_db()
    assert (entry.person, entry.object_label) == (None, "")
    # Who looked, when, with what role and from where stays: the controller's proof of accountability.
    assert (entry.user_id, entry.roles, entry.action, entry.ip_address) == (
        viewer,
        "Valmentaja (coach)",
        "viewed",
        "203.0.113.5",
    )
    someone_else.refresh_from_db()
    assert someone_else.person is not None
    assert AccessLogEntry.objects.count() == 2


def test_old_appointments_that_lose_their_person_lose_their_history_too(organisation):
    old = AppointmentFactory(
        starts_at=timezone.now() - timedelta(days=4 * 365), ends_at=timezone.now() - timedelta(days=4 * 365 - 1)
    )
    old.notes = "Polvi"
    old.save()
    recent = AppointmentFactory(client=old.client)
    call_command("purge_expired", stdout=StringIO())
    old.refresh_from_db()
    assert old.client is None
    assert not Appointment.history.filter(id=old.pk).exists()
    assert Appointment.history.filter(id=recent.pk).exists()


def test_the_history_shows_only_the_fields_the_staff_member_may_see(client, organisation):
    signed_in(client, BOOKKEEPER)
    person = ClientFactory(city="Vantaa", email="vanha@example.fi")
    person.city = "Espoo"
    person.email = "uusi@example.fi"
    person.save()
    page = client.get(reverse("admin:clients_client_history", args=[person.pk])).content.decode()
    # The bookkeeper sees names and billing addresses: the move, not the email addresses.
    assert "Vantaa" in page and "Espoo" in page
    assert "vanha@example.fi" not in page and "uusi@example.fi" not in page

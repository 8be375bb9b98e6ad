"""The appointments list is searched by the client's name, email or phone number, as the people list is."""

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings import admin as bookings_admin
from tests.auth import sign_in
from tests.factories import AppointmentFactory, ClientFactory, CoachFactory, UserFactory

pytestmark = pytest.mark.django_db
APPOINTMENTS = reverse("admin:bookings_appointment_changelist")


HOURS = itertools.count()


def _book(person, **kwargs):
    """Book two appointments of the person, at hours no other appointment of the test takes."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    return {
        AppointmentFactory(client=person, starts_at=start + dt.timedelta(hours=2 * next(HOURS)), **kwargs)
        for _number in range(2)
    }


def _found(client, term):
    response = client.get(APPOINTMENTS, {"q": term})
    assert response.status_code == 200
    return {appointment.pk for appointment in response.context["cl"].result_list}


@pytest.fixture
def booked(organisation):
    aino = ClientFactory(first_name="Aino", last_name="Virtanen", email="aino@posti.fi", phone="+358401234567")
    eero = ClientFactory(first_name="Eero", last_name="Virtala", email="eero@example.fi")
    sara = ClientFactory(first_name="Sara", last_name="Berg", email="sara.berg@example.fi")
    return {person.first_name: _book(person) for person in (aino, eero, sara)}


def _keys(appointments):
    return {appointment.pk for appointment in appointments}


@pytest.mark.parametrize("people_searched_first", [1000, 1], ids=["people first", "through the join"])
def test_appointments_are_found_by_the_clients_name_or_email_either_way(
    client, booked, monkeypatch, people_searched_first
):
    monkeypatch.setattr(bookings_admin, "PEOPLE_SEARCHED_FIRST", people_searched_first)
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    assert _found(client, "virta") == _keys(booked["Aino"] | booked["Eero"])
    assert _found(client, "virtanen") == _keys(booked["Aino"])
    assert _found(client, "sara.berg@") == _keys(booked["Sara"])
    assert _found(client, "aino virtanen") == _keys(booked["Aino"])  # every word must match
    assert _found(client, "nobody") == set()
    assert _found(client, "") == _keys(booked["Aino"] | booked["Eero"] | booked["Sara"])


def test_appointments_are_found_by_the_clients_phone_number_in_any_format(client, booked):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    assert _found(client, "040 123 4567") == _keys(booked["Aino"])


def test_a_coach_finds_only_the_appointments_of_their_own_clients(client, booked):
    coach = CoachFactory().user
    coach.groups.add(Group.objects.get(name="Valmentaja (coach)"))
    own = ClientFactory(first_name="Oma", last_name="Virtanen", coach=coach)
    mine = _book(own, coach=coach)
    sign_in(client, coach)
    assert _found(client, "virtanen") == _keys(mine)


def test_the_unsearched_list_reads_no_people(client, booked):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    client.get(APPOINTMENTS)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(APPOINTMENTS).status_code == 200
    assert not [query["sql"] for query in queries if query["sql"].startswith('SELECT "clients_client"."id"')]

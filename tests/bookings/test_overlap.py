"""No double booking: a coach or a client never has two overlapping active appointments."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from bookings.models import Appointment
from bookings.services import book_appointment, cancel_appointment
from tests.factories import AppointmentFactory, ClientFactory, CoachFactory, ServiceFactory

HELSINKI = ZoneInfo("Europe/Helsinki")
TEN = datetime(2026, 12, 7, 10, 0, tzinfo=HELSINKI)


def new_appointment(**fields):
    values = {"service": ServiceFactory(), "starts_at": TEN, "ends_at": TEN + timedelta(hours=1)}
    values.update(fields)
    return Appointment(**values)


@pytest.mark.django_db
def test_an_overlapping_appointment_of_the_same_coach_is_refused_naming_the_other():
    existing = AppointmentFactory(starts_at=TEN, ends_at=TEN + timedelta(hours=1))
    clash = new_appointment(
        client=ClientFactory(),
        coach=existing.coach,
        starts_at=TEN + timedelta(minutes=30),
        ends_at=TEN + timedelta(minutes=90),
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        book_appointment(appointment=clash)
    message = " ".join(error.value.messages)
    assert f"(no. {existing.pk})" in message
    assert "7.12.2026 10:00–11:00" in message
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_an_overlapping_appointment_of_the_same_client_with_another_coach_is_refused():
    existing = AppointmentFactory(starts_at=TEN, ends_at=TEN + timedelta(hours=1))
    clash = new_appointment(
        client=existing.client,
        coach=CoachFactory().user,
        starts_at=TEN + timedelta(minutes=59),
        ends_at=TEN + timedelta(hours=2),
    )
    with translation.override("en"), pytest.raises(ValidationError, match="The client already has an appointment"):
        book_appointment(appointment=clash)


@pytest.mark.django_db
def test_touching_appointments_and_other_peoples_times_are_allowed():
    existing = AppointmentFactory(starts_at=TEN, ends_at=TEN + timedelta(hours=1))
    book_appointment(
        appointment=new_appointment(
            client=existing.client,
            coach=existing.coach,
            starts_at=TEN + timedelta(hours=1),
            ends_at=TEN + timedelta(hours=2),
        )
    )
    book_appointment(appointment=new_appointment(client=ClientFactory(), coach=CoachFactory().user))
    assert Appointment.objects.count() == 3


@pytest.mark.django_db
def test_a_cancelled_appointment_frees_its_slot():
    existing = AppointmentFactory(starts_at=TEN, ends_at=TEN + timedelta(hours=1))
    cancel_appointment(appointment=existing, by_client=False)
    book_appointment(appointment=new_appointment(client=ClientFactory(), coach=existing.coach))
    assert Appointment.objects.active().count() == 1


@pytest.mark.django_db
def test_the_end_defaults_to_the_services_duration_and_must_follow_the_start():
    service = ServiceFactory(duration=timedelta(minutes=90))
    appointment = book_appointment(
        appointment=Appointment(client=ClientFactory(), coach=CoachFactory().user, service=service, starts_at=TEN)
    )
    assert appointment.ends_at == TEN + timedelta(minutes=90)
    backwards = new_appointment(client=ClientFactory(), coach=CoachFactory().user, ends_at=TEN - timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        book_appointment(appointment=backwards)
    assert "ends_at" in error.value.message_dict


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_booking_the_same_slot_at_once_let_exactly_one_through():
    coach = CoachFactory().user
    service = ServiceFactory()
    clients = [ClientFactory(), ClientFactory()]
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def book(client):
        try:
            appointment = new_appointment(client=client, coach=coach, service=service)
            # Both pass validation before either has written: only the database can stop the second.
            appointment.full_clean()
            barrier.wait()
            from bookings.services import _save_guarded

            _save_guarded(appointment)
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcomes) == ["booked", "refused"]
    assert Appointment.objects.filter(coach=coach).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
@pytest.mark.django_db
def test_the_database_refuses_an_overlap_that_skipped_validation():
    existing = AppointmentFactory(starts_at=TEN, ends_at=TEN + timedelta(hours=1))
    from bookings.services import _save_guarded

    with pytest.raises(ValidationError):
        _save_guarded(new_appointment(client=ClientFactory(), coach=existing.coach))

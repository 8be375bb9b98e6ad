import pytest
from django.utils import translation

from register.declarations import Subject, erasure_plan, export
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_a_persons_appointments_are_exported_and_erasure_keeps_them_without_the_person():
    mine = AppointmentFactory(notes="Polvi kipeä")
    AppointmentFactory()  # someone else's
    subject = Subject(people=(mine.client,))
    with translation.override("en"):
        sections = {s["model"]: s for s in export(subject)}
    (row,) = sections["bookings.Appointment"]["rows"]
    assert row["notes"] == "Polvi kipeä"
    assert row["status"] == "booked"
    plan = {item.model: item for item in erasure_plan(subject)}
    assert plan["bookings.Appointment"].action == "anonymise"
    assert set(plan["bookings.Appointment"].fields) == {"client", "series", "notes"}

"""Recurring series keep their local time; cancellations are classified by the cancellation window."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from bookings.models import Appointment, AppointmentSeries
from bookings.services import cancel_appointment, cancel_series_from, create_series, is_late_cancellation, plan_series
from tests.factories import AppointmentFactory, ClientFactory, CoachFactory, ServiceFactory

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


def test_a_weekly_series_across_the_october_clock_change_stays_at_ten_local_time():
    # Summer time ends on Sunday 25 October 2026: 10:00 is 07:00 UTC before and 08:00 UTC after.
    plan = plan_series(
        client=ClientFactory(),
        coach=CoachFactory().user,
        service=ServiceFactory(),
        first_starts_at=datetime(2026, 10, 13, 10, 0, tzinfo=HELSINKI),
        count=4,
    )
    series, booked = create_series(plan=plan, skip_conflicts=False)
    local = [a.starts_at.astimezone(HELSINKI) for a in booked]
    assert [(t.date().isoformat(), t.strftime("%H:%M")) for t in local] == [
        ("2026-10-13", "10:00"),
        ("2026-10-20", "10:00"),
        ("2026-10-27", "10:00"),
        ("2026-11-03", "10:00"),
    ]
    assert [a.starts_at.astimezone(ZoneInfo("UTC")).hour for a in booked] == [7, 7, 8, 8]
    assert series.appointments.count() == 4


def test_a_series_every_second_week_until_a_date():
    plan = plan_series(
        client=ClientFactory(),
        coach=CoachFactory().user,
        service=ServiceFactory(),
        first_starts_at=datetime(2026, 12, 1, 17, 30, tzinfo=HELSINKI),
        interval_weeks=2,
        until=date(2027, 1, 12),
    )
    assert [o.starts_at.date().isoformat() for o in plan.occurrences] == [
        "2026-12-01",
        "2026-12-15",
        "2026-12-29",
        "2027-01-12",
    ]


def test_conflicts_are_shown_before_saving_and_staff_choose_to_skip_them_or_book_nothing():
    coach = CoachFactory().user
    taken = AppointmentFactory(
        coach=coach,
        starts_at=datetime(2026, 12, 8, 10, tzinfo=HELSINKI),
        ends_at=datetime(2026, 12, 8, 11, tzinfo=HELSINKI),
    )
    plan = plan_series(
        client=ClientFactory(),
        coach=coach,
        service=ServiceFactory(),
        first_starts_at=datetime(2026, 12, 1, 10, tzinfo=HELSINKI),
        count=3,
    )
    assert [o.conflicts for o in plan.occurrences] == [[], [taken], []]
    with pytest.raises(ValidationError):
        create_series(plan=plan, skip_conflicts=False)
    assert AppointmentSeries.objects.count() == 0
    _series, booked = create_series(plan=plan, skip_conflicts=True)
    assert len(booked) == 2


def test_a_series_is_cancelled_from_a_date_onward():
    plan = plan_series(
        client=ClientFactory(),
        coach=CoachFactory().user,
        service=ServiceFactory(),
        first_starts_at=datetime(2026, 12, 1, 10, tzinfo=HELSINKI),
        count=4,
    )
    series, _booked = create_series(plan=plan, skip_conflicts=False)
    assert cancel_series_from(series=series, from_date=date(2026, 12, 15)) == 2
    statuses = list(series.appointments.order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["booked", "booked", "cancelled_by_business", "cancelled_by_business"]


@pytest.mark.parametrize(("hours_before", "late"), [(48, False), (24, False), (23.99, True), (2, True)])
def test_a_client_cancellation_within_the_window_is_late(organisation, hours_before, late):
    starts_at = datetime(2026, 12, 10, 10, tzinfo=HELSINKI)
    appointment = AppointmentFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    cancel_appointment(appointment=appointment, by_client=True, at=starts_at - timedelta(hours=hours_before))
    appointment.refresh_from_db()
    assert appointment.status == "cancelled_by_client"
    assert appointment.late_cancellation is late


def test_the_window_is_the_organisations_setting_and_the_business_never_cancels_late(organisation):
    organisation.cancellation_window_hours = 48
    organisation.save()
    starts_at = datetime(2026, 12, 10, 10, tzinfo=HELSINKI)
    assert is_late_cancellation(starts_at=starts_at, cancelled_at=starts_at - timedelta(hours=30))
    appointment = AppointmentFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    cancel_appointment(appointment=appointment, by_client=False, at=starts_at - timedelta(hours=1))
    assert appointment.late_cancellation is False


def test_staff_plan_a_series_in_the_back_office_see_the_conflict_and_skip_it(client, visitors, organisation):
    visitors().log_in(client, "superuser")
    coach = CoachFactory()
    person = ClientFactory()
    service = ServiceFactory()
    AppointmentFactory(
        coach=coach.user,
        starts_at=datetime(2026, 12, 8, 10, tzinfo=HELSINKI),
        ends_at=datetime(2026, 12, 8, 11, tzinfo=HELSINKI),
    )
    url = reverse("admin:bookings_appointmentseries_add")
    data = {
        "client": person.pk,
        "coach": coach.pk,
        "service": service.pk,
        "first_starts_at_0": "1.12.2026",
        "first_starts_at_1": "10:00",
        "interval_weeks": 1,
        "count": 3,
    }
    preview = client.post(url, {**data, "plan": "1"})
    assert preview.status_code == 200
    assert len(preview.context["plan"].conflicting) == 1
    assert Appointment.objects.filter(client=person).count() == 0

    undecided = client.post(url, {**data, "book": "1"})
    assert undecided.status_code == 200
    assert undecided.context["form"].errors["on_conflict"]

    booked = client.post(url, {**data, "book": "1", "on_conflict": "skip"})
    assert booked.status_code == 302
    assert Appointment.objects.filter(client=person).count() == 2


def test_admin_actions_record_visits_no_shows_and_late_cancellations(client, visitors, organisation):
    visitors().log_in(client, "superuser")
    soon = AppointmentFactory(starts_at=datetime.now(HELSINKI) + timedelta(hours=3))
    past = AppointmentFactory(starts_at=datetime.now(HELSINKI) - timedelta(hours=3))
    missed = AppointmentFactory(starts_at=datetime.now(HELSINKI) - timedelta(hours=5))
    url = reverse("admin:bookings_appointment_changelist")
    client.post(url, {"action": "cancel_by_client", ACTION_CHECKBOX_NAME: [soon.pk]})
    client.post(url, {"action": "mark_attended", ACTION_CHECKBOX_NAME: [past.pk]})
    client.post(url, {"action": "mark_no_show", ACTION_CHECKBOX_NAME: [missed.pk]})
    for appointment in (soon, past, missed):
        appointment.refresh_from_db()
    assert (soon.status, soon.late_cancellation) == ("cancelled_by_client", True)
    assert past.status == "attended" and past.checked_in_at is not None
    assert missed.status == "no_show"


def test_booking_on_a_day_off_or_outside_working_hours_warns_but_books(client, visitors, organisation):
    from bookings.models import DayOff, WorkingHours

    visitors().log_in(client, "superuser")
    coach = CoachFactory(display_name="Laura")
    WorkingHours.objects.create(coach=coach, weekday=0, starts="08:00", ends="16:00")
    DayOff.objects.create(coach=coach, date=date(2026, 12, 14))
    person = ClientFactory()
    service = ServiceFactory()

    def book(day, hour):
        return client.post(
            reverse("admin:bookings_appointment_add"),
            {
                "client": person.pk,
                "coach": coach.user_id,
                "service": service.pk,
                "status": "booked",
                "starts_at_0": day,
                "starts_at_1": hour,
            },
            follow=True,
        )

    evening = [str(m) for m in book("7.12.2026", "17:00").context["messages"]]
    assert any("työaikojen ulkopuolella" in m for m in evening)
    day_off = [str(m) for m in book("14.12.2026", "10:00").context["messages"]]
    assert any("vapaapäivä" in m for m in day_off)
    usual = [str(m) for m in book("7.12.2026", "10:00").context["messages"]]
    assert not any("työaikojen" in m or "vapaapäivä" in m for m in usual)
    assert Appointment.objects.filter(client=person).count() == 3

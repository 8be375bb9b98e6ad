"""The staff calendar: week and day views per coach and for all, in a fixed number of queries."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import AppointmentFactory, ClientFactory, CoachFactory, LocationFactory, ServiceFactory

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
URL = reverse("admin:bookings_appointment_calendar")


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
def test_the_calendar_is_for_staff_who_may_see_appointments(client, visitors, visitor, status):
    people = visitors(permissions=["bookings.view_appointment"])
    people.log_in(client, visitor)
    assert client.get(URL).status_code == status


def test_the_week_shows_each_coachs_appointments_with_client_service_and_status(client, visitors):
    visitors().log_in(client, "superuser")
    monday = date(2026, 11, 23)
    sami, laura = CoachFactory(display_name="Sami"), CoachFactory(display_name="Laura")
    AppointmentFactory(
        coach=sami.user, client=ClientFactory(last_name="Aaltonen"), starts_at=at(monday, 10), ends_at=at(monday, 11)
    )
    AppointmentFactory(
        coach=laura.user,
        client=ClientFactory(last_name="Bergström"),
        starts_at=at(monday, 10),
        ends_at=at(monday, 11),
        status="cancelled_by_client",
        cancelled_at=at(monday, 8),
    )
    AppointmentFactory(
        coach=sami.user,
        starts_at=at(monday + timedelta(days=7), 10),
        ends_at=at(monday + timedelta(days=7), 11),
        client=ClientFactory(last_name="Myohempi"),
    )

    html = client.get(URL, {"date": "2026-11-25"}).content.decode()
    assert "Aaltonen" in html and "Bergström" in html
    assert "Myohempi" not in html  # next week
    assert "status-cancelled_by_client" in html

    only_sami = client.get(URL, {"date": "2026-11-25", "coach": sami.user_id}).content.decode()
    assert "Aaltonen" in only_sami and "Bergström" not in only_sami

    next_week = client.get(URL, {"date": "2026-11-30"}).content.decode()
    assert "Myohempi" in next_week


def test_without_scripts_a_days_link_opens_a_new_appointment_with_coach_and_day_filled_in(client, visitors):
    visitors().log_in(client, "superuser")
    coach = CoachFactory()
    html = client.get(URL, {"date": "2026-11-25", "coach": coach.user_id}).content.decode()
    add = reverse("admin:bookings_appointment_add")
    link = f"{add}?coach={coach.user_id}&amp;starts_at=2026-11-25"
    assert link in html
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{coach.user_id}" selected>' in form
    assert 'name="starts_at_0" value="25.11.2026"' in form
    (time_field,) = re.findall(r'<input [^>]*name="starts_at_1"[^>]*>', form)
    assert "value=" not in time_field  # the time is left for staff to choose


def test_the_calendar_script_opens_a_new_appointment_with_coach_and_time_filled_in(client, visitors):
    # The script books the clicked half hour with the booking form's own address, coach and local time.
    visitors().log_in(client, "superuser")
    coach = CoachFactory()
    add = reverse("admin:bookings_appointment_add")
    html = client.get(URL, {"date": "2026-11-25", "view": "day"}).content.decode()
    assert f'data-add-url="{add}"' in html
    assert f'data-coach="{coach.user_id}" data-day="2026-11-25"' in html and '<th scope="row">10:30</th>' in html
    form = client.get(add, {"coach": coach.user_id, "starts_at": "2026-11-25T10:30"}).context["adminform"].form
    assert form.initial["coach"] == str(coach.user_id)
    assert form.initial["starts_at"] == at(date(2026, 11, 25), 10, 30)


def test_staff_who_may_not_book_get_no_booking_links(client, visitors):
    visitors(permissions=["bookings.view_appointment"]).log_in(client, "permitted")
    response = client.get(URL, {"date": "2026-11-25"})
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:bookings_appointment_add") not in html and "data-add-url" not in html


@pytest.mark.parametrize("view", ["week", "day"])
def test_the_calendar_makes_the_same_number_of_queries_for_a_few_or_many_appointments(
    client, visitors, django_assert_max_num_queries, view
):
    visitors().log_in(client, "superuser")
    coaches = CoachFactory.create_batch(2)
    day = date(2026, 11, 25)
    AppointmentFactory(coach=coaches[0].user, starts_at=at(day, 8), ends_at=at(day, 9))
    client.get(URL, {"date": "2026-11-25", "view": view})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"date": "2026-11-25", "view": view})
    for offset in range(5):
        for hour in range(9, 17):
            for coach in coaches:
                d = day + timedelta(days=offset - 2)
                AppointmentFactory(coach=coach.user, starts_at=at(d, hour), ends_at=at(d, hour, 45))
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL, {"date": "2026-11-25", "view": view})
    expected = 80 + 1 if view == "week" else 16 + 1
    assert response.content.decode().count('data-testid="appointment"') == expected


def row_of(html, time):
    """Return the calendar's row of the half hour starting at ``time`` ("10:00")."""
    start = html.index(f'<th scope="row">{time}</th>')
    return html[start : html.index("</tr>", start)]


def test_an_appointment_at_the_clock_change_is_placed_by_local_time(client, visitors):
    visitors().log_in(client, "superuser")
    coach = CoachFactory()
    sunday = date(2026, 10, 25)
    AppointmentFactory(coach=coach.user, starts_at=at(sunday, 10), ends_at=at(sunday, 11))
    html = client.get(URL, {"date": "2026-10-25", "view": "day", "coach": coach.user_id}).content.decode()
    assert 'class="cal-appt len-2 ' in row_of(html, "10:00")  # two half hours from 10:00
    assert "10:00–11:00" in row_of(html, "10:00")


def test_the_person_page_shows_appointments_and_counts_visits_no_shows_and_late_cancellations(client, visitors):
    visitors().log_in(client, "superuser")
    person = ClientFactory()
    day = date(2026, 11, 2)
    AppointmentFactory(client=person, status="attended", starts_at=at(day, 10), ends_at=at(day, 11))
    AppointmentFactory(client=person, status="attended", starts_at=at(day, 12), ends_at=at(day, 13))
    AppointmentFactory(client=person, status="no_show", starts_at=at(day, 14), ends_at=at(day, 15))
    AppointmentFactory(
        client=person,
        status="cancelled_by_client",
        late_cancellation=True,
        cancelled_at=at(day, 9),
        starts_at=at(day, 16),
        ends_at=at(day, 17),
    )
    response = client.get(reverse("admin:clients_client_change", args=[person.pk]))
    summary = {str(k): v for k, v in response.context["summary"]}
    assert summary.pop("laskutettu, avoinna") == "0 €"  # billing's figure, beside the bookings' ones
    assert summary.pop("annetut suostumukset") == "-"  # and the consents'

    assert summary == {
        "käynnit": 2,
        "poisjäännit": 1,
        "myöhäiset peruutukset": 1,
    }
    assert response.content.decode().count("Personal training – ") == 4


def test_a_mangled_calendar_link_opens_an_empty_form(client, visitors):
    visitors().log_in(client, "superuser")
    response = client.get(reverse("admin:bookings_appointment_add"), {"starts_at": "2026-13-45T10:00"})
    assert response.status_code == 200


def test_staff_who_may_not_see_appointments_see_none_on_the_person_page(client, visitors):
    person = ClientFactory()
    AppointmentFactory(client=person, status="attended")
    visitors(permissions=["clients.view_client"]).log_in(client, "permitted")
    response = client.get(reverse("admin:clients_client_change", args=[person.pk]))
    assert response.context["summary"] == []
    assert "Personal training – " not in response.content.decode()


@pytest.mark.parametrize(
    ("permissions", "status"),
    [(["bookings.add_appointmentseries"], 403), (["bookings.add_appointmentseries", "bookings.add_appointment"], 200)],
)
def test_booking_a_series_needs_the_permission_to_book_appointments(client, visitors, permissions, status):
    visitors(permissions=permissions).log_in(client, "permitted")
    assert client.get(reverse("admin:bookings_appointmentseries_add")).status_code == status


def test_an_hour_starting_at_half_past_three_on_the_night_summer_time_ends_lasts_an_hour():
    from bookings.models import end_of

    start = datetime(2026, 10, 25, 3, 30, tzinfo=HELSINKI)
    end = end_of(start, timedelta(hours=1))
    # Aware datetimes of one zone subtract by the clock in Python; compare them in UTC.
    assert end.astimezone(ZoneInfo("UTC")) - start.astimezone(ZoneInfo("UTC")) == timedelta(hours=1)
    assert end.astimezone(HELSINKI).strftime("%H:%M") == "03:30"  # the clock went back an hour


def test_the_status_is_changed_by_actions_only(client, visitors):
    visitors().log_in(client, "superuser")
    appointment = AppointmentFactory()
    form = client.get(reverse("admin:bookings_appointment_change", args=[appointment.pk])).context["adminform"].form
    assert "status" not in form.fields


def test_the_week_escapes_what_people_typed(client, visitors):
    visitors().log_in(client, "superuser")
    monday = date(2026, 11, 23)
    coach = CoachFactory(display_name="Sami <b>")
    AppointmentFactory(
        coach=coach.user, client=ClientFactory(last_name="<script>x</script>"),
        starts_at=at(monday, 10), ends_at=at(monday, 12),
    )  # fmt: skip
    html = client.get(URL, {"date": "2026-11-25"}).content.decode()
    assert html.count('data-testid="appointment"') == 1
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert 'data-day="2026-11-23">Sami &lt;b&gt;</th>' in html


def busy_week(monday, coaches=25, appointments=300):
    """Book a realistic busy week: ``appointments`` hour-long bookings spread over ``coaches`` coaches."""
    staff = CoachFactory.create_batch(coaches)
    service, location = ServiceFactory(), LocationFactory()
    slots = [(day, hour) for day in range(6) for hour in range(7, 20)]
    for number in range(appointments):
        day, hour = slots[number // coaches]
        starts = at(monday + timedelta(days=day), hour)
        AppointmentFactory(
            coach=staff[number % coaches].user, service=service, location=location,
            starts_at=starts, ends_at=starts + timedelta(hours=1),
        )  # fmt: skip
    return staff


def test_a_busy_week_of_25_coaches_weighs_at_most_150_kb(client, visitors):
    visitors().log_in(client, "superuser")
    monday = date(2026, 11, 23)
    staff = busy_week(monday)
    week = client.get(URL, {"date": "2026-11-25"}).content
    assert week.decode().count('data-testid="appointment"') == 300
    assert len(week) <= 150_000
    assert len(client.get(URL, {"date": "2026-11-25", "coach": staff[0].user_id}).content) <= 40_000

"""Reminders go once, in the person's language, with an .ics; a coach's feed tells no full names."""

import threading
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment
from bookings.reminders import send_due_reminders
from tests.factories import AppointmentFactory, ClientFactory, CoachFactory, GuardianFactory, MinorFactory

HELSINKI = ZoneInfo("Europe/Helsinki")


def tomorrow_at(hour):
    return datetime.combine(timezone.localdate() + timedelta(days=1), datetime.min.time(), HELSINKI).replace(hour=hour)


@pytest.mark.django_db
def test_a_reminder_is_sent_once_in_finnish_with_the_appointment_as_an_ics_file(organisation):
    appointment = AppointmentFactory(
        client=ClientFactory(first_name="Aino", email="aino@example.fi", preferred_language="fi"),
        starts_at=tomorrow_at(10),
        ends_at=tomorrow_at(11),
    )
    now = tomorrow_at(10) - timedelta(hours=20)
    assert send_due_reminders(now=now) == 1
    assert send_due_reminders(now=now + timedelta(minutes=5)) == 0
    (message,) = mail.outbox
    assert message.to == ["aino@example.fi"]
    assert message.subject.startswith("Muistutus: ajanvarauksesi")
    assert "Hei Aino," in message.body
    assert "10:00" in message.body and "11:00" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("ajanvaraus.ics", "text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == appointment.starts_at
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at == now


@pytest.mark.django_db
def test_an_english_speaking_client_gets_the_reminder_in_english_and_a_minors_goes_to_the_guardian(organisation):
    AppointmentFactory(
        client=ClientFactory(email="ann@example.com", preferred_language="en"),
        starts_at=tomorrow_at(9),
        ends_at=tomorrow_at(10),
    )
    minor = MinorFactory(email="")
    GuardianFactory(minor=minor, email="vanhempi@example.fi")
    AppointmentFactory(client=minor, starts_at=tomorrow_at(12), ends_at=tomorrow_at(13))
    send_due_reminders(now=tomorrow_at(8) - timedelta(hours=20))
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert by_recipient[("ann@example.com",)].subject.startswith("Reminder: your appointment")
    assert ("vanhempi@example.fi",) in by_recipient


@pytest.mark.django_db
def test_no_reminder_for_a_cancelled_appointment_one_too_far_ahead_or_a_restricted_person(organisation):
    cancelled = AppointmentFactory(starts_at=tomorrow_at(10), ends_at=tomorrow_at(11), status="cancelled_by_business")
    AppointmentFactory(starts_at=tomorrow_at(10) + timedelta(days=3), ends_at=tomorrow_at(11) + timedelta(days=3))
    AppointmentFactory(
        client=ClientFactory(restricted_at=timezone.now(), restriction_reason="Kiistetty"),
        starts_at=tomorrow_at(14),
        ends_at=tomorrow_at(15),
    )
    assert send_due_reminders(now=tomorrow_at(8) - timedelta(hours=20)) == 0
    assert mail.outbox == []
    cancelled.refresh_from_db()
    assert cancelled.reminder_sent_at is None


@pytest.mark.django_db
def test_the_command_reports_how_many_it_sent(organisation):
    AppointmentFactory(starts_at=timezone.now() + timedelta(hours=3), ends_at=timezone.now() + timedelta(hours=4))
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "1 reminders sent"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need a server")
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_send_each_reminder_once(organisation):
    AppointmentFactory.create_batch(
        6, starts_at=timezone.now() + timedelta(hours=3), ends_at=timezone.now() + timedelta(hours=4)
    )
    totals = []

    def run():
        try:
            totals.append(send_due_reminders())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(totals) == 6
    assert len(mail.outbox) == 6
    assert Appointment.objects.filter(reminder_sent_at__isnull=True).count() == 0


# The coach's calendar feed -------------------------------------------------------------------------


@pytest.fixture
def coach_with_feed(client, visitors):
    coach = CoachFactory(display_name="Valmentaja")
    visitors().log_in(client, "superuser")
    response = client.post(
        reverse("admin:bookings_coach_changelist"),
        {"action": "make_feed_link", ACTION_CHECKBOX_NAME: [coach.pk]},
        follow=True,
    )
    (message,) = [str(m) for m in response.context["messages"]]
    url = message.split("<code>")[1].split("</code>")[0]
    client.logout()
    return coach, url.replace("http://testserver", "")


@pytest.mark.django_db
def test_the_feed_shows_first_name_and_initial_and_nothing_else_about_the_client(client, coach_with_feed):
    coach, feed_url = coach_with_feed
    person = ClientFactory(
        first_name="Maija", last_name="Virtanen", email="maija.virtanen@example.fi", phone="+358401234567"
    )
    AppointmentFactory(coach=coach.user, client=person, starts_at=tomorrow_at(10), ends_at=tomorrow_at(11))
    response = client.get(feed_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Maija V. – Personal training"
    for secret in ("Virtanen", "maija.virtanen", "example.fi", "401234567"):
        assert secret not in body


@pytest.mark.django_db
def test_a_revoked_or_wrong_feed_address_is_not_found(client, visitors, coach_with_feed):
    coach, feed_url = coach_with_feed
    assert client.get(feed_url).status_code == 200
    assert client.get(feed_url.replace(".ics", "x.ics")).status_code == 404
    visitors().log_in(client, "superuser")
    client.post(
        reverse("admin:bookings_coach_changelist"), {"action": "revoke_feed_link", ACTION_CHECKBOX_NAME: [coach.pk]}
    )
    client.logout()
    assert client.get(feed_url).status_code == 404


@pytest.mark.django_db
def test_the_feed_hides_even_the_first_name_of_a_restricted_person(client, coach_with_feed):
    coach, feed_url = coach_with_feed
    person = ClientFactory(first_name="Rauha", restricted_at=timezone.now(), restriction_reason="Kiistetty")
    AppointmentFactory(coach=coach.user, client=person, starts_at=tomorrow_at(10), ends_at=tomorrow_at(11))
    assert "Rauha" not in client.get(feed_url).content.decode()


@pytest.mark.django_db
def test_a_plain_text_reminder_is_not_html_escaped_and_a_moved_appointment_is_reminded_again(organisation):
    from bookings.services import book_appointment

    appointment = AppointmentFactory(
        client=ClientFactory(first_name="D'Arcy", email="d@example.fi"),
        starts_at=tomorrow_at(10),
        ends_at=tomorrow_at(11),
    )
    send_due_reminders(now=tomorrow_at(10) - timedelta(hours=20))
    assert "Hei D'Arcy," in mail.outbox[0].body
    appointment.refresh_from_db()
    appointment.starts_at, appointment.ends_at = tomorrow_at(15), tomorrow_at(16)
    book_appointment(appointment=appointment)
    assert send_due_reminders(now=tomorrow_at(15) - timedelta(hours=20)) == 1


@pytest.mark.django_db
def test_the_feed_stops_with_the_agreement_and_with_log_out_everywhere(client, coach_with_feed):
    from register.models import StaffProfile
    from register.two_factor import log_out_everywhere

    coach, feed_url = coach_with_feed
    assert client.get(feed_url).status_code == 200
    StaffProfile.objects.filter(user=coach.user).update(agreement_signed_on=None)
    assert client.get(feed_url).status_code == 404
    StaffProfile.objects.filter(user=coach.user).update(agreement_signed_on=timezone.localdate())
    assert client.get(feed_url).status_code == 200
    log_out_everywhere(coach.user)
    assert client.get(feed_url).status_code == 404

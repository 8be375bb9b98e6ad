"""iCalendar files: the .ics attached to a reminder and a coach's private calendar feed."""

from datetime import timedelta

import icalendar
from django.utils import timezone

PRODID = "-//Client register//Bookings//FI"


def _calendar() -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _event(appointment, *, summary: str, location: str, host: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.pk}@{host}")
    event.add("dtstamp", appointment.updated_at or timezone.now())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if not appointment.is_active:
        event.add("status", "CANCELLED")
    return event


def appointment_ics(appointment, *, summary: str, host: str) -> bytes:
    """Return one appointment as an .ics file for the client's own calendar."""
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    location = appointment.location
    place = ", ".join(p for p in [location.name, location.street_address, location.city] if p) if location else ""
    calendar.add_component(_event(appointment, summary=summary, location=place, host=host))
    return calendar.to_ical()


def feed_label(appointment) -> str:
    """Return what a coach's feed may tell of an appointment: first name, last initial and the service.

    The feed is read by a third-party calendar service, so it carries no full name, email or phone.
    """
    client = appointment.client
    # A restricted person's data is only stored (GDPR article 18): not even their first name goes out.
    hidden = client is None or client.is_restricted
    who = "–" if hidden else f"{client.first_name} {client.last_name[:1]}.".strip()
    return f"{who} – {appointment.service.name_fi}"


FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=180)


def coach_feed(appointments, *, host: str, name: str) -> bytes:
    """Return a coach's appointments as a calendar feed."""
    calendar = _calendar()
    calendar.add("x-wr-calname", name)
    for appointment in appointments:
        location = appointment.location.name if appointment.location else ""
        calendar.add_component(_event(appointment, summary=feed_label(appointment), location=location, host=host))
    return calendar.to_ical()

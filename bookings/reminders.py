"""Appointment reminders: a service message, sent once, in the person's language, with an .ics file."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from bookings.calendar_files import appointment_ics
from bookings.models import Appointment
from register.models import Organisation

logger = logging.getLogger(__name__)

# Swedish-speaking clients get Finnish until the catalogues have Swedish.
EMAIL_LANGUAGES = {"fi": "fi", "en": "en", "sv": "fi"}


def reminder_recipients(appointment: Appointment) -> list[str]:
    """Return who is reminded: the client, or for a minor the guardians with an email address."""
    client = appointment.client
    if client.is_minor:
        return [g.email for g in client.guardians.all() if g.email]
    return [client.email] if client.email else []


def due_reminders(now: datetime):
    """Return the appointments whose reminder is due now and not yet sent."""
    organisation = Organisation.current()
    lead = timedelta(hours=organisation.reminder_hours_before if organisation else 24)
    return (
        Appointment.objects.filter(
            status__in=[Appointment.Status.BOOKED, Appointment.Status.CONFIRMED],
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + lead,
            client__isnull=False,
            # A person whose processing is restricted gets nothing the restriction does not allow.
            client__restricted_at__isnull=True,
        )
        .select_related("client", "service", "location", "coach")
        .prefetch_related("client__guardians")
        .order_by("starts_at")
    )


def _message(appointment: Appointment, recipients: list[str], organisation) -> EmailMultiAlternatives:
    language = EMAIL_LANGUAGES.get(appointment.client.preferred_language, "fi")
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context = {
            "appointment": appointment,
            "client": appointment.client,
            "service": appointment.service.name_en if language == "en" else appointment.service.name_fi,
            "starts": timezone.localtime(appointment.starts_at),
            "ends": timezone.localtime(appointment.ends_at),
            "organisation": organisation,
        }
        subject = render_to_string("bookings/email/reminder_subject.txt", context).strip()
        text = render_to_string("bookings/email/reminder.txt", context)
        html = render_to_string("bookings/email/reminder.html", context)
        summary = f"{context['service']} – {organisation.name if organisation else ''}".strip(" –")
    message = EmailMultiAlternatives(subject=subject, body=text, to=recipients)
    message.attach_alternative(html, "text/html")
    host = settings.DEFAULT_FROM_EMAIL.partition("@")[2] or "localhost"
    message.attach("ajanvaraus.ics", appointment_ics(appointment, summary=summary, host=host), "text/calendar")
    return message


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Send every due reminder once; return how many were sent.

    Each appointment is claimed and sent in one transaction: the claim (setting reminder_sent_at where
    it is still empty) locks the row, so a second run at the same time finds nothing to claim, and a
    failed send rolls the claim back for the next run.
    """
    now = now or timezone.now()
    organisation = Organisation.current()
    sent = 0
    for appointment in due_reminders(now):
        recipients = reminder_recipients(appointment)
        if not recipients:
            continue
        with transaction.atomic():
            claimed = Appointment.objects.filter(pk=appointment.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            try:
                _message(appointment, recipients, organisation).send()
            except Exception:  # one failing reminder must not stop the others, run after run
                logger.exception("Reminder of appointment %s could not be sent; it is tried again", appointment.pk)
                transaction.set_rollback(True)
                continue
        sent += 1
    return sent

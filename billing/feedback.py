"""Quality feedback: a signed link after a visit, a one-page form, one answer per visit."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from billing.models import Feedback, FeedbackRequest
from bookings.models import Appointment
from register.models import Organisation

logger = logging.getLogger(__name__)
SALT = "billing.feedback"
LINK_VALID = timedelta(days=30)


def feedback_token(appointment: Appointment) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(appointment.pk))


def appointment_for_token(token: str) -> Appointment | None:
    """Return the visit a feedback link is for, or None when the link is forged or expired."""
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(token, max_age=LINK_VALID)
    except signing.BadSignature:
        return None
    organisation = Organisation.current()
    if organisation is None or not organisation.send_feedback_requests:
        return None
    # A person whose processing was restricted meanwhile is not processed further, feedback included.
    return (
        Appointment.objects.filter(
            pk=pk, status=Appointment.Status.ATTENDED, client__isnull=False, client__restricted_at__isnull=True
        )
        .select_related("client", "service", "coach")
        .first()
    )


def save_feedback(*, appointment: Appointment, score: int, comment: str = "") -> Feedback | None:
    """Save the one answer of a visit; None when it has been answered already."""
    try:
        with transaction.atomic():
            return Feedback.objects.create(appointment=appointment, score=score, comment=comment.strip())
    except IntegrityError:
        return None


def send_feedback_requests(
    *, base_url: str, now: datetime | None = None, within: timedelta = timedelta(days=2)
) -> int:
    """Email a feedback link for each recent visit not yet asked about; only when the business wants it."""
    organisation = Organisation.current()
    if organisation is None or not organisation.send_feedback_requests:
        return 0
    now = now or timezone.now()
    visits = (
        Appointment.objects.filter(status=Appointment.Status.ATTENDED, ends_at__gte=now - within, ends_at__lte=now)
        .filter(client__isnull=False, client__restricted_at__isnull=True, feedback_request__isnull=True)
        .exclude(client__email="")
        .select_related("client", "service")
    )
    sent = 0
    for visit in visits:
        with transaction.atomic():
            _request, created = FeedbackRequest.objects.get_or_create(appointment=visit)
            if not created:
                continue
            language = "en" if visit.client.preferred_language == "en" else "fi"
            with translation.override(language):
                url = base_url.rstrip("/") + reverse("billing:feedback", args=[feedback_token(visit)])
                context = {"visit": visit, "url": url, "organisation": organisation}
                EmailMessage(
                    subject=render_to_string("billing/email/feedback_subject.txt", context).strip(),
                    body=render_to_string("billing/email/feedback.txt", context),
                    to=[visit.client.email],
                ).send()
        sent += 1
    return sent

"""Data requests: verification, the one-calendar-month deadline, extension, pause and the staff workflow."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from privacy.models import DataRequest, RequestEvent

VERIFY_SALT = "privacy.request-verification"
VERIFICATION_VALID = timedelta(hours=48)


def add_months(day: date, months: int) -> date:
    """Return the same day number ``months`` later, or that month's last day when it has no such day.

    31 January + 1 month is 28 February (29 in a leap year); 31 March + 1 month is 30 April.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(request: DataRequest) -> date | None:
    """Return the due date: one calendar month from receipt, any extension counted on from that date
    (31 January is due 28 February, extended by two months 28 April), plus the days paused."""
    if request.received_on is None:
        return None
    first = add_months(request.received_on, 1)
    return add_months(first, request.extended_by_months) + timedelta(days=request.paused_days)


CLOSED_STATUSES = ("completed", "refused", "expired", "withdrawn")


def _close_pause(request: DataRequest, on: date) -> None:
    """Stop counting paused days: whatever moves a request on ends its pause."""
    if request.paused_since is not None:
        request.paused_days += max((on - request.paused_since).days, 0)
        request.paused_since = None
        request.due_on = due_date(request)


def _log(request: DataRequest, status: str, by=None, note: str = "") -> None:
    RequestEvent.objects.create(request=request, status=status, by=by, note=note)


def verification_token(request: DataRequest) -> str:
    return signing.TimestampSigner(salt=VERIFY_SALT).sign(str(request.pk))


@transaction.atomic
def submit_web_request(*, base_url: str, ip_hash: str = "", **fields) -> DataRequest:
    """Store a request from the public form and email the requester a verification link."""
    request = DataRequest.objects.create(channel=DataRequest.Channel.WEB, ip_hash=ip_hash, **fields)
    _log(request, request.status)
    language = translation.get_language() or "fi"
    url = base_url.rstrip("/") + reverse("privacy:verify", args=[verification_token(request)])
    context = {"request": request, "url": url, "hours": int(VERIFICATION_VALID.total_seconds() // 3600)}
    with translation.override(language):
        EmailMessage(
            subject=render_to_string("privacy/email/verify_subject.txt", context).strip(),
            body=render_to_string("privacy/email/verify.txt", context),
            to=[request.email],
        ).send()
    return request


@transaction.atomic
def verify_request(token: str) -> DataRequest | None:
    """Mark a web request verified (once): it is received today and its deadline starts."""
    try:
        pk = signing.TimestampSigner(salt=VERIFY_SALT).unsign(token, max_age=VERIFICATION_VALID)
    except signing.BadSignature:
        return None
    request = DataRequest.objects.select_for_update().filter(pk=pk).first()
    if request is None or request.status != DataRequest.Status.AWAITING_VERIFICATION:
        return None  # used already, expired or withdrawn: a link works once
    request.verified_at = timezone.now()
    request.received_on = timezone.localdate()
    request.status = DataRequest.Status.RECEIVED
    request.due_on = due_date(request)
    request.save()
    _log(request, request.status, note=_("Verified by the link sent to the requester."))
    if request.kind in (DataRequest.Kind.OBJECTION, DataRequest.Kind.WITHDRAW_CONSENT):
        _act_on_marketing(request)
    return request


def _act_on_marketing(request: DataRequest) -> None:
    """An objection or a withdrawal takes effect when the address is proven, without waiting for staff."""
    from clients.models import Client
    from consents.models import SuppressedAddress
    from consents.services import record_event, suppress, withdraw_all_marketing

    people = list(Client.objects.with_email(request.email))
    request.people.add(*people)
    evidence = {"evidence_note": _("Data request no. %(id)s") % {"id": request.pk}}
    for person in people:
        if request.kind == DataRequest.Kind.OBJECTION:
            record_event(client=person, kind="prohibited", channel="web", recorded_by="person", **evidence)
        else:
            withdraw_all_marketing(client=person, channel="web", recorded_by="person", **evidence)
    if request.kind == DataRequest.Kind.OBJECTION:
        suppress(request.email, reason=SuppressedAddress.Reason.OBJECTION)
    change_status(
        request=request,
        status=DataRequest.Status.COMPLETED,
        note=_("Took effect at once for %(count)s people in the register.") % {"count": len(people)},
    )


@transaction.atomic
def record_request(*, received_on: date, recorded_by=None, **fields) -> DataRequest:
    """Record a request received on paper, by email or in person; its deadline runs from that date."""
    request = DataRequest(status=DataRequest.Status.RECEIVED, received_on=received_on, **fields)
    request.due_on = due_date(request)
    request.full_clean()
    request.save()
    _log(request, request.status, by=recorded_by, note=_("Recorded by staff."))
    return request


@transaction.atomic
def extend_request(*, request: DataRequest, months: int, reason: str, told_on: date, by=None) -> DataRequest:
    """Extend the deadline by one or two months (GDPR 12(3)): with a reason, told within the first month."""
    if request.received_on is None:
        raise ValidationError(_("Only a received request can be extended."))
    if not 1 <= request.extended_by_months + months <= 2:
        raise ValidationError(_("The deadline can be extended by two further months at most."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the extension."))
    first_due = add_months(request.received_on, 1) + timedelta(days=request.paused_days)
    if told_on > first_due or told_on > timezone.localdate():
        raise ValidationError(_("The requester must be told of the extension within the first month."))
    request.extended_by_months += months
    request.extension_reason, request.requester_told_of_extension_on = reason, told_on
    request.due_on = due_date(request)
    request.save()
    _log(
        request,
        request.status,
        by=by,
        note=_("Deadline extended to %(due)s: %(reason)s") % {"due": f"{request.due_on:%d.%m.%Y}", "reason": reason},
    )
    return request


@transaction.atomic
def pause_request(*, request: DataRequest, on: date | None = None, by=None, note: str = "") -> DataRequest:
    """Stop the clock while waiting for the requester's identity or details."""
    if request.status in CLOSED_STATUSES or request.received_on is None:
        raise ValidationError(_("Only an open request can wait for the requester."))
    if request.paused_since is not None:
        return request  # paused already: the pause runs from its first day
    request.paused_since = on or timezone.localdate()
    request.status = DataRequest.Status.WAITING
    request.save()
    _log(request, request.status, by=by, note=note)
    return request


@transaction.atomic
def resume_request(*, request: DataRequest, on: date | None = None, by=None) -> DataRequest:
    """Restart the clock: the due date moves by the days paused."""
    if request.paused_since is None:
        raise ValidationError(_("The request is not paused."))
    _close_pause(request, on or timezone.localdate())
    request.status = DataRequest.Status.IN_PROGRESS
    request.save()
    _log(request, request.status, by=by, note=_("The requester answered; the clock runs again."))
    return request


@transaction.atomic
def change_status(
    *, request: DataRequest, status: str, by=None, note: str = "", refusal_reasons: str = ""
) -> DataRequest:
    """Move a request on in the workflow; a refusal needs its reasons, a closed request stays closed."""
    if request.status in CLOSED_STATUSES:
        raise ValidationError(_("This request is closed."))
    if status != DataRequest.Status.WAITING:
        _close_pause(request, timezone.localdate())
    if status == DataRequest.Status.REFUSED:
        if not refusal_reasons.strip():
            raise ValidationError(_("A refusal states its reasons."))
        request.refusal_reasons = refusal_reasons
    request.status = status
    request.save()
    _log(request, status, by=by, note=note or refusal_reasons)
    return request


def expire_unverified(*, now=None) -> int:
    """Mark requests never verified within the link's validity as expired."""
    limit = (now or timezone.now()) - VERIFICATION_VALID
    stale = DataRequest.objects.filter(status=DataRequest.Status.AWAITING_VERIFICATION, created_at__lt=limit)
    count = 0
    for request in stale:
        change_status(request=request, status=DataRequest.Status.EXPIRED, note=_("Not verified in time."))
        count += 1
    return count


def remind_due_requests(*, today: date | None = None, within_days: int = 7) -> int:
    """Email the privacy contact about open requests due within a week or overdue, once a day."""
    from register.models import Organisation

    today = today or timezone.localdate()
    due = list(
        DataRequest.objects.open()
        .filter(due_on__lte=today + timedelta(days=within_days))
        .exclude(reminded_on=today)
        .order_by("due_on")
    )
    organisation = Organisation.current()
    if not due or organisation is None or not organisation.contact_email:
        return 0
    with translation.override("fi"):
        EmailMessage(
            subject=_("Data requests due: %(count)s") % {"count": len(due)},
            body=render_to_string("privacy/email/due_requests.txt", {"requests": due, "today": today}),
            to=[organisation.contact_email],
            from_email=settings.DEFAULT_FROM_EMAIL,
        ).send()
    DataRequest.objects.filter(pk__in=[r.pk for r in due]).update(reminded_on=today)
    return len(due)


@transaction.atomic
def restrict_people(*, request: DataRequest, by=None) -> int:
    """Restrict the processing of the request's people (GDPR article 18), with the request as the reason."""
    reason = _("Data request no. %(id)s: %(details)s") % {"id": request.pk, "details": request.details or request}
    count = request.people.filter(restricted_at__isnull=True).update(
        restricted_at=timezone.now(), restriction_reason=reason[:1000]
    )
    _log(request, request.status, by=by, note=_("Processing restricted for %(count)s people.") % {"count": count})
    return count


@transaction.atomic
def record_rectification(*, request: DataRequest, changed: str, by=None) -> DataRequest:
    """Close a rectification: the request keeps what was asked and what staff changed."""
    if not changed.strip():
        raise ValidationError(_("Describe what was changed."))
    return change_status(
        request=request,
        status=DataRequest.Status.COMPLETED,
        by=by,
        note=_("Asked: %(asked)s / Changed: %(changed)s") % {"asked": request.what_is_wrong, "changed": changed},
    )


@transaction.atomic
def refuse_request(*, request: DataRequest, reasons: str, by=None) -> DataRequest:
    """Refuse with reasons and send the requester the letter, which tells of the right to complain."""
    from register.models import Organisation

    change_status(request=request, status=DataRequest.Status.REFUSED, by=by, refusal_reasons=reasons)
    language = "en" if request.people.filter(preferred_language="en").exists() else "fi"
    with translation.override(language):
        context = {"request": request, "reasons": reasons, "organisation": Organisation.current()}
        EmailMessage(
            subject=render_to_string("privacy/email/refusal_subject.txt", context).strip(),
            body=render_to_string("privacy/email/refusal.txt", context),
            to=[request.email],
        ).send()
    return request

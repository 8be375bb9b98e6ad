"""Recording consents, withdrawals and marketing prohibitions: the ledger and its state in one transaction."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import ConsentEvent, ConsentState, MarketingProhibition, Purpose, SuppressedAddress


def keyed_hash(value: str) -> str:
    """Return an HMAC-SHA256 of ``value`` under the register's own key: comparable, not reversible."""
    return hmac.new(settings.SUPPRESSION_HMAC_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def address_hmac(email: str) -> str:
    return keyed_hash(email.strip().lower())


def suppress(email: str, *, reason: str) -> None:
    """Put an address on the suppression list: no list imported later can bring it back to marketing."""
    if email.strip():
        SuppressedAddress.objects.get_or_create(address_hmac=address_hmac(email), defaults={"reason": reason})


def is_suppressed(email: str) -> bool:
    return bool(email.strip()) and SuppressedAddress.objects.filter(address_hmac=address_hmac(email)).exists()


@transaction.atomic
def record_event(
    *,
    client,
    kind: str,
    channel: str,
    recorded_by: str,
    purpose: Purpose | None = None,
    guardian=None,
    staff=None,
    text_shown: str = "",
    recipient: str = "",
    ip_address: str = "",
    user_agent: str = "",
    evidence_note: str = "",
    at=None,
) -> ConsentEvent:
    """Add an event to the ledger and bring the person's current state in line with it."""
    Kind = ConsentEvent.Kind
    if kind in (Kind.GRANTED, Kind.WITHDRAWN) and purpose is None:
        raise ValidationError(_("A consent names its purpose."))
    if kind == Kind.GRANTED:
        if client.is_minor and recorded_by != ConsentEvent.RecordedBy.GUARDIAN:
            raise ValidationError(_("A minor's consent is given by a guardian."))
        if purpose.per_occasion and not recipient.strip():
            raise ValidationError(_("Name the recipient of this disclosure."))
        if purpose.is_special_category and not (text_shown.strip() or evidence_note.strip()):
            raise ValidationError(_("An explicit consent records the text shown or how it was given."))
        if client.is_restricted:
            raise ValidationError(_("Processing of this person's data is restricted."))
    if guardian is not None and guardian.minor_id != client.pk:
        raise ValidationError(_("The guardian is not this person's guardian."))
    if recorded_by == ConsentEvent.RecordedBy.STAFF and not (staff and evidence_note.strip()) and kind == Kind.GRANTED:
        raise ValidationError(_("Note how the consent was obtained."))

    event = ConsentEvent(
        client=client,
        purpose=purpose if kind in (Kind.GRANTED, Kind.WITHDRAWN) else None,
        kind=kind,
        occurred_at=at or timezone.now(),
        channel=channel,
        recorded_by=recorded_by,
        guardian=guardian,
        staff=staff,
        text_shown=text_shown,
        recipient=recipient,
        evidence_ip_hash=keyed_hash(ip_address) if ip_address else "",
        evidence_user_agent=user_agent[:300],
        evidence_note=evidence_note,
    )
    event.full_clean()
    event.save()

    if kind in (Kind.GRANTED, Kind.WITHDRAWN):
        ConsentState.objects.update_or_create(
            client=client,
            purpose=purpose,
            defaults={"granted": kind == Kind.GRANTED, "since": event.occurred_at, "last_event": event},
        )
    elif kind == Kind.PROHIBITED:
        MarketingProhibition.objects.update_or_create(
            client=client, defaults={"since": event.occurred_at, "last_event": event}
        )
        suppress(client.email, reason=SuppressedAddress.Reason.OBJECTION)
    elif kind == Kind.PROHIBITION_LIFTED:
        MarketingProhibition.objects.filter(client=client).delete()
        # Only the person lifts their own objection; then their address may be marketed to again.
        SuppressedAddress.objects.filter(
            address_hmac=address_hmac(client.email), reason=SuppressedAddress.Reason.OBJECTION
        ).delete()
    return event


def withdraw_all_marketing(*, client, channel: str, recorded_by: str, **evidence) -> list[ConsentEvent]:
    """Withdraw every marketing consent the person has given, with one action."""
    states = ConsentState.objects.filter(client=client, granted=True, purpose__is_marketing=True).select_related(
        "purpose"
    )
    return [
        record_event(client=client, kind=ConsentEvent.Kind.WITHDRAWN, purpose=state.purpose, channel=channel,
                     recorded_by=recorded_by, **evidence)
        for state in states
    ]  # fmt: skip

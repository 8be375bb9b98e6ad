"""Recording consents, withdrawals and marketing prohibitions: the ledger and its state in one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import ConsentEvent, ConsentState, MarketingProhibition, Purpose, SuppressedAddress
from register.hashing import address_hmac, keyed_hash


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
    if kind == Kind.GRANTED and purpose is not None:
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
    if staff is not None and not evidence_note.strip():
        # Whatever staff enter on someone's behalf says how they learnt of it.
        raise ValidationError(_("Note how the consent was obtained."))
    if kind == Kind.PROHIBITION_LIFTED and recorded_by != ConsentEvent.RecordedBy.PERSON:
        raise ValidationError(_("Only the person can lift their own marketing prohibition."))

    # One person's events are written one at a time: the state always follows the newest event.
    from clients.models import Client

    Client.objects.select_for_update().filter(pk=client.pk).first()

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

    if kind in (Kind.GRANTED, Kind.WITHDRAWN) and purpose is not None:
        state = ConsentState.objects.filter(client=client, purpose=purpose).first()
        if state is None:
            ConsentState.objects.create(
                client=client, purpose=purpose, granted=kind == Kind.GRANTED, since=event.occurred_at, last_event=event
            )
        elif event.occurred_at >= state.since:
            # An event entered later but dated earlier (a paper form found in a drawer) is history, not news.
            state.granted, state.since, state.last_event = kind == Kind.GRANTED, event.occurred_at, event
            state.save()
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


def withdraw_all_marketing(
    *, client, channel: str, recorded_by: str, codes: tuple[str, ...] | None = None, **evidence
) -> list[ConsentEvent]:
    """Withdraw the person's marketing consents (all, or those of ``codes``) with one action."""
    states = ConsentState.objects.filter(client=client, granted=True, purpose__is_marketing=True).select_related(
        "purpose"
    )
    if codes is not None:
        states = states.filter(purpose__code__in=codes)
    return [
        record_event(client=client, kind=ConsentEvent.Kind.WITHDRAWN, purpose=state.purpose, channel=channel,
                     recorded_by=recorded_by, **evidence)
        for state in states
    ]  # fmt: skip

"""Mailchimp sync: exactly the email address and first name of the people the eligibility rule allows.

Mailchimp Marketing API v3: the data centre is the suffix of the API key (…-us21); a list is written
with "batch subscribe or unsubscribe list members" (POST /lists/{list_id}, at most 500 members a call),
which answers with the members it created or updated and an ``errors`` array per address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.utils import timezone

from consents.eligibility import marketable_people
from consents.models import MailchimpMember

logger = logging.getLogger(__name__)
BATCH_SIZE = 500
TIMEOUT_SECONDS = 30
PURPOSE = "email_marketing"


class MailchimpNotConfigured(Exception):
    pass


def is_configured() -> bool:
    return bool(settings.MAILCHIMP_API_KEY and settings.MAILCHIMP_AUDIENCE_ID and "-" in settings.MAILCHIMP_API_KEY)


def _base_url() -> str:
    data_centre = settings.MAILCHIMP_API_KEY.rsplit("-", 1)[1]
    return f"https://{data_centre}.api.mailchimp.com/3.0"


@dataclass
class Change:
    member: MailchimpMember
    email: str
    status: str
    first_name: str = ""
    # What success means locally: the member's subscription, or clearing an old address.
    clears_pending: bool = False


@dataclass
class SyncResult:
    subscribed: int = 0
    unsubscribed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    planned: list[Change] = field(default_factory=list)


def plan_changes() -> tuple[list[Change], int]:
    """Return what Mailchimp must be told, and how many people need no change.

    Addresses are compared without case; an address someone eligible is subscribed with is never
    unsubscribed in the same run, whoever held it before.
    """
    # The plan reads only what it sends or compares: narrow rows keep a large audience's plan small.
    eligible = {person.pk: person for person in marketable_people(PURPOSE, fields=("email", "first_name"))}
    wanted = {person.email.lower() for person in eligible.values()}
    # One pass over the members, split here: a list of every eligible key in the query would cost more
    # to send than the rows it leaves out.
    members, others = {}, []
    for member in MailchimpMember.objects.iterator(chunk_size=2000):
        if member.client_id in eligible:
            members[member.client_id] = member
        elif member.status == "subscribed":
            others.append(member)
    changes, unchanged = [], 0
    for pk, person in eligible.items():
        member = members.get(pk) or MailchimpMember(client=person, email=person.email, status="")
        moved = member.pk and member.status == "subscribed" and member.email.lower() != person.email.lower()
        if moved and member.email.lower() not in wanted:
            member.pending_unsubscribe = member.email
        same = (
            member.status == "subscribed" and member.email.lower() == person.email.lower()
            and member.first_name_sent == person.first_name and not member.last_error
        )  # fmt: skip
        if same:
            unchanged += 1
        else:
            changes.append(
                Change(member=member, email=person.email, status="subscribed", first_name=person.first_name)
            )
    for member in others:
        if member.email.lower() not in wanted:
            changes.append(Change(member=member, email=member.email, status="unsubscribed"))
    # A member is looked at twice (as a member and as a change); its old address is unsubscribed once.
    clearing = set()
    for member in list(members.values()) + [c.member for c in changes]:
        pending = member.pending_unsubscribe
        if pending and pending.lower() not in wanted and id(member) not in clearing:
            clearing.add(id(member))
            changes.append(Change(member=member, email=pending, status="unsubscribed", clears_pending=True))
    return changes, unchanged


def _payload(batch: list[Change]) -> dict:
    members = []
    for change in batch:
        member = {"email_address": change.email, "status": change.status}
        if change.status == "subscribed":
            member["merge_fields"] = {"FNAME": change.first_name}
        members.append(member)
    return {"members": members, "update_existing": True}


def _apply(change: Change, problem: str | None, now, result: SyncResult) -> None:
    member = change.member
    if problem:
        # Kept for the next run: the local change is not lost (an old address stays pending anyway).
        if not change.clears_pending:
            member.last_error = problem[:1000]
        result.errors.append(f"{change.email}: {problem}")
    elif change.clears_pending:
        member.pending_unsubscribe = ""
        result.unsubscribed += 1
    elif change.status == "subscribed":
        member.email, member.first_name_sent, member.status = change.email, change.first_name, "subscribed"
        member.synced_at, member.last_error = now, ""
        result.subscribed += 1
    else:
        member.status, member.synced_at, member.last_error = "unsubscribed", now, ""
        result.unsubscribed += 1
    if member.client_id is None and member.status == "unsubscribed" and not member.pending_unsubscribe:
        # The person is gone and Mailchimp knows: nothing is left to track.
        if member.pk:
            member.delete()
        return
    member.save()


def sync(*, dry_run: bool = False, progress: Callable[..., Iterable] | None = None) -> SyncResult:
    """Bring the Mailchimp audience in line with the register; local state changes only on success."""
    if not is_configured():
        raise MailchimpNotConfigured("Mailchimp is not configured: set MAILCHIMP_API_KEY and MAILCHIMP_AUDIENCE_ID.")
    changes, unchanged = plan_changes()
    result = SyncResult(unchanged=unchanged, planned=changes)
    if dry_run:
        return result
    for change in changes:
        if change.member.pending_unsubscribe and change.member.pk:
            change.member.save(update_fields=["pending_unsubscribe"])  # remembered before anything is sent
    batches = [changes[i : i + BATCH_SIZE] for i in range(0, len(changes), BATCH_SIZE)]
    if progress is not None:
        batches = progress(batches, unit="batch", disable=len(batches) < 2)
    url = f"{_base_url()}/lists/{settings.MAILCHIMP_AUDIENCE_ID}"
    for batch in batches:
        try:
            response = requests.post(
                url, json=_payload(batch), auth=("register", settings.MAILCHIMP_API_KEY), timeout=TIMEOUT_SECONDS
            )
            response.raise_for_status()
            errors = {
                e.get("email_address", "").lower(): e.get("error", "") for e in response.json().get("errors", [])
            }
        except (requests.RequestException, ValueError) as error:
            logger.warning("Mailchimp batch of %s contacts failed: %s", len(batch), error)
            errors = {change.email.lower(): str(error) for change in batch}
        now = timezone.now()
        for change in batch:
            _apply(change, errors.get(change.email.lower()), now, result)
    return result

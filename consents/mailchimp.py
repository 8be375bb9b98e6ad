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


@dataclass
class SyncResult:
    subscribed: int = 0
    unsubscribed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    planned: list[Change] = field(default_factory=list)


def plan_changes() -> tuple[list[Change], int]:
    """Return what Mailchimp must be told, and how many people need no change."""
    eligible = {person.pk: person for person in marketable_people(PURPOSE)}
    members = {m.client_id: m for m in MailchimpMember.objects.filter(client_id__in=eligible.keys())}
    changes, unchanged = [], 0
    for pk, person in eligible.items():
        member = members.get(pk) or MailchimpMember(client=person, email=person.email, status="")
        if member.status == "subscribed" and member.email == person.email and not member.last_error:
            unchanged += 1
            continue
        if member.pk and member.status == "subscribed" and member.email != person.email:
            changes.append(Change(member=member, email=member.email, status="unsubscribed"))
        changes.append(Change(member=member, email=person.email, status="subscribed", first_name=person.first_name))
    # Everyone once subscribed who may no longer be marketed to is unsubscribed there.
    for member in MailchimpMember.objects.filter(status="subscribed").exclude(client_id__in=eligible.keys()):
        changes.append(Change(member=member, email=member.email, status="unsubscribed"))
    return changes, unchanged


def _payload(batch: list[Change]) -> dict:
    members = []
    for change in batch:
        member = {"email_address": change.email, "status": change.status}
        if change.status == "subscribed":
            member["merge_fields"] = {"FNAME": change.first_name}
        members.append(member)
    return {"members": members, "update_existing": True}


def sync(*, dry_run: bool = False, progress: Callable[..., Iterable] | None = None) -> SyncResult:
    """Bring the Mailchimp audience in line with the register; local state changes only on success."""
    if not is_configured():
        raise MailchimpNotConfigured("Mailchimp is not configured: set MAILCHIMP_API_KEY and MAILCHIMP_AUDIENCE_ID.")
    changes, unchanged = plan_changes()
    result = SyncResult(unchanged=unchanged, planned=changes)
    if dry_run:
        return result
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
            member = change.member
            problem = errors.get(change.email.lower())
            if problem:
                # Kept for the next run: the local change is not lost.
                member.last_error = problem[:1000]
                result.errors.append(f"{change.email}: {problem}")
            else:
                member.email, member.status, member.synced_at, member.last_error = change.email, change.status, now, ""
                if change.status == "subscribed":
                    result.subscribed += 1
                else:
                    result.unsubscribed += 1
            member.save()
    return result

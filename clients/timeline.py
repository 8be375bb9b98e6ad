"""The timeline of a person: what the register holds about them, newest first.

Apps add to it without the clients app knowing them: a module ``timeline.py`` in any app (imported at
start-up) decorates a function with ``@timeline_provider``. The function takes the person and the
staff member looking, and returns entries; it must filter what that staff member may not see.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

Provider = Callable[..., Iterable["TimelineEntry"]]
_providers: list[Provider] = []
# Summaries are short figures shown above the timeline ("visits: 12"); same contract as providers.
_summaries: list[Callable[..., Iterable[tuple[str, object]]]] = []

# Each provider returns at most this many entries: the page shows the newest across all of them.
PER_PROVIDER = 100


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""


def timeline_provider(function: Provider) -> Provider:
    """Register ``function(person, user)`` as a source of timeline entries."""
    if function not in _providers:
        _providers.append(function)
    return function


_links: list = []


def link_provider(function):
    """Register ``function(person, user)`` returning (label, url) pairs: actions offered on the person page."""
    if function not in _links:
        _links.append(function)
    return function


def links_for(person, user) -> list[tuple[str, str]]:
    return [item for provider in _links for item in provider(person, user)]


def summary_provider(function):
    """Register ``function(person, user)`` returning (label, value) pairs for the person page."""
    if function not in _summaries:
        _summaries.append(function)
    return function


def summary_for(person, user) -> list[tuple[str, object]]:
    """Return the figures every app shows about ``person``."""
    return [item for provider in _summaries for item in provider(person, user)]


def timeline_for(person, user, *, limit: int = 50) -> list[TimelineEntry]:
    """Return the newest ``limit`` entries about ``person`` that ``user`` may see."""
    entries = []
    for provider in _providers:
        entries.extend(islice(provider(person, user), PER_PROVIDER))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


@timeline_provider
def _entered_and_roles(person, user):
    yield TimelineEntry(
        when=person.entered_at,
        kind=_("entered the register"),
        title=person.get_source_display(),
    )
    for change in person.role_changes.all()[:PER_PROVIDER]:
        title = change.get_role_display()
        if change.previous_role:
            title = f"{change.get_previous_role_display()} → {title}"
        yield TimelineEntry(when=change.changed_at, kind=_("role"), title=title)


@timeline_provider
def _emails(person, user):
    if not user.has_perm("clients.view_receivedemail"):
        return
    for email in person.emails.only("id", "subject", "sent_at", "imported_at", "sender")[:PER_PROVIDER]:
        yield TimelineEntry(
            when=email.sent_at or email.imported_at,
            kind=_("email received"),
            title=str(email),
            detail=email.sender,
            url=reverse("admin:clients_receivedemail_change", args=[email.pk]),
        )


@timeline_provider
def _notes(person, user):
    from clients.models import StaffNote

    notes = StaffNote.objects.visible_to(user).filter(client=person).select_related("author")
    for note in notes[:PER_PROVIDER]:
        yield TimelineEntry(
            when=note.created_at,
            kind=_("restricted note") if note.restricted else _("note"),
            title=note.text[:120],
            detail=note.author.get_full_name() or note.author.username if note.author else "",
        )

"""The timeline of a person: what the register holds about them, newest first, a page at a time.

Apps add to it without the clients app knowing them: a module ``timeline.py`` in any app (imported at
start-up) decorates a function with ``@timeline_provider``. The function takes the person, the staff
member looking and ``limit``, and returns at most ``limit`` entries, newest first; it must filter what
that staff member may not see. A page of the timeline then needs from each provider only the entries
up to the end of that page, however long the person's record.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.db.models.functions import Coalesce
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from register.choices import choice_label

Provider = Callable[..., Iterable["TimelineEntry"]]
_providers: list[Provider] = []
# Summaries are short figures shown above the timeline ("visits: 12"); same contract as providers.
_summaries: list[Callable[..., Iterable[tuple[str, object]]]] = []

# Entries on a page of the timeline.
PAGE_SIZE = 25


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    kind: str
    title: str
    detail: str = ""
    # A lazy reverse() (reverse_lazy): a provider gives more entries than a page shows, and only the
    # shown ones' addresses are worked out, when the page is written.
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


@dataclass
class TimelinePage:
    """One page of a person's timeline, newest first."""

    number: int
    entries: list[TimelineEntry] = field(default_factory=list)
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def timeline_for(person, user, *, page: int = 1, per_page: int = PAGE_SIZE) -> TimelinePage:
    """Return page ``page`` of the entries about ``person`` that ``user`` may see, newest first.

    The page's entries are among the newest ``page * per_page`` of each provider; one more tells whether
    an older page follows.
    """
    wanted = page * per_page + 1
    entries = []
    for provider in _providers:
        entries.extend(islice(provider(person, user, limit=wanted), wanted))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    start = (page - 1) * per_page
    return TimelinePage(
        number=page, entries=entries[start : start + per_page], has_next=len(entries) > start + per_page
    )


@timeline_provider
def _entered_and_roles(person, user, limit):
    entered = TimelineEntry(
        when=person.entered_at, kind=_("entered the register"), title=choice_label(person, "source")
    )
    for change in person.role_changes.all()[:limit]:
        if entered is not None and entered.when > change.changed_at:
            yield entered
            entered = None
        title = choice_label(change, "role")
        if change.previous_role:
            title = f"{choice_label(change, 'previous_role')} → {title}"
        yield TimelineEntry(when=change.changed_at, kind=_("role"), title=title)
    if entered is not None:
        yield entered


@timeline_provider
def _emails(person, user, limit):
    if not user.has_perm("clients.view_receivedemail"):
        return
    # Newest first by the time shown (an email without a sending time shows when it was imported). The
    # person's key is read too: the related manager sets the person on each email, which would otherwise
    # fetch the deferred key once per email.
    emails = person.emails.only("id", "client_id", "subject", "sent_at", "imported_at", "sender").order_by(
        Coalesce("sent_at", "imported_at").desc(), "-id"
    )
    for email in emails[:limit]:
        yield TimelineEntry(
            when=email.sent_at or email.imported_at,
            kind=_("email received"),
            title=str(email),
            detail=email.sender,
            url=reverse_lazy("admin:clients_receivedemail_change", args=[email.pk]),
        )


@timeline_provider
def _notes(person, user, limit):
    from clients.models import StaffNote

    notes = StaffNote.objects.visible_to(user).filter(client=person).select_related("author")
    for note in notes[:limit]:
        yield TimelineEntry(
            when=note.created_at,
            kind=_("restricted note") if note.restricted else _("note"),
            title=note.text[:120],
            detail=note.author.get_full_name() or note.author.username if note.author else "",
        )

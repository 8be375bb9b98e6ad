"""Erasure (GDPR article 17) from the apps' declarations: a plan first, then one transaction, then a receipt."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from clients.models import Client
from consents.models import ConsentEvent, MarketingProhibition, SuppressedAddress
from consents.services import suppress
from register.declarations import (
    Anonymise,
    Delete,
    Keep,
    PersonalData,
    PlanItem,
    Subject,
    declarations,
    erasure_plan,
    rows_for,
)

logger = logging.getLogger(__name__)


@dataclass
class ErasureReceipt:
    plan: list[PlanItem]
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    suppressed: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        lines = []
        for item in self.plan:
            if item.action == "keep":
                until = f" {_('until')} {item.kept_until:%d.%m.%Y}" if item.kept_until else ""
                lines.append(
                    _("Kept: %(category)s (%(rows)s)%(until)s. %(reason)s")
                    % {"category": item.category, "rows": item.rows, "until": until, "reason": item.reason}
                )
            elif item.action == "delete":
                lines.append(_("Deleted: %(category)s (%(rows)s)") % {"category": item.category, "rows": item.rows})
            else:
                lines.append(
                    _("Made anonymous: %(category)s (%(rows)s)") % {"category": item.category, "rows": item.rows}
                )
        return "\n".join(lines)


def overwrite(rows: QuerySet | list[models.Model], fields: dict, subject: Subject) -> None:
    """Overwrite ``fields`` of ``rows`` (of one model) as an Anonymise declaration says.

    A value that is the same for every row is written by one UPDATE; values worked out from each row
    (a callable) by one bulk update. Each row's values are worked out in the order of ``fields``, so a
    callable sees the fields before it already overwritten, as it would on one row. A queryset whose
    new values are all plain is updated without reading its rows.
    """
    if isinstance(rows, QuerySet):
        meta = rows.model._meta
        plain = not any(
            callable(value) or meta.get_field(name).many_to_many or isinstance(meta.get_field(name), models.FileField)
            for name, value in fields.items()
        )
        if plain:
            rows.update(
                **{name: str(value) if isinstance(value, Promise) else value for name, value in fields.items()}
            )
            return
        rows = list(rows)
    if not rows:
        return
    model = type(rows[0])
    computed, constant = [], []
    for name, value in fields.items():
        model_field = model._meta.get_field(name)
        if model_field.many_to_many:
            related = subject.people_of(model_field.related_model)
            for row in rows:
                getattr(row, name).remove(*related)
            continue
        if isinstance(model_field, models.FileField):
            _delete_files(rows)
        (computed if callable(value) else constant).append(name)
        for row in rows:
            new = value(row) if callable(value) else value
            setattr(row, name, str(new) if isinstance(new, Promise) else new)
    # Queryset updates: the rows' own save() guards (an issued invoice, a ledger event) stay for
    # everything but erasure, which the law puts above them.
    if constant:
        model._base_manager.filter(pk__in=[row.pk for row in rows]).update(
            **{name: getattr(rows[0], name) for name in constant}
        )
    if computed:
        model._base_manager.bulk_update(rows, computed, batch_size=500)


def _delete_files(rows: list[models.Model]) -> None:
    for row in rows:
        for model_field in row._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                stored = getattr(row, model_field.name)
                if stored:
                    storage, name = stored.storage, stored.name
                    transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def _rows_about(declaration: PersonalData, subject: Subject) -> list[models.Model]:
    rows = rows_for(declaration, subject)
    erasure = declaration.erasure
    if isinstance(erasure, Keep) and erasure.until is not None:
        # The end of a legal duty is often read from a related row (a payment's invoice): those are
        # read along, not one query a row.
        rows = rows.select_related(*[f.name for f in rows.model._meta.concrete_fields if f.many_to_one])
    return list(rows)


@transaction.atomic
def erase(
    *, subject: Subject, today: date | None = None, journal: bool = True, one_person: bool = True
) -> ErasureReceipt:
    """Erase what the declarations say, keep what a legal duty requires (pseudonymised), all or nothing.

    Every row is found before any is changed: anonymising one table (an invoice's buyer) must not hide
    the rows of another (its lines) from the search. Once the erasure is committed it is written to the
    erasure journal (see ``journal_erasure``) unless ``journal`` is off, as when a restore re-applies
    an entry of that journal.

    ``subject`` is one person, whose rows in the register may be several. With ``one_person`` off, its
    people are different people erased together (the retention purge's batches): each one's address is
    then kept from marketing only if they themselves objected, and each has a journal line of their own.
    """
    today = today or timezone.localdate()
    journalled = [[person._meta.label_lower, person.pk] for person in subject.people]
    # People erased together by retention have no one to receive a receipt: their plan is not made.
    plan = erasure_plan(subject, today=today) if one_person else []
    found = {d.model: _rows_about(d, subject) for d in declarations()}
    people = subject.people_of(Client)
    # Someone who objected or withdrew must not come back to marketing on an old list (GDPR 21(3)).
    objected = set(MarketingProhibition.objects.filter(client__in=people).values_list("client", flat=True))
    objected |= set(
        ConsentEvent.objects.filter(client__in=people, kind=ConsentEvent.Kind.WITHDRAWN).values_list(
            "client", flat=True
        )
    )
    if one_person:
        emails = [e for e in subject.emails if e] + [p.email for p in subject.people if getattr(p, "email", "")]
        emails = emails if objected else []
    else:
        emails = [p.email for p in people if p.pk in objected and p.email]
    receipt = ErasureReceipt(plan=plan)

    deletions: list[tuple[type[models.Model], list[models.Model]]] = []
    for declaration in declarations():
        rows = found[declaration.model]
        if not rows:
            continue
        erasure = declaration.erasure
        label = declaration.label
        if isinstance(erasure, Keep):
            until = {row.pk: erasure.until(row) if erasure.until else None for row in rows}
            ended = [row for row in rows if until[row.pk] is not None and until[row.pk] < today]
            kept = [row for row in rows if row not in ended]
            if kept and erasure.meanwhile:
                overwrite(kept, dict(erasure.meanwhile.fields), subject)
            receipt.kept[label] = len(kept)
            rows, erasure = ended, erasure.then
            if not rows:
                continue
        if isinstance(erasure, Anonymise):
            overwrite(rows, dict(erasure.fields), subject)
            receipt.anonymised[label] = len(rows)
        elif isinstance(erasure, Delete):
            deletions.append((declaration.model, rows))
    # Deleted after every anonymisation has unlinked what protects them; a table is deleted before the
    # tables it points to (payments before their invoice), and people last.
    pending = sorted(deletions, key=lambda item: any(d.subject for d in declarations() if d.model is item[0]))
    while pending:
        waiting = []
        for model, rows in pending:
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk__in=[row.pk for row in rows]).delete()
            except ProtectedError:
                waiting.append((model, rows))
                continue
            _delete_files(rows)
            receipt.deleted[model._meta.label] = len(rows)
        if len(waiting) == len(pending):
            raise ProtectedError(_("Erasure cannot delete rows that others protect."), set())
        pending = waiting
    for email in emails:
        suppress(email, reason=SuppressedAddress.Reason.ERASURE)
        receipt.suppressed.append(email)
    if journal and journalled:
        entries = [journalled] if one_person else [[person] for person in journalled]
        transaction.on_commit(lambda: journal_erasure(entries=entries, today=today))
    return receipt


# The erasure journal. A backup restored after an erasure would bring the erased person back; the
# journal, kept outside the database, lets the restore command erase them again. Each line is one JSON
# object: when the erasure was committed (UTC), the day it was done as (which decides what a legal duty
# still keeps) and the people as model label and primary key. No name or address is written, so the
# journal itself holds no personal data in plain text.


@dataclass(frozen=True)
class JournalEntry:
    at: datetime
    today: date
    people: tuple[tuple[str, object], ...]


class JournalError(Exception):
    """The erasure journal cannot be read; the message names the file and the line."""


def journal_path() -> Path:
    return Path(settings.ERASURE_JOURNAL)


def journal_erasure(*, entries: list[list[list]], today: date) -> None:
    """Append a line for each erasure of a committed transaction to the journal, flushed to the disk.

    Each entry is the people of one erasure. The erasure has already been committed when this runs, so
    a failure to write is logged (with the lines, which name no one, to be added by hand) instead of
    being raised at the staff member.
    """
    at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    line = "\n".join(
        json.dumps({"at": at, "today": today.isoformat(), "people": people}, separators=(",", ":"))
        for people in entries
    )
    path = journal_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        created = not path.exists()
        # O_APPEND and a single write keep lines from concurrent workers whole.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, (line + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if created:
            # A new file's directory entry must reach the disk too, or a crash could lose the file.
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
    except OSError as error:
        logger.error(
            "The erasure journal %s could not be written (%s); add this line to it by hand: %s", path, error, line
        )


def read_journal(*, since: datetime, path: Path | None = None) -> list[JournalEntry]:
    """Return the journal's entries committed at or after ``since``, oldest first.

    A missing journal has no entries. A line that cannot be read raises ``JournalError``: skipping it
    could leave an erased person in a restored database without anyone noticing.
    """
    path = path or journal_path()
    if not path.exists():
        return []
    entries = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                entry = JournalEntry(
                    at=datetime.fromisoformat(data["at"]),
                    today=date.fromisoformat(data["today"]),
                    people=tuple((str(label), pk) for label, pk in data["people"]),
                )
                if entry.at.tzinfo is None:
                    raise ValueError("time without a time zone")
            except (ValueError, KeyError, TypeError) as error:
                raise JournalError(f"Line {number} of the erasure journal {path} cannot be read ({error}).") from None
            if entry.at >= since:
                entries.append(entry)
    return sorted(entries, key=lambda entry: entry.at)


def reapply_erasures(entries: list[JournalEntry]) -> tuple[int, int]:
    """Erase again the people of each entry that are still in the database; return (re-applied, gone).

    Each entry is erased as on its own day, so a legal duty keeps what it kept the first time. People
    who are no longer found (their erasure deleted them and the archive never had them) count as gone.
    """
    reapplied = gone = 0
    for entry in entries:
        people = []
        for label, pk in entry.people:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            person = model._base_manager.filter(pk=pk).first()
            if person is not None:
                people.append(person)
        if not people:
            gone += 1
            continue
        try:
            erase(subject=Subject(people=tuple(people)), today=entry.today, journal=False)
        except Exception as error:
            named = ", ".join(f"{label} {pk}" for label, pk in entry.people)
            raise JournalError(
                f"Erasing again the journal entry of {entry.at:%Y-%m-%d %H:%M:%S} UTC failed ({error}); "
                f"{reapplied} entries before it were re-applied. Erase {named} again by hand."
            ) from error
        reapplied += 1
    return reapplied, gone


def send_erasure_receipt(*, request, receipt: ErasureReceipt) -> None:
    """Tell the requester what was erased and what is kept, and why (GDPR article 12(1) and 17)."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    language = "en" if request.people.filter(preferred_language="en").exists() else "fi"
    with translation.override(language):
        EmailMessage(
            subject=render_to_string("privacy/email/erasure_subject.txt", {}).strip(),
            body=render_to_string("privacy/email/erasure.txt", {"request": request, "receipt": receipt.as_text()}),
            to=[request.email],
        ).send()

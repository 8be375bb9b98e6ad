"""Operations on the people in the register that span rows or have side effects."""

from __future__ import annotations

import email
import email.message
import email.policy
import email.utils
import hashlib
import html
import logging
import mailbox
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from clients.models import Client, EmailAttachment, Guardian, ReceivedEmail, RoleChange, StaffNote
from clients.phones import format_phone

logger = logging.getLogger(__name__)


def record_role_change(*, person: Client, previous_role: str, changed_by: User | None = None) -> RoleChange | None:
    """Record that ``person`` now has their current role; nothing when the role did not change."""
    if previous_role == person.role:
        return None
    return RoleChange.objects.create(
        client=person, role=person.role, previous_role=previous_role or "", changed_by=changed_by
    )


@transaction.atomic
def change_role(*, person: Client, role: str, changed_by: User | None = None) -> Client:
    """Give ``person`` a new role (a prospect becomes a client, say) and record when and by whom."""
    previous = person.role
    if previous == role:
        return person
    person.role = role
    person.role_since = timezone.localdate()
    person.full_clean()
    person.save(update_fields=["role", "role_since", "updated_at"])
    record_role_change(person=person, previous_role=previous, changed_by=changed_by)
    return person


def possible_duplicates(person: Client) -> list[Client]:
    """Return the other people whose email (any case) or phone equals this person's."""
    query = models.Q()
    if person.email:
        query |= models.Q(email__iexact=person.email)
    if person.phone:
        query |= models.Q(phone=person.phone)
    if not query:
        return []
    return list(Client.objects.active().filter(query).exclude(pk=person.pk)[:10])


# Fields copied from the duplicate when the kept person has them empty.
MERGE_FILLS = [
    "email",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "date_of_birth",
    "coach",
    "background",
    "informed_at",
    "informed_by",
]


# When two records of one person disagree on the role, the furthest along the relationship wins.
ROLE_RANK: dict[str, int] = {
    Client.Role.SUBSCRIBER: 0,
    Client.Role.PROSPECT: 1,
    Client.Role.FORMER_CLIENT: 2,
    Client.Role.CLIENT: 3,
}


def merge_people(*, keep: Client, duplicate: Client, merged_by: User | None = None) -> Client:
    """Merge two records of one person; see _merge. A clash the database refuses changes nothing."""
    try:
        return _merge(keep=keep, duplicate=duplicate, merged_by=merged_by)
    except IntegrityError as error:
        logger.warning("Merge of people %s and %s refused by the database: %s", keep.pk, duplicate.pk, error)
        raise ValidationError(
            _("The two records hold rows that cannot belong to one person at once; nothing was merged.")
        ) from error


@transaction.atomic
def _merge(*, keep: Client, duplicate: Client, merged_by: User | None = None) -> Client:
    """Move everything that refers to ``duplicate`` onto ``keep``, fill gaps, and delete the duplicate.

    Every model of every app that refers to a person is moved, including those of apps built later,
    because the relations are found from the models themselves. A note on the kept person records the
    merge.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    keep = Client.objects.select_for_update().get(pk=keep.pk)
    duplicate = Client.objects.select_for_update().get(pk=duplicate.pk)

    moved: dict[str, int] = {}
    # Every relation to a person from another model, hidden ones (related_name "+") too: the access log's
    # entries and the field history's rows about the duplicate must follow the person, or a later access
    # answer or erasure would miss them.
    relations = [
        field for field in Client._meta.get_fields(include_hidden=True) if isinstance(field, models.ForeignObjectRel)
    ]
    for relation in relations:
        referring = relation.field.model  # the model whose field refers to a person
        if relation.many_to_many:
            accessor = relation.get_accessor_name()
            # Only a symmetrical relation of a model to itself has no accessor, and Client has none.
            assert accessor is not None
            related = getattr(duplicate, accessor).all()
            getattr(keep, accessor).add(*related)
            moved[str(referring._meta.verbose_name_plural)] = len(related)
            continue
        count = referring._base_manager.filter(**{relation.field.name: duplicate}).update(
            **{relation.field.name: keep}
        )
        if count and not relation.hidden:  # the note names what staff know as the person's data
            moved[str(referring._meta.verbose_name_plural)] = count

    # The back office's own change log names the duplicate by its key: its entries now concern the kept person.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Client), object_id=str(duplicate.pk)
    ).update(object_id=str(keep.pk), object_repr=str(keep)[:200])

    duplicate_id = duplicate.pk
    duplicate_summary = f"{duplicate.full_name} <{duplicate.email or '-'}> {format_phone(duplicate.phone)}".strip()
    for name in MERGE_FILLS:
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
    if duplicate.entered_at < keep.entered_at:
        keep.entered_at, keep.source = duplicate.entered_at, duplicate.source
    # A restriction of processing (GDPR article 18) on either record binds the person.
    if duplicate.restricted_at and not keep.restricted_at:
        keep.restricted_at, keep.restriction_reason = duplicate.restricted_at, duplicate.restriction_reason
    previous_role = keep.role
    if ROLE_RANK[duplicate.role] > ROLE_RANK[keep.role]:
        keep.role, keep.role_since = duplicate.role, duplicate.role_since
    # Deleted before the kept person is saved: the two may share the email the constraint guards.
    duplicate.delete()
    keep.full_clean()
    keep.save()
    record_role_change(person=keep, previous_role=previous_role, changed_by=merged_by)

    moved_text = ", ".join(f"{name}: {count}" for name, count in sorted(moved.items())) or _("nothing")
    StaffNote.objects.create(
        client=keep,
        author=merged_by,
        text=_("Merged with duplicate %(duplicate)s (id %(id)s). Moved: %(moved)s.")
        % {"duplicate": duplicate_summary, "id": duplicate_id, "moved": moved_text},
    )
    return keep


# Email import ---------------------------------------------------------------------------------------


@dataclass
class EmailImportResult:
    imported: int = 0
    duplicates: int = 0
    unmatched: int = 0
    broken_files: list[str] = field(default_factory=list)


@dataclass
class _ParsedMessage:
    message_id: str
    sender: str
    sender_name: str
    recipients: str
    subject: str
    sent_at: datetime | None
    body: str
    attachments: list[tuple[str, str, bytes]]


def _messages_in(path: Path) -> list[email.message.EmailMessage]:
    """Return the messages of an .eml file or an mbox file; raise ValueError when it holds none."""
    with path.open("rb") as handle:
        head = handle.read(1024).lstrip()
    if head.startswith(b"From "):
        box = mailbox.mbox(str(path), factory=None, create=False)
        try:
            messages = [email.message_from_bytes(message.as_bytes(), policy=email.policy.default) for message in box]
        finally:
            box.close()
    else:
        with path.open("rb") as handle:
            messages = [email.message_from_binary_file(handle, policy=email.policy.default)]
    if not messages:
        raise ValueError("no messages")
    for message in messages:
        if message.defects and not message.get("From"):
            raise ValueError(f"unreadable message: {message.defects[0]!r}")
        if not message.get("From"):
            raise ValueError("a message has no sender")
    return messages


def _text_of(part) -> str:
    """Return a text part's content, replacing what its (possibly unknown) charset cannot decode."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True) or b""
        try:
            return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know, such as unknown-8bit
            return payload.decode("utf-8", errors="replace")


def _plain_text(html_text: str) -> str:
    """Return the readable text of an HTML body: no styles or scripts, no tags, entities decoded."""
    without_code = re.sub(r"(?is)<(style|script)\b.*?</\1\s*>", " ", html_text)
    return html.unescape(strip_tags(without_code)).replace("\xa0", " ")


def _safe_filename(name: str | None) -> str:
    """Return a file name that is safe to store, whatever the sender called the attachment."""
    try:
        cleaned = get_valid_filename(Path(name or "").name)
    except SuspiciousFileOperation:
        cleaned = ""
    return cleaned or "attachment.bin"


def _parse(message: email.message.EmailMessage) -> _ParsedMessage:
    sender_name, sender = email.utils.parseaddr(str(message.get("From", "")))
    if "@" not in sender:
        raise ValueError("the sender has no email address")
    recipients = ", ".join(
        address for _name, address in email.utils.getaddresses([str(v) for v in message.get_all("To", [])])
    )
    sent_at = None
    if message.get("Date"):
        try:
            sent_at = email.utils.parsedate_to_datetime(str(message["Date"]))
            if timezone.is_naive(sent_at):
                sent_at = timezone.make_aware(sent_at)
        except (TypeError, ValueError):
            sent_at = None
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        body = _text_of(body_part)
        if body_part.get_content_subtype() == "html":
            body = _plain_text(body)
    attachments = []
    for part in message.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            # A forwarded message: keep it whole as an .eml file.
            inner = part.get_payload()
            forwarded = inner[0] if isinstance(inner, list) and inner else None
            payload = (forwarded if isinstance(forwarded, email.message.Message) else part).as_bytes()
        else:
            decoded = part.get_payload(decode=True)
            payload = decoded if isinstance(decoded, bytes) else b""
        attachments.append((_safe_filename(part.get_filename()), part.get_content_type(), payload))
    raw_id = str(message.get("Message-ID", "")).strip()
    # A message without a Message-ID still gets a stable identity, so a second import finds it.
    message_id = raw_id or f"<sha256-{hashlib.sha256(message.as_bytes()).hexdigest()}@no-message-id>"
    return _ParsedMessage(
        message_id=message_id[:500],
        sender=sender.lower(),
        sender_name=sender_name[:200],
        recipients=recipients,
        subject=str(message.get("Subject", ""))[:500],
        sent_at=sent_at,
        body=body,
        attachments=attachments,
    )


def match_sender(address: str) -> tuple[Client | None, Guardian | None]:
    """Return the person an address belongs to: a person's own, or else a guardian's minor."""
    person = Client.objects.with_email(address).first()
    if person is not None:
        return person, None
    guardian = Guardian.objects.filter(email__iexact=address, minor__is_active=True).select_related("minor").first()
    if guardian is not None:
        return guardian.minor, guardian
    return None, None


def _store(parsed: _ParsedMessage, saved_files: list[FieldFile]) -> str:
    """Write one message; return "duplicate", "unmatched" or "matched"."""
    if ReceivedEmail.objects.filter(message_id=parsed.message_id).exists():
        return "duplicate"
    person, guardian = match_sender(parsed.sender)
    received = ReceivedEmail.objects.create(
        client=person,
        sent_by_guardian=guardian,
        message_id=parsed.message_id,
        sender=parsed.sender,
        sender_name=parsed.sender_name,
        recipients=parsed.recipients,
        subject=parsed.subject,
        sent_at=parsed.sent_at,
        body=parsed.body,
    )
    for name, content_type, payload in parsed.attachments:
        attachment = EmailAttachment(
            email=received, filename=name[:255], content_type=content_type[:100], size=len(payload)
        )
        attachment.file.save(name, ContentFile(payload), save=False)
        saved_files.append(attachment.file)
        attachment.save()
    return "unmatched" if person is None else "matched"


class ProgressBar(Protocol):
    """What ``import_emails`` needs of a progress bar (tqdm's, in the command)."""

    def update(self, n: float | None = 1) -> object: ...

    def close(self) -> None: ...


def import_emails(*, paths: Iterable[Path], progress: Callable[..., ProgressBar] | None = None) -> EmailImportResult:
    """Import .eml and mbox files, attaching each message to the person who sent it.

    Each file is read whole before anything is written and then written in one transaction: a broken
    file is reported by name and leaves nothing behind. A message already imported (same Message-ID)
    is counted as a duplicate, so running the import twice changes nothing.
    """
    result = EmailImportResult()
    paths = list(paths)
    bar = progress(total=len(paths), unit="file", disable=len(paths) < 20) if progress else None
    # One file at a time: read whole (a broken file leaves nothing behind), then written in one
    # transaction, so memory holds one file's messages, never the whole import.
    for path in paths:
        try:
            messages = [_parse(m) for m in _messages_in(path)]
        except (OSError, ValueError, UnicodeError, LookupError) as error:
            logger.warning("Skipped email file %s: %s", path.name, error)
            result.broken_files.append(path.name)
            if bar is not None:
                bar.update(1)
            continue
        saved_files: list[FieldFile] = []
        try:
            with transaction.atomic():
                outcomes = [_store(parsed, saved_files) for parsed in messages]
            result.duplicates += outcomes.count("duplicate")
            result.imported += len(outcomes) - outcomes.count("duplicate")
            result.unmatched += outcomes.count("unmatched")
        except Exception:
            # The rows are rolled back; remove the files written for them too.
            for stored in saved_files:
                if stored.name:
                    stored.storage.delete(stored.name)
            logger.exception("Import of email file %s failed and was rolled back", path.name)
            result.broken_files.append(path.name)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return result


@transaction.atomic
def assign_email(*, received: ReceivedEmail, person: Client) -> ReceivedEmail:
    """Attach an unmatched email to ``person``."""
    received.client = person
    received.save(update_fields=["client"])
    return received

"""Operations on the people in the register that span rows or have side effects."""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import logging
import mailbox
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from clients.models import Client, EmailAttachment, Guardian, ReceivedEmail, RoleChange, StaffNote
from clients.phones import format_phone

logger = logging.getLogger(__name__)


def record_role_change(
    *, person: Client, previous_role: str, changed_by: AbstractBaseUser | None = None
) -> RoleChange | None:
    """Record that ``person`` now has their current role; nothing when the role did not change."""
    if previous_role == person.role:
        return None
    return RoleChange.objects.create(
        client=person, role=person.role, previous_role=previous_role or "", changed_by=changed_by
    )


@transaction.atomic
def change_role(*, person: Client, role: str, changed_by: AbstractBaseUser | None = None) -> Client:
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


@transaction.atomic
def merge_people(*, keep: Client, duplicate: Client, merged_by: AbstractBaseUser | None = None) -> Client:
    """Move everything that refers to ``duplicate`` onto ``keep``, fill gaps, and delete the duplicate.

    Every model of every app that refers to a person is moved, including those of apps built later,
    because the relations are found from the models themselves. A note on the kept person records the
    merge.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    keep = Client.objects.select_for_update().get(pk=keep.pk)
    duplicate = Client.objects.select_for_update().get(pk=duplicate.pk)

    moved = {}
    for relation in Client._meta.related_objects:
        if relation.many_to_many:
            accessor = relation.get_accessor_name()
            related = getattr(duplicate, accessor).all()
            getattr(keep, accessor).add(*related)
            moved[relation.related_model._meta.verbose_name_plural] = len(related)
            continue
        count = relation.related_model._base_manager.filter(**{relation.field.name: duplicate}).update(
            **{relation.field.name: keep}
        )
        if count:
            moved[str(relation.related_model._meta.verbose_name_plural)] = count

    duplicate_id = duplicate.pk
    duplicate_summary = f"{duplicate.full_name} <{duplicate.email or '-'}> {format_phone(duplicate.phone)}".strip()
    for name in MERGE_FILLS:
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
    if duplicate.entered_at < keep.entered_at:
        keep.entered_at, keep.source = duplicate.entered_at, duplicate.source
    # Deleted before the kept person is saved: the two may share the email the constraint guards.
    duplicate.delete()
    keep.full_clean()
    keep.save()

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
    sent_at: object
    body: str
    attachments: list[tuple[str, str, bytes]]


def _messages_in(path: Path) -> list[email.message.EmailMessage]:
    """Return the messages of an .eml file or an mbox file; raise ValueError when it holds none."""
    with path.open("rb") as handle:
        head = handle.read(5)
    if head == b"From ":
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
        body = body_part.get_content()
        if body_part.get_content_subtype() == "html":
            body = strip_tags(body)
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        name = Path(part.get_filename() or "attachment.bin").name
        attachments.append((name, part.get_content_type(), payload))
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


def _store(parsed: _ParsedMessage, saved_files: list) -> str:
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


def import_emails(*, paths: Iterable[Path], progress: Callable[..., Iterable] | None = None) -> EmailImportResult:
    """Import .eml and mbox files, attaching each message to the person who sent it.

    Each file is read whole before anything is written and then written in one transaction: a broken
    file is reported by name and leaves nothing behind. A message already imported (same Message-ID)
    is counted as a duplicate, so running the import twice changes nothing.
    """
    result = EmailImportResult()
    parsed_files: list[tuple[Path, list[_ParsedMessage]]] = []
    for path in paths:
        try:
            parsed_files.append((path, [_parse(m) for m in _messages_in(path)]))
        except (OSError, ValueError, UnicodeError, LookupError) as error:
            logger.warning("Skipped email file %s: %s", path.name, error)
            result.broken_files.append(path.name)

    total = sum(len(messages) for _path, messages in parsed_files)
    bar = progress(total=total, unit="msg", disable=total < 50) if progress else None
    for path, messages in parsed_files:
        saved_files = []
        try:
            with transaction.atomic():
                outcomes = []
                for parsed in messages:
                    outcomes.append(_store(parsed, saved_files))
                    if bar is not None:
                        bar.update(1)
            result.duplicates += outcomes.count("duplicate")
            result.imported += len(outcomes) - outcomes.count("duplicate")
            result.unmatched += outcomes.count("unmatched")
        except Exception:
            # The rows are rolled back; remove the files written for them too.
            for stored in saved_files:
                stored.storage.delete(stored.name)
            logger.exception("Import of email file %s failed and was rolled back", path.name)
            result.broken_files.append(path.name)
    if bar is not None:
        bar.close()
    return result


@transaction.atomic
def assign_email(*, received: ReceivedEmail, person: Client) -> ReceivedEmail:
    """Attach an unmatched email to ``person``."""
    received.client = person
    received.save(update_fields=["client"])
    return received

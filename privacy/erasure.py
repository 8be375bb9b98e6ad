"""Erasure (GDPR article 17) from the apps' declarations: a plan first, then one transaction, then a receipt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from clients.models import Client
from consents.models import ConsentEvent, MarketingProhibition, SuppressedAddress
from consents.services import suppress
from register.declarations import Anonymise, Delete, Keep, PlanItem, Subject, declarations, erasure_plan, rows_for


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


def _overwrite(row: models.Model, fields: dict, subject: Subject) -> None:
    for name, value in fields.items():
        model_field = row._meta.get_field(name)
        if model_field.many_to_many:
            related = subject.people_of(model_field.related_model)
            getattr(row, name).remove(*related)
            continue
        if isinstance(model_field, models.FileField):
            _delete_files([row])
        value = value(row) if callable(value) else value
        setattr(row, name, str(value) if isinstance(value, Promise) else value)
    concrete = [name for name in fields if not row._meta.get_field(name).many_to_many]
    if concrete:
        # A queryset update: the rows' own save() guards (an issued invoice, a ledger event) stay for
        # everything but erasure, which the law puts above them.
        type(row)._base_manager.filter(pk=row.pk).update(**{name: getattr(row, name) for name in concrete})


def _delete_files(rows: list[models.Model]) -> None:
    for row in rows:
        for model_field in row._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                stored = getattr(row, model_field.name)
                if stored:
                    storage, name = stored.storage, stored.name
                    transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


@transaction.atomic
def erase(*, subject: Subject, today: date | None = None) -> ErasureReceipt:
    """Erase what the declarations say, keep what a legal duty requires (pseudonymised), all or nothing.

    Every row is found before any is changed: anonymising one table (an invoice's buyer) must not hide
    the rows of another (its lines) from the search.
    """
    today = today or timezone.localdate()
    plan = erasure_plan(subject, today=today)
    found = {d.model: list(rows_for(d, subject)) for d in declarations()}
    emails = [e for e in subject.emails if e] + [p.email for p in subject.people if getattr(p, "email", "")]
    people = subject.people_of(Client)
    # Someone who objected or withdrew must not come back to marketing on an old list (GDPR 21(3)).
    objected = (
        MarketingProhibition.objects.filter(client__in=people).exists()
        or ConsentEvent.objects.filter(client__in=people, kind=ConsentEvent.Kind.WITHDRAWN).exists()
    )
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
                for row in kept:
                    _overwrite(row, dict(erasure.meanwhile.fields), subject)
            receipt.kept[label] = len(kept)
            rows, erasure = ended, erasure.then
            if not rows:
                continue
        if isinstance(erasure, Anonymise):
            for row in rows:
                _overwrite(row, dict(erasure.fields), subject)
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
    if objected:
        for email in emails:
            suppress(email, reason=SuppressedAddress.Reason.ERASURE)
            receipt.suppressed.append(email)
    return receipt


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

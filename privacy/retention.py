"""Retention: apply each declaration's rule to the rows whose time is up (purge_expired).

The expired rows are found and removed a batch at a time, in the order of their keys, each batch in a
transaction of its own: a purge of a large register holds one batch in memory, and what it has done
stays done if it is stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import PROTECT, ProtectedError, QuerySet
from django.utils import timezone

from privacy.erasure import erase, overwrite
from privacy.models import PurgeRun
from register.declarations import Anonymise, Delete, Keep, PersonalData, Subject, declarations

logger = logging.getLogger(__name__)

BATCH_ROWS = 1000
# Erasing a person reads and writes every app's rows about them: a batch of people is smaller.
BATCH_PEOPLE = 200


def expired(declaration: PersonalData, today: date) -> QuerySet:
    """Return the rows of ``declaration`` whose retention has ended on ``today`` (none without a rule)."""
    rule = declaration.retention.expired
    rows = declaration.model._default_manager.all()
    return rule(rows, today) if rule is not None else rows.none()


def purge_expired(*, dry_run: bool = False, today: date | None = None, progress: Callable | None = None) -> PurgeRun:
    """Erase people and rows past their retention; with ``dry_run`` only say what would go."""
    today = today or timezone.localdate()
    found = []
    for declaration in declarations():
        if declaration.retention.expired is not None:
            count = expired(declaration, today).count()
            if count:
                found.append((declaration, count))
    lines = [f"{declaration.label}: {count} ({declaration.retention.description})" for declaration, count in found]
    if not dry_run:
        total = sum(count for _declaration, count in found)
        bar = progress(total=total, unit="row", disable=total < 100) if progress else None
        # A field history finds its expired copies through the rows it copies: the copies go first,
        # before those rows are anonymised out of their own rule's reach. Rows that others may protect
        # from deletion (an invoice, by its payments) go after those others.
        models = {declaration.model for declaration, _count in found}
        order = sorted(
            (declaration for declaration, _count in found),
            key=lambda d: (not _is_history(d.model), _protected(d.model, models)),
        )
        kept = _purge(order, today, bar)
        if bar is not None:
            bar.close()
        if kept:
            lines.append(f"kept, still referred to: {kept}")
        removed = _expired_package_files()
        if removed:
            lines.append(f"privacy.AccessPackage files: {removed}")
    summary = "\n".join(lines) or "-"
    run = PurgeRun.objects.create(dry_run=dry_run, summary=summary)
    logger.info("Retention purge%s: %s", " (dry run)" if dry_run else "", summary.replace("\n", "; "))
    return run


def _is_history(model) -> bool:
    # django-simple-history's copies name the model they copy.
    return hasattr(model, "instance_type")


def _protected(model, models) -> bool:
    """Return whether rows of one of ``models`` may protect rows of ``model`` from deletion."""
    return any(
        relation.on_delete is PROTECT and relation.related_model in models for relation in model._meta.related_objects
    )


def _purge(pending: list[PersonalData], today: date, bar) -> int:
    """Remove the expired rows of each declaration in ``pending``; return how many stay, still referred to.

    A row that another expired row protects (an invoice its payment) waits for that one to go: the
    declarations with refused batches are gone through again while that frees rows, the last time
    row by row, so that all that can go goes.
    """
    one_by_one, before = False, None
    while pending:
        refused = []
        for declaration in pending:
            left = _purge_declaration(declaration, today, bar, one_by_one=one_by_one)
            if left:
                refused.append((declaration, left))
        waiting = sum(left for _declaration, left in refused)
        if not waiting:
            return 0
        if before is not None and waiting >= before:
            # Nothing was freed since the last time round: what is left is really referred to.
            if one_by_one:
                return waiting
            one_by_one = True
        before = waiting
        pending = [declaration for declaration, _left in refused]
    return 0


def _purge_declaration(declaration: PersonalData, today: date, bar, *, one_by_one: bool) -> int:
    """Go once through the expired rows of ``declaration``; return how many were refused (protected)."""
    size = BATCH_PEOPLE if declaration.subject else BATCH_ROWS
    refused = 0
    last = None
    while True:
        rows = expired(declaration, today).order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        keys = list(rows.values_list("pk", flat=True)[:size])
        if not keys:
            return refused
        last = keys[-1]
        for batch in [[key] for key in keys] if one_by_one else [keys]:
            try:
                with transaction.atomic():
                    _expire(declaration, batch, today)
            except ProtectedError:
                refused += len(batch)
                continue
            if bar is not None:
                bar.update(len(batch))


def _expire(declaration: PersonalData, keys: list, today: date) -> None:
    model = declaration.model
    if declaration.subject:
        # People whose time is up go as in an erasure: everything about them, by its own rules, each
        # one a person of their own.
        people = tuple(model._base_manager.filter(pk__in=keys))
        erase(subject=Subject(people=people), today=today, one_person=False)
        return
    erasure = declaration.erasure
    if isinstance(erasure, Keep):
        erasure = erasure.then
    rows = model._base_manager.filter(pk__in=keys)
    if isinstance(erasure, Delete):
        rows.delete()
    elif isinstance(erasure, Anonymise):
        overwrite(rows, dict(erasure.fields), Subject())


def _expired_package_files() -> int:
    """Remove the files of access packages whose link has expired; the record of the answer stays."""
    from privacy.models import AccessPackage

    count = 0
    for package in AccessPackage.objects.filter(expires_at__lt=timezone.now()).exclude(file=""):
        package.file.delete(save=False)
        AccessPackage.objects.filter(pk=package.pk).update(file="")
        count += 1
    return count

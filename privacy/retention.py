"""Retention: apply each declaration's rule to the rows whose time is up (purge_expired)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from privacy.erasure import erase
from privacy.models import PurgeRun
from register.declarations import Anonymise, Delete, Keep, Subject, declarations

logger = logging.getLogger(__name__)


def expired_rows(today: date) -> list[tuple]:
    """Return (declaration, rows) for every declaration whose retention rule finds expired rows."""
    found = []
    for declaration in declarations():
        rule = declaration.retention.expired
        if rule is None:
            continue
        rows = list(rule(declaration.model._default_manager.all(), today))
        if rows:
            found.append((declaration, rows))
    return found


def purge_expired(*, dry_run: bool = False, today: date | None = None, progress: Callable | None = None) -> PurgeRun:
    """Erase people and rows past their retention; with ``dry_run`` only say what would go."""
    today = today or timezone.localdate()
    lines = []
    batches = expired_rows(today)
    for declaration, rows in batches:
        lines.append(f"{declaration.label}: {len(rows)} ({declaration.retention.description})")
    if not dry_run:
        work = [(d, row) for d, rows in batches for row in rows]
        iterator = progress(work, unit="row", disable=len(work) < 100) if progress else work
        waiting = []
        for declaration, row in iterator:
            try:
                with transaction.atomic():
                    _expire(declaration, row, today)
            except ProtectedError:
                waiting.append((declaration, row))  # another expired row points to it: after that one goes
        while waiting:
            still = []
            for declaration, row in waiting:
                try:
                    with transaction.atomic():
                        _expire(declaration, row, today)
                except ProtectedError:
                    still.append((declaration, row))
            if len(still) == len(waiting):
                lines.append(f"kept, still referred to: {len(still)}")
                break
            waiting = still
        removed = _expired_package_files()
        if removed:
            lines.append(f"privacy.AccessPackage files: {removed}")
    summary = "\n".join(lines) or "-"
    run = PurgeRun.objects.create(dry_run=dry_run, summary=summary)
    logger.info("Retention purge%s: %s", " (dry run)" if dry_run else "", summary.replace("\n", "; "))
    return run


def _expired_package_files() -> int:
    """Remove the files of access packages whose link has expired; the record of the answer stays."""
    from privacy.models import AccessPackage

    count = 0
    for package in AccessPackage.objects.filter(expires_at__lt=timezone.now()).exclude(file=""):
        package.file.delete(save=False)
        AccessPackage.objects.filter(pk=package.pk).update(file="")
        count += 1
    return count


def _expire(declaration, row, today: date) -> None:
    if declaration.subject:
        # A person whose time is up goes as in an erasure: everything about them, by its own rules.
        erase(subject=Subject(people=(row,)), today=today)
        return
    erasure = declaration.erasure
    if isinstance(erasure, Keep):
        erasure = erasure.then
    if isinstance(erasure, Delete):
        type(row)._base_manager.filter(pk=row.pk).delete()
    elif isinstance(erasure, Anonymise):
        from privacy.erasure import _overwrite

        _overwrite(row, dict(erasure.fields), Subject())

"""The personal-data access log: record who handled whose data, and find the people behind a row.

Views of the apps below this one announce accesses with ``register.signals.data_accessed``; the
receiver here turns each announcement into entries. Views of this app call ``record`` directly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Model, QuerySet

from clients.models import Client, Guardian
from privacy.models import AccessLogEntry
from register.declarations import declaration_for

SUPERUSER_ROLE = "Pääkäyttäjä (superuser)"


def retention_days() -> int:
    return settings.ACCESS_LOG_RETENTION_DAYS


def roles_of(user) -> str:
    """Return the user's staff roles (group names) as one line, read once per request."""
    if user is None or not user.is_authenticated:
        return ""
    cached = getattr(user, "_access_log_roles", None)
    if cached is None:
        names = sorted(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            # A superuser may belong to no group; the log must still say with what powers they looked.
            names.insert(0, SUPERUSER_ROLE)
        cached = user._access_log_roles = ", ".join(names)
    return cached


def _address(request) -> str | None:
    # The deployment's proxy handling (register.middleware.ForwardedForMiddleware) has already put the
    # visitor's address in REMOTE_ADDR; anything that is not an address is left out rather than stored.
    value = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _follow(row: Model, path: str) -> list[int]:
    """Return the keys of the people at the end of ``path`` from ``row``, reading as little as possible."""
    *hops, last = path.split("__")
    for hop in hops:
        row = getattr(row, hop, None)
        if row is None:
            return []
    field = row._meta.get_field(last)
    if field.many_to_many:
        if field.related_model is Client:
            return list(getattr(row, last).values_list("pk", flat=True))
        return []
    if field.related_model is Client:
        key = getattr(row, field.attname)
        return [key] if key is not None else []
    if field.related_model is Guardian:
        guardian = getattr(row, last)
        return [guardian.minor_id] if guardian is not None else []
    return []


def people_of(row: Model, *, depth: int = 2) -> list[int]:
    """Return the keys of the people (clients.Client) whose data ``row`` is.

    A guardian's data is kept on the minor's page, so a guardian's row leads to the minor. Other rows
    are followed by the path of their personal-data declaration, or else by their own relations: to a
    person, to a guardian, and failing those to another declared row (an attachment to its email).
    """
    if isinstance(row, Client):
        return [row.pk] if row.pk is not None else []
    if isinstance(row, Guardian):
        return [row.minor_id] if row.minor_id is not None else []
    declaration = declaration_for(type(row))
    path = getattr(declaration.find, "path", None) if declaration else None
    if path:
        return _follow(row, path)
    if row.pk is None:
        return []
    relations = [
        f for f in row._meta.get_fields() if f.is_relation and not f.auto_created and (f.concrete or f.many_to_many)
    ]
    keys: list[int] = []
    for wanted in (Client, Guardian):
        for field in relations:
            if field.related_model is wanted:
                keys += [key for key in _follow(row, field.name) if key not in keys]
        if keys:
            return keys
    if depth > 1:
        for field in relations:
            if field.many_to_one and declaration_for(field.related_model) is not None:
                target = getattr(row, field.name)
                if target is not None:
                    keys += [key for key in people_of(target, depth=depth - 1) if key not in keys]
    return keys


def _who(request, action: str) -> dict:
    """Return the fields every entry of this request and action shares: who, with what roles, from where."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "user": user if signed_in else None,
        "username": user.get_username() if signed_in else "",
        "roles": roles_of(user) if signed_in else "",
        "action": action,
        # Staff addresses are what an investigation needs. A member of the public (a person downloading
        # their own copy by its link) is not kept by address here: the download's own record keeps a
        # keyed hash of it.
        "ip_address": _address(request) if signed_in else None,
    }


def record(
    request, action: str, *, rows: Iterable[Model] = (), label: str = "", link_people: bool = True
) -> list[AccessLogEntry]:
    """Record that the user of ``request`` handled ``rows``: one entry per row and person it is about.

    A row about no one in the register (an unmatched email) still gets an entry, without a person, as
    do all rows with ``link_people`` off (an erasure, recorded after the person is gone). Without rows,
    one entry records the action with ``label`` saying what was handled.
    """
    who = _who(request, action)
    entries = []
    for row in rows:
        what = {
            "object_model": row._meta.label_lower,
            "object_pk": str(row.pk) if row.pk is not None else "",
            "object_label": (label or str(row))[:200],
        }
        people = (people_of(row) if link_people else []) or [None]
        entries += [AccessLogEntry(person_id=person, **who, **what) for person in people]
    if not entries and label:
        entries = [AccessLogEntry(**who, object_label=label[:200])]
    if len(entries) == 1:
        # A page of one record (most of them): one INSERT, where bulk_create wraps it in a transaction
        # of its own (three statements to the database on every person page).
        entries[0].save(force_insert=True)
        return entries
    return AccessLogEntry.objects.bulk_create(entries)


def record_people(request, action: str, people: QuerySet, *, label: str) -> int:
    """Record one entry per person in ``people`` (an export): an auditor sees whose data left the register.

    Only the keys are read, and the entries are written in batches, so exporting the whole register
    stays a few queries.
    """
    who = _who(request, action)
    model = Client._meta.label_lower
    entries = [
        AccessLogEntry(person_id=key, object_model=model, object_pk=str(key), object_label=label[:200], **who)
        for key in people.order_by().values_list("pk", flat=True)
    ]
    AccessLogEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def on_personal_data_accessed(sender, *, request, action, objects=(), label="", **kwargs) -> None:
    """Receive ``register.signals.personal_data_accessed`` (connected in PrivacyConfig.ready)."""
    if isinstance(objects, QuerySet) and objects.model is Client:
        record_people(request, action, objects, label=str(label))
    else:
        record(request, action, rows=list(objects), label=str(label))

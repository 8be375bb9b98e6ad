"""Field-level history of personal data (django-simple-history), declared like the data it copies.

A model whose rows staff change gets ``history = field_history()``: every save stores a copy of the
row with who made the change and when, so the back office can show which field changed from what to
what. The copies are personal data of the same people: ``declare_history`` declares them after the
model's own declaration, so that an access answer includes them, an erasure deletes them (a history
that kept the old name would undo the erasure) and they go when the row they copy goes.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from register.declarations import (
    Delete,
    PersonalData,
    Retention,
    Subject,
    Text,
    about_people,
    declaration_for,
    declare,
    related_to,
)

HISTORY_FIELDS = ("history_date", "history_type")


def field_history(**options) -> HistoricalRecords:
    """Return the history descriptor for a personal-data model.

    Deleting a row deletes its history instead of adding a last copy of the deleted values: the history
    lives as long as its row, and an erasure that deletes rows leaves no copy of them behind. Who deleted
    what stays in the access log and the back office's change log.
    """
    return HistoricalRecords(cascade_delete_history=True, **options)


@about_people
def _copies_of_people(model: type[Model], subject: Subject) -> QuerySet:
    """Find the history rows of the subject's own rows in a model whose rows are people."""
    original = model.instance_type
    keys = [person.pk for person in subject.people_of(original)]
    if not keys:
        return model._default_manager.none()
    return model._default_manager.filter(**{f"{original._meta.pk.attname}__in": keys})


def _history_expired(parent: PersonalData):
    """Return a retention rule: history rows whose row's own retention has ended go with it."""
    rule = parent.retention.expired
    if rule is None:
        return None
    pk_name = parent.model._meta.pk.attname

    def expired(rows: QuerySet, day) -> QuerySet:
        ended = rule(parent.model._default_manager.all(), day).values("pk")
        return rows.filter(**{f"{pk_name}__in": ended})

    return expired


def declare_history(model: type[Model], *, category: Text) -> PersonalData:
    """Declare the field history of ``model`` (declared already) as personal data of the same people.

    The history rows are found the way the model's rows are: by the same relation path, by the person's
    own key for a model of people, or by the model's own finder when that one reads only fields the copy
    has too. Erasure deletes them; retention follows the row they copy.
    """
    parent = declaration_for(model)
    if parent is None:
        raise ValueError(f"Declare {model._meta.label} before its history.")
    history = model.history.model
    path = getattr(parent.find, "path", None)
    if path is not None:
        find = related_to(path)
    elif parent.subject:
        find = _copies_of_people
    else:
        find = parent.find
    names = {field.name for field in history._meta.concrete_fields}
    return declare(
        history,
        category=category,
        find=find,
        export=HISTORY_FIELDS + tuple(name for name in parent.export if name in names),
        erasure=Delete(),
        retention=Retention(
            _("As long as the data whose changes it records; erasure deletes it."), expired=_history_expired(parent)
        ),
    )

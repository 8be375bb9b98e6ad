"""Choices of a form's select of related records (the staff accounts of a person's coach field) read
through the cache.

A model choice field reads its whole queryset each time its select is written: on the person page the
two selects of staff accounts (coach, informed by) took a tenth of the page, for the same two dozen
accounts every time. ``RememberedChoiceIterator`` keeps the written choices (value and label) in the
cache under a key made of the queryset's SQL and the related model's version, which a save or a delete
of any record of that model moves on (with the list filters' choices, see ``choices_version_key``), so a
renamed or added account is offered at once. What a posted value means is still looked up in the
database by the field's own validation: only the writing of the options is remembered.
"""

from __future__ import annotations

import hashlib
import uuid

from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language

from register.caching import remembered

CHOICES_CACHE_SECONDS = 300


def choices_version_key(model) -> str:
    """Return the cache key of ``model``'s choices version; deleting it makes every remembered choice
    of its records stale (``register.admin_lists.forget_filter_choices`` does, on each save and delete)."""
    return f"register:choices-version:{model._meta.label_lower}"


def _model_version(model) -> str:
    return remembered(choices_version_key(model), None, lambda: uuid.uuid4().hex, what="a model's choices version")


# Models whose records are remembered as choices though no foreign key points to them (the years of the
# invoice number sequences): their saves move their version on too. Declared when a module is imported.
_TRACKED: set[str] = set()


def track_choices_of(model) -> None:
    """Declare that choices read from ``model`` are remembered (``remembered_choices``); call at import."""
    _TRACKED.add(model._meta.label_lower)


def tracks_choices_of(model) -> bool:
    return model._meta.label_lower in _TRACKED


def remembered_choices(model, name: str, compute):
    """Return ``compute()`` (choices read from ``model``), remembered until a record of it changes.

    A list filter's choices from a small table of their own (the years with invoices, the staff
    roles), or a form's select of staff accounts, are read once instead of on every page. ``model``
    must be one whose saves move its version on: a model some foreign key points to, or one declared
    with ``track_choices_of``.
    """
    key = f"register:choices:{model._meta.label_lower}:{_model_version(model)}:{name}:{get_language() or ''}"
    return remembered(key, CHOICES_CACHE_SECONDS, compute, what="a list's or a form's choices")


class RememberedChoiceIterator(ModelChoiceIterator):
    """A model choice field's iterator whose choices come from the cache (see the module's docstring)."""

    def _remembered(self) -> list[tuple[object, str]]:
        if not hasattr(self, "_choices"):  # read once per writing of the select
            self._choices = self._read()
        return self._choices

    def _read(self) -> list[tuple[object, str]]:
        queryset = self.queryset
        model = queryset.model
        # The field names its choices (see remember_choices); else the queryset's SQL is their name.
        name = (
            getattr(self.field, "remembered_choices_name", None)
            or hashlib.sha256(str(queryset.query).encode()).hexdigest()
        )

        def read():
            field = self.field
            return [(field.prepare_value(obj), str(field.label_from_instance(obj))) for obj in queryset.iterator()]

        return remembered_choices(model, f"form:{name}", read)

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self._remembered()

    def __len__(self):
        return len(self._remembered()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self._remembered())


def remember_choices(formfield, name: str = ""):
    """Return ``formfield`` (a model choice field, or None) with its choices read through the cache.

    ``name``, when given, names the choices in the cache instead of the SQL of the field's queryset
    (which then need not be worked out on each page): the caller promises that the field's queryset is
    the same for every request under that name.
    """
    if formfield is not None and hasattr(formfield, "queryset"):
        formfield.iterator = RememberedChoiceIterator
        formfield.remembered_choices_name = name
        formfield.widget.choices = formfield.choices  # as setting the queryset does
    return formfield

"""Declarations of personal data.

Every app that stores personal data declares, in its own ``personal_data.py`` module (imported at
start-up), for each model:

- how the rows about a given person are found (``find``),
- what an access export contains (``export``: field names),
- what erasure does to the rows (``Delete``, ``Anonymise``, or ``Keep`` under a named legal duty),
- how long the rows are kept (``Retention``).

The ``privacy`` app builds access packages, erasure and retention from these declarations, and the
system check ``register.E001`` (run by ``manage.py check`` and by the test suite) refuses a model that
refers to a person but was never declared, so a new table cannot be left out of a data-access answer.

A declaration looks like this::

    declare(
        Appointment,
        category=_("Appointments"),
        find=related_to("client"),
        export=("starts_at", "service", "status"),
        erasure=Delete(),
        retention=Retention(_("36 months after the client relationship ends.")),
    )
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Model, QuerySet
from django.utils.functional import Promise

__all__ = [
    "Anonymise",
    "Delete",
    "Finder",
    "Keep",
    "PersonalData",
    "Retention",
    "Subject",
    "Text",
    "about_people",
    "by_email",
    "declaration_for",
    "declarations",
    "declare",
    "erasure_plan",
    "export",
    "export_sections",
    "logged_about",
    "not_personal_data",
    "related_to",
    "rows_for",
    "the_people",
    "undeclared_models",
]


# A category, reason or description: plain text, or text translated when shown (gettext_lazy).
Text = str | Promise


@dataclass(frozen=True)
class Subject:
    """The person a request is about, as far as the register can identify them.

    ``people`` are rows of subject models (a client, a guardian) that staff matched to the request;
    ``emails`` are addresses the person has proven to own.
    """

    people: tuple[Model, ...] = ()
    emails: tuple[str, ...] = ()

    def people_of(self, model: type[Model]) -> list[Model]:
        """Return the matched people that are rows of ``model``."""
        return [person for person in self.people if isinstance(person, model)]


@dataclass(frozen=True)
class Delete:
    """Erasure deletes the rows."""

    label = "delete"


@dataclass(frozen=True)
class Anonymise:
    """Erasure overwrites the named fields and keeps the row (for statistics or integrity).

    ``fields`` maps a field name to its replacement: a value, or a callable taking the row.
    """

    fields: Mapping[str, Any]
    label = "anonymise"


@dataclass(frozen=True)
class Keep:
    """Erasure keeps the rows because a legal duty requires it.

    ``reason`` names the duty (for example the Accounting Act's six years for accounting records).
    ``until`` returns, for a row, the last day the duty holds, or ``None`` when the duty lasts as long
    as a situation described in ``reason`` (such as holding a role). ``meanwhile`` is what erasure
    does to the kept rows now (for example pseudonymising an invoice's buyer); ``then`` is what it
    does to rows whose duty has ended.
    """

    reason: Text
    # Called with a row of the declared model, whichever that is: typed as Any, since a rule reads the
    # fields of its own model.
    until: Callable[[Any], date | None] | None = None
    meanwhile: Anonymise | None = None
    then: Delete | Anonymise = field(default_factory=Delete)
    label = "keep"


@dataclass(frozen=True)
class Retention:
    """How long rows are kept when nobody asks for erasure.

    ``description`` is shown in the privacy notice and in access packages. ``expired`` returns, from a
    queryset of all rows and a day, the rows whose retention has ended on that day; ``None`` means the
    rows have no retention of their own (they live and go with something else, described in words).
    """

    description: Text
    expired: Callable[[QuerySet, date], QuerySet] | None = None


@dataclass(frozen=True)
class Finder:
    """How the rows about a subject are found: called with the declared model and a subject, it returns them.

    ``about_people`` marks a finder that finds rows through the register's people: rows of its model are
    then personal data of those people, and whatever refers to them must be declared too. ``path`` is the
    relation followed, when there is one (checked by the system check ``register.E003``).
    """

    find: Callable[[type[Model], Subject], QuerySet]
    about_people: bool = False
    path: str | None = None

    def __call__(self, model: type[Model], subject: Subject) -> QuerySet:
        return self.find(model, subject)


def about_people(find: Callable[[type[Model], Subject], QuerySet]) -> Finder:
    """Make ``find`` (a function of a model and a subject) a finder of rows through the register's people."""
    return Finder(find, about_people=True)


@dataclass(frozen=True)
class PersonalData:
    """How one model's personal data is found, exported, erased and retained."""

    model: type[Model]
    category: Text
    find: Finder | Callable[[type[Model], Subject], QuerySet]
    export: tuple[str, ...]
    erasure: Delete | Anonymise | Keep
    retention: Retention
    subject: bool = False
    # Data the person provided on the basis of consent or contract: part of a portability copy (article 20).
    portable: bool = False
    notes: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        return self.model._meta.label


_declarations: dict[type[Model], PersonalData] = {}
_exempt: dict[type[Model], str] = {}


def declare(
    model: type[Model],
    *,
    category: Text,
    find: Finder | Callable[[type[Model], Subject], QuerySet],
    export: tuple[str, ...] | list[str],
    erasure: Delete | Anonymise | Keep,
    retention: Retention,
    subject: bool = False,
    portable: bool = False,
    notes: str = "",
) -> PersonalData:
    """Declare how ``model`` holds personal data; ``subject=True`` marks a model whose rows are people.

    Declaring the same model twice replaces the earlier declaration, so that reloading a module in
    development does not fail.
    """
    declaration = PersonalData(
        model=model,
        category=category,
        find=find,
        export=tuple(export),
        erasure=erasure,
        retention=retention,
        subject=subject,
        portable=portable,
        notes=notes,
    )
    _declarations[model] = declaration
    return declaration


def not_personal_data(model: type[Model], *, reason: str) -> None:
    """Record that ``model`` refers to a person but holds nothing about them, and why."""
    _exempt[model] = reason


def declarations() -> list[PersonalData]:
    """Return every declaration, in a stable order (by model label)."""
    return sorted(_declarations.values(), key=lambda d: d.label)


def declaration_for(model: type[Model]) -> PersonalData | None:
    """Return the declaration of ``model`` (or of the concrete model behind a proxy), if any."""
    return _declarations.get(model._meta.concrete_model or model)


# Finders. Each returns a Finder: a callable from a model and a Subject to a queryset of the rows about them.


def related_to(path: str) -> Finder:
    """Find rows whose relation ``path`` (an ORM lookup path) points to one of the subject's people.

    Used as ``find=related_to("client")``; the model at the end of the path decides which people count.
    """

    def find(model: type[Model], subject: Subject) -> QuerySet:
        people = subject.people_of(_target_model(model, path))
        if not people:
            return model._default_manager.none()
        return model._default_manager.filter(**{f"{path}__in": people})

    return Finder(find, about_people=True, path=path)


def the_people() -> Finder:
    """Find the subject's own rows in a model whose rows are people (declared with ``subject=True``)."""

    def find(model: type[Model], subject: Subject) -> QuerySet:
        return model._default_manager.filter(pk__in=[person.pk for person in subject.people_of(model)])

    return Finder(find, about_people=True)


def logged_about() -> Finder:
    """Find rows of a log that names objects by content type and id (such as the admin's change log)."""

    def find(model: type[Model], subject: Subject) -> QuerySet:
        from django.contrib.contenttypes.models import ContentType

        query = models.Q()
        for person in subject.people:
            content_type = ContentType.objects.get_for_model(person)
            query |= models.Q(content_type=content_type, object_id=str(person.pk))
        if not query:
            return model._default_manager.none()
        return model._default_manager.filter(query)

    return Finder(find, about_people=True)


def by_email(field_name: str) -> Finder:
    """Find rows whose ``field_name`` equals one of the subject's e-mail addresses, ignoring case."""

    def find(model: type[Model], subject: Subject) -> QuerySet:
        query = models.Q()
        for email in subject.emails:
            query |= models.Q(**{f"{field_name}__iexact": email})
        if not query:
            return model._default_manager.none()
        return model._default_manager.filter(query)

    return Finder(find)


def _target_model(model: type[Model], path: str) -> type[Model]:
    current = model
    for part in path.split("__"):
        related = current._meta.get_field(part).related_model
        if not isinstance(related, type):  # not a relation
            raise FieldDoesNotExist(f"{current._meta.label}.{part} refers to no model")
        current = related
    return current


def _declared_field(model: type[Model], name: str) -> models.Field:
    """Return the model's field ``name``: a declaration names only fields of its own (check register.E002)."""
    field_ = model._meta.get_field(name)
    if not isinstance(field_, models.Field):
        raise FieldDoesNotExist(f"{model._meta.label}.{name} is a reverse relation, not a field of its own")
    return field_


def rows_for(declaration: PersonalData, subject: Subject) -> QuerySet:
    """Return the rows of the declared model that are about the subject."""
    return declaration.find(declaration.model, subject)


# What the privacy app builds on: an export and an erasure plan.


def _value(row: Model, name: str) -> Any:
    field_ = _declared_field(type(row), name)
    if field_.many_to_many:
        return [str(item) for item in getattr(row, name).all()]
    if field_.choices and getattr(row, name) not in (None, ""):
        # The person reading their own data sees "former client", not "former_client".
        return str(getattr(row, f"get_{name}_display")())
    value = getattr(row, name)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return str(value)


@dataclass(frozen=True)
class ExportSection:
    """One declared model's part of an access export: what the rows are, and the rows themselves, read lazily.

    ``values()`` reads the rows a batch at a time, with their related rows (foreign keys and many-to-many
    fields named in the export) fetched along, so that an export of thousands of rows takes a few queries
    and holds one batch in memory at a time.
    """

    declaration: PersonalData
    rows: QuerySet

    @property
    def model(self) -> str:
        return self.declaration.label

    @property
    def category(self) -> str:
        return str(self.declaration.category)

    @property
    def retention(self) -> str:
        return str(self.declaration.retention.description)

    @property
    def fields(self) -> dict[str, str]:
        model = self.declaration.model
        return {name: str(_declared_field(model, name).verbose_name) for name in self.declaration.export}

    def values(self, *, batch: int = 500):
        """Yield each row as a JSON-ready dictionary keyed by field name."""
        names = self.declaration.export
        for row in self.rows.iterator(chunk_size=batch):
            yield {name: _value(row, name) for name in names}

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "category": self.category,
            "retention": self.retention,
            "fields": self.fields,
            "rows": list(self.values()),
        }


def _with_related(rows: QuerySet, names: tuple[str, ...]) -> QuerySet:
    """Return ``rows`` reading along the related rows that the exported fields ``names`` show."""
    meta = rows.model._meta
    joined = [name for name in names if meta.get_field(name).many_to_one or meta.get_field(name).one_to_one]
    many = [name for name in names if meta.get_field(name).many_to_many]
    return rows.select_related(*joined).prefetch_related(*many)


def export_sections(subject: Subject, *, portable_only: bool = False):
    """Yield, per declared model with rows about ``subject``, its section of an access export."""
    for declaration in declarations():
        if portable_only and not declaration.portable:
            continue
        rows = rows_for(declaration, subject)
        if rows.exists():
            yield ExportSection(declaration, _with_related(rows, tuple(declaration.export)))


def export(subject: Subject, *, portable_only: bool = False) -> list[dict[str, Any]]:
    """Return, per declared model, the rows about ``subject`` as plain JSON-ready dictionaries.

    Each section carries the category and retention in words, the field labels, and the rows keyed by
    field name. Models with no rows about the subject are left out. For a large export, write the
    sections of ``export_sections`` out one row at a time instead.
    """
    return [section.as_dict() for section in export_sections(subject, portable_only=portable_only)]


@dataclass(frozen=True)
class PlanItem:
    """What erasure would do to some of one model's rows about a subject."""

    model: str
    category: str
    action: str
    rows: int
    reason: str = ""
    kept_until: date | None = None
    fields: tuple[str, ...] = ()


def _action_item(declaration: PersonalData, action: Delete | Anonymise, rows: int, reason="") -> PlanItem:
    return PlanItem(
        model=declaration.label,
        category=str(declaration.category),
        action=action.label,
        rows=rows,
        reason=reason,
        fields=tuple(action.fields) if isinstance(action, Anonymise) else (),
    )


def erasure_plan(subject: Subject, *, today: date | None = None) -> list[PlanItem]:
    """Return what erasing ``subject`` would do, per declared model with rows about them.

    Rows kept under a legal duty are one item (with the last day of the duty, or none when it lasts
    as long as a situation); rows whose duty has ended on ``today`` get the declaration's ``then``.
    """
    from django.utils import timezone

    today = today or timezone.localdate()
    plan = []
    for declaration in declarations():
        rows = list(rows_for(declaration, subject))
        if not rows:
            continue
        erasure = declaration.erasure
        if not isinstance(erasure, Keep):
            plan.append(_action_item(declaration, erasure, len(rows)))
            continue
        until = {row.pk: erasure.until(row) if erasure.until else None for row in rows}
        ended = [row for row in rows if (day := until[row.pk]) is not None and day < today]
        kept = [row for row in rows if row not in ended]
        if kept:
            dates = [day for row in kept if (day := until[row.pk]) is not None]
            plan.append(
                PlanItem(
                    model=declaration.label,
                    category=str(declaration.category),
                    action=erasure.label,
                    rows=len(kept),
                    reason=str(erasure.reason),
                    # None when any row is kept for as long as a situation lasts: no single end date.
                    kept_until=max(dates) if len(dates) == len(kept) else None,
                    fields=tuple(erasure.meanwhile.fields) if erasure.meanwhile else (),
                )
            )
        if ended:
            plan.append(_action_item(declaration, erasure.then, len(ended), reason=str(erasure.reason)))
    return plan


# Coverage: every model that refers to a person, or has fields that look like personal data, must be
# declared or exempted with a reason.

PERSONAL_FIELD_NAME = re.compile(r"(^|_)(e?mail|phone|birth|address|ssn|personal_id|ip)(_|$)")


def _looks_personal(field_: models.Field) -> bool:
    if isinstance(field_, models.EmailField | models.GenericIPAddressField):
        return True
    return bool(PERSONAL_FIELD_NAME.search(field_.name))


def _generic_reference(model: type[Model]) -> str | None:
    """Return "content_type/object_id" when the model names rows of any model by type and id."""
    from django.contrib.contenttypes.models import ContentType

    names = {f.name for f in model._meta.concrete_fields}
    for field_ in model._meta.concrete_fields:
        if field_.is_relation and field_.related_model is ContentType:
            for id_name in ("object_id", "object_pk"):
                if id_name in names:
                    return f"{field_.name}/{id_name}"
    return None


def _is_project_model(model: type[Model], base_dir) -> bool:
    app_path = str(apps.get_app_config(model._meta.app_label).path)
    return app_path.startswith(str(base_dir)) and "site-packages" not in app_path


def undeclared_models(*, models_to_check=None, base_dir=None) -> list[tuple[type[Model], str]]:
    """Return (model, why it must be declared) for every model that holds personal data undeclared.

    A model must be declared when it has a relation to a person or to something declared as being
    about a person, when it names rows of any model by content type and id (a log), or, in the
    project's own apps, when it has a field that looks like personal data (an e-mail or IP address
    field, or a name such as ``phone`` or ``date_of_birth``).
    """
    if base_dir is None:
        from django.conf import settings

        base_dir = settings.BASE_DIR
    if models_to_check is None:
        models_to_check = apps.get_models()
    declared = {d.model for d in _declarations.values()}
    # Rows of these models are about people: whatever refers to them is about those people too.
    about_people = {d.model for d in _declarations.values() if d.subject or getattr(d.find, "about_people", False)}
    missing = []
    for model in models_to_check:
        meta = model._meta
        if meta.proxy or meta.auto_created or model in declared or model in _exempt:
            continue
        relations = [f for f in meta.get_fields() if f.is_relation and f.concrete and f.related_model in about_people]
        relations += [f for f in meta.many_to_many if f.related_model in about_people and f not in relations]
        if relations:
            target = relations[0].related_model._meta.label
            missing.append((model, f"its field '{relations[0].name}' refers to {target}"))
            continue
        generic = _generic_reference(model)
        if generic:
            missing.append((model, f"its fields '{generic}' can refer to any row, a person's too"))
            continue
        if _is_project_model(model, base_dir):
            personal = [f for f in meta.concrete_fields if _looks_personal(f)]
            if personal:
                missing.append((model, f"its field '{personal[0].name}' looks like personal data"))
    return missing


def _declaration_errors() -> list[checks.CheckMessage]:
    """Report declared names that are not fields of the model and finder paths that lead nowhere."""
    errors: list[checks.CheckMessage] = []
    for declaration in declarations():
        meta = declaration.model._meta
        names = list(declaration.export)
        erasure = declaration.erasure
        for action in (erasure, getattr(erasure, "meanwhile", None), getattr(erasure, "then", None)):
            if isinstance(action, Anonymise):
                names += list(action.fields)
        for name in names:
            try:
                field_ = meta.get_field(name)
            except FieldDoesNotExist:
                field_ = None
            # Reverse relations have no value of their own to export or overwrite.
            if field_ is None or not (field_.concrete or field_.many_to_many):
                errors.append(
                    checks.Error(
                        f"The personal-data declaration of {declaration.label} names '{name}', "
                        "which is not a field of the model.",
                        id="register.E002",
                    )
                )
        path = getattr(declaration.find, "path", None)
        if path is not None:
            try:
                target = _target_model(declaration.model, path)
            except (FieldDoesNotExist, AttributeError):
                target = None
            if target is None:
                errors.append(
                    checks.Error(
                        f"The personal-data declaration of {declaration.label} finds rows through "
                        f"'{path}', which does not lead to a related model.",
                        id="register.E003",
                    )
                )
    return errors


@checks.register()
def check_personal_data(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Report models holding personal data that no app declared, and declarations naming no field."""
    errors: list[checks.CheckMessage] = [
        checks.Error(
            f"{model._meta.label} holds personal data but is not declared: {why}.",
            hint="Declare it in its app's personal_data.py with register.declarations.declare().",
            obj=model,
            id="register.E001",
        )
        for model, why in undeclared_models()
    ]
    return errors + _declaration_errors()

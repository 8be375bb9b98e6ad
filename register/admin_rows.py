"""The rows of a back-office list, written as the admin writes them with every per-column decision taken
once a page instead of once a cell.

Django's ``items_for_result`` works out for every cell again what its column is (a model field, a method
of the admin, an attribute), which CSS classes it gets, whether it links to the record, how its kind of
value is shown, and resolves the record's URL through every URL pattern. On a page of 50 rows and seven
columns that was more than a third of the page's time. ``ColumnPlan`` decides all of that once per page
from the first principles of the admin's own code, and then only reads each row's values.

The markup is the admin's own, byte for byte: ``tests/register/test_list_rows.py`` renders every list of
the back office both ways and compares them. Lists with ``list_editable`` (whose cells are form fields)
keep the admin's own rendering.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.conf import settings
from django.contrib.admin.templatetags.admin_list import _boolean_icon, _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils import dateformat, dates, timezone
from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _escaped(value) -> str:
    """Return ``conditional_escape(value)`` as a plain string, without its lazy-argument wrapping."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


# The parts of a format that are a number of the value and nothing else, as DateFormat writes them.
_NUMBER_PARTS = {
    "j": lambda value: str(value.day),
    "d": lambda value: f"{value.day:02d}",
    "n": lambda value: str(value.month),
    "m": lambda value: f"{value.month:02d}",
    "Y": lambda value: f"{value.year:04d}",
    "y": lambda value: f"{value.year % 100:02d}",
    "G": lambda value: str(value.hour),
    "H": lambda value: f"{value.hour:02d}",
    "i": lambda value: f"{value.minute:02d}",
    "s": lambda value: f"{value.second:02d}",
}


# The month-name parts of a format: DateFormat's tables of names, and how each writes a name.
_MONTH_NAMES = {
    "E": (dates.MONTHS_ALT, str),
    "F": (dates.MONTHS, str),
    "N": (dates.MONTHS_AP, str),
    "b": (dates.MONTHS_3, str),
    "M": (dates.MONTHS_3, lambda name: str(name).title()),
}


def _month_name_part(part: str):
    """Return a writer of the month-name part ``part``, its names translated to the active language now."""
    table, written = _MONTH_NAMES[part]
    names = {month: written(name) for month, name in table.items()}
    return lambda value: names[value.month]


class CompiledDateFormat:
    """A date format of Django's (``j.n.Y G.i``) split into its parts once, to format many values with.

    ``dateformat.format()`` splits the format string again for every value; here the parts are the
    same as there and each is formatted by Django's own ``DateFormat`` (``TimeFormat`` for times), or,
    when every part is a plain number of the value (day, month, year, hour, minute, second) or the
    name of its month (Finnish dates and times), written straight from the value's numbers and the
    month names of the language active when the format was compiled, as DateFormat writes them.
    """

    def __init__(self, format_string: str, *, times: bool = False):
        self.source = str(format_string)
        self.formatter = dateformat.TimeFormat if times else dateformat.DateFormat
        self.parts = [
            (bool(index % 2), part if index % 2 else dateformat.re_escaped.sub(r"\1", part))
            for index, part in enumerate(dateformat.re_formatchars.split(self.source))
            if part
        ]
        self.has_time_parts = any(special and hasattr(dateformat.TimeFormat, part) for special, part in self.parts)
        self.numbers = None
        if all(not special or part in _NUMBER_PARTS or part in _MONTH_NAMES for special, part in self.parts):
            # Month names in the language active now (the page's), translated once for the format.
            self.numbers = [
                (_NUMBER_PARTS.get(part) or _month_name_part(part)) if special else part
                for special, part in self.parts
            ]

    def format(self, value) -> str:
        if type(value) is datetime.date and self.has_time_parts:
            return dateformat.format(value, self.source)  # Django's own, which refuses such a format
        if self.numbers is not None:
            return "".join(part if isinstance(part, str) else part(value) for part in self.numbers)
        formatter = self.formatter(value)
        return "".join(str(getattr(formatter, part)()) if special else part for special, part in self.parts)


# How a column finds its value in a row.
FIELD, ADMIN_CALLABLE, CALLABLE, OTHER = "field", "admin", "callable", "other"
# What kind of value a field column shows (for the others, Django's display_for_field decides per cell).
FOREIGN_KEY, CHOICES, BOOLEAN, DATE, TEXT = "foreign key", "choices", "boolean", "date", "text"


@dataclass
class Column:
    name: Any
    classes: list[str]
    links: bool
    tag: str
    kind: str
    model_field: models.Field | None = None
    attr: Callable | None = None
    value: Callable | None = None  # what gives the column's value in a row, when not attr itself
    choices: dict | None = None
    date_format: CompiledDateFormat | None = None
    boolean_icons: dict = dataclass_field(default_factory=dict)
    # Decided once for the column: what an empty cell shows, whether the value is shown as a yes/no
    # icon, a field's kind of value (FOREIGN_KEY, CHOICES, BOOLEAN, DATE or None) and its nowrap class.
    empty: Any = None
    boolean: bool = False
    field_kind: str | None = None
    field_classes: list[str] | None = None


class ColumnPlan:
    """What every column of a list page shows and how, decided once for the page."""

    def __init__(self, cl):
        self.cl = cl
        self.empty_value_display = cl.model_admin.get_empty_value_display()
        self.pk_attname = cl.lookup_opts.pk.attname
        self.link_url = getattr(cl, "fast_url_for_result", None)
        self.use_tz, self.time_zone = settings.USE_TZ, timezone.get_current_timezone()
        self.columns = []
        first = True
        for index, name in enumerate(cl.list_display):
            links = self._links(first, name)
            column = self._column(index, name, links, tag="th" if links and first else "td")
            self._decide(column)
            self.columns.append(column)
            if links:
                first = False

    def _decide(self, column: Column) -> None:
        """Work out once what ``_display`` would otherwise look up again in every cell of the column."""
        if column.name == "action_checkbox":
            column.classes = ["action-checkbox"]
        column.empty, column.boolean = self._shown_as(column.attr)
        model_field = column.model_field
        if model_field is None or model_field.auto_created:
            return
        if isinstance(model_field.remote_field, models.ManyToOneRel):
            column.field_kind = FOREIGN_KEY
        elif column.choices is not None:
            column.field_kind = CHOICES
        elif isinstance(model_field, models.BooleanField):
            column.field_kind = BOOLEAN
        elif column.date_format is not None:
            column.field_kind = DATE
        elif isinstance(model_field, (models.CharField, models.TextField)) and not isinstance(
            model_field, models.URLField
        ):
            column.field_kind = TEXT  # display_for_field() shows such a value as it is
        nowrap = isinstance(model_field, (models.DateField, models.TimeField, models.ForeignKey))
        column.field_classes = [*column.classes, "nowrap"] if nowrap else column.classes

    def _links(self, is_first: bool, name) -> bool:
        links = self.cl.list_display_links
        if links is None:
            return False
        if is_first and not links:
            return True
        return name in links

    def _column(self, index: int, name, links: bool, tag: str) -> Column:
        classes = [f"field-{_coerce_field_name(name, index)}"]
        opts, model_admin = self.cl.lookup_opts, self.cl.model_admin
        try:
            model_field = _get_non_gfk_field(opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if callable(name):
                return Column(name, classes, links, tag, CALLABLE, attr=name)
            if hasattr(model_admin, name) and name != "__str__":
                attr = getattr(model_admin, name)
                # A list of a large table writes its row checkboxes with the label translated once a page.
                writer = getattr(model_admin, "action_checkbox_writer", None)
                value = writer() if name == "action_checkbox" and writer is not None else attr
                return Column(name, classes, links, tag, ADMIN_CALLABLE, attr=attr, value=value)
            return Column(name, classes, links, tag, OTHER)
        column = Column(name, classes, links, tag, FIELD, model_field=model_field)
        if getattr(model_field, "flatchoices", None):
            try:
                # The labels in this page's language, translated once instead of once a cell.
                column.choices = {value: str(label) for value, label in model_field.flatchoices}
            except TypeError:  # list-like choices: the admin's own function knows what to do with them
                column.choices = None
        elif isinstance(model_field, (models.DateTimeField, models.DateField, models.TimeField)):
            kind = (
                "DATETIME_FORMAT"
                if isinstance(model_field, models.DateTimeField)
                else "DATE_FORMAT"
                if isinstance(model_field, models.DateField)
                else "TIME_FORMAT"
            )
            column.date_format = CompiledDateFormat(get_format(kind), times=kind == "TIME_FORMAT")
        return column

    def _shown_as(self, attr) -> tuple[Any, bool]:
        """Return what an empty cell of ``attr`` (a display function, or None) shows, and whether its
        value is shown as a yes/no icon, as the admin's ``items_for_result`` reads them."""
        empty = getattr(attr, "empty_value_display", self.empty_value_display)
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        return empty, bool(boolean)

    def _display(self, column: Column, result) -> tuple[Any, list[str]]:
        """Return what the cell shows and its CSS classes, as the admin's ``items_for_result`` works them out."""
        classes = column.classes
        empty, boolean = column.empty, column.boolean
        try:
            if column.kind == FIELD:
                model_field, value = column.model_field, getattr(result, column.name)
            elif column.kind == OTHER:
                # An attribute of the record: what it is (and so how it is shown) is found per row.
                model_field, attr, value = lookup_field(column.name, result, self.cl.model_admin)
                empty, boolean = self._shown_as(attr)
            else:
                model_field, value = None, (column.value or column.attr)(result)
        except ObjectDoesNotExist:
            return self.empty_value_display, classes
        if isinstance(value, str):
            if value.strip() == "":
                value = ""
            elif model_field is None and not boolean:
                # display_for_value() of a text: the text itself.
                return value, classes
        if model_field is None or model_field.auto_created:
            if column.name == "action_checkbox":
                classes = ["action-checkbox"]
            shown = self._boolean(column, value) if boolean else display_for_value(value, empty)
            if isinstance(value, (datetime.date, datetime.time)):
                classes = [*classes, "nowrap"]
            return shown, classes
        kind = column.field_kind
        if kind is FOREIGN_KEY:
            related = getattr(result, model_field.name)
            shown = empty if related is None else related
        elif kind is CHOICES:
            shown = column.choices.get(value, empty)
        elif kind is BOOLEAN:
            shown = self._boolean(column, value)
        elif kind is TEXT and type(value) is str:
            shown = value or empty
        elif kind is DATE and value not in model_field.empty_values:
            # What formats.localize(template_localtime(value)) gives, with the page language's format and
            # the current time zone looked up once.
            if (
                isinstance(value, datetime.datetime)
                and self.use_tz
                and value.utcoffset() is not None
                and getattr(value, "convert_to_local_time", True)
            ):
                value = value.astimezone(self.time_zone)
            shown = column.date_format.format(value)
        else:
            shown = display_for_field(value, model_field, empty, avoid_link=column.links)
        return shown, column.field_classes

    @staticmethod
    def _boolean(column: Column, value) -> SafeString:
        # The icon's markup names a static file: worked out once per value and page, not once per cell.
        if value not in column.boolean_icons:
            column.boolean_icons[value] = _boolean_icon(value)
        return column.boolean_icons[value]

    def _link(self, result, shown):
        cl = self.cl
        try:
            if self.link_url is not None:
                url = self.link_url(result)
            else:
                url = add_preserved_filters(
                    {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, cl.url_for_result(result)
                )
        except NoReverseMatch:
            return shown
        popup = ""
        if cl.is_popup:
            value = result.serializable_value(str(cl.to_field) if cl.to_field else self.pk_attname)
            popup = format_html(' data-popup-opener="{}"', value)
        # What format_html('<a href="{}"{}>{}</a>', url, popup, shown) writes, without its generality.
        return mark_safe(f'<a href="{_escaped(url)}"{popup}>{_escaped(shown)}</a>')  # noqa: S308

    def cells(self, result) -> list[str]:
        """Return the row's cells as the admin's ``items_for_result`` yields them (as plain strings)."""
        cells = []
        for column in self.columns:
            shown, classes = self._display(column, result)
            class_attribute = ' class="' + " ".join(classes) + '"'
            content = _escaped(self._link(result, shown) if column.links else shown)
            cells.append(f"<{column.tag}{class_attribute}>{content}</{column.tag}>")
        return cells

    def row(self, result) -> SafeString:
        """Return the markup of the row's cells, one string for the template to write."""
        # The column classes are the admin's own, unescaped as there; every value was escaped above.
        return mark_safe("".join(self.cells(result)))  # noqa: S308

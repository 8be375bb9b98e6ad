"""Back-office list helpers that stay fast on tables of millions of rows."""

import hashlib
from datetime import date, datetime

from django import template
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR
from django.core.exceptions import EmptyResultSet
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from register.admin_markup import filters_panel, results_table
from register.caching import remembered

register = template.Library()


def _local(value):
    return timezone.localtime(value) if isinstance(value, datetime) and timezone.is_aware(value) else value


def _first_and_last(queryset, field_name: str) -> tuple[date | None, date | None]:
    """Return the earliest and latest day of ``field_name`` in ``queryset`` (in local time).

    Two ordered single-row reads instead of one MIN/MAX aggregate: each walks the field's index from one
    end on every database (SQLite answers MIN and MAX together by reading the whole table).
    """
    values = queryset.order_by().exclude(**{f"{field_name}__isnull": True}).values_list(field_name, flat=True)
    first, last = values.order_by(field_name).first(), values.order_by(f"-{field_name}").first()
    if first is None or last is None:
        return None, None
    first, last = _local(first), _local(last)
    return (first.date(), last.date()) if isinstance(first, datetime) else (first, last)


# The earliest and latest dates of a whole list change seldom (a booking made in a new year); read from
# the cache they cost no query on most loads of the list, and a range a few minutes old only offers a
# period too few or too many in the drill-down, never a wrong row.
DATE_RANGE_CACHE_SECONDS = 300


def _date_range(cl, field_name: str) -> tuple[date | None, date | None]:
    """Return ``_first_and_last`` of the list's rows, from the cache when the list is not filtered."""
    request = getattr(cl, "request", None)
    # Anything in the address but the page and the order narrows the rows (a filter, a search, a year).
    if request is None or set(cl.params) - {PAGE_VAR, ORDER_VAR}:
        return _first_and_last(cl.queryset, field_name)
    # Keyed by the list's query: what a list holds may depend on who looks (a coach sees their own
    # clients' rows), and staff members who see the same rows share the range.
    try:
        sql = str(cl.queryset.query)
    except EmptyResultSet:  # a list that can hold no rows at all
        return None, None
    key = f"register:date-range:{cl.opts.label_lower}:{field_name}:{hashlib.sha256(sql.encode()).hexdigest()}"
    return remembered(
        key, DATE_RANGE_CACHE_SECONDS, lambda: _first_and_last(cl.queryset, field_name), what="a list's date range"
    )


def _years(first: date, last: date) -> list[date]:
    return [date(year, 1, 1) for year in range(first.year, last.year + 1)]


def _months(first: date, last: date) -> list[date]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _days(first: date, last: date) -> list[date]:
    return [date.fromordinal(ordinal) for ordinal in range(first.toordinal(), last.toordinal() + 1)]


@register.inclusion_tag("admin/date_hierarchy.html")
def bounded_date_hierarchy(cl):
    """Show the list's date drill-down like the admin's own, without a SELECT DISTINCT over the table.

    The admin lists the years (months, days) that have rows by reading every row's date. Here the
    earliest and latest dates come from the field's index, and every period between them is offered:
    on a large table that is two index reads instead of a scan, and a period without rows simply shows
    an empty list.
    """
    if not cl.date_hierarchy:
        return {"show": False}
    field_name = cl.date_hierarchy
    year_field, month_field, day_field = (f"{field_name}__{part}" for part in ("year", "month", "day"))
    year, month, day = (cl.params.get(name) for name in (year_field, month_field, day_field))

    def link(filters):
        return cl.get_query_string(filters, [f"{field_name}__"])

    if year and month and day:
        chosen = date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    # The list's rows are already limited to the chosen year or month, if any.
    first, last = _date_range(cl, field_name)
    if first is None:
        return {"show": True, "back": {"link": link({}), "title": _("All dates")} if year else None, "choices": []}
    if not year and first.year == last.year:
        # Like the admin's own: a list within one year (or month) opens at that year (or month).
        year = first.year
        month = first.month if first.month == last.month else None
    if not year:
        return {
            "show": True,
            "back": None,
            "choices": [
                {"link": link({year_field: str(period.year)}), "title": str(period.year)}
                for period in _years(first, last)
            ],
        }
    if month:
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: period.day}),
                    "title": capfirst(formats.date_format(period, "MONTH_DAY_FORMAT")),
                }
                for period in _days(first, last)
            ],
        }
    return {
        "show": True,
        "back": {"link": link({}), "title": _("All dates")},
        "choices": [
            {
                "link": link({year_field: year, month_field: period.month}),
                "title": capfirst(formats.date_format(period, "YEAR_MONTH_FORMAT")),
            }
            for period in _months(first, last)
        ],
    }


@register.simple_tag
def large_result_list(cl):
    """The admin's ``{% result_list cl %}`` written in Python (see ``register.admin_markup``)."""
    return results_table(cl)


@register.simple_tag
def list_filters(cl):
    """The side panel of the admin's change list, its filters, written in Python (``register.admin_markup``)."""
    return filters_panel(cl)

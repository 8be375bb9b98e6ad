"""Weeks and months in Helsinki time: the periods that charts and reports count in.

The database truncates each time to its week or month in the current time zone (Europe/Helsinki), and
these helpers give the same periods in Python, so that a period without a single row still gets its
zero. A week is named by its Monday's date, never by its ISO number, so that the week of
30 December 2024 to 5 January 2025 is one week and not "week 1" of the wrong year.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """Return the first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(day: date) -> date:
    """Return the first day of the month before ``day``'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def last_weeks(today: date, count: int) -> list[date]:
    """Return the Mondays of the ``count`` weeks up to and including the week of ``today``, oldest first."""
    this_week = monday_of(today)
    return [this_week - timedelta(weeks=back) for back in range(count - 1, -1, -1)]


def last_months(today: date, count: int) -> list[date]:
    """Return the first days of the ``count`` months up to and including ``today``'s month, oldest first."""
    months = [first_of_month(today)]
    while len(months) < count:
        months.insert(0, previous_month(months[0]))
    return months


def start_of(day: date) -> datetime:
    """Return the aware moment a Helsinki day begins (the database compares times in UTC)."""
    return timezone.make_aware(datetime.combine(day, time.min))

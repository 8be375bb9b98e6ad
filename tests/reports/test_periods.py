"""Weeks named by their Monday across the turn of the year, months, and the moment a Helsinki day begins."""

from datetime import UTC, date, datetime

from reports.periods import last_months, last_weeks, start_of


def test_weeks_are_mondays_and_the_week_across_new_year_is_one_week():
    weeks = last_weeks(date(2025, 1, 8), 4)
    assert weeks == [date(2024, 12, 16), date(2024, 12, 23), date(2024, 12, 30), date(2025, 1, 6)]


def test_a_sunday_belongs_to_the_week_of_the_monday_before_it():
    assert last_weeks(date(2025, 1, 5), 1) == [date(2024, 12, 30)]


def test_months_run_back_across_the_year():
    assert last_months(date(2025, 2, 28), 4) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert len(last_months(date(2025, 1, 31), 12)) == 12


def test_a_helsinki_day_starts_at_its_own_midnight_in_winter_and_summer():
    assert start_of(date(2025, 1, 1)).astimezone(UTC) == datetime(2024, 12, 31, 22, tzinfo=UTC)
    assert start_of(date(2025, 7, 1)).astimezone(UTC) == datetime(2025, 6, 30, 21, tzinfo=UTC)

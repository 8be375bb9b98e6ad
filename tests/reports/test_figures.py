"""Every dashboard figure and chart series against the hand-built register (tests/reports/conftest.py)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from clients.models import Client
from consents.models import Purpose
from consents.services import record_event, suppress
from privacy.models import DataRequest
from reports.charts import chart_table, draw
from reports.figures import (
    appointments_now,
    appointments_per_week,
    consent_coverage,
    feedback_per_coach,
    invoice_balances,
    new_people_per_month,
    open_requests,
    people_per_role,
    revenue_per_month,
    vat_rows,
)
from tests.factories import ClientFactory
from tests.reports.conftest import TODAY, at

pytestmark = pytest.mark.django_db


def by_week(chart) -> dict:
    """Return {Monday: {series key: value}} for the weeks that have anything, so zeros need no listing."""
    weeks = {}
    for index, monday in enumerate(chart.periods):
        values = {s.key: s.values[index] for s in chart.series if s.values[index]}
        if values:
            weeks[monday] = values
    return weeks


def test_appointments_per_week_count_each_outcome_in_its_helsinki_week(register, team):
    chart = appointments_per_week(team.owner, today=TODAY)
    assert len(chart.periods) == 26
    assert chart.periods[0] == date(2024, 7, 15)
    assert chart.periods[-1] == date(2025, 1, 6)
    assert [s.key for s in chart.series] == ["attended", "no_show", "late_cancelled", "cancelled", "booked"]
    assert by_week(chart) == {
        date(2024, 7, 15): {"attended": 1},  # the Sunday before the first week is left out
        date(2024, 12, 2): {"attended": 1},
        date(2024, 12, 9): {"attended": 1},
        date(2024, 12, 23): {"cancelled": 2},
        # The week across the turn of the year, with Sunday 23:30 in Helsinki in it ...
        date(2024, 12, 30): {"attended": 2, "no_show": 1, "late_cancelled": 1},
        # ... and Monday 00:30 in Helsinki (Sunday in UTC) in the next one.
        date(2025, 1, 6): {"attended": 2, "booked": 2},
    }
    # Empty weeks are there, with zeros.
    assert [s.values[chart.periods.index(date(2024, 11, 25))] for s in chart.series] == [0, 0, 0, 0, 0]
    assert chart.totals()[-1] == 4


def test_a_coach_counts_only_their_own_appointments(register, team):
    chart = appointments_per_week(team.sami, today=TODAY)
    assert by_week(chart) == {
        date(2024, 7, 15): {"attended": 1},
        date(2024, 12, 2): {"attended": 1},
        date(2024, 12, 9): {"attended": 1},
        date(2024, 12, 23): {"cancelled": 1},
        date(2024, 12, 30): {"attended": 1, "no_show": 1, "late_cancelled": 1},
        date(2025, 1, 6): {"attended": 1, "booked": 1},  # the stand-in for Laura's client is his
    }


def test_revenue_per_month_is_the_taxable_amount_by_rate_and_a_credit_note_lowers_its_month(register, team):
    chart = revenue_per_month(team.owner, today=TODAY)
    assert chart.periods[0] == date(2024, 2, 1) and chart.periods[-1] == date(2025, 1, 1)
    assert [s.key for s in chart.series] == ["vat_25.5", "vat_14"]
    general, sports = chart.series
    assert general.values[-2:] == [Decimal("99.68"), Decimal("-20.00")]  # 20.00 + 79.68, then the credit
    assert sports.values[-2:] == [Decimal("74.56"), Decimal("37.28")]  # 111.84 - 74.56 credited
    assert set(general.values[:-2]) == set(sports.values[:-2]) == {Decimal("0.00")}


def test_the_vat_rows_give_taxable_amount_vat_and_documents_per_month_and_rate(register, team):
    rows = [
        (row["month"], row["vat_rate"], row["net"], row["vat"], row["net"] + row["vat"], row["invoices"])
        for row in vat_rows(team.bookkeeper, start=date(2024, 12, 1), end=date(2025, 1, 31))
    ]
    assert [(month, rate, int(net), int(vat), int(gross), n) for month, rate, net, vat, gross, n in rows] == [
        (date(2024, 12, 1), Decimal("25.50"), 9968, 2542, 12510, 2),
        (date(2024, 12, 1), Decimal("14.00"), 7456, 1044, 8500, 1),
        (date(2025, 1, 1), Decimal("25.50"), -2000, -510, -2510, 1),
        (date(2025, 1, 1), Decimal("14.00"), 3728, 522, 4250, 2),
    ]


def test_feedback_averages_per_coach_and_month_break_where_there_is_none(register, team):
    chart = feedback_per_coach(team.owner, today=TODAY)
    assert chart.kind == "lines"
    assert [s.label for s in chart.series] == ["Laura Lehtinen", "Sami Muhonen"]
    laura, sami = chart.series
    assert sami.values[-2:] == [Decimal("4.50"), Decimal("3.00")]
    assert sami.counts[-2:] == [2, 1]
    # Answered at 23:30 on New Year's Eve in Helsinki: December.
    assert laura.values[-2:] == [Decimal("5.00"), None]
    assert set(sami.values[:-2]) == {None}
    assert laura.colour == "#2f6f9f"


def test_a_coach_sees_only_their_own_feedback_line(register, team):
    chart = feedback_per_coach(team.sami, today=TODAY)
    assert [s.label for s in chart.series] == ["Sami Muhonen"]


def test_new_people_per_month_by_source_in_helsinki_months(team):
    ClientFactory(source="web_form", entered_at=at(2024, 12, 31, 23, 30))  # 21:30 UTC: December
    ClientFactory(source="web_form", entered_at=at(2024, 12, 2))
    ClientFactory(source="self", entered_at=at(2025, 1, 1, 0, 30))  # still 2024 in UTC: January
    ClientFactory(source="import", entered_at=at(2024, 3, 10))
    ClientFactory(source="import", entered_at=at(2024, 1, 31))  # before the twelve months
    ClientFactory(source="self", entered_at=at(2024, 12, 5), is_active=False)  # merged away: not counted
    ClientFactory(source="self", entered_at=at(2024, 12, 6), coach=team.sami)

    chart = new_people_per_month(team.owner, today=TODAY)
    series = {s.key: s.values for s in chart.series}
    months = chart.periods
    assert series["web_form"][months.index(date(2024, 12, 1))] == 2
    assert series["self"][months.index(date(2024, 12, 1))] == 1
    assert series["self"][months.index(date(2025, 1, 1))] == 1
    assert series["import"][months.index(date(2024, 3, 1))] == 1
    assert sum(chart.totals()) == 5

    # A coach counts their own people only.
    assert sum(new_people_per_month(team.sami, today=TODAY).totals()) == 1


def test_this_weeks_appointments_per_day_and_todays_list(register, team):
    week = appointments_now(team.owner, today=TODAY)
    assert [appointment.client for appointment in week.today] == [register.eero]
    assert [(day.day, day.count) for day in week.days] == [
        (date(2025, 1, 6), 1),
        (date(2025, 1, 7), 1),
        (date(2025, 1, 8), 1),
        (date(2025, 1, 9), 1),
        (date(2025, 1, 10), 0),
        (date(2025, 1, 11), 0),
        (date(2025, 1, 12), 0),
    ]
    assert week.total == 4
    laura = appointments_now(team.laura, today=TODAY)
    assert laura.today == [] and laura.total == 2


def test_open_invoices_and_the_overdue_ones_with_their_balances(register, team):
    assert invoice_balances(team.bookkeeper, today=TODAY) == {
        "open_count": 2,
        "outstanding": Decimal("176.50"),  # 99.00 of the overdue one and 77.50 of January's
        "overdue_count": 1,
        "overdue_amount": Decimal("99.00"),
    }


def test_open_data_requests_with_days_left_and_the_overdue(organisation):
    today = date(2026, 3, 10)
    for due, status in [
        (today + timedelta(days=20), "received"),
        (today + timedelta(days=7), "in_progress"),
        (today - timedelta(days=2), "waiting"),
        (today - timedelta(days=40), "completed"),
    ]:
        DataRequest.objects.create(kind="access", name="Maija", email="maija@example.fi", due_on=due, status=status)
    requests = open_requests(today=today)
    assert [(r.days_left, r.is_urgent, r.days_overdue) for r in requests.open] == [
        (-2, True, 2),
        (7, True, 0),
        (20, False, 0),
    ]
    assert (requests.overdue, requests.due_soon) == (1, 1)


def test_people_per_role_and_consent_coverage_follow_the_eligibility_rule(team, settings):
    email = Purpose.objects.get(code="email_marketing")
    health = Purpose.objects.get(code="health_for_safe_training")
    people = [ClientFactory(role="subscriber") for _ in range(5)] + [ClientFactory(coach=team.sami)]
    ClientFactory(role="prospect")
    ClientFactory(role="client", is_active=False, email="")  # merged away
    for person in people:
        record_event(client=person, kind="granted", purpose=email, channel="web", recorded_by="person")
    record_event(
        client=people[5], kind="granted", purpose=health, channel="paper", recorded_by="person", text_shown="Kyllä"
    )
    record_event(client=people[0], kind="prohibited", channel="email", recorded_by="person")
    Client.objects.filter(pk=people[1].pk).update(restricted_at=at(2026, 1, 1), restriction_reason="Kiistää")
    suppress(people[2].email, reason="objection")  # an address on the suppression list

    roles = {role: count for role, _label, count in people_per_role(team.owner)}
    assert (roles["subscriber"], roles["prospect"], roles["client"], roles["former_client"]) == (5, 1, 1, 0)

    coverage = consent_coverage(team.owner)
    rows = {p.code: (p.consents, p.may_be_marketed) for p in coverage.purposes}
    assert rows["email_marketing"] == (6, 3)  # six consents; prohibited, restricted and suppressed may not
    assert rows["health_for_safe_training"] == (1, None)  # not marketing
    assert (coverage.prohibited, coverage.people) == (1, 7)

    # The coach counts their own person only.
    own = consent_coverage(team.sami)
    assert {p.code: (p.consents, p.may_be_marketed) for p in own.purposes}["email_marketing"] == (1, 1)
    assert {role: count for role, _label, count in people_per_role(team.sami)}["client"] == 1


def test_a_chart_has_a_table_and_bars_whose_heights_add_up(register, team):
    chart = appointments_per_week(team.owner, today=TODAY)
    headers, rows = chart_table(chart, for_file=True)
    assert len(headers) == 7  # the week, five outcomes and the total
    assert rows[-2] == ["2024-12-30", 2, 1, 1, 0, 0, 4]
    drawing = draw(chart)
    assert not drawing.is_empty
    week = [bar for bar in drawing.bars if "30.12.2024" in bar["title"]]
    assert len(week) == 3  # attended, no-show, late cancellation; zeros draw nothing
    # The tallest week (4) fills the plot up to the top grid line.
    assert min(bar["y"] for bar in drawing.bars) == drawing.grid[-1]["y"]


def test_an_empty_register_draws_empty_charts_without_error(team):
    for make in (appointments_per_week, revenue_per_month, new_people_per_month, feedback_per_coach):
        chart = make(team.owner, today=TODAY)
        assert draw(chart).is_empty
        assert len(chart_table(chart)[1]) == len(chart.periods)


def test_negative_months_are_drawn_below_the_zero_line(register, team):
    drawing = draw(revenue_per_month(team.owner, today=TODAY))
    below = [bar for bar in drawing.bars if bar["y"] >= drawing.zero_y]
    assert len(below) == 1 and "-20" in below[0]["title"].replace("−", "-")


def test_the_feedback_scale_runs_from_zero_to_five_with_a_line_at_each_score(register, team):
    drawing = draw(feedback_per_coach(team.owner, today=TODAY))
    assert [line["label"] for line in drawing.grid] == ["0", "1", "2", "3", "4", "5"]
    assert len(drawing.lines) == 2 and len(drawing.points) == 3  # Laura's December, Sami's two months

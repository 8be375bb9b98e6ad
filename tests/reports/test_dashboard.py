"""The dashboard on the back office's first page: what each role sees, the charts' files, the coach's view."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from billing.models import Feedback
from privacy.models import DataRequest
from tests.auth import sign_in
from tests.factories import ClientFactory, FeedbackFactory
from tests.reports.conftest import appointment, at, issued

pytestmark = pytest.mark.django_db

CHART_URLS = ["appointments", "revenue", "new_people", "feedback"]


@pytest.fixture
def this_week(team, seller):
    """Return a register with something in every section now: the dashboard always shows today."""
    today = timezone.localdate()
    own = ClientFactory(first_name="Oona", last_name="Omakorpi", coach=team.sami)
    other = ClientFactory(first_name="Vieno", last_name="Vieraskorpi", coach=team.laura)
    noon = at(today.year, today.month, today.day, 12)
    appointment(team.sami, own, noon, "booked")
    visit = appointment(team.laura, other, noon - timedelta(days=7))
    appointment(team.laura, other, noon + timedelta(hours=2), "confirmed")
    Feedback.objects.filter(pk=FeedbackFactory(appointment=visit, score=2).pk).update(answered_at=noon)
    issued(today - timedelta(days=40), (1, "85.00", "25.50", True), due=today - timedelta(days=20), client=other)
    DataRequest.objects.create(
        kind="access", name="Maija", email="m@example.fi", status="received", due_on=today + timedelta(days=3)
    )
    return {"own": own, "other": other}


def dashboard(client, user):
    sign_in(client, user)
    with translation.override("en"):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def sections(page: str) -> set[str]:
    names = ["appointments", "requests", "invoices", "people"]
    return {name for name in names if f'data-testid="panel-{name}"' in page}


def charts(page: str) -> set[str]:
    return {
        slug for slug in ["appointments", "revenue", "new-people", "feedback"] if f'data-testid="chart-{slug}"' in page
    }


def test_the_owner_sees_every_section_and_chart(client, team, this_week):
    page = dashboard(client, team.owner)
    assert sections(page) == {"appointments", "requests", "invoices", "people"}
    assert charts(page) == {"appointments", "revenue", "new-people", "feedback"}
    assert "Today&#x27;s appointments" in page or "Today's appointments" in page
    assert "Omakorpi" in page and "Vieraskorpi" in page  # today's list names both coaches' clients
    assert 'data-testid="consent-coverage"' in page
    assert 'class="is-urgent"' in page  # the request due in three days
    assert "Open the data requests" in page  # the front page's own note of due requests stays


def test_a_coach_sees_their_own_day_and_statistics_and_nothing_of_a_colleagues(client, team, this_week):
    page = dashboard(client, team.sami)
    assert sections(page) == {"appointments", "people"}
    assert charts(page) == {"appointments", "new-people", "feedback"}
    assert "My appointments today" in page and "My people" in page
    assert "Omakorpi" in page
    assert "Vieraskorpi" not in page  # Laura's client, in Laura's appointments today
    assert "Laura Lehtinen" not in page  # nor her feedback line
    assert "outstanding" not in page and "Open data requests" not in page


def test_the_bookkeeper_sees_money_and_appointments_but_no_feedback_or_requests(client, team, this_week):
    page = dashboard(client, team.bookkeeper)
    assert sections(page) == {"appointments", "invoices", "people"}
    assert charts(page) == {"appointments", "revenue", "new-people"}
    assert 'data-testid="consent-coverage"' not in page
    assert '<dd data-testid="overdue-amount">85.00 €</dd>' in page


def test_the_privacy_handler_sees_requests_people_and_consents(client, team, this_week):
    page = dashboard(client, team.privacy_handler)
    assert sections(page) == {"requests", "people"}
    assert charts(page) == {"new-people"}
    assert 'data-testid="consent-coverage"' in page
    days_left = page.split('data-testid="days-left">')[1].split("</td>")[0].strip()
    assert days_left == "3"


def test_each_chart_is_svg_with_bars_a_table_and_a_csv_link(client, team, this_week):
    page = dashboard(client, team.owner)
    assert page.count('<svg class="chart-svg"') == 4
    assert page.count("<rect ") >= 3 and "<polyline " in page
    assert page.count('<details class="chart-table">') == 4
    for name in CHART_URLS:
        assert reverse(f"admin:reports_chart_{name}") in page
    # Coordinates are written with a full stop whatever the language of the page.
    sign_in(client, team.owner)
    finnish = client.get(reverse("admin:index")).content.decode()
    start = finnish.index('<svg class="chart-svg"')
    svg = finnish[start : finnish.index("</svg>", start)]
    assert 'y="' in svg and not any(f'y="{n},' in svg for n in range(10))


def chart_file(client, name) -> list[list[str]]:
    with translation.override("en"):
        response = client.get(reverse(f"admin:reports_chart_{name}"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_chart_file_has_the_numbers_of_the_chart_as_the_user_sees_them(client, team, this_week):
    sign_in(client, team.sami)
    rows = chart_file(client, "feedback")
    assert len(rows) == 13  # the header and twelve months
    assert rows[0] == ["month"]  # and no coach: Sami has no feedback, Laura's is not his
    sign_in(client, team.owner)
    rows = chart_file(client, "feedback")
    assert rows[0] == ["month", "Laura Lehtinen", "Laura Lehtinen: answers"]
    assert rows[-1] == [timezone.localdate().replace(day=1).isoformat(), "2.00", "1"]


def test_the_appointments_chart_file_counts_this_weeks_outcomes(client, team, this_week):
    sign_in(client, team.owner)
    rows = chart_file(client, "appointments")
    assert rows[0] == [
        "week starting",
        "attended",
        "no-show",
        "late cancellation",
        "cancelled",
        "booked, no outcome yet",
        "total",
    ]
    assert len(rows) == 27
    assert rows[-1][1:] == ["0", "0", "0", "0", "2", "2"]  # two bookings this week, no outcome yet
    assert rows[-2][1:] == ["1", "0", "0", "0", "0", "1"]  # last week's visit
    revenue = chart_file(client, "revenue")
    assert revenue[0] == ["month", "VAT 25,5 %", "total"]
    # 85.00 with 25.5 % VAT inside is 67.73 without, in the month it was issued.
    issued_in = (timezone.localdate() - timedelta(days=40)).replace(day=1).isoformat()
    assert [row[1:] for row in revenue if row[0] == issued_in] == [["67.73", "67.73"]]


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
@pytest.mark.parametrize(
    ("chart", "permission"),
    [
        ("appointments", "bookings.view_appointment"),
        ("revenue", "billing.view_invoice"),
        ("new_people", "clients.view_client"),
        ("feedback", "billing.view_feedback"),
    ],
)
def test_a_chart_file_needs_the_permission_of_its_rows(
    client, visitors, organisation, visitor, status, chart, permission
):
    visitors(permissions=[permission]).log_in(client, visitor)
    assert client.get(reverse(f"admin:reports_chart_{chart}")).status_code == status


@pytest.mark.parametrize(("visitor", "status"), [("anonymous", 302), ("staff", 200), ("superuser", 200)])
def test_the_first_page_opens_to_staff_and_shows_only_what_they_may_see(
    client, visitors, organisation, visitor, status
):
    visitors().log_in(client, visitor)
    response = client.get(reverse("admin:index"))
    assert response.status_code == status
    if visitor == "staff":
        page = response.content.decode()
        assert 'data-testid="dashboard"' in page
        assert sections(page) == set() and charts(page) == set()

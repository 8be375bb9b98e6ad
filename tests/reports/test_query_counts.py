"""The dashboard and the reports ask the database the same few questions whatever the amount of data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.models import Feedback
from billing.services import record_payment
from consents.models import Purpose
from consents.services import record_event
from privacy.models import DataRequest
from tests.auth import sign_in
from tests.factories import ClientFactory, FeedbackFactory
from tests.reports.conftest import appointment, at, issued

pytestmark = pytest.mark.django_db

# The dashboard's own questions (about fifteen) and those of every back-office page: the session, the
# user, their permissions, the organisation, the due requests of the header.
DASHBOARD_QUERIES = 30
REPORT_QUERIES = 15
STATUSES = ["attended", "no_show", "cancelled_by_client", "cancelled_by_business", "attended", "booked"]


def fill(team, scale: int, *, first: int = 0) -> None:
    """Add ``scale`` units of a year's business: people, appointments, invoices, payments, feedback.

    Each unit books its own hour of the day (07:00 for the first), so no coach is ever double-booked.
    """
    today = timezone.localdate()
    email = Purpose.objects.get(code="email_marketing")
    for unit in range(first, first + scale):
        for coach in (team.sami, team.laura):
            person = ClientFactory(coach=coach, entered_at=timezone.now() - timedelta(days=30 * (unit % 12)))
            record_event(client=person, kind="granted", purpose=email, channel="web", recorded_by="person")
            for week, status in enumerate(STATUSES):
                day = today - timedelta(weeks=week * 4 + unit % 3)
                visit = appointment(
                    coach, person, at(day.year, day.month, day.day, 7 + unit), status, late_cancellation=week == 2
                )
                if status == "attended":
                    feedback = FeedbackFactory(appointment=visit, score=1 + (unit + week) % 5)
                    Feedback.objects.filter(pk=feedback.pk).update(answered_at=visit.starts_at)
            invoice = issued(today - timedelta(days=20 + unit), (2, "85.00", "13.50", True), client=person)
            record_payment(invoice=invoice, amount=Decimal("40.00"), paid_on=today - timedelta(days=unit))
        DataRequest.objects.create(
            kind="access", name="M", email="m@example.fi", status="received", due_on=today + timedelta(days=unit)
        )


def queries_of(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, address
    return len(captured)


def addresses():
    today = timezone.localdate()
    period = f"?start={today - timedelta(days=365):%Y-%m-%d}&end={today:%Y-%m-%d}"
    pages = [reverse("admin:index")]
    for name in ["appointments", "revenue", "new_people", "feedback"]:
        pages.append(reverse(f"admin:reports_chart_{name}"))
    for report in ["appointments", "visits", "vat", "payments"]:
        pages += [
            reverse(f"admin:reports_{report}") + period,
            reverse(f"admin:reports_{report}") + period + "&export=csv",
        ]
    return pages


@pytest.mark.parametrize("scale", [1, 10])
def test_the_dashboard_stays_within_its_queries_on_small_and_ten_times_the_data(
    client, team, seller, scale, django_assert_max_num_queries
):
    fill(team, scale)
    sign_in(client, team.owner)
    client.get(reverse("admin:index"))  # the first request of a session settles its own rows
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        client.get(reverse("admin:index"))


def test_no_page_asks_more_questions_for_more_data(client, team, seller):
    sign_in(client, team.owner)
    client.get(reverse("admin:index"))
    fill(team, 1)
    small = {address: queries_of(client, address) for address in addresses()}
    fill(team, 9, first=1)  # ten times the data in all
    large = {address: queries_of(client, address) for address in addresses()}
    assert large == small
    assert max(small.values()) <= DASHBOARD_QUERIES
    reports = [count for address, count in small.items() if "/reports/" in address]
    assert max(reports) <= REPORT_QUERIES

"""The owner's first page in a real browser: the dashboard with its charts drawn, and nothing refused."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import Feedback
from tests.browser import staff
from tests.factories import ClientFactory, FeedbackFactory
from tests.reports.conftest import appointment, at, issued

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs; the browser reports every refusal of the Content Security
# Policy to it, inline or not.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_the_owner_sees_the_dashboard_with_every_chart_drawn(page, live_server, team, seller):
    today = timezone.localdate()
    person = ClientFactory(last_name="Omakorpi", coach=team.sami)
    for week in range(0, 20, 3):
        day = today - timedelta(weeks=week)
        visit = appointment(team.sami, person, at(day.year, day.month, day.day, 9), "attended" if week else "booked")
        if week:
            feedback = FeedbackFactory(appointment=visit, score=4 + week % 2)
            Feedback.objects.filter(pk=feedback.pk).update(answered_at=visit.starts_at)
    issued(today - timedelta(days=45), (2, "85.00", "13.50", True), client=person)

    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(WATCH_CSP)
    staff.log_in(page, team.owner.username)

    expect(page.get_by_test_id("dashboard")).to_be_visible()
    for slug in ["appointments", "revenue", "new-people", "feedback"]:
        chart = page.get_by_test_id(f"chart-{slug}")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 60
        shapes = chart.locator("rect, polyline, circle")
        assert shapes.count() > 0, slug
    assert page.get_by_test_id("chart-feedback").locator("polyline").count() == 1

    # The text alternative opens under the chart.
    page.locator("#chart-appointments details summary").click()
    expect(page.locator("#chart-appointments details table")).to_be_visible()

    assert page.evaluate("window.cspViolations") == []
    assert errors == []

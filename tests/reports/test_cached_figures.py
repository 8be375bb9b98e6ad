"""The whole register's dashboard figures are kept in the cache for a minute, as numbers only.

No name or anything else of a person reaches the cache, whoever opens the dashboard; a second visit
within the minute counts nothing again; a coach's own figures are never the owner's kept ones.
"""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from consents.models import Purpose
from consents.services import record_event
from tests.auth import sign_in
from tests.factories import ClientFactory, FeedbackFactory
from tests.recording_cache import RECORDING, start_recording, written_texts
from tests.reports.conftest import appointment, at, issued

pytestmark = pytest.mark.django_db
NAME = "Zyxwvuttinen"


@pytest.fixture
def business(team, seller):
    """Return a register with a row behind every figure, the one person in it with a name found nowhere else."""
    today = timezone.localdate()
    person = ClientFactory(first_name="Quintilla", last_name=NAME, coach=team.sami, email="quintilla@example.fi")
    other = ClientFactory(coach=team.laura)
    email = Purpose.objects.get(code="email_marketing")
    record_event(client=person, kind="granted", purpose=email, channel="web", recorded_by="person")
    noon = at(today.year, today.month, today.day, 12)
    appointment(team.sami, person, noon, "booked")
    FeedbackFactory(appointment=appointment(team.sami, person, noon - timedelta(days=7)), score=4)
    issued(today - timedelta(days=40), (1, "100.00", "25.50", True), client=person)
    return {"person": person, "other": other}


def dashboard(client, user) -> str:
    sign_in(client, user)
    with translation.override("en"):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


@override_settings(CACHES=RECORDING)
def test_the_dashboards_cache_holds_nothing_of_a_person(client, team, business):
    start_recording()
    owner_page = dashboard(client, team.owner)
    coach_page = dashboard(client, team.sami)

    assert NAME in owner_page and NAME in coach_page  # today's appointments name the person on both
    contents = written_texts()
    assert any("reports:figure:" in key for key, _value in contents)  # the owner's figures are kept
    person = [NAME, "Quintilla", "quintilla@example.fi"]
    found = [(key, text) for key, value in contents for text in person if text.lower() in (key + value).lower()]
    assert found == []


def test_a_second_visit_within_the_minute_counts_nothing_again(client, team, business):
    dashboard(client, team.owner)  # the first request of a session settles its own rows
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        before = dashboard(client, team.owner)
    with CaptureQueriesContext(connection) as second:
        again = dashboard(client, team.owner)

    figures = re.compile(r'data-testid="outstanding">([^<]*)<')
    assert figures.search(again).group(1) == figures.search(before).group(1) == "100.00 €"
    # The invoices (two sums), the people per role, the consents' five counts and three charts.
    assert len(first) - len(second) >= 10


def test_a_coach_never_gets_the_figures_kept_for_the_owner(client, team, business):
    counted = re.compile(r'<th scope="row">Client</th><td>(\d+)</td>')
    assert counted.search(dashboard(client, team.owner)).group(1) == "2"  # Sami's client and Laura's
    assert counted.search(dashboard(client, team.sami)).group(1) == "1"

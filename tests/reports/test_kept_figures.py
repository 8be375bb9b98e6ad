"""The dashboard's large figures: kept in the cache while their tables are unchanged, never out of date.

Each kept figure names the tables it reads (``FIGURE_TABLES``); a test compares them with the tables of
its queries, for the owner and for a coach, so that no change to a table it counts can go unnoticed.
On PostgreSQL a second visit reads the figures from the cache, and any change to a counted row,
through the app or by a plain UPDATE, shows on the next visit. SQLite keeps no change counts: there
every figure is worked out on every visit.
"""

import re
import time
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from billing.models import Invoice
from billing.services import record_payment
from consents.models import Purpose
from consents.services import record_event, suppress
from register.caching import table_changes
from reports.figures import consent_coverage, invoice_balances, people_per_role
from reports.views import CHARTS, FIGURE_TABLES
from tests.auth import sign_in
from tests.factories import ClientFactory, FeedbackFactory
from tests.reports.conftest import appointment, at, issued

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL counts the changes of each table"
)
TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')


def compute(name: str, user):
    today = timezone.localdate()
    figures = {
        "invoices": lambda: invoice_balances(user, today=today),
        "roles": lambda: people_per_role(user),
        "coverage": lambda: consent_coverage(user),
    }
    return figures[name]() if name in figures else CHARTS[name][0](user, today=today)


@pytest.fixture
def business(team, seller):
    """Return a register with a row behind every query of every figure (a suppressed address too)."""
    today = timezone.localdate()
    person = ClientFactory(coach=team.sami, email="aino@example.fi")
    other = ClientFactory(coach=team.laura, email="vieno@example.fi")
    email = Purpose.objects.get(code="email_marketing")
    for someone in (person, other):
        record_event(client=someone, kind="granted", purpose=email, channel="web", recorded_by="person")
    suppress("vieno@example.fi", reason="objection")
    visit = appointment(team.sami, person, at(today.year, today.month, today.day, 7) - timedelta(days=7))
    FeedbackFactory(appointment=visit, score=4)
    # Feedback on a visit of a staff member with no calendar profile: the chart names them from the account.
    own = appointment(team.owner, person, at(today.year, today.month, today.day, 9) - timedelta(days=7))
    FeedbackFactory(appointment=own, score=5)
    invoice = issued(today - timedelta(days=40), (1, "100.00", "25.50", True), client=person)
    return {"person": person, "invoice": invoice}


def outstanding(client) -> str:
    with translation.override("en"):
        page = client.get(reverse("admin:index")).content.decode()
    return re.search(r'data-testid="outstanding">([^<]*)<', page).group(1)


def clients_counted(client) -> str:
    with translation.override("en"):
        page = client.get(reverse("admin:index")).content.decode()
    return re.search(r'<th scope="row">Client</th><td>(\d+)</td>', page).group(1)


@pytest.mark.parametrize("name", list(FIGURE_TABLES))
def test_each_kept_figure_names_exactly_the_tables_its_queries_read(name, team, business):
    read = set()
    for user in (team.owner, team.sami):
        user.has_perm("clients.view_client")  # the permissions, read once per request, are not the figure's
        with CaptureQueriesContext(connection) as captured:
            compute(name, user)
        read |= {table for query in captured for table in TABLE.findall(query["sql"])}

    assert read == {model._meta.db_table for model in FIGURE_TABLES[name]}


def test_every_chart_of_the_dashboard_names_its_tables():
    assert set(CHARTS) <= set(FIGURE_TABLES)


@on_postgresql
def test_a_second_visit_reads_the_figures_from_the_cache_with_the_same_numbers(client, team, business):
    sign_in(client, team.owner)
    client.get(reverse("admin:index"))  # the first request of a session settles its own rows
    with CaptureQueriesContext(connection) as first:
        before = outstanding(client)
    with CaptureQueriesContext(connection) as second:
        again = outstanding(client)

    assert again == before == "100.00 €"
    # The invoices, people, coverage and the four charts: ten grouped queries not asked again.
    assert len(first) - len(second) >= 10


@on_postgresql
def test_a_payment_shows_on_the_next_visit(client, team, business):
    sign_in(client, team.owner)
    assert outstanding(client) == "100.00 €"

    record_payment(invoice=business["invoice"], amount=Decimal("40.00"), paid_on=timezone.localdate())

    assert outstanding(client) == "60.00 €"


@on_postgresql
def test_a_change_made_by_a_plain_update_shows_on_the_next_visit_too(client, team, business):
    sign_in(client, team.owner)
    assert outstanding(client) == "100.00 €"

    Invoice.objects.filter(pk=business["invoice"].pk).update(total_gross=Decimal("120.00"))

    assert outstanding(client) == "120.00 €"


@on_postgresql
def test_a_coach_never_gets_the_figures_kept_for_the_owner(client, team, business):
    sign_in(client, team.owner)
    assert clients_counted(client) == "2"  # Sami's client and Laura's

    sign_in(client, team.sami)

    assert clients_counted(client) == "1"


def test_without_change_counts_every_visit_works_the_figures_out(client, team, business, monkeypatch):
    monkeypatch.setattr("reports.views.table_changes", lambda models: None)
    sign_in(client, team.owner)
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as second:
        outstanding(client)

    read = {table for query in second for table in TABLE.findall(query["sql"])}
    assert read >= {model._meta.db_table for models in FIGURE_TABLES.values() for model in models}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_server_shows_within_seconds(client, team, business):
    sign_in(client, team.owner)
    assert outstanding(client) == "100.00 €"
    assert outstanding(client) == "100.00 €"  # now from the cache

    # Another app server: a connection of its own, its change committed, the connection closed.
    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("UPDATE billing_invoice SET total_gross = 150.00 WHERE id = %s", [business["invoice"].pk])
    deadline, shown = time.monotonic() + 20, outstanding(client)
    while shown != "150.00 €" and time.monotonic() < deadline:
        time.sleep(0.25)
        shown = outstanding(client)

    assert shown == "150.00 €"


@on_postgresql
def test_counts_started_again_from_zero_are_told_apart_from_the_old_ones(organisation):
    before = table_changes([Invoice])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_reset()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")

    after = table_changes([Invoice])

    assert after.version([Invoice]) != before.version([Invoice])
    assert after.epoch != before.epoch

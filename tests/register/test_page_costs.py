"""What every back-office page costs in queries before its own content: a fixed, small number."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_staff_profile_comes_with_the_account(client, organisation):
    member = UserFactory(is_staff=True)
    sign_in(client, member)
    client.get(reverse("admin:password_change"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:password_change"))
    assert response.status_code == 200
    statements = [query["sql"] for query in queries]
    assert not [sql for sql in statements if sql.lstrip().startswith('SELECT "register_staffprofile"')]
    assert any("register_staffprofile" in sql and '"auth_user"' in sql for sql in statements)


def test_the_due_requests_are_counted_only_on_the_page_that_shows_them(client, organisation):
    from privacy.requests import record_request

    # Received a month ago: its deadline is within the week.
    received = dt.date.today() - dt.timedelta(days=28)
    record_request(received_on=received, kind="access", channel="email", name="Pyytäjä", email="p@example.invalid")
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    client.get(reverse("admin:password_change"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:password_change"))
    assert not [query for query in queries if 'FROM "privacy_datarequest"' in query["sql"]]
    index = client.get(reverse("admin:index")).content.decode()
    assert 'data-testid="due-requests"' in index

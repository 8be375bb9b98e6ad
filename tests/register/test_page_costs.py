"""What every back-office page costs in queries before its own content: a fixed, small number."""

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

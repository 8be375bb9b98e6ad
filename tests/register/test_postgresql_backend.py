"""The PostgreSQL backend reads timestamps with psycopg's compiled loader, giving what Django's own gives."""

import datetime as dt

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the loader is PostgreSQL's"),
]

LITERALS = [
    "2026-12-02 18:30:00+00", "2026-07-01 12:00:00+03", "2026-01-31 23:59:59.999999-05", "1899-12-31 00:00:00+00",
    "0001-01-01 00:00:00+00", "9999-12-31 23:59:59+00", "2024-02-29 06:07:08.5+05:30",
]  # fmt: skip


def test_timestamps_are_read_as_djangos_own_loader_reads_them():
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.postgres import types
    from psycopg.pq import Format

    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    assert loader.__name__ == "ConnectionTimestamptzLoader" and loader.timezone == dt.UTC
    with connection.cursor() as cursor:
        for literal in LITERALS:
            cursor.execute("SELECT %s::timestamptz, NULL::timestamptz", [literal])
            value, empty = cursor.fetchone()
            cursor.execute("SELECT %s::timestamptz::text", [literal])
            (text,) = cursor.fetchone()

            class DjangosLoader(BaseTzLoader):
                timezone = dt.UTC

            expected = DjangosLoader(types["timestamptz"].oid, connection.connection).load(text.encode())
            assert value == expected and value.tzinfo is expected.tzinfo and value.utcoffset() == dt.timedelta(0)
            assert empty is None


def test_a_saved_time_reads_back_the_same():
    from tests.factories import ClientFactory

    moment = dt.datetime(2026, 7, 1, 9, 15, 30, 123456, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    person = ClientFactory(restricted_at=moment, restriction_reason="Pyysi rajoitusta")
    person.refresh_from_db()
    assert person.restricted_at == moment and person.restricted_at.tzinfo is dt.UTC

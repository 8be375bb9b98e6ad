"""Long back-office lists on PostgreSQL take their length from the table statistics, not COUNT(*)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from register.paginators import EstimatedCountPaginator
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def count_queries(paginator):
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    return count, [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_a_filtered_list_is_counted_exactly(settings):
    settings.ADMIN_ESTIMATED_COUNT_FROM = 0
    ClientFactory.create_batch(3, city="Vantaa")
    ClientFactory(city="Espoo")
    count, counts = count_queries(EstimatedCountPaginator(Client.objects.filter(city="Vantaa").order_by("pk"), 50))
    assert count == 3
    assert len(counts) == 1


def test_a_small_table_is_counted_exactly(settings):
    settings.ADMIN_ESTIMATED_COUNT_FROM = 1_000_000
    ClientFactory.create_batch(4)
    count, counts = count_queries(EstimatedCountPaginator(Client.objects.order_by("pk"), 50))
    assert (count, len(counts)) == (4, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="table statistics are PostgreSQL's")
def test_an_unfiltered_large_table_is_not_counted_on_postgresql(settings):
    settings.ADMIN_ESTIMATED_COUNT_FROM = 0
    ClientFactory.create_batch(7)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")
    count, counts = count_queries(EstimatedCountPaginator(Client.objects.order_by("pk"), 50))
    assert counts == []
    assert count == 7

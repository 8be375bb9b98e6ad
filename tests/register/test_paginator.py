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


@pytest.fixture
def seven_people_analysed(settings):
    """Seven people in a table PostgreSQL has analysed, every table's list counted by its estimate."""
    settings.ADMIN_ESTIMATED_COUNT_FROM = 0
    ClientFactory.create_batch(7)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="table statistics are PostgreSQL's")
def test_an_unfiltered_large_table_is_not_counted_on_postgresql(seven_people_analysed):
    count, counts = count_queries(EstimatedCountPaginator(Client.objects.order_by("pk"), 50))
    assert counts == []
    assert count == 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="table statistics are PostgreSQL's")
def test_the_first_page_of_a_large_table_reads_its_estimate_once_a_minute(seven_people_analysed):
    def first_page():
        paginator = EstimatedCountPaginator(Client.objects.order_by("pk"), 5)
        with CaptureQueriesContext(connection) as queries:
            count, rows = paginator.count, len(paginator.page(1).object_list)
        statistics = [q["sql"] for q in queries if "reltuples" in q["sql"]]
        return count, rows, len(statistics), [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]

    assert first_page() == (7, 5, 1, [])
    assert first_page() == (7, 5, 0, [])  # the estimate remembered: the page's own query alone
    # A deep page reads the table's change figure afresh, whatever is remembered.
    paginator = EstimatedCountPaginator(Client.objects.order_by("pk"), 5)
    with CaptureQueriesContext(connection) as queries:
        assert len(paginator.page(2).object_list) == 2
    assert sum("reltuples" in q["sql"] for q in queries) == 1


# Deep pages read from a remembered page start (PostgreSQL) -------------------------------------------

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the change figures are PostgreSQL's")


def _page_rows(queryset, number, per_page=5):
    paginator = EstimatedCountPaginator(queryset, per_page)
    with CaptureQueriesContext(connection) as queries:
        rows = [row.pk for row in paginator.page(number).object_list]
    return rows, [query["sql"] for query in queries]


def _exact(queryset, number, per_page=5):
    return list(queryset.values_list("pk", flat=True)[(number - 1) * per_page : number * per_page])


@postgresql_only
@pytest.mark.parametrize(
    "ordering",
    [
        ["last_name", "first_name", "id"],
        ["-created_at", "-id"],
        ["city", "-id"],
        # Every column the same way: the rows are bounded by one comparison of row values.
        ["city", "last_name", "id"],
        ["-city", "-last_name", "-id"],
    ],
)
def test_paging_on_and_back_gives_the_pages_an_offset_would(ordering):
    for number in range(23):
        ClientFactory(last_name=["Aalto", "Mäki", "Virtanen"][number % 3], city=["Espoo", "Vantaa"][number % 2])
    people = Client.objects.order_by(*ordering)
    # From page 5 back (each page read backwards from the next one's start), then on again.
    for number in [5, 4, 3, 2, 3, 4, 5, 2]:
        rows, _queries = _page_rows(people, number)
        assert rows == _exact(people, number), number


@postgresql_only
def test_a_remembered_page_is_read_from_its_start_without_walking_the_index():
    ClientFactory.create_batch(30)
    people = Client.objects.order_by("last_name", "first_name", "id")
    first_visit, walked = _page_rows(people, 4)
    again, read = _page_rows(people, 4)
    following, read_on = _page_rows(people, 5)
    assert first_visit == again == _exact(people, 4)
    assert following == _exact(people, 5)
    assert any("OFFSET" in sql for sql in walked)
    assert not any("OFFSET" in sql for sql in read + read_on)


@postgresql_only
def test_a_change_to_the_table_makes_the_page_be_found_afresh():
    ClientFactory.create_batch(20, last_name="Mäki")
    people = Client.objects.order_by("last_name", "first_name", "id")
    _page_rows(people, 3)
    ClientFactory(last_name="Aalto")  # sorts first: every later page moves on by one
    rows, queries = _page_rows(people, 3)
    assert rows == _exact(people, 3)
    assert any("OFFSET" in sql for sql in queries)


@postgresql_only
def test_a_filtered_list_is_never_read_from_a_remembered_start():
    ClientFactory.create_batch(20, city="Vantaa")
    people = Client.objects.filter(city="Vantaa").order_by("last_name", "first_name", "id")
    _page_rows(people, 2)
    _rows, queries = _page_rows(people, 2)
    assert any("OFFSET" in sql for sql in queries)


@postgresql_only
@pytest.mark.parametrize("ordering", [["-year", "-number", "-id"], ["year", "number", "id"]])
def test_pages_ordered_by_a_column_with_empty_values_are_anchored_too(seller, ordering):
    from billing.models import Invoice
    from tests.factories import InvoiceFactory

    invoices = InvoiceFactory.create_batch(24)
    for number, invoice in enumerate(invoices[:16], start=1):  # the rest stay drafts: no year or number
        Invoice.objects.filter(pk=invoice.pk).update(
            year=2026 - number % 2, number=number, status="sent", reference=f"10{number}"
        )
    ordered = Invoice.objects.order_by(*ordering)
    for number in [5, 4, 3, 2, 3, 4, 5]:
        rows, _queries = _page_rows(ordered, number)
        assert rows == _exact(ordered, number), number

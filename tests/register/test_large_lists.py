"""The back office's lists of large tables cost the same few queries however many rows there are.

Each list is loaded with a few rows and again with more than a page of them, first page and second:
the number of queries must not change with the number of rows (no N+1), no filter reads distinct values
from the table, and the second page holds exactly the rows that follow the first in the list's order.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consents.models import ConsentEvent, Purpose
from privacy.models import DataRequest
from register.templatetags.large_lists import bounded_date_hierarchy
from tests.auth import sign_in
from tests.factories import (
    AccessLogEntryFactory,
    AppointmentFactory,
    ClientFactory,
    CoachFactory,
    InvoiceFactory,
    LocationFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PER_PAGE = 50


def _people(count):
    ClientFactory.create_batch(count)


def _appointments(count):
    coach, service, location = CoachFactory().user, ServiceFactory(), LocationFactory()
    start = timezone.now().replace(microsecond=0)
    for number in range(count):
        starts = start - dt.timedelta(hours=2 * number)
        AppointmentFactory(
            coach=coach, service=service, location=location, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
        )


def _invoices(count):
    InvoiceFactory.create_batch(count)


def _consent_events(count):
    purpose = Purpose.objects.get(code="email_marketing")
    for person in ClientFactory.create_batch(count):
        ConsentEvent.objects.create(
            client=person, purpose=purpose, kind="granted", channel="web", recorded_by="person"
        )


def _data_requests(count):
    for number in range(count):
        DataRequest.objects.create(kind="access", name=f"Pyytäjä {number}", email=f"p{number}@example.fi")


def _access_log(count):
    staff = UserFactory(is_staff=True)
    AccessLogEntryFactory.create_batch(count, user=staff)


LISTS = {
    "clients_client": _people,
    "bookings_appointment": _appointments,
    "billing_invoice": _invoices,
    "consents_consentevent": _consent_events,
    "privacy_datarequest": _data_requests,
    "privacy_accesslogentry": _access_log,
}


def _load(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("name", LISTS)
def test_a_list_costs_the_same_queries_with_few_rows_and_with_many(client, organisation, name):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    url = reverse(f"admin:{name}_changelist")
    LISTS[name](3)
    client.get(url)  # the first request of a session makes its own one-off queries
    _few, few_queries = _load(client, url)
    LISTS[name](PER_PAGE + 7)
    client.get(url)  # new coaches among the new rows: the coach filter's choices are read anew once
    first, many_queries = _load(client, url)
    second, deep_queries = _load(client, url + "?p=2")
    assert len(few_queries) == len(many_queries)
    # On PostgreSQL the first page is read together with the count of the rows, and a later page is read
    # on its own (and reads the table's statistics afresh, which the first page takes from the cache once
    # the table has been analysed). SQLite, which keeps no estimate of a table's rows, counts a whole
    # table with a COUNT(*) of its own on every page, the first one too.
    statistics = [sql for sql in deep_queries if "reltuples" in sql]
    assert len(statistics) == (1 if connection.vendor == "postgresql" else 0)
    first_page_statistics = [sql for sql in many_queries if "reltuples" in sql]
    read_apart = 1 if connection.vendor == "postgresql" else 0
    assert len(deep_queries) - len(statistics) == len(many_queries) - len(first_page_statistics) + read_apart
    assert len([sql for sql in many_queries if " OVER (" in sql]) == read_apart
    assert not [sql for sql in many_queries + deep_queries if "DISTINCT" in sql.upper()]

    changelist = first.context["cl"]
    in_order = list(changelist.queryset.values_list("pk", flat=True))
    assert [row.pk for row in changelist.result_list] == in_order[:PER_PAGE]
    assert [row.pk for row in second.context["cl"].result_list] == in_order[PER_PAGE : 2 * PER_PAGE]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="table statistics are PostgreSQL's")
@pytest.mark.parametrize("name", LISTS)
def test_an_unfiltered_list_is_not_counted_on_postgresql(client, organisation, settings, name):
    settings.ADMIN_ESTIMATED_COUNT_FROM = 0
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    LISTS[name](5)
    table = reverse(f"admin:{name}_changelist").strip("/").split("/")[-2:]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {'_'.join(table)}")
    _response, queries = _load(client, reverse(f"admin:{name}_changelist"))
    # A count of the whole table; counting a few due requests for the page header is another matter.
    whole = [sql for sql in queries if f'FROM "{"_".join(table)}"' in sql and "COUNT(" in sql and "WHERE" not in sql]
    assert not whole


def test_the_date_drill_down_offers_every_period_between_the_first_and_the_last(client, organisation):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    for year in (2019, 2022):
        AccessLogEntryFactory(at=dt.datetime(year, 3, 4, 12, tzinfo=dt.UTC))
    url = reverse("admin:privacy_accesslogentry_changelist")
    response, queries = _load(client, url)
    assert not [sql for sql in queries if "DISTINCT" in sql.upper()]
    years = bounded_date_hierarchy(response.context["cl"])
    assert [choice["title"] for choice in years["choices"]] == ["2019", "2020", "2021", "2022"]
    assert "?at__year=2021" in response.content.decode()
    months = bounded_date_hierarchy(_load(client, url + "?at__year=2022")[0].context["cl"])
    assert len(months["choices"]) == 1  # only March 2022 has rows: it is both the first and the last month
    days = bounded_date_hierarchy(_load(client, url + "?at__year=2022&at__month=3")[0].context["cl"])
    assert [choice["link"] for choice in days["choices"]] == ["?at__day=4&at__month=3&at__year=2022"]


def test_the_date_range_of_a_whole_list_is_read_from_its_table_once_in_a_while(client, organisation):
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, staff)
    for year in (2019, 2022):
        AccessLogEntryFactory(at=dt.datetime(year, 3, 4, 12, tzinfo=dt.UTC))
    url = reverse("admin:privacy_accesslogentry_changelist")

    def range_reads(address):
        response, queries = _load(client, address)
        reads = [sql for sql in queries if '"privacy_accesslogentry"."at" AS' in sql and "LIMIT 1" in sql]
        return response, len(reads)

    assert range_reads(url)[1] == 2  # the earliest and the latest
    response, reads = range_reads(url)
    assert reads == 0
    assert [c["title"] for c in bounded_date_hierarchy(response.context["cl"])["choices"]] == [
        "2019",
        "2020",
        "2021",
        "2022",
    ]
    # A filtered list has a range of its own, read from the table every time.
    assert range_reads(url + "?at__year=2022")[1] == 2
    assert range_reads(url + "?action__exact=view")[1] == 2
    # Another owner sees the same rows and shares the range.
    client.logout()
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    assert range_reads(url)[1] == 0


def test_a_staff_member_who_sees_fewer_rows_gets_the_date_range_of_their_own_rows(client, organisation):
    from django.contrib.auth.models import Permission

    coach, other = CoachFactory().user, CoachFactory().user
    service, location = ServiceFactory(), LocationFactory()
    for year, responsible in ((2019, coach), (2022, other)):
        starts = dt.datetime(year, 3, 4, 12, tzinfo=dt.UTC)
        AppointmentFactory(
            client=ClientFactory(coach=responsible), coach=responsible, service=service, location=location,
            starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
        )  # fmt: skip
    url = reverse("admin:bookings_appointment_changelist")
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    owners = bounded_date_hierarchy(_load(client, url)[0].context["cl"])
    assert [choice["title"] for choice in owners["choices"]] == ["2019", "2020", "2021", "2022"]
    client.logout()
    coach.user_permissions.add(Permission.objects.get(codename="view_appointment"))
    sign_in(client, coach)
    response, queries = _load(client, url)
    assert [row.starts_at.year for row in response.context["cl"].result_list] == [2019]
    assert len([sql for sql in queries if '"bookings_appointment"."starts_at" AS' in sql]) == 2
    theirs = bounded_date_hierarchy(response.context["cl"])
    assert "2022" not in str(theirs)
    # Given the whole register to see, the same coach's list holds more rows, and so another range.
    coach.user_permissions.add(Permission.objects.get(codename="view_all_people"))
    years = bounded_date_hierarchy(_load(client, url)[0].context["cl"])
    assert [choice["title"] for choice in years["choices"]] == ["2019", "2020", "2021", "2022"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_people_search_has_trigram_indexes_on_what_the_search_compares():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'clients_client'")
        definitions = dict(cursor.fetchall())
    for name, column in [("first_name", "first_name"), ("last_name", "last_name"), ("email", "email")]:
        assert f"upper(({column})::text) gin_trgm_ops" in definitions[f"clients_client_{name}_trgm"]
    assert "phone gin_trgm_ops" in definitions["clients_client_phone_trgm"]


def test_row_links_of_a_filtered_page_lead_back_to_it_after_saving(client, organisation):
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters

    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    person = ClientFactory(role="client")
    ClientFactory(role="prospect")
    response = client.get(reverse("admin:clients_client_changelist"), {"role__exact": "client", "q": person.last_name})
    change = reverse("admin:clients_client_change", args=[person.pk])
    expected = add_preserved_filters(
        {"preserved_filters": response.context["cl"].model_admin.get_preserved_filters(response.wsgi_request),
         "opts": person._meta},
        change,
    )  # fmt: skip
    assert "_changelist_filters=" in expected
    assert f'href="{expected.replace("&", "&amp;")}"' in response.content.decode()


@pytest.mark.parametrize(("matches", "shown"), [(57, PER_PAGE), (7, 7)])
def test_a_search_is_counted_in_the_query_that_reads_its_first_page(client, organisation, matches, shown):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    ClientFactory.create_batch(matches, last_name="Mäkisalo")
    ClientFactory.create_batch(5, last_name="Virtanen")
    url = reverse("admin:clients_client_changelist") + "?q=salo"
    client.get(url)
    response, queries = _load(client, url)
    changelist = response.context["cl"]
    assert changelist.result_count == matches
    assert len(changelist.result_list) == shown
    assert all(person.last_name == "Mäkisalo" for person in changelist.result_list)
    people = [sql for sql in queries if 'FROM "clients_client"' in sql and "django_session" not in sql]
    assert len(people) == 1 and "OVER" in people[0].upper()
    assert f"{matches} " in response.content.decode()


def test_the_export_of_the_people_list_reads_whole_rows_however_many_there_are(client, organisation):
    """The list's page reads only the columns it shows; the export of the same list needs every column."""
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    columns = ["first_name", "last_name", "email", "street_address", "city", "postal_code", "date_of_birth"]
    form = {"format": "0", "resource": "0", **{f"clientresource_{name}": "on" for name in columns}}
    url = reverse("admin:clients_client_export")

    def export():
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, form)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    ClientFactory(city="Vantaa", street_address="Juoksijankatu 1")
    export()  # the first request of a session makes its own one-off queries
    few_queries, _content = export()
    ClientFactory.create_batch(30, city="Espoo", street_address="Kuntosalintie 2")
    many_queries, content = export()
    assert many_queries == few_queries
    assert content.count("Espoo") == 30 and "Juoksijankatu 1" in content


@pytest.mark.parametrize("name", LISTS)
def test_a_large_list_offers_no_counts_of_its_filter_choices(client, organisation, name):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    LISTS[name](3)
    url = reverse(f"admin:{name}_changelist")
    client.get(url)
    response, queries = _load(client, url + "?_facets=True")
    changelist = response.context["cl"]
    assert not changelist.is_facets_optional and not changelist.add_facets
    assert 'class="viewlink"' not in response.content.decode()  # no "Show counts" link
    assert not [sql for sql in queries if "COUNT(" in sql and "FILTER (WHERE" in sql]

"""The back office's lists of large tables: the rows a staff member sees, the count shown above them,
and a cost in queries that does not grow with the register.

Each list is loaded with a few rows and again with more than a page of them, first page and second:
the number of queries must not change with the number of rows, no filter reads distinct values from the
table, and the second page holds exactly the rows that follow the first in the list's order. A list
narrowed by a filter or a search is counted only up to a limit, beyond which it says "more than 1,000".
"""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from clients.models import Client
from consents.models import ConsentEvent, Purpose
from privacy.models import DataRequest
from register.paginators import EstimatedCountPaginator
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
PEOPLE = reverse("admin:clients_client_changelist")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="table statistics are PostgreSQL's")


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
    AccessLogEntryFactory.create_batch(count, user=UserFactory(is_staff=True))


LISTS = {
    "clients_client": _people,
    "bookings_appointment": _appointments,
    "billing_invoice": _invoices,
    "consents_consentevent": _consent_events,
    "privacy_datarequest": _data_requests,
    "privacy_accesslogentry": _access_log,
}


@pytest.fixture
def owner(client, organisation):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))


def _load(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


def _shown(response):
    return [row.pk for row in response.context["cl"].result_list]


@pytest.mark.parametrize("name", LISTS)
def test_a_list_costs_the_same_queries_with_5_rows_and_with_60(client, owner, django_assert_max_num_queries, name):
    url = reverse(f"admin:{name}_changelist")
    LISTS[name](5)
    client.get(url)  # the first request of a session makes its own one-off queries
    _few, few = _load(client, url)
    LISTS[name](55)
    client.get(url)  # new coaches among the new rows: the coach filter's choices are read anew once
    with django_assert_max_num_queries(len(few)):
        first = client.get(url)
    second, deep = _load(client, url + "?p=2")
    assert len(deep) <= len(few)
    assert not [sql for sql in few + deep if "DISTINCT" in sql.upper()]  # no filter or drill-down reads the table
    in_order = list(first.context["cl"].queryset.values_list("pk", flat=True))
    assert _shown(first) == in_order[:PER_PAGE]
    assert _shown(second) == in_order[PER_PAGE:60]


@pytest.mark.parametrize("name", LISTS)
def test_a_large_list_offers_no_counts_of_its_filter_choices(client, owner, name):
    LISTS[name](3)
    url = reverse(f"admin:{name}_changelist")
    response, queries = _load(client, url + "?_facets=True")
    assert 'class="viewlink"' not in response.content.decode()  # no "Show counts" link
    assert not [sql for sql in queries if "COUNT(" in sql and "FILTER (WHERE" in sql]


def _clients(count, role):
    Client.objects.bulk_create(
        Client(first_name="Testi", last_name=f"Asiakas{n:05d}", email=f"{role}{n}@example.invalid", role=role)
        for n in range(count)
    )


@pytest.mark.parametrize(("language", "wording"), [("en", "more than 1,000 people"), ("fi", "henkilöt: yli 1\xa0000")])
def test_a_filtered_list_with_more_matches_than_the_limit_says_more_than(client, owner, language, wording):
    _clients(1_010, role="client")
    _clients(5, role="prospect")
    with translation.override(language):
        url = reverse("admin:clients_client_changelist")
    response, queries = _load(client, url + "?role__exact=client")
    page = response.content.decode()
    assert wording in page
    if language == "en":  # selecting across the pages names no figure either
        assert "Select all matching people (more than 1,000)" in page
    cl = response.context["cl"]
    assert len(cl.result_list) == PER_PAGE
    in_order = list(cl.queryset.values_list("pk", flat=True)[:PER_PAGE])
    assert _shown(response) == in_order
    assert all(person.role == "client" for person in cl.result_list)
    # The matches were counted no further than the limit.
    counts = [sql for sql in queries if "COUNT(" in sql and '"clients_client"' in sql]
    assert len(counts) == 1 and "LIMIT 1001" in counts[0]
    # A search counted the same way says so beside the search box too.
    searched = client.get(url + "?q=Asiakas").content.decode()
    assert ("more than 1,000 results" if language == "en" else "yli 1\xa0000 tulosta") in searched


def test_a_filtered_list_below_the_limit_shows_its_exact_count(client, owner):
    _clients(7, role="client")
    _clients(60, role="prospect")
    response, _queries = _load(client, "/en" + PEOPLE + "?role__exact=client")
    page = response.content.decode()
    assert "7 people" in page and "more than" not in page
    assert response.context["cl"].result_count == 7
    assert len(response.context["cl"].result_list) == 7


def test_a_page_beyond_a_capped_count_is_reached_and_counts_further(client, owner, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "count_limit", PER_PAGE)
    _clients(80, role="client")
    first, _queries = _load(client, "/en" + PEOPLE + "?role__exact=client")
    assert "more than 50 people" in first.content.decode()
    second, _queries = _load(client, "/en" + PEOPLE + "?role__exact=client&p=2")
    assert "80 people" in second.content.decode()
    assert len(second.context["cl"].result_list) == 30


def test_row_links_of_a_filtered_page_lead_back_to_it_after_saving(client, owner):
    person = ClientFactory(role="client")
    ClientFactory(role="prospect")
    response = client.get(PEOPLE, {"role__exact": "client", "q": person.last_name})
    change = reverse("admin:clients_client_change", args=[person.pk])
    returns_to = urlencode({"role__exact": "client", "q": person.last_name})
    expected = f"{change}?{urlencode({'_changelist_filters': returns_to})}"
    assert "_changelist_filters=" in expected
    assert f'href="{expected.replace("&", "&amp;")}"' in response.content.decode()


def test_the_date_filters_of_a_large_list_offer_fixed_periods_without_reading_the_table(client, owner):
    AccessLogEntryFactory(at=dt.datetime(2019, 3, 4, 12, tzinfo=dt.UTC))
    today = AccessLogEntryFactory()
    url = "/en" + reverse("admin:privacy_accesslogentry_changelist")
    response, queries = _load(client, url)
    assert "Past 7 days" in response.content.decode()
    assert not [sql for sql in queries if "DISTINCT" in sql.upper() or "MIN(" in sql.upper()]
    cl = response.context["cl"]
    dates = next(spec for spec in cl.filter_specs if getattr(spec, "field_path", "") == "at")
    today_link = list(dates.choices(cl))[1]["query_string"]  # any date, today, past 7 days, ...
    assert _shown(client.get(url + today_link)) == [today.pk]


# The count of an unfiltered list --------------------------------------------------------------------


def _counted(queryset, **kwargs):
    paginator = EstimatedCountPaginator(queryset, 5, **kwargs)
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    return count, paginator.count_is_capped, [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]


def test_a_whole_table_below_the_limit_is_counted_exactly():
    ClientFactory.create_batch(4)
    count, capped, counts = _counted(Client.objects.order_by("pk"))
    assert (count, capped, len(counts)) == (4, False, 1)


@postgresql_only
def test_a_whole_table_beyond_the_limit_takes_its_estimate_on_postgresql(monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "count_limit", 5)
    ClientFactory.create_batch(7)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")
    count, capped, counts = _counted(Client.objects.order_by("pk"))
    assert (count, capped, counts) == (7, False, [])
    # Narrowed by a filter, the same table is counted, up to the limit.
    count, capped, counts = _counted(Client.objects.filter(pk__gt=0).order_by("pk"))
    assert (count, capped, len(counts)) == (5, True, 1)


@postgresql_only
@pytest.mark.parametrize("name", LISTS)
def test_an_unfiltered_list_page_does_not_count_its_table_on_postgresql(client, owner, monkeypatch, name):
    monkeypatch.setattr(EstimatedCountPaginator, "count_limit", 2)
    LISTS[name](5)
    table = name
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    _response, queries = _load(client, reverse(f"admin:{name}_changelist"))
    # A count of the whole table; counting a few due requests for the page header is another matter.
    assert not [sql for sql in queries if f'FROM "{table}"' in sql and "COUNT(" in sql and "WHERE" not in sql]


@postgresql_only
def test_people_search_has_trigram_indexes_on_what_the_search_compares():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'clients_client'")
        definitions = dict(cursor.fetchall())
    for name, column in [("first_name", "first_name"), ("last_name", "last_name"), ("email", "email")]:
        assert f"upper(({column})::text) gin_trgm_ops" in definitions[f"clients_client_{name}_trgm"]
    assert "phone gin_trgm_ops" in definitions["clients_client_phone_trgm"]
    # A finer sample of what the search compares: the planner's guess of the matches of a surname.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attrelid::regclass::text, attstattarget FROM pg_attribute "
            "WHERE attrelid::regclass::text LIKE 'clients_client_%%_trgm' AND attnum = 1"
        )
        targets = dict(cursor.fetchall())
    assert {name: targets[f"clients_client_{name}_trgm"] for name in ("first_name", "last_name", "email")} == {
        "first_name": 1000,
        "last_name": 1000,
        "email": 1000,
    }


# The order of a search's matches --------------------------------------------------------------------


def _named(last_names):
    Client.objects.bulk_create(
        Client(first_name=f"Etu{n:03d}", last_name=last_name, email=f"haku{n}@example.invalid")
        for n, last_name in enumerate(last_names)
    )


@pytest.mark.parametrize("limit", [1000, 55], ids=["few matches", "more matches than the limit"])
def test_a_search_shows_its_matches_in_the_lists_name_order_page_by_page(client, owner, monkeypatch, limit):
    monkeypatch.setattr(EstimatedCountPaginator, "count_limit", limit)
    # Matches at both ends of the alphabet and between others, entered out of order.
    _named(["Virtanen", "Aaltonen", "Mäkinen", "Virtanen", "Berg", "Öhman", "Anttila"] * 30)
    matches = Client.objects.filter(last_name__in=["Aaltonen", "Mäkinen", "Virtanen"])  # those with "nen"
    nen = list(matches.order_by("last_name", "first_name", "id").values_list("pk", flat=True))
    assert len(nen) == 120
    pages = [_shown(client.get(PEOPLE, {"q": "nen", "p": page})) for page in (1, 2, 3)]
    assert [len(rows) for rows in pages] == [PER_PAGE, PER_PAGE, 20]
    assert pages[0] + pages[1] + pages[2] == nen
    # A rarer term: its few matches in the same order, whichever way the database finds them.
    virtanen = matches.filter(last_name="Virtanen").order_by("first_name", "id").values_list("pk", flat=True)
    assert _shown(client.get(PEOPLE, {"q": "virtanen"})) == list(virtanen[:PER_PAGE])


@postgresql_only
def test_the_people_lists_ordering_index_carries_what_the_search_compares():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'clients_client_name_search_idx'")
        (definition,) = cursor.fetchone()
    assert "(last_name, first_name, id) INCLUDE (email, phone)" in definition


# The deepest page offered ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "wording"),
    [
        ("en", "A list shows its first 2 pages. Narrow it with a filter or a search"),
        ("fi", "Listassa näytetään sen ensimmäiset 2 sivua. Rajaa listaa suodattimella tai haulla"),
    ],
)
def test_a_page_beyond_the_deepest_offered_leads_there_saying_why(client, owner, monkeypatch, language, wording):
    monkeypatch.setattr(EstimatedCountPaginator, "max_pages", 2)
    _clients(170, role="client")
    _clients(3, role="prospect")
    with translation.override(language):
        url = reverse("admin:clients_client_changelist")
    response = client.get(url, {"role__exact": "client", "p": 4})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?role__exact=client&p=2"  # the same list, its deepest page
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert wording in page.content.decode()
    clients = Client.objects.filter(role="client").order_by("last_name", "first_name", "id")
    assert _shown(page) == list(clients.values_list("pk", flat=True)[PER_PAGE : 2 * PER_PAGE])
    # The page links stop at the deepest page too.
    assert '<a href="?p=1&amp;role__exact=client">1</a>' in page.content.decode()
    assert "?p=3&amp;" not in page.content.decode()
    assert client.get(url, {"p": 2}).status_code == 200  # the deepest page itself is simply shown

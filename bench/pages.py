"""The pages a staff member opens all day, timed in-process: first visits after a change, and warm visits.

A first visit follows a real write to the page's table (one row's field set to itself through the ORM:
a new row version in PostgreSQL, so anything keyed by the table's change counters is stale) and an empty
cache, so nothing a previous visit left behind helps it. Warm visits repeat the same request with
nothing changed in between. Each page is requested with ``Accept-Encoding: gzip``, as a browser does.
"""

from __future__ import annotations

import gzip
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

CALENDAR_APPOINTMENTS = 300


@dataclass
class Page:
    """A page to measure: its URL, the model written between first visits, and its stock counterpart."""

    name: str
    url: str
    model: type
    stock_url: str | None = None
    kind: str = "page"  # "list" for a list first page or search, "deep", "person", "calendar", ...
    row: int | None = None  # the row written between first visits (default: the table's last)


@dataclass
class Timings:
    first: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    first_queries: int = 0
    warm_queries: int = 0
    size: int = 0
    gzip_size: int | None = None

    def summary(self) -> dict:
        return {
            "first_median": statistics.median(self.first),
            "first_p95": percentile_95(self.first),
            "warm_median": statistics.median(self.warm),
            "warm_p95": percentile_95(self.warm),
            "first_queries": self.first_queries,
            "warm_queries": self.warm_queries,
            "size": self.size,
            "gzip_size": self.gzip_size,
            "visits": len(self.first),
        }


def percentile_95(times: list[float]) -> float:
    """Return the 95th percentile (inclusive method: with few timings it lies between the two largest)."""
    return statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]


def clear_caches() -> None:
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()


def touch(model, pk: int) -> None:
    """Write one row of ``model``: its first plain field set to itself, an UPDATE as a real edit makes."""
    from django.db.models import F

    column = next(
        f.attname for f in model._meta.concrete_fields if not f.primary_key and not f.is_relation and not f.unique
    )
    model._base_manager.filter(pk=pk).update(**{column: F(column)})


def last_row(model) -> int:
    return model._base_manager.order_by("-pk").values_list("pk", flat=True)[0]


class Visitor:
    """A signed-in owner with Django's test client, and the ways it visits a page."""

    def __init__(self, client):
        self.client = client

    def get(self, url: str):
        response = self.client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}; the benchmark needs 200.")
        return response

    def measure(self, page: Page, url: str, visits: int) -> Timings:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        timings = Timings()
        row = page.row or last_row(page.model)
        # One first visit and one warm visit counted (counting slows a request: they are not timed).
        touch(page.model, row)
        clear_caches()
        with CaptureQueriesContext(connection) as captured:
            self.get(url)
        timings.first_queries = len(captured)
        for _number in range(visits):
            touch(page.model, row)
            clear_caches()
            started = time.perf_counter()
            self.get(url)
            timings.first.append((time.perf_counter() - started) * 1000)
        for _warm_up in range(2):
            response = self.get(url)
        with CaptureQueriesContext(connection) as captured:
            self.get(url)
        timings.warm_queries = len(captured)
        for _number in range(visits):
            started = time.perf_counter()
            self.get(url)
            timings.warm.append((time.perf_counter() - started) * 1000)
        timings.size = len(response.content)
        if response.get("Content-Encoding") == "gzip":
            timings.gzip_size = timings.size
            timings.size = len(gzip.decompress(response.content))
        return timings


def calendar_week() -> datetime:
    """Book the benchmark's calendar week (a week no generated booking reaches) with 300 appointments."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from bookings.models import Appointment, Coach, Service
    from clients.models import Client

    zone = ZoneInfo(settings.TIME_ZONE)
    today = datetime.now(zone).date()
    monday = today + timedelta(weeks=20, days=-today.weekday())
    start = datetime.combine(monday, datetime.min.time(), tzinfo=zone)
    week = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=7))
    if week.count() >= CALENDAR_APPOINTMENTS:
        return start
    coaches = list(Coach.objects.filter(user__is_active=True).values_list("user_id", flat=True))
    service = Service.objects.filter(is_active=True).order_by("duration").first()
    clients = Client.objects.filter(role="client", date_of_birth__lt=today - timedelta(days=20 * 365))
    people = list(clients.order_by("-pk").values_list("pk", flat=True)[:CALENDAR_APPOINTMENTS])
    slots = [(day, hour) for day in range(6) for hour in range(7, 20)]
    appointments = []
    for number in range(min(CALENDAR_APPOINTMENTS, len(people), len(slots) * len(coaches))):
        day, hour = slots[number // len(coaches)]
        starts = start + timedelta(days=day, hours=hour)
        appointments.append(
            Appointment(client_id=people[number], coach_id=coaches[number % len(coaches)], service=service,
                        starts_at=starts, ends_at=starts + service.duration, status="booked")
        )  # fmt: skip
    week.delete()
    Appointment.objects.bulk_create(appointments)
    return start


def long_records() -> dict[int, int]:
    """Return the long-standing clients of the generated register: appointments per client id."""
    from django.db.models import Count

    from bench.scale import LONG_RECORDS
    from bookings.models import Appointment

    wanted = [record.appointments for record in LONG_RECORDS]
    rows = Appointment.objects.values("client").annotate(n=Count("pk")).filter(n__in=wanted)
    return {row["n"]: row["client"] for row in rows}


def pages() -> list[Page]:
    """Return the pages to measure, in the order a report lists them."""
    from django.urls import reverse

    from bench.urls import STOCK_MODELS
    from billing.models import Invoice
    from bookings.models import Appointment
    from clients.models import Client
    from consents.models import ConsentEvent
    from privacy.models import AccessLogEntry, DataRequest, NoticeVersion
    from register.paginators import EstimatedCountPaginator

    def lists(model):
        meta = model._meta
        return (
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
            reverse(f"stock:{meta.app_label}_{meta.model_name}_changelist"),
        )

    assert set(STOCK_MODELS) == {Client, Appointment, Invoice, ConsentEvent, DataRequest, AccessLogEntry}
    people, stock_people = lists(Client)
    appointments, stock_appointments = lists(Appointment)
    # The middle of the appointments, or the deepest page a list offers when that comes first.
    deep = min(Appointment.objects.count() // 2 // 50 + 1, EstimatedCountPaginator.max_pages)
    found = [
        Page("people list", people, Client, stock_people, "list"),
        Page("people, clients only", f"{people}?role__exact=client", Client, f"{stock_people}?role__exact=client",
             "list"),
        Page('people search "nen"', f"{people}?q=nen", Client, f"{stock_people}?q=nen", "list"),
        Page("appointments list", appointments, Appointment, stock_appointments, "list"),
        Page('appointments, "booked"', f"{appointments}?status__exact=booked", Appointment,
             f"{stock_appointments}?status__exact=booked", "list"),
        Page(f"appointments, page {deep:_}", f"{appointments}?p={deep}", Appointment,
             f"{stock_appointments}?p={deep}", "deep"),
    ]  # fmt: skip
    for name, model in (
        ("invoices list", Invoice),
        ("consent events list", ConsentEvent),
        ("data requests list", DataRequest),
        ("access log", AccessLogEntry),
    ):
        ours, theirs = lists(model)
        found.append(Page(name, ours, model, theirs, "list"))
    person = long_records().get(500)
    if person:
        found.append(
            Page("person page (500 appointments)", reverse("admin:clients_client_change", args=[person]), Client,
                 kind="person", row=person)
        )  # fmt: skip
    week = calendar_week()
    found.append(
        Page(f"calendar week ({CALENDAR_APPOINTMENTS} appointments)",
             f"{reverse('admin:bookings_appointment_calendar')}?date={week:%Y-%m-%d}", Appointment, kind="calendar")
    )  # fmt: skip
    found.append(Page("dashboard", reverse("admin:index"), Appointment, kind="dashboard"))
    found.append(Page("privacy notice", "/tietosuojaseloste/", NoticeVersion, kind="notice"))
    return found


def measure_pages(client, visits: int, out) -> list[dict]:
    """Measure every page (and its stock counterpart); return one dict of figures per page."""
    visitor = Visitor(client)
    results = []
    for page in pages():
        figures = {"name": page.name, "kind": page.kind, **visitor.measure(page, page.url, visits).summary()}
        if page.stock_url:
            figures["stock"] = visitor.measure(page, page.stock_url, visits).summary()
        results.append(figures)
        stock = figures.get("stock")
        out.write(
            f"  {page.name}: first {figures['first_median']:.1f} ms, warm {figures['warm_median']:.1f} ms "
            f"({figures['first_queries']}/{figures['warm_queries']} queries)"
            + (f"; stock warm {stock['warm_median']:.1f} ms" if stock else "")
            + "\n"
        )
        out.flush()
    return results


def measure_notice(out) -> dict:
    """Return the requests per second of the cached notice page, of a minimal view sending its bytes, and
    the notice's share of the minimal view's rate.

    The two are measured in pairs of rounds, one right after the other (which goes first alternates), and
    the share is the median of the pairs' shares: the machine's speed, which drifts from minute to minute,
    is then nearly the same for both halves of a pair.
    """
    from django.test import Client

    from bench import urls

    visitor = Client()
    urls.MINIMAL_CONTENT["bytes"] = visitor.get("/tietosuojaseloste/").content
    rates = {"/tietosuojaseloste/": [], "/bench/minimal/": []}
    shares = []
    for round_number in range(9):
        order = list(rates) if round_number % 2 == 0 else list(reversed(rates))
        for url in order:
            for _warm_up in range(20):
                visitor.get(url)
            started = time.perf_counter()
            for _request in range(200):
                visitor.get(url)
            rates[url].append(200 / (time.perf_counter() - started))
        shares.append(rates["/tietosuojaseloste/"][-1] / rates["/bench/minimal/"][-1])
    notice, minimal = (statistics.median(rates[url]) for url in rates)
    share = statistics.median(shares)
    out.write(f"  notice: {notice:.0f} requests/s, minimal view: {minimal:.0f} requests/s, {share:.0%}\n")
    return {"notice": notice, "minimal": minimal, "share": share}

"""Measure every target of issue 10 against the benchmark's data set and print the results as tables.

    python -m bench [--people N] [--repeat R] [--passes P] [--rebuild]

``DATABASE_URL`` chooses the database (``make bench`` and ``make bench-postgres`` set it). Each page is
requested twice to warm up, once to count its queries, then ``--repeat`` times for the timings, in each
of ``--passes`` passes over all the pages: the median and the 95th percentile of all its timings, the
server's time in-process (no network, no browser).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bench.dataset import BASE_DIR, DatasetError, prepare_database, seed, vacuum

DEFAULT_PEOPLE = 100_000
DATA_DIR = BASE_DIR / "bench" / ".data"
CALENDAR_APPOINTMENTS = 300
LIST_TARGET_MS, SEARCH_TARGET_MS, PERSON_TARGET_MS, CALENDAR_TARGET_MS = 30, 25, 100, 100
PACKAGE_TARGET_MS, NOTICE_SHARE = 2000, 0.90


@dataclass
class Result:
    name: str
    median: float
    p95: float
    queries: int | None
    target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.median / self.target if self.target else None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.median <= self.target


def _percentile_95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]


class Bench:
    def __init__(self, repeat: int, out=sys.stdout):
        from django.contrib.auth import get_user_model
        from django.test import Client

        from tests.auth import sign_in

        self.repeat = repeat
        self.out = out
        self.staff = Client()
        sign_in(self.staff, get_user_model().objects.filter(is_superuser=True).order_by("pk").first())
        self.results: list[Result] = []
        self.stock: list[tuple[str, Result, Result]] = []
        self.first_visits: list[Result] = []
        self.measured: dict[str, Result] = {}
        self.times: dict[str, list[float]] = {}
        self.first_pass = True

    def page(self, name: str, url: str, *, target: float | None = None, client=None, note: str = "") -> Result:
        """Time ``url``: two warm-ups, one request to count its queries, then ``repeat`` timed requests.

        Measured again in a later pass, the page gets ``repeat`` more timings and the same Result, its
        median and 95th percentile now of all of them.
        """
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = client or self.staff
        for _warm_up in range(2):
            client.get(url)
        if name not in self.measured:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            if response.status_code != 200:
                raise DatasetError(f"{url} answered {response.status_code}; the benchmark needs 200.")
            # Counted now: the next request's start empties the log.
            self.measured[name] = Result(name, 0.0, 0.0, len(captured), target, note)
        times = self.times.setdefault(name, [])
        for _number in range(self.repeat):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        result = self.measured[name]
        result.median, result.p95 = statistics.median(times), _percentile_95(times)
        self.out.write(f"  {name}: {result.median:.1f} ms ({result.queries} queries, {len(times)} timings)\n")
        self.out.flush()
        return result

    def first_visits_of(self, name: str, urls: list[str], *, note: str = "") -> Result:
        """Time each of ``urls`` once, none of them requested before: pages nobody has opened yet."""
        times = []
        for url in urls:
            started = time.perf_counter()
            response = self.staff.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise DatasetError(f"{url} answered {response.status_code}; the benchmark needs 200.")
        result = Result(name, statistics.median(times), _percentile_95(times), None, None, note)
        self.out.write(f"  {name}: {result.median:.1f} ms\n")
        self.out.flush()
        return result


def _machine() -> str:
    from django.db import connection

    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line]
        model = names[0] if names else model
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    import django

    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, Django {django.get_version()}, "
        f"{database}"
    )


def _reference_work() -> float:
    """Return the median milliseconds of a fixed piece of pure Python work, the machine's speed just now.

    Shared virtual machines run at different speeds from minute to minute (the same page can take
    half as long again); printed at the start of every pass and at the end of a run, this says how fast
    the machine was while it was measured, so that runs on different days can be compared. Nothing is scaled by it.
    """
    times = []
    for _round in range(9):
        started = time.perf_counter()
        total = 0
        for number in range(200_000):
            total += number % 7
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _calendar_week() -> datetime:
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
    for number in range(CALENDAR_APPOINTMENTS):
        day, hour = slots[number // len(coaches)]
        starts = start + timedelta(days=day, hours=hour)
        appointments.append(
            Appointment(client_id=people[number], coach_id=coaches[number % len(coaches)], service=service,
                        starts_at=starts, ends_at=starts + service.duration, status="booked")
        )  # fmt: skip
    week.delete()
    Appointment.objects.bulk_create(appointments)
    return start


def _long_records() -> dict[int, int]:
    """Return the long-standing clients of the generated register: appointments per client id."""
    from django.db.models import Count

    from bench.scale import LONG_RECORDS
    from bookings.models import Appointment

    wanted = [record.appointments for record in LONG_RECORDS]
    rows = Appointment.objects.values("client").annotate(n=Count("pk")).filter(n__in=wanted)
    return {row["n"]: row["client"] for row in rows}


def _search_terms():
    """Return a part of a common last name, a part of one email address and a phone number as typed."""
    from django.db.models import Count

    from clients.models import Client

    common = Client.objects.values("last_name").annotate(n=Count("pk")).order_by("-n", "last_name")[0]["last_name"]
    person = Client.objects.exclude(phone="").exclude(email="").order_by("pk")[500]
    local = person.email.split("@")[0]
    digits = str(person.phone).removeprefix("+358")
    return common[1:5].lower(), local[-10:], f"0{digits[:2]} {digits[2:5]} {digits[5:]}"


def _measure_lists(bench: Bench) -> None:
    from django.urls import reverse

    from bench.urls import STOCK_MODELS

    project_page, stock_page = 50, 100
    for model in STOCK_MODELS:
        meta = model._meta
        name = str(meta.verbose_name_plural)
        total = model._default_manager.count()
        project = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        stock = reverse(f"stock:{meta.app_label}_{meta.model_name}_changelist")
        for label, page, stock_number in (
            ("first page", 1, 1),
            ("middle page", total // 2 // project_page + 1, total // 2 // stock_page + 1),
        ):
            suffix = f"?p={page}" if page > 1 else ""
            ours = bench.page(f"{name}, {label}", project + suffix, target=LIST_TARGET_MS, note=f"{total:_} rows")
            theirs = bench.page(f"stock {name}, {label}", stock + (f"?p={stock_number}" if stock_number > 1 else ""))
            if bench.first_pass:
                bench.results.append(ours)
                bench.stock.append((f"{name}, {label}", ours, theirs))
        # A deep page is read from a remembered page start once one of it or of its neighbour is known;
        # these pages near the middle were opened by nobody before (every other page, none twice).
        middle = total // 2 // project_page
        if bench.first_pass and middle > 4 * bench.repeat:
            pages = [middle + 4 + 2 * number for number in range(bench.repeat)]
            bench.first_visits.append(
                bench.first_visits_of(
                    f"{name}, a deep page opened first", [f"{project}?p={page}" for page in pages],
                    note="information: found along the index (no target)",
                )
            )  # fmt: skip


def _measure_pages(bench: Bench, name: str, email: str, phone: str, person: int | None, week: datetime) -> None:
    """Measure the lists, the searches, the person page and the calendar (one pass)."""
    pages = []
    _measure_lists(bench)
    for label, term in (("name", name), ("email", email), ("phone", phone)):
        pages.append(
            bench.page(f"people search by part of a {label} ({term!r})", f"/admin/clients/client/?q={term}",
                       target=SEARCH_TARGET_MS)
        )  # fmt: skip
    if person:
        pages.append(
            bench.page("person page (500 appointments, 100 invoices, 200 emails)",
                       f"/admin/clients/client/{person}/change/", target=PERSON_TARGET_MS)
        )  # fmt: skip
    pages.append(
        bench.page(
            f"calendar week, all coaches ({CALENDAR_APPOINTMENTS} appointments)",
            f"/admin/bookings/appointment/calendar/?date={week:%Y-%m-%d}",
            target=CALENDAR_TARGET_MS,
        )
    )
    if bench.first_pass:
        bench.results.extend(pages)


def _measure_package(bench: Bench, person_id: int) -> None:
    from datetime import date

    from clients.models import Client
    from privacy.packages import subject_of, write_package
    from privacy.requests import record_request
    from register.declarations import export_sections

    person = Client.objects.get(pk=person_id)
    request = record_request(
        received_on=date.today(), kind="access", channel="email", name=person.full_name, email=person.email
    )
    request.people.add(person)
    try:
        rows = sum(section.rows.count() for section in export_sections(subject_of(request)))
        times = []
        for _number in range(3):
            with tempfile.TemporaryFile() as target:
                started = time.perf_counter()
                write_package(request, target)
                times.append((time.perf_counter() - started) * 1000)
                size = target.tell()
        with tempfile.TemporaryFile() as target:
            tracemalloc.start()
            write_package(request, target)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        note = f"{rows:_} rows, zip {size / 1e6:.1f} MB, peak Python memory {peak / 1e6:.1f} MB"
        bench.results.append(
            Result(
                "access package (streamed zip)", statistics.median(times), max(times), None, PACKAGE_TARGET_MS, note
            )
        )
        bench.out.write(f"  access package: {statistics.median(times):.0f} ms, {note}\n")
    finally:
        request.delete()


def _measure_notice(bench: Bench) -> tuple[float, float, float]:
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
    bench.out.write(f"  notice: {notice:.0f} requests/s, minimal view: {minimal:.0f} requests/s, {share:.0%}\n")
    return notice, minimal, share


def _table(results: list[Result]) -> list[str]:
    lines = [
        "| Target | Median ms | p95 ms | Queries | Target ms | Ratio | Met | |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for result in results:
        ratio = f"{result.ratio:.2f}" if result.ratio is not None else "–"
        met = "–" if result.met is None else ("yes" if result.met else "**no**")
        queries = "–" if result.queries is None else str(result.queries)
        target = f"{result.target:.0f}" if result.target else "–"
        lines.append(
            f"| {result.name} | {result.median:.1f} | {result.p95:.1f} | {queries} | {target} | {ratio} | {met} "
            f"| {result.note} |"
        )
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=int(os.environ.get("BENCH_PEOPLE", DEFAULT_PEOPLE)))
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page and pass (default 10)")
    parser.add_argument("--passes", type=int, default=3, help="passes over all the pages (default 3)")
    parser.add_argument("--report", type=Path, help="where to write the tables (default bench/.data/last-<db>.md)")
    parser.add_argument("--rebuild", action="store_true", help="drop the data set and generate it again")
    args = parser.parse_args(argv)
    if args.people < 1000 or args.repeat < 2 or args.passes < 1:
        parser.error("--people must be at least 1000, --repeat at least 2 and --passes at least 1")
    out = sys.stdout
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / f'bench-{args.people}.sqlite3'}"
    try:
        prepare_database(database_url, rebuild=args.rebuild)
        os.environ["DATABASE_URL"] = database_url
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        import django

        django.setup()
        gc.freeze()  # as register/wsgi.py does once the application is loaded
        from django.contrib.auth import get_user_model
        from django.db import connection

        from billing.models import Invoice
        from bookings.models import Appointment
        from clients.models import Client

        seeded = None
        if not get_user_model().objects.exists():
            seeded = seed(database_url, args.people, out)
            vacuum(database_url)
            connection.close()
        elif Client.objects.count() < args.people:
            raise DatasetError(
                f"The database at DATABASE_URL holds another register than {args.people:_} people: run with --rebuild."
            )
        calendar_week = _calendar_week()
        sizes = (
            f"{Client.objects.count():_} people, {Appointment.objects.count():_} appointments, "
            f"{Invoice.objects.count():_} invoices"
        )
        made = f"generated in {seeded:.0f} s" if seeded else "reused"
        out.write(f"Data set: {sizes} ({made})\n")
        speeds = []
        bench = Bench(args.repeat, out)
        long_records = _long_records()
        name, email, phone = _search_terms()

        out.write("Measuring ...\n")
        # Every page is measured in each pass, and its timings of all passes make its figures: a minute
        # when the shared machine runs slow then weighs on every page a little instead of on one page.
        for pass_number in range(args.passes):
            speeds.append(_reference_work())
            bench.first_pass = pass_number == 0
            out.write(f"Pass {pass_number + 1} of {args.passes}\n")
            _measure_pages(bench, name, email, phone, long_records.get(500), calendar_week)
        if long_records:
            _measure_package(bench, long_records[max(long_records)])
        notice, minimal, share = _measure_notice(bench)
        speeds.append(_reference_work())
    except DatasetError as error:
        sys.exit(f"bench: {error}")

    timed = [result for result in bench.results if result.target is not None]
    missed = [result.name for result in timed if not result.met] + ([] if share >= NOTICE_SHARE else ["notice"])
    verdict = f"Targets met: {len(timed) + 1 - len(missed)} of {len(timed) + 1}" + (
        f"; not met: {', '.join(missed)}." if missed else ", every one."
    )
    report = [
        f"Machine: {_machine()}",
        "Machine speed: a fixed piece of Python work took "
        + ", ".join(f"{speed:.1f}" for speed in speeds)
        + " ms at the start of each pass and at the end of the run (lower is faster).",
        f"Data set: {sizes}"
        + (f"; generated by seed_demo --people {args.people} in {seeded:.0f} s" if seeded else ""),
        verdict,
        "",
        *_table(bench.results),
        "",
        "Deep pages opened for the first time (no page start remembered yet), for information:",
        "",
        *_table(bench.first_visits),
        "",
        f"Privacy notice from the cache: {notice:.0f} requests/s against {minimal:.0f} for a minimal view sending "
        f"the same bytes; in rounds measured in pairs, a median {share:.0%} of the minimal view's rate; target at "
        f"least {NOTICE_SHARE:.0%}: {'met' if share >= NOTICE_SHARE else '**not met**'}.",
        "",
        "| List | Project median ms (queries) | Stock ModelAdmin median ms (queries) | Speed-up |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {ours.median:.1f} ({ours.queries}) | {theirs.median:.1f} ({theirs.queries}) "
            f"| {theirs.median / ours.median:.1f}× |"
            for name, ours, theirs in bench.stock
        ),
    ]
    text = "\n".join(report) + "\n"
    out.write("\n" + text)
    report_path = args.report or DATA_DIR / f"last-{connection.vendor}.md"
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(text)

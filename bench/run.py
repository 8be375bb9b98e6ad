"""Measure the back office as staff meet it, at one or more register sizes, and print the issue's targets.

    python -m bench [--people N [N ...]] [--repeat R] [--rebuild] [--report FILE]

Each size is measured in a process of its own, in its own database: ``DATABASE_URL``'s database with
the size added to its name (``bench`` becomes ``bench10k`` and ``bench100k``; on SQLite the file
``bench/.data/bench-N.sqlite3`` unless ``DATABASE_URL`` names one), generated on first use and kept.
For every size it measures, as a signed-in owner with production settings:

- over HTTP (gunicorn, two workers, a session cookie), each page's first visits and warm visits;
- in-process (Django's test client), the same: medians, 95th percentiles, queries and bytes, and each
  list beside a tuned stock ModelAdmin over the same models (bench/urls.py);
- the cached privacy notice's throughput against a minimal view sending the same bytes;
- batch work (bench/batch.py): rows per second and peak memory, each job in a child process.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.dataset import BASE_DIR, DatasetError, prepare_database, seed, vacuum

DEFAULT_PEOPLE = [10_000, 100_000]
DATA_DIR = BASE_DIR / "bench" / ".data"

# The targets of issue 18, in milliseconds unless named otherwise.
LIST_WARM_MEDIAN, LIST_FIRST_P95, DEEP_FIRST_P95 = 35, 60, 60
PERSON_FIRST, CALENDAR_FIRST, DASHBOARD_FIRST = 100, 80, 300
CALENDAR_MAX_BYTES, STOCK_RATIO, NOTICE_SHARE = 150_000, 1.1, 0.90
IMPORT_RATE, BULK_RATE = 1_000, 10_000
# Memory is "flat" when the larger register's peak is at most this share of the smaller one's, plus a
# little for the allocator's rounding.
FLAT_SHARE, FLAT_SLACK_MB = 1.5, 10

BATCH_JOBS = [
    ("people_import", "people CSV import", IMPORT_RATE),
    ("mailchimp_batch", "Mailchimp batch", BULK_RATE),
    ("purge", "purge_expired", BULK_RATE),
    ("camt_import", "camt.054 import", IMPORT_RATE),
    ("backup", "backup", None),
    ("restore", "restore", None),
    ("access_package", "access package", None),
]


def database_for(database_url: str | None, people: int) -> str:
    """Return the database URL of the register of ``people`` people."""
    label = f"{people // 1000}k" if people % 1000 == 0 else str(people)
    if not database_url:
        return f"sqlite:///{DATA_DIR / f'bench-{people}.sqlite3'}"
    if database_url.startswith("sqlite"):
        scheme, _separator, name = database_url.partition(":///")
        path = Path(name)
        return f"{scheme}:///{path.with_name(f'{path.stem}-{label}{path.suffix}')}"
    parts = urlsplit(database_url)
    return urlunsplit((*parts[:2], f"{parts.path.rstrip('/')}{label}", *parts[3:]))


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

    Shared virtual machines run at different speeds from minute to minute; printed with the figures,
    this says how fast the machine was while it was measured. Nothing is scaled by it.
    """
    times = []
    for _round in range(9):
        started = time.perf_counter()
        total = 0
        for number in range(200_000):
            total += number % 7
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _batch_job(name: str, rows: int, env: dict, timeout: float) -> dict:
    """Run one batch job in a child process; stop it after ``timeout`` seconds (its transaction rolls back)."""
    child = subprocess.Popen(  # noqa: S603 - this package's own module with fixed arguments
        [sys.executable, "-m", "bench.batch", name, str(rows)],
        env=env, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        stdout, stderr = child.communicate()
        announced = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
        started = announced[0]["rows"] if announced else 0
        return {"rows": started, "stopped": timeout, "note": f"stopped after {timeout:.0f} s"}
    if child.returncode:
        raise DatasetError(f"batch job {name} failed: {stderr.strip().splitlines()[-1:]}")
    return json.loads(stdout.splitlines()[-1])


def _run_batch(database_url: str, rows: int, timeout: float, out) -> list[dict]:
    """Run each batch job in a child process; the restore goes into a new database of its own."""
    from cryptography.fernet import Fernet

    results = []
    with tempfile.TemporaryDirectory(prefix="register-bench-batch-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BACKUP_KEY": Fernet.generate_key().decode(),
            "BENCH_BACKUP_DIR": folder,
            "PYTHONPATH": str(BASE_DIR),
        }
        restore_url = None
        for name, label, target in BATCH_JOBS:
            job_env = env
            if name == "restore":
                backup = next((r for r in results if r["job"] == "backup" and r.get("archive")), None)
                if backup is None:
                    continue
                restore_url = _scratch_database(database_url, folder)
                job_env = {**env, "DATABASE_URL": restore_url, "BENCH_ARCHIVE": backup["archive"]}
                rows_of_job = backup["rows"]
            else:
                rows_of_job = rows
            figures = {
                "job": name,
                "label": label,
                "target": target,
                **_batch_job(name, rows_of_job, job_env, timeout),
            }
            results.append(figures)
            if figures.get("stopped"):
                out.write(f"  {label}: stopped after {timeout:.0f} s ({figures['rows']:_} rows)\n")
            elif figures.get("seconds"):
                out.write(
                    f"  {label}: {figures['rows']:_} rows in {figures['seconds']:.1f} s, "
                    f"{figures['rows'] / figures['seconds']:_.0f} rows/s, peak +{figures['peak_mb']:.0f} MB\n"
                )
            else:
                out.write(f"  {label}: {figures['note']}\n")
            out.flush()
        if restore_url:
            _drop_scratch_database(restore_url)
    return results


def _scratch_database(database_url: str, folder: str) -> str:
    """Return the URL of a new, empty database for the restore (a file in ``folder`` on SQLite)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{Path(folder) / 'restored.sqlite3'}"
    from bench.dataset import _postgres_admin

    url = f"{database_url.rstrip('/')}_restore"
    name, connection = _postgres_admin(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url


def _drop_scratch_database(url: str) -> None:
    if url.startswith("postgres"):
        from bench.dataset import _postgres_admin

        name, connection = _postgres_admin(url)
        with connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def measure_size(args, people: int, out) -> dict:
    """Measure one register size in this process; return every figure (written as JSON by --json)."""
    database_url = os.environ.get("DATABASE_URL") or database_for(None, people)
    prepare_database(database_url, rebuild=args.rebuild)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    gc.freeze()  # as register/wsgi.py does once the application is loaded
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as TestClient

    from bench.http import measure_http
    from bench.pages import measure_notice, measure_pages
    from billing.models import Invoice
    from bookings.models import Appointment
    from clients.models import Client
    from tests.auth import sign_in

    seeded = None
    if not get_user_model().objects.exists():
        seeded = seed(database_url, people, out)
    elif Client.objects.count() < people:
        raise DatasetError(f"{database_url} holds another register than {people:_} people: run with --rebuild.")
    # A reused data set carries the dead rows of the last run's rolled-back batch jobs and of migrations;
    # autovacuum would have cleaned them up on a running server, so every run starts from that state.
    vacuum(database_url)
    connection.close()
    sizes = (
        f"{Client.objects.count():_} people, {Appointment.objects.count():_} appointments, "
        f"{Invoice.objects.count():_} invoices"
    )
    out.write(f"Data set: {sizes} ({f'generated in {seeded:.0f} s' if seeded else 'reused'})\n")
    staff = TestClient()
    sign_in(staff, get_user_model().objects.filter(is_superuser=True).order_by("pk").first())
    result = {"people": people, "sizes": sizes, "machine": _machine(), "speed": [_reference_work()]}
    out.write("Pages in-process (first visits, warm visits, and the tuned stock admin) ...\n")
    result["pages"] = measure_pages(staff, args.repeat, out)
    result["notice"] = measure_notice(out)
    result["speed"].append(_reference_work())
    if not args.no_http:
        out.write("Pages over HTTP (gunicorn, 2 workers) ...\n")
        session = staff.cookies[settings.SESSION_COOKIE_NAME].value
        connection.close()
        result["http"] = measure_http(session, args.http_visits or args.repeat, args.http_budget, out)
    if not args.no_batch:
        out.write("Batch work ...\n")
        connection.close()
        result["batch"] = _run_batch(database_url, args.batch_rows, args.batch_timeout, out)
    result["speed"].append(_reference_work())
    return result


# The report ------------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _kb(value: int | None) -> str:
    return "–" if value is None else f"{value / 1000:.0f}"


class Verdicts:
    """Every target checked, in order: (what, figure, target, met)."""

    def __init__(self):
        self.checked: list[tuple[str, bool]] = []

    def check(self, what: str, figure: float, limit: float, *, at_least: bool = False, unit: str = "ms") -> str:
        met = figure >= limit if at_least else figure <= limit
        self.checked.append((what, met))
        sign = "≥" if at_least else "≤"
        return f"{sign} {limit:g}{(' ' + unit) if unit else ''}: {'met' if met else '**missed**'}"

    def line(self) -> str:
        missed = [what for what, met in self.checked if not met]
        met = len(self.checked) - len(missed)
        return f"Targets met: {met} of {len(self.checked)}" + (
            f"; missed: {'; '.join(missed)}." if missed else ", every one."
        )


def _page_targets(page: dict, label: str, verdicts: Verdicts) -> list[str]:
    name, kind = f"{page['name']} ({label})", page["kind"]
    if kind == "list":
        return [
            "warm median " + verdicts.check(f"{name} warm median", page["warm_median"], LIST_WARM_MEDIAN),
            "first p95 " + verdicts.check(f"{name} first-visit p95", page["first_p95"], LIST_FIRST_P95),
        ]
    if kind == "deep":
        return ["first p95 " + verdicts.check(f"{name} first-visit p95", page["first_p95"], DEEP_FIRST_P95)]
    if kind == "person":
        return ["first median " + verdicts.check(f"{name} first visit", page["first_median"], PERSON_FIRST)]
    if kind == "calendar":
        return [
            "first median " + verdicts.check(f"{name} first visit", page["first_median"], CALENDAR_FIRST),
            "HTML " + verdicts.check(f"{name} HTML size", page["size"] / 1000, CALENDAR_MAX_BYTES / 1000, unit="KB"),
        ]
    if kind == "dashboard":
        return ["first median " + verdicts.check(f"{name} first visit", page["first_median"], DASHBOARD_FIRST)]
    return []


def report(results: list[dict], repeat: int) -> str:
    verdicts = Verdicts()
    labels = {result["people"]: f"{result['people']:_} people" for result in results}
    lines = [f"Machine: {results[0]['machine']}"]
    for result in results:
        lines.append(
            f"Register of {labels[result['people']]}: {result['sizes']}; a fixed piece of Python work took "
            + ", ".join(f"{speed:.1f}" for speed in result["speed"])
            + " ms at the start, middle and end (lower is faster)."
        )
    verdict_at = len(lines)

    with_http = [result for result in results if result.get("http")]
    if with_http:
        lines += [
            "",
            f"### Over HTTP: gunicorn, 2 workers, signed in (95th percentile of {with_http[0]['http'][0]['visits']} "
            "visits each, ms)",
            "",
            "| Page | " + " | ".join(f"{labels[r['people']]}: first visit | warm" for r in with_http) + " |",
            "|---|" + "---:|---:|" * len(with_http),
        ]
        names = [page["name"] for page in with_http[0]["http"]]
        for name in names:
            cells = []
            for result in with_http:
                found = next((page for page in result["http"] if page["name"] == name), None)
                cells += [_ms(found and found["first_p95"]), _ms(found and found["warm_p95"])]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")

    for result in results:
        label = labels[result["people"]]
        lines += [
            "",
            f"### Pages in-process, {label}: first visit after a change (cache emptied) and warm, "
            f"{repeat} visits each (ms)",
            "",
            "| Page | First median | First p95 | Warm median | Warm p95 | Queries first/warm | KB (gzip) | Targets |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for page in result["pages"]:
            size = _kb(page["size"]) + (f" ({_kb(page['gzip_size'])})" if page["gzip_size"] else "")
            targets = "; ".join(_page_targets(page, label, verdicts)) or "–"
            lines.append(
                f"| {page['name']} | {_ms(page['first_median'])} | {_ms(page['first_p95'])} "
                f"| {_ms(page['warm_median'])} | {_ms(page['warm_p95'])} "
                f"| {page['first_queries']}/{page['warm_queries']} | {size} | {targets} |"
            )
        # Compressed where it is safe (register/compression.py): the calendar, and the public pages for
        # visitors who are not signed in; the other back-office pages write a request's input next to
        # personal data (BREACH) and are sent plain by design.
        compressed = [page["name"] for page in result["pages"] if page["gzip_size"]]
        calendar_compressed = any(name.startswith("calendar") for name in compressed)
        lines += [
            "",
            f"Back-office pages sent compressed (gzip): {', '.join(compressed) or 'none'}; the calendar "
            "compressed, the pages that echo a search or filter next to personal data plain: "
            + ("met" if calendar_compressed else "**missed**"),
        ]
        verdicts.checked.append((f"calendar HTML compressed ({label})", calendar_compressed))
        notice = result["notice"]
        lines += [
            "",
            f"Privacy notice from the cache, {label}: {notice['notice']:.0f} requests/s against "
            f"{notice['minimal']:.0f} for a minimal view sending the same bytes, a median "
            f"{notice['share']:.0%} of its rate in paired rounds; target "
            + verdicts.check(f"notice throughput ({label})", notice["share"] * 100, NOTICE_SHARE * 100,
                             at_least=True, unit="%"),
        ]  # fmt: skip

    lines += [
        "",
        f"### Beside a tuned stock ModelAdmin (bench/urls.py), ratio project / stock, target ≤ {STOCK_RATIO}",
        "",
        "| List | People | Project warm median ms | Stock warm median ms | Ratio | First-visit ratio "
        "| Queries project/stock | Target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        label = labels[result["people"]]
        for page in result["pages"]:
            stock = page.get("stock")
            if not stock:
                continue
            ratio = page["warm_median"] / stock["warm_median"]
            first_ratio = page["first_median"] / stock["first_median"]
            target = verdicts.check(f"{page['name']} ({label}) against stock", ratio, STOCK_RATIO, unit="")
            lines.append(
                f"| {page['name']} | {result['people']:_} | {_ms(page['warm_median'])} | {_ms(stock['warm_median'])} "
                f"| {ratio:.2f} | {first_ratio:.2f} | {page['warm_queries']}/{stock['warm_queries']} | {target} |"
            )

    with_batch = [result for result in results if result.get("batch")]
    if with_batch:
        lines += [
            "",
            "### Batch work: rows per second and peak memory (growth of the child process's peak resident set, "
            "resource.getrusage ru_maxrss; programs it started, such as pg_dump, apart)",
            "",
            "| Job | People | Rows | Seconds | Rows/s | Target | Peak MB (started programs) | |",
            "|---|---:|---:|---:|---:|---|---:|---|",
        ]
        for result in with_batch:
            label = labels[result["people"]]
            for job in result["batch"]:
                if job.get("stopped"):
                    # Stopped: the rate was below what finishing within the time allowed would have needed.
                    rate = job["rows"] / job["stopped"]
                    target = (
                        verdicts.check(f"{job['label']} ({label})", 0, job["target"], at_least=True, unit="rows/s")
                        if job["target"]
                        else "–"
                    )
                    lines.append(
                        f"| {job['label']} | {result['people']:_} | {job['rows']:_} | > {job['stopped']:.0f} "
                        f"| < {rate:_.0f} | {target} | – | {job['note']} |"
                    )
                    continue
                if not job.get("seconds"):
                    lines.append(f"| {job['label']} | {result['people']:_} | – | – | – | – | – | {job['note']} |")
                    continue
                rate = job["rows"] / job["seconds"]
                target = (
                    verdicts.check(f"{job['label']} ({label})", rate, job["target"], at_least=True, unit="rows/s")
                    if job["target"]
                    else "–"
                )
                helpers = f" ({job['helpers_mb']:.0f})" if job["helpers_mb"] else ""
                lines.append(
                    f"| {job['label']} | {result['people']:_} | {job['rows']:_} | {job['seconds']:.1f} "
                    f"| {rate:_.0f} | {target} | {job['peak_mb']:.0f}{helpers} | {job['note']} |"
                )
        if len(with_batch) > 1:
            small, large = with_batch[0], with_batch[-1]
            lines += [
                "",
                f"Memory bounded: the peak at {labels[large['people']]} at most {FLAT_SHARE:g} × the peak at "
                f"{labels[small['people']]} + {FLAT_SLACK_MB} MB.",
                "",
                f"| Job | Peak MB at {labels[small['people']]} | Peak MB at {labels[large['people']]} | Flat |",
                "|---|---:|---:|---|",
            ]
            for job in small["batch"]:
                other = next((j for j in large["batch"] if j["job"] == job["job"]), None)
                if not job.get("seconds") or not other or not other.get("seconds"):
                    continue
                limit = job["peak_mb"] * FLAT_SHARE + FLAT_SLACK_MB
                flat = verdicts.check(f"{job['label']} memory bounded", other["peak_mb"], limit, unit="MB")
                lines.append(f"| {job['label']} | {job['peak_mb']:.0f} | {other['peak_mb']:.0f} | {flat} |")

    lines += ["", verdicts.line()]
    lines.insert(verdict_at, verdicts.line())
    return "\n".join(lines) + "\n"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    default_people = [int(n) for n in os.environ.get("BENCH_PEOPLE", "").split()] or DEFAULT_PEOPLE
    parser.add_argument("--people", type=int, nargs="+", default=default_people,
                        help="register sizes to measure (default 10000 100000)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=20, help="first visits and warm visits per page (default 20)")
    parser.add_argument("--http-visits", type=int, help="visits of each kind per page over HTTP (default --repeat)")
    parser.add_argument("--http-budget", type=float, default=600, help="seconds for all the HTTP visits of a size")
    parser.add_argument("--batch-rows", type=int, default=10_000, help="rows of the imported CSV and camt.054 file")
    parser.add_argument("--batch-timeout", type=float, default=900, help="seconds after which a batch job is stopped")
    parser.add_argument("--no-http", action="store_true", help="leave out the measurement over HTTP")
    parser.add_argument("--no-batch", action="store_true", help="leave out the batch work")
    parser.add_argument("--report", type=Path, help="where to write the tables (default bench/.data/last-<db>.md)")
    parser.add_argument("--rebuild", action="store_true", help="drop the data sets and generate them again")
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)  # one size's figures, for the parent
    return parser


def main(argv=None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if min(args.people) < 100 or args.repeat < 2 or args.batch_rows < 1:
        parser.error("--people must be at least 100, --repeat at least 2 and --batch-rows at least 1")
    out = sys.stdout
    try:
        if args.json:
            result = measure_size(args, args.people[0], out)
            args.json.write_text(json.dumps(result))
            return
        results = []
        base_url = os.environ.get("DATABASE_URL")
        for people in args.people:
            out.write(f"== {people:_} people ==\n")
            out.flush()
            with tempfile.TemporaryDirectory(prefix="register-bench-") as folder:
                figures = Path(folder) / "figures.json"
                given = _without_people(list(argv if argv is not None else sys.argv[1:]))
                child_args = [*given, "--people", str(people), "--json", str(figures)]
                environment = {**os.environ, "DATABASE_URL": database_for(base_url, people)}
                finished = subprocess.run(  # noqa: S603 - this package's own entry point
                    [sys.executable, "-m", "bench", *child_args], env=environment, cwd=BASE_DIR, check=False
                )
                if finished.returncode:
                    sys.exit(finished.returncode)
                results.append(json.loads(figures.read_text()))
    except DatasetError as error:
        sys.exit(f"bench: {error}")
    text = report(results, args.repeat)
    out.write("\n" + text)
    vendor = "postgresql" if (os.environ.get("DATABASE_URL") or "").startswith("postgres") else "sqlite"
    report_path = args.report or DATA_DIR / f"last-{vendor}.md"
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(text)


def _without_people(arguments: list[str]) -> list[str]:
    """Return the command line without its --people sizes (each child is given its one size)."""
    kept, skipping = [], False
    for argument in arguments:
        if argument.startswith("--people"):
            skipping = "=" not in argument
            continue
        if skipping and argument.lstrip("-").replace("_", "").isdigit() and not argument.startswith("--"):
            continue
        skipping = False
        kept.append(argument)
    return kept

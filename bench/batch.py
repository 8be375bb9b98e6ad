"""Batch work in rows per second and peak memory, each job in a child process of its own.

    python -m bench.batch JOB ROWS   (run by the benchmark, which reads the JSON line it prints)

Memory is the growth of the child's peak resident set while the job runs (``resource.getrusage``'s
``ru_maxrss`` after the job less before it): what the job's Python objects, the database driver's
buffers and the libraries' C allocations took, measured without tracemalloc's slowing of every
allocation. Programs the job starts (pg_dump, pg_restore) are reported apart, with their own peak.
Jobs that write to the register do so in a transaction that is rolled back, so every run finds the
same register.
"""

from __future__ import annotations

import gc
import io
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

JOBS = {}


def job(function):
    JOBS[function.__name__] = function
    return function


class Clock:
    """Time a stretch of work and the growth of the process's peak memory over it, in megabytes.

    Entered, it prints the rows the job is about to work through (when the job has said, as
    ``clock.rows``), so that the benchmark can report a job it stopped for taking too long.
    """

    rows = 0

    def __enter__(self):
        print(json.dumps({"rows": self.rows}), flush=True)
        gc.collect()
        self.base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.seconds = time.perf_counter() - self.started
        self.peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - self.base) / 1024
        self.helpers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def register_rows() -> int:
    """Return the rows of every table of the register (the project's models, Django's own included)."""
    from django.apps import apps

    return sum(
        model._base_manager.count() for model in apps.get_models() if model._meta.managed and not model._meta.proxy
    )


@job
def people_import(rows: int, clock: Clock) -> dict:
    """Import a people CSV with the admin's import-export resource (a real import, not the preview)."""
    import tablib
    from django.db import transaction

    from clients.resources import ClientResource

    lines = ["first_name,last_name,email,phone,street_address,postal_code,city,country,date_of_birth,"
             "preferred_language,role"]  # fmt: skip
    for number in range(rows):
        lines.append(
            f"Testi,Henkilö{number},bench-import-{number}@example.invalid,040 {1_000_000 + number},"
            f"Kauppakatu {number % 90 + 1},00100,Helsinki,FI,{number % 28 + 1}.{number % 12 + 1}.1985,fi,client"
        )
    content = "\n".join(lines)
    clock.rows = rows
    with clock, transaction.atomic():
        dataset = tablib.Dataset().load(content, format="csv")
        result = ClientResource().import_data(dataset, dry_run=False, raise_errors=True)
        transaction.set_rollback(True)
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError("the generated CSV did not import cleanly")
    return {"rows": rows, "note": f"{len(content.encode()) / 1e6:.1f} MB CSV, each row validated and saved"}


@job
def mailchimp_batch(rows: int, clock: Clock) -> dict:
    """Build the Mailchimp batches: who must be subscribed or unsubscribed, and each call's payload."""
    from consents import mailchimp

    with clock:
        changes, unchanged = mailchimp.plan_changes()
        payloads = [
            mailchimp._payload(changes[start : start + mailchimp.BATCH_SIZE])
            for start in range(0, len(changes), mailchimp.BATCH_SIZE)
        ]
    return {
        "rows": len(changes) + unchanged,
        "note": f"{len(changes):_} changes in {len(payloads)} calls (no network: the calls are not made)",
    }


@job
def purge(rows: int, clock: Clock) -> dict:
    """Run purge_expired over the whole register."""
    from django.core.management import call_command
    from django.db import transaction

    from privacy.models import PurgeRun

    examined = clock.rows = register_rows()
    with clock, transaction.atomic():
        call_command("purge_expired", stdout=io.StringIO())
        summary = PurgeRun.objects.order_by("-pk").values_list("summary", flat=True).first() or ""
        transaction.set_rollback(True)
    removed = sum(int(line.split(": ", 1)[1].split()[0]) for line in summary.splitlines() if ": " in line)
    return {"rows": examined, "note": f"every table's rows; {removed:_} expired rows erased (then rolled back)"}


def camt054(iban: str, references: list[str], entries: int) -> bytes:
    """Return a camt.054 notification of ``entries`` booked incoming payments, paying ``references`` in turn."""
    payments = []
    for number in range(entries):
        reference = references[number % len(references)] if references else ""
        payments.append(
            f'<Ntry><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
            f"<BookgDt><Dt>{date.today():%Y-%m-%d}</Dt></BookgDt><AcctSvcrRef>BENCH-E{number}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls><Refs><AcctSvcrRef>BENCH-{os.getpid()}-{number}</AcctSvcrRef></Refs>"
            f'<AmtDtls><TxAmt><Amt Ccy="EUR">10.00</Amt></TxAmt></AmtDtls>'
            f"<RltdPties><Dbtr><Nm>Maksaja {number}</Nm></Dbtr></RltdPties>"
            f"<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{reference}</Ref>"
            f"</CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn>'
        f"<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>{date.today():%Y-%m-%d}T18:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>N1</Id><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>{''.join(payments)}</Ntfctn>"
        "</BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()


@job
def camt_import(rows: int, clock: Clock) -> dict:
    """Import a camt.054 bank file, its payments matched to the register's issued invoices by reference."""
    from django.db import transaction

    from billing.camt import import_camt054
    from billing.models import Invoice
    from register.models import Organisation

    organisation = Organisation.current()
    issued = Invoice.objects.exclude(reference="").order_by("-pk").values_list("reference", flat=True)
    content = camt054(organisation.iban if organisation else "", list(issued[:rows]), rows)
    clock.rows = rows
    with clock, transaction.atomic():
        result = import_camt054(content=content, file_name="bench.xml")
        transaction.set_rollback(True)
    return {
        "rows": len(result.payments),
        "note": f"{len(content) / 1e6:.1f} MB file; {result.matched:_} matched, {result.unmatched:_} unmatched",
    }


@job
def backup(rows: int, clock: Clock) -> dict:
    """Run the backup command over the whole register into the folder BENCH_BACKUP_DIR."""
    from django.core.management import call_command

    folder = Path(os.environ["BENCH_BACKUP_DIR"])
    examined = clock.rows = register_rows()
    with clock:
        call_command("backup", output_dir=folder, stdout=io.StringIO())
    archive = next(folder.glob("*.backup"))
    return {"rows": examined, "note": f"archive {archive.stat().st_size / 1e6:.1f} MB", "archive": str(archive)}


@job
def restore(rows: int, clock: Clock) -> dict:
    """Run the restore command with the archive BENCH_ARCHIVE into this (new, empty) database."""
    from django.core.management import call_command

    clock.rows = rows
    with clock:
        call_command("restore", os.environ["BENCH_ARCHIVE"], yes=True, stdout=io.StringIO())
    return {"rows": rows, "note": "into a new database (the rows the backup held)"}


@job
def access_package(rows: int, clock: Clock) -> dict:
    """Write the access package (a streamed zip) of the longest record in the register."""
    from django.db import transaction

    from bench.pages import long_records
    from clients.models import Client
    from privacy.packages import subject_of, write_package
    from privacy.requests import record_request
    from register.declarations import export_sections

    records = long_records()
    if not records:
        return {"rows": 0, "note": "no long record in this register"}
    person = Client.objects.get(pk=records[max(records)])
    with transaction.atomic():
        request = record_request(
            received_on=date.today(), kind="access", channel="email", name=person.full_name, email=person.email
        )
        request.people.add(person)
        written = clock.rows = sum(section.rows.count() for section in export_sections(subject_of(request)))
        with tempfile.TemporaryFile() as target, clock:
            write_package(request, target)
            size = target.tell()
        transaction.set_rollback(True)
    return {"rows": written, "note": f"zip {size / 1e6:.1f} MB"}


def main() -> None:
    name, rows = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    gc.freeze()
    clock = Clock()
    figures = JOBS[name](rows, clock)
    if figures["rows"]:
        figures.update(seconds=clock.seconds, peak_mb=clock.peak_mb, helpers_mb=clock.helpers_mb)
    print(json.dumps(figures))  # the parent reads this line


if __name__ == "__main__":
    main()

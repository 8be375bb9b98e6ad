"""What the backup tests share: settings of their own, databases to compare, a manage.py to run."""

import hashlib
import io
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from billing.services import issue_invoice, record_payment
from consents.models import Purpose
from consents.services import record_event
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    CoachFactory,
    EmailAttachmentFactory,
    FeedbackFactory,
    GuardianFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    ReceivedEmailFactory,
    StaffNoteFactory,
)

PROJECT = Path(__file__).resolve().parents[2]
KEY = Fernet.generate_key().decode()


@pytest.fixture
def backup_settings(settings, tmp_path):
    """Give the test its own key, archive folder, uploaded files and erasure journal."""
    settings.BACKUP_KEY = KEY
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ERASURE_JOURNAL = tmp_path / "journal" / "erasures.jsonl"
    return settings


@dataclass
class Database:
    """A database read with the driver itself (sqlite3 or psycopg), the same way on both sides."""

    vendor: str
    url: str
    connect: Callable

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        with closing(self.connect()) as database:
            cursor = database.cursor()
            cursor.execute(sql, params)
            return cursor.fetchall()

    def tables(self) -> dict[str, tuple[int, str]]:
        """Return each table's row count and a SHA-256 of its rows, sorted (and PostgreSQL's sequences)."""
        if self.vendor == "sqlite":
            names = [row[0] for row in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
        else:
            names = [row[0] for row in self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        result = {}
        with closing(self.connect()) as database:
            cursor = database.cursor()
            for name in sorted(names):
                cursor.execute(f'SELECT * FROM "{name}"')  # noqa: S608 - names come from the catalogue
                rows = sorted(repr(row) for row in cursor.fetchall())
                result[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
            if self.vendor == "postgresql":
                cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
                for name, value in cursor.fetchall():
                    result[f"sequence {name}"] = (value, "")
        return result


def _postgres_params(name: str) -> dict:
    settings = connection.settings_dict
    return {
        "dbname": name,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
    }


def _postgres_url(name: str) -> str:
    settings = connection.settings_dict
    auth = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        auth += ":" + quote(settings["PASSWORD"], safe="")
    return f"postgres://{auth}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{name}"


def current_database() -> Database:
    """Return the test run's own database."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return Database("sqlite", f"sqlite:///{name}", lambda: sqlite3.connect(name))
    import psycopg

    return Database("postgresql", _postgres_url(name), lambda: psycopg.connect(**_postgres_params(name)))


@pytest.fixture
def fresh_database(tmp_path):
    """Return a maker of new, empty databases of the test run's vendor (dropped afterwards)."""
    created = []

    def make(label: str) -> Database:
        if connection.vendor == "sqlite":
            path = tmp_path / f"{label}.sqlite3"
            return Database("sqlite", f"sqlite:///{path}", lambda: sqlite3.connect(path))
        import psycopg

        name = f"backup_drill_{label}_{secrets.token_hex(4)}"
        with psycopg.connect(**_postgres_params("postgres"), autocommit=True) as server:
            server.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return Database("postgresql", _postgres_url(name), lambda: psycopg.connect(**_postgres_params(name)))

    yield make
    if created:
        import psycopg

        with psycopg.connect(**_postgres_params("postgres"), autocommit=True) as server:
            for name in created:
                server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args, database: str, media_root: Path, journal: Path, key: str = KEY) -> subprocess.CompletedProcess:
    """Run manage.py in a process of its own with production-like settings and the given targets.

    The test settings put uploaded files into a temporary folder of their own, so the subprocess uses
    the real settings module; the test run's secrets are already in the environment.
    """
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "register.settings",
            "ENV_FILE": "",
            "DEBUG": "false",
            "DATABASE_URL": database,
            "MEDIA_ROOT": str(media_root),
            "ERASURE_JOURNAL": str(journal),
            "BACKUP_KEY": key,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=240
    )


def files_under(folder: Path) -> dict[str, str]:
    """Return each file under ``folder`` by relative path, with the SHA-256 of its content."""
    folder = Path(folder)
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def fill_register() -> dict:
    """Fill the database with a small but realistic register; return the people the tests look at."""
    coach = CoachFactory()
    person = ClientFactory(
        first_name="Aino",
        last_name="Äijälä",
        email="aino.aijala@example.fi",
        date_of_birth=date(1990, 5, 17),
        coach=coach.user,
        background="Polvi leikattu 2024; tavoitteena juoksu.",
    )
    StaffNoteFactory(client=person, text="Varo syviä kyykkyjä ensimmäisellä kuukaudella.")
    attachment = EmailAttachmentFactory(
        email__client=person, file__filename="lääkärintodistus.pdf", file__data=b"%PDF-1.4\n" + b"\x00\xff" * 2000
    )
    AppointmentFactory(client=person, coach=coach.user, status="attended", notes="Polvi kipeä")
    invoice = InvoiceFactory(client=person)
    InvoiceLineFactory(invoice=invoice)
    invoice = issue_invoice(invoice=invoice, on=date(2026, 3, 1))
    record_payment(invoice=invoice, amount=invoice.total_gross, paid_on=date(2026, 3, 5), payer_name="Aino Äijälä")
    purpose = Purpose.objects.get(code="email_marketing")
    record_event(client=person, kind="granted", purpose=purpose, channel="web", recorded_by="person")

    others = ClientFactory.create_batch(12, coach=coach.user)
    kept = EmailAttachmentFactory(email__client=others[0], file__filename="ohjelma.txt", file__data=b"Viikko 1: ...")
    ReceivedEmailFactory.create_batch(3, client=others[1])
    StaffNoteFactory.create_batch(4, client=others[2])
    GuardianFactory.create_batch(2)
    FeedbackFactory(appointment__client=others[3], score=4)
    other_invoice = InvoiceFactory(client=others[4])
    InvoiceLineFactory(invoice=other_invoice, unit_price=Decimal("55.00"))
    issue_invoice(invoice=other_invoice, on=date(2026, 4, 1))
    return {
        "person": person,
        "attachment": attachment.file.name,
        "kept_attachment": kept.file.name,
        "others": others,
    }


def make_archive(**options) -> Path:
    """Run the backup command in this process and return the archive it wrote."""
    from django.conf import settings

    options.setdefault("stdout", io.StringIO())
    call_command("backup", **options)
    archives = sorted(Path(options.get("output_dir") or settings.BACKUP_DIR).glob("register-*.backup"))
    return archives[-1]

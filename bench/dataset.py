"""The benchmark's data set: made once with ``python -m bench.generate --people N`` and kept for later runs.

On SQLite it is a file under ``bench/.data/``; on PostgreSQL a database of its own (``bench`` by
default), created when missing. A database that already holds a register of the right size is reused;
``--rebuild`` drops it and makes it again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent


class DatasetError(SystemExit):
    """A one-line reason why the data set cannot be used, printed instead of a traceback."""


def _python(*arguments: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py or generator with fixed arguments
        [sys.executable, *arguments], cwd=BASE_DIR, env=env, check=False, text=True, capture_output=True
    )


def _command_env(database_url: str) -> dict:
    # The migrations and the generator run with the project's own settings and DEBUG on (the small demo
    # asks for it).
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true", "ENV_FILE": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _postgres_admin(database_url: str):
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit((parts.scheme.replace("postgres", "postgresql", 1), parts.netloc, "/postgres", "", ""))
    return name, psycopg.connect(maintenance, autocommit=True)


def prepare_database(database_url: str, *, rebuild: bool) -> None:
    """Create the benchmark's database (dropping it first on ``rebuild``) and bring its schema up to date."""
    if database_url.startswith("sqlite"):
        path = Path(urlsplit(database_url).path)
        if rebuild and path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
    elif database_url.startswith("postgres"):
        name, connection = _postgres_admin(database_url)
        with connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if rebuild and exists:
                connection.execute(f'DROP DATABASE "{name}"')
                exists = None
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
    else:
        raise DatasetError(f"The benchmark runs on SQLite or PostgreSQL, not {urlsplit(database_url).scheme}.")
    result = _python(str(BASE_DIR / "manage.py"), "migrate", "--no-input", env=_command_env(database_url))
    if result.returncode:
        raise DatasetError(f"migrate failed: {(result.stderr or result.stdout).strip().splitlines()[-1]}")


def seed(database_url: str, people: int, out) -> float:
    """Generate the register with ``bench.generate``; return how long it took, in seconds."""
    out.write(f"Generating a register of {people:_} people (python -m bench.generate --people {people}) ...\n")
    out.flush()
    started = time.perf_counter()
    arguments = ("-m", "bench.generate", "--people", str(people), "--verbosity", "2")
    result = _python(*arguments, env=_command_env(database_url))
    elapsed = time.perf_counter() - started
    if result.returncode:
        raise DatasetError(f"The generator failed: {(result.stderr or result.stdout).strip().splitlines()[-1]}")
    for line in result.stdout.splitlines():
        if line.startswith(("clients", "bookings", "billing", "consents", "privacy", "  ", "Demo data", "A register")):
            out.write(f"  {line.strip()}\n")
    return elapsed


def vacuum(database_url: str) -> None:
    """Let PostgreSQL mark the freshly loaded pages all-visible, as autovacuum soon would.

    Until then an index-only scan (a deep page of a list) still visits every row it passes in the table.
    """
    if database_url.startswith("postgres"):
        import psycopg

        parts = urlsplit(database_url)
        with psycopg.connect(urlunsplit(("postgresql", *parts[1:])), autocommit=True) as connection:
            connection.execute("VACUUM (ANALYZE)")

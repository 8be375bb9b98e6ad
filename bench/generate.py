"""Generate a large register to measure: the small demo of ``seed_demo``, then N people with everything in proportion.

    DEBUG=true python -m bench.generate --people N [--verbosity 2]

Into an empty database only (``DATABASE_URL``), with the project's own settings; ``python -m bench``
runs it once to make its data set. Each app's rows are written by its module in ``bench/scale/``, in
the order of the dependency direction, so that each finds the rows of the apps below it: people,
appointments, invoices with payments, consents, data requests and access log entries.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

MAX_PEOPLE = 10_000_000


class GenerateError(SystemExit):
    """A one-line reason why the register cannot be generated, printed instead of a traceback."""


def people_count(value: str) -> int:
    """Parse --people: a whole number of people from 1 to MAX_PEOPLE."""
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--people takes a whole number, not {value!r}") from None
    if not 1 <= number <= MAX_PEOPLE:
        raise argparse.ArgumentTypeError(f"--people must be between 1 and {MAX_PEOPLE:_}, not {number}")
    return number


def generate(people: int, *, out=sys.stdout, err=sys.stderr, verbosity: int = 1) -> None:
    """Fill an empty database with the small demo and a generated register of ``people`` people, all or nothing."""
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command
    from django.db import transaction

    if get_user_model().objects.exists():
        raise GenerateError(
            "The generator fills only an empty database, and this one has data: point DATABASE_URL at a new one."
        )
    try:
        with transaction.atomic():
            call_command("seed_demo", stdout=out, stderr=err)
            add_people(people, out=out, err=err, verbosity=verbosity)
    except CommandError as error:
        raise GenerateError(str(error)) from None


def add_people(people: int, *, out=sys.stdout, err=sys.stderr, verbosity: int = 1) -> None:
    """Write ``people`` generated people and their rows on top of the small demo, one app after another.

    Progress bars go to ``err``; each app's number of rows and time to ``out``.
    """
    from bench.scale import Scale, billing, bookings, clients, consents, privacy
    from bench.scale.bulk import BulkLoader

    loader = BulkLoader()
    scale = Scale(people=people, loader=loader, out=err)
    for app in (clients, bookings, billing, consents, privacy):
        started = time.perf_counter()
        written = loader.rows_written
        app.generate(scale)
        name = app.__name__.rsplit(".", 1)[-1]
        out.write(f"{name}: {loader.rows_written - written:_} rows in {time.perf_counter() - started:.1f} s\n")
    loader.finish()
    if verbosity >= 2:
        for what, seconds in loader.timings:
            out.write(f"  {what}: {seconds:.1f} s\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--people", type=people_count, required=True, help="How many people the generated register holds."
    )
    parser.add_argument("--verbosity", type=int, default=1, help="2 also prints the time of each step of the load.")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "register.settings")
    import django

    django.setup()
    started = time.perf_counter()
    generate(args.people, verbosity=args.verbosity)
    print(f"A register of {args.people:_} people generated in {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()

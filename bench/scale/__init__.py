"""A large generated register (``python -m bench.generate --people N``): what every app's generator shares.

Each module of this package writes one app's rows (``clients``, ``bookings``, ``billing``, ``consents``,
``privacy``), each a function ``generate(scale)``; ``bench.generate`` calls them in that order after the
small demo of ``seed_demo``, so each finds the rows of the apps below it. The amounts are proportional to
the number of people (``PER_PERSON``), except for a few long-standing clients with a long record
(``LONG_RECORDS``) whose pages and access packages the benchmark measures.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from tqdm import tqdm

from bench.scale.bulk import BulkLoader

# Rows per person in the register, on average. Invoices and consent events follow from the shares in the
# billing and consents apps' generators (a third of the visits invoiced, consents by role): about these.
PER_PERSON = {
    "appointments": 10,
    "invoices": 3,
    "emails": 0.5,
    "consent_events": 0.6,
    "access_log_entries": 2,
    "data_requests": 0.002,
}
# One coach per this many people: enough coaches for every appointment to have its own slot.
PEOPLE_PER_COACH = 4_000


@dataclass(frozen=True)
class LongRecord:
    """A long-standing client: how many appointments, invoices and emails the register holds of them."""

    appointments: int
    invoices: int
    emails: int


# The person page target (500 appointments, 100 invoices, 200 emails), and one record about three times
# as long for the access package target (some 5,000 rows with field history, lines and payments).
LONG_RECORDS = (LongRecord(500, 100, 200), LongRecord(1_600, 320, 640))


@dataclass
class Scale:
    """The size of the register to generate and the state the apps' generators hand upward."""

    people: int
    loader: BulkLoader
    out: object = sys.stderr
    seed: int = 2026
    now: datetime = field(default_factory=timezone.now)
    rng: random.Random = field(init=False)
    # Filled in by the clients app: the coaches' user ids and the long-standing clients' ids.
    coach_user_ids: list[int] = field(default_factory=list)
    long_records: dict[int, LongRecord] = field(default_factory=dict)
    # The first primary key of each model's generated rows, so that an app reads back only those.
    first_keys: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)  # noqa: S311 - repeatable generated data, not a secret

    def amount(self, name: str) -> int:
        """Return how many rows of ``name`` (a key of PER_PERSON) the register gets."""
        return round(self.people * PER_PERSON[name])

    @property
    def coaches(self) -> int:
        return max(2, self.people // PEOPLE_PER_COACH)

    def progress(self, total: int, description: str) -> tqdm:
        """Return a progress bar of ``total`` rows, written where the command writes its errors."""
        return tqdm(total=total, desc=description, unit=" rows", unit_scale=True, file=self.out, leave=True)

    def counted(self, rows, bar: tqdm):
        """Yield ``rows``, moving ``bar`` on by every thousand."""
        count = 0
        for count, row in enumerate(rows, start=1):
            if count % 1000 == 0:
                bar.update(1000)
            yield row
        bar.update(count % 1000)

    def history_start(self) -> datetime:
        """Return when the generated history begins: early enough for every appointment to have a slot."""
        weeks = self.amount("appointments") / (self.coaches * SLOTS_PER_WEEK)
        return self.now - timedelta(weeks=weeks)


# A coach's week in the generated calendar: Monday to Saturday, ten 90-minute slots a day from 06:00.
# No service lasts longer than a slot, so a coach's (or a client's) appointments never overlap.
SLOT_MINUTES = 90
SLOTS_PER_DAY = 10
FIRST_SLOT_HOUR = 6
WORKING_DAYS = 6
SLOTS_PER_WEEK = SLOTS_PER_DAY * WORKING_DAYS

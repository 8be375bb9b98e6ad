"""The erasure journal: one line per committed erasure, naming no one, read back for a restore."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.db import transaction

from clients.models import Client, Guardian, StaffNote
from privacy.erasure import JournalEntry, JournalError, erase, read_journal, reapply_erasures
from register.declarations import Subject
from tests.factories import ClientFactory, GuardianFactory, StaffNoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal(settings, tmp_path):
    settings.ERASURE_JOURNAL = tmp_path / "var" / "erasures.jsonl"
    return settings.ERASURE_JOURNAL


def test_a_committed_erasure_adds_one_line_with_the_people_and_no_personal_data(
    seller, journal, django_capture_on_commit_callbacks
):
    person = ClientFactory(first_name="Aino", last_name="Äijälä", email="aino@example.fi", phone="+358401234567")
    before = datetime.now(UTC)
    with django_capture_on_commit_callbacks(execute=True):
        erase(subject=Subject(people=(person,), emails=("aino@example.fi",)), today=date(2026, 11, 25))
    text = Path(journal).read_text(encoding="utf-8")
    [line] = text.splitlines()
    entry = json.loads(line)
    assert entry["people"] == [["clients.client", person.pk]]
    assert entry["today"] == "2026-11-25"
    assert datetime.fromisoformat(entry["at"]) >= before
    for personal in ("Aino", "Äijälä", "aino@example.fi", "1234567"):
        assert personal not in text
    assert oct(Path(journal).stat().st_mode & 0o777) == "0o600"


def test_an_erasure_that_is_rolled_back_writes_nothing(seller, journal, django_capture_on_commit_callbacks):
    person = ClientFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        erase(subject=Subject(people=(person,)))
        raise RuntimeError("something later in the same transaction failed")
    assert not Path(journal).exists()


def test_a_journal_that_cannot_be_written_is_logged_not_raised_at_the_staff(
    seller, settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    (tmp_path / "a-file").write_text("")
    settings.ERASURE_JOURNAL = tmp_path / "a-file" / "erasures.jsonl"
    person = ClientFactory(last_name="Äijälä")
    with django_capture_on_commit_callbacks(execute=True):
        erase(subject=Subject(people=(person,)))
    assert not Client.objects.get(pk=person.pk).is_active
    assert "add this line to it by hand" in caplog.text
    assert f'["clients.client",{person.pk}]' in caplog.text
    assert "Äijälä" not in caplog.text


def test_reading_returns_the_entries_from_a_time_on_and_refuses_a_damaged_line(journal):
    path = Path(journal)
    path.parent.mkdir(parents=True)
    lines = [
        {"at": "2026-11-01T10:00:00Z", "today": "2026-11-01", "people": [["clients.client", 1]]},
        {"at": "2026-11-03T10:00:00.5Z", "today": "2026-11-03", "people": [["clients.guardian", 2]]},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines) + "\n")
    entries = read_journal(since=datetime(2026, 11, 2, tzinfo=UTC))
    assert [(entry.today, entry.people) for entry in entries] == [(date(2026, 11, 3), (("clients.guardian", 2),))]
    with path.open("a") as handle:
        handle.write('{"at": "2026-11-04T10:00:00Z", "today": "2026-11-0')
    with pytest.raises(JournalError, match="Line 4 of the erasure journal"):
        read_journal(since=datetime(2026, 11, 2, tzinfo=UTC))


def test_a_missing_journal_has_no_entries(journal):
    assert read_journal(since=datetime(2026, 1, 1, tzinfo=UTC)) == []


def test_reapplying_erases_who_is_still_there_counts_who_is_gone_and_journals_nothing_new(
    seller, journal, django_capture_on_commit_callbacks
):
    person = ClientFactory(first_name="Aino")
    StaffNoteFactory(client=person)
    guardian = GuardianFactory()
    at = datetime.now(UTC) - timedelta(hours=1)
    entries = [
        JournalEntry(at=at, today=date(2026, 11, 25), people=(("clients.client", person.pk),)),
        JournalEntry(at=at, today=date(2026, 11, 25), people=(("clients.client", 999_999),)),
        JournalEntry(at=at, today=date(2026, 11, 25), people=(("clients.client", guardian.minor.pk),)),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert reapply_erasures(entries) == (2, 1)
    person.refresh_from_db()
    assert (person.first_name, person.is_active) == ("", False)
    assert not StaffNote.objects.filter(client=person).exists()
    assert not Guardian.objects.filter(pk=guardian.pk).exists()
    assert not Path(journal).exists()

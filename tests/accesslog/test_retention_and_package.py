"""The access log keeps its own retention, and a person's access package tells which roles handled their data."""

import io
import json
import zipfile
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from privacy.models import AccessLogEntry
from privacy.packages import build_package_bytes
from privacy.requests import record_request
from register.declarations import Subject, erasure_plan
from tests.factories import AccessLogEntryFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_purge_expired_deletes_entries_older_than_the_retention_and_keeps_newer(organisation, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    now = timezone.now()
    old = AccessLogEntryFactory(at=now - timedelta(days=732))
    kept = AccessLogEntryFactory(at=now - timedelta(days=700))

    dry = StringIO()
    call_command("purge_expired", "--dry-run", stdout=dry)
    assert "privacy.AccessLogEntry: 1" in dry.getvalue()
    assert AccessLogEntry.objects.filter(pk=old.pk).exists()

    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "privacy.AccessLogEntry: 1" in out.getvalue()
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_retention_follows_the_setting(organisation, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    AccessLogEntryFactory(at=timezone.now() - timedelta(days=40))
    call_command("purge_expired", stdout=StringIO())
    assert not AccessLogEntry.objects.exists()


def test_erasure_plans_to_keep_the_entries_until_their_retention_ends(organisation, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    person = ClientFactory()
    entry = AccessLogEntryFactory(person=person)
    plan = {item.model: item for item in erasure_plan(Subject(people=(person,)))}
    item = plan["privacy.AccessLogEntry"]
    assert item.action == "keep"
    assert item.kept_until == timezone.localtime(entry.at).date() + timedelta(days=730)
    assert set(item.fields) == {"person", "object_label"}


def test_the_access_package_tells_the_roles_and_times_but_not_the_staff_names(organisation):
    person = ClientFactory(email="maija@example.fi", first_name="Maija", last_name="Mallikas")
    coach = UserFactory(is_staff=True, username="valmentaja.v", first_name="Kalervo", last_name="Valmentajainen")
    seen = AccessLogEntryFactory(person=person, user=coach, roles="Valmentaja (coach)")
    AccessLogEntryFactory(
        person=person,
        user=UserFactory(is_staff=True, username="kirjanpitaja.korhonen"),
        roles="Kirjanpitäjä (bookkeeper)",
        action=AccessLogEntry.Action.DOWNLOADED_INVOICE,
    )
    AccessLogEntryFactory(roles="Omistaja (owner)")  # about someone else

    request = record_request(
        received_on=date(2026, 11, 20), kind="access", channel="email", name=person.full_name, email=person.email
    )
    request.people.add(person)
    archive = zipfile.ZipFile(io.BytesIO(build_package_bytes(request, language="en")))
    data = json.loads(archive.read("data.json"))
    report = archive.read("report.html").decode()

    section = next(s for s in data["data"] if s["model"] == "privacy.AccessLogEntry")
    assert section["category"] == "Who in our staff handled your data, and when"
    assert {(row["roles"], row["action"]) for row in section["rows"]} == {
        ("Valmentaja (coach)", "viewed the page"),
        ("Kirjanpitäjä (bookkeeper)", "downloaded an invoice PDF"),
    }
    assert seen.at.isoformat() in {row["at"] for row in section["rows"]}
    assert "Valmentaja (coach)" in report and "Kirjanpitäjä (bookkeeper)" in report
    whole = json.dumps(data, ensure_ascii=False) + report
    for name in ("valmentaja.v", "kirjanpitaja.korhonen", "Valmentajainen", "Omistaja (owner)"):
        assert name not in whole

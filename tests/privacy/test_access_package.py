"""The access package: everything about the person from the declarations, by a link that expires and logs."""

import io
import json
import time
import zipfile
from datetime import date, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from privacy.models import AccessPackage, PackageDownload
from privacy.packages import build_package_bytes, make_access_package
from privacy.requests import record_request
from tests.factories import AppointmentFactory, ClientFactory, ReceivedEmailFactory, StaffNoteFactory

pytestmark = pytest.mark.django_db


def request_for(person):
    request = record_request(
        received_on=date(2026, 11, 20), kind="access", channel="email", name=person.full_name, email=person.email
    )
    request.people.add(person)
    return request


def unzip(content):
    archive = zipfile.ZipFile(io.BytesIO(content))
    return json.loads(archive.read("data.json")), archive.read("report.html").decode()


def test_the_package_holds_the_persons_rows_and_the_article_15_information_and_nobody_elses(organisation):
    person = ClientFactory(first_name="Maija", email="maija@example.fi")
    StaffNoteFactory(client=person, text="Oma muistiinpano")
    AppointmentFactory(client=person, notes="Polvi")
    StaffNoteFactory(text="Toisen asia")
    data, report = unzip(build_package_bytes(request_for(person)))
    models = {section["model"] for section in data["data"]}
    assert {"clients.Client", "clients.StaffNote", "bookings.Appointment", "privacy.DataRequest"} <= models
    notes = next(s for s in data["data"] if s["model"] == "clients.StaffNote")["rows"]
    assert [n["text"] for n in notes] == ["Oma muistiinpano"]
    assert data["about_the_processing"]["purposes"][0]["legal_basis"]
    assert "Toisen asia" not in report and "Oma muistiinpano" in report


def test_a_few_hundred_rows_build_in_well_under_a_second(organisation):
    person = ClientFactory()
    for index in range(300):
        ReceivedEmailFactory(client=person, message_id=f"<m{index}@x>")
    request = request_for(person)
    started = time.perf_counter()
    data, _report = unzip(build_package_bytes(request))
    elapsed = time.perf_counter() - started
    assert len(next(s for s in data["data"] if s["model"] == "clients.ReceivedEmail")["rows"]) == 300
    assert elapsed < 1.0, elapsed


def test_the_link_downloads_logs_and_stops_when_revoked_or_expired(client, organisation):
    person = ClientFactory(email="maija@example.fi")
    package, url = make_access_package(request=request_for(person), base_url="http://testserver")
    assert url in mail.outbox[0].body
    path = url.removeprefix("http://testserver")
    response = client.get(path)
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist() == ["report.html", "data.json"]
    assert PackageDownload.objects.filter(package=package).count() == 1
    AccessPackage.objects.filter(pk=package.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(path).status_code == 404
    AccessPackage.objects.filter(pk=package.pk).update(
        expires_at=timezone.now() + timedelta(days=1), revoked_at=timezone.now()
    )
    assert client.get(path).status_code == 404


def test_staff_send_the_package_from_the_request_list(client, visitors, organisation):
    visitors().log_in(client, "superuser")
    person = ClientFactory(email="maija@example.fi")
    request = request_for(person)
    client.post(
        reverse("admin:privacy_datarequest_changelist"),
        {"action": "send_access_package", ACTION_CHECKBOX_NAME: [request.pk]},
    )
    assert AccessPackage.objects.filter(request=request).count() == 1
    assert mail.outbox[-1].to == ["maija@example.fi"]


def test_a_guardian_address_brings_only_the_guardians_record_of_the_matched_minor(organisation):
    from tests.factories import GuardianFactory

    parent_of_a = GuardianFactory(email="vanhempi@example.fi", relation="äiti")
    GuardianFactory(email="vanhempi@example.fi", relation="isä-sisarus")  # the same address for another child
    request = record_request(
        received_on=date(2026, 11, 20), kind="access", channel="email", name="Vanhempi", email="vanhempi@example.fi"
    )
    request.people.add(parent_of_a.minor)
    data, _report = unzip(build_package_bytes(request))
    guardians = next(s for s in data["data"] if s["model"] == "clients.Guardian")["rows"]
    assert [g["relation"] for g in guardians] == ["äiti"]


def test_a_long_record_is_written_with_memory_that_does_not_grow_with_it(organisation):
    """The package is streamed: three times the rows take about the same memory, not three times as much."""
    import tempfile
    import tracemalloc

    from clients.models import ReceivedEmail
    from privacy.packages import write_package

    def peak_for(rows):
        person = ClientFactory()
        ReceivedEmail.objects.bulk_create(
            ReceivedEmail(client=person, message_id=f"<{person.pk}-{n}@x>", sender=person.email, body="x" * 400)
            for n in range(rows)
        )
        request = request_for(person)
        with tempfile.TemporaryFile() as target:
            tracemalloc.start()
            write_package(request, target)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            target.seek(0)
            emails = next(s for s in json.loads(zipfile.ZipFile(target).read("data.json"))["data"]
                          if s["model"] == "clients.ReceivedEmail")  # fmt: skip
        assert len(emails["rows"]) == rows
        return peak

    small, large = peak_for(1500), peak_for(4500)
    assert large < small * 1.5, (small, large)


def test_the_package_reads_related_rows_along_instead_of_one_query_each(organisation, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(appointments):
        person = ClientFactory()
        for number in range(appointments):
            starts = timezone.now().replace(microsecond=0) + timedelta(days=number + 1)
            AppointmentFactory(client=person, starts_at=starts, ends_at=starts + timedelta(hours=1))
        request = request_for(person)
        with CaptureQueriesContext(connection) as captured:
            build_package_bytes(request)
        return len(captured)

    assert queries_for(2) == queries_for(12)

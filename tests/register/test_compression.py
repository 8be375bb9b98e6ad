"""Pages are compressed where that cannot leak what they hold: public pages and the staff calendar."""

import csv
import gzip
import io
import re
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from privacy.packages import make_access_package
from tests.factories import AppointmentFactory, ClientFactory, CoachFactory
from tests.privacy.test_access_package import request_for

pytestmark = pytest.mark.django_db
GZIP = {"accept-encoding": "gzip, deflate, br"}


def without_csrf_tokens(html):
    # Django masks the CSRF token afresh in every response (its own defence against BREACH).
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("path", ["/", "/tietosuojaseloste/", "/en/data-request/"])
def test_a_public_page_comes_compressed_to_a_browser_that_accepts_gzip_and_plain_to_one_that_does_not(
    client, organisation, path
):
    compressed = client.get(path, headers=GZIP)
    plain = client.get(path)
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert not plain.has_header("Content-Encoding")
    html = gzip.decompress(compressed.content).decode()
    assert without_csrf_tokens(html) == without_csrf_tokens(plain.content.decode())
    assert len(compressed.content) < len(plain.content) / 2


def test_back_office_pages_that_write_the_request_beside_personal_data_are_sent_plain(client, visitors):
    visitors().log_in(client, "superuser")
    ClientFactory(last_name="Virtanen")
    response = client.get(reverse("admin:clients_client_changelist"), {"q": "Virta"}, headers=GZIP)
    assert not response.has_header("Content-Encoding")
    assert "Virtanen" in response.content.decode()


def test_the_calendar_comes_compressed(client, visitors):
    visitors().log_in(client, "superuser")
    starts = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Europe/Helsinki"))
    AppointmentFactory(coach=CoachFactory().user, client=ClientFactory(last_name="Aaltonen"), starts_at=starts)
    response = client.get(reverse("admin:bookings_appointment_calendar"), {"date": "2026-11-25"}, headers=GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "Aaltonen" in gzip.decompress(response.content).decode()


def test_a_streamed_csv_download_still_arrives_whole(client, visitors):
    visitors().log_in(client, "superuser")
    ClientFactory(last_name="Katsottu")
    client.get(reverse("admin:clients_client_changelist"))  # a viewed list: one row in the access log
    response = client.get(reverse("admin:privacy_accesslogentry_export"), headers=GZIP)
    assert response.status_code == 200 and response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) >= 2


def test_a_streamed_access_package_still_opens(client, organisation):
    person = ClientFactory(email="maija@example.fi")
    _package, url = make_access_package(request=request_for(person), base_url="http://testserver")
    response = client.get(url.removeprefix("http://testserver"), headers=GZIP)
    assert response.status_code == 200 and not response.has_header("Content-Encoding")  # a zip is compressed already
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == ["report.html", "data.json"]

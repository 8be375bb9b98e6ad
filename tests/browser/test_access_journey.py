"""The access journey in a real browser: read the notice, ask, confirm by email, get the package."""

import re
import zipfile

import pytest
from django.core import mail
from playwright.sync_api import expect

from privacy.models import DataRequest
from privacy.packages import make_access_package
from tests.factories import ClientFactory, StaffNoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_reads_the_notice_asks_for_their_data_confirms_and_downloads_it(page, live_server):
    person = ClientFactory(first_name="Maija", last_name="Virtanen", email="maija@example.fi")
    StaffNoteFactory(client=person, text="Tavoitteena puolimaraton")

    page.goto("/en/privacy-notice/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    expect(page.get_by_role("link", name="How long the data is kept")).to_be_visible()
    page.get_by_role("link", name="Make a data request").first.click()
    expect(page).to_have_url(f"{live_server.url}/en/data-request/")

    page.get_by_label("access: a copy of my data").check()
    page.get_by_label("Name *").fill("Maija Virtanen")
    page.get_by_label("Email *").fill("maija@example.fi")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    expect(page.locator("main")).to_contain_text("Your request is confirmed")

    # Staff match the request to the person and send the package (the admin action calls this).
    request = DataRequest.objects.get()
    request.people.add(person)
    _package, url = make_access_package(request=request, base_url=live_server.url)
    with page.expect_download() as download_info:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; document.body.append(a); a.click(); }", url
        )
    download = download_info.value
    assert download.suggested_filename == "tietoni.zip"
    with zipfile.ZipFile(download.path()) as archive:
        assert "Tavoitteena puolimaraton" in archive.read("report.html").decode()

"""Data requests: the calendar-month deadline, extension and pause, verification, no enumeration, rate limit."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from privacy.models import DataRequest
from privacy.requests import (
    add_months,
    change_status,
    extend_request,
    pause_request,
    record_request,
    remind_due_requests,
    resume_request,
)
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_the_deadline_is_one_calendar_month(received, due):
    assert add_months(received, 1) == due


def paper_request(received=date(2026, 1, 31)):
    return record_request(
        received_on=received, kind="access", channel="paper", name="Maija Virtanen", email="maija@example.fi"
    )


def test_a_recorded_request_is_due_a_month_from_receipt_and_stored(organisation):
    request = paper_request()
    assert request.due_on == date(2026, 2, 28)
    assert DataRequest.objects.get(pk=request.pk).due_on == date(2026, 2, 28)


def test_an_extension_needs_a_reason_and_telling_within_the_first_month_and_at_most_two_months(organisation):
    request = paper_request(date(2026, 3, 31))
    with pytest.raises(ValidationError):
        extend_request(request=request, months=1, reason="", told_on=date(2026, 4, 10))
    with pytest.raises(ValidationError):
        extend_request(request=request, months=1, reason="Laaja", told_on=date(2026, 5, 15))
    extend_request(request=request, months=2, reason="Pyyntöjä on paljon", told_on=date(2026, 4, 20))
    assert request.due_on == date(2026, 6, 30)
    with pytest.raises(ValidationError):
        extend_request(request=request, months=1, reason="Lisää", told_on=date(2026, 4, 20))


def test_a_pause_moves_the_due_date_by_the_days_paused(organisation):
    request = paper_request(date(2026, 1, 15))
    pause_request(request=request, on=date(2026, 1, 20))
    resume_request(request=request, on=date(2026, 1, 30))
    assert request.paused_days == 10
    assert request.due_on == date(2026, 2, 25)
    assert [e.status for e in request.events.all()] == ["received", "waiting", "in_progress"]


def test_a_refusal_needs_reasons(organisation):
    request = paper_request()
    with pytest.raises(ValidationError):
        change_status(request=request, status="refused")
    change_status(request=request, status="refused", refusal_reasons="Ilmeisen perusteeton")
    assert request.events.last().note == "Ilmeisen perusteeton"


def post_form(client, email, **extra):
    data = {"kind": "access", "name": "Maija Virtanen", "email": email, **extra}
    return client.post("/tietopyynto/", data, REMOTE_ADDR=extra.pop("ip", "192.0.2.10"))


def verification_path():
    return re.search(r"https?://[^/]+(/\S+)", mail.outbox[-1].body).group(1)


def test_the_web_request_is_verified_by_a_single_use_link_and_then_due_a_month_later(client, organisation):
    response = post_form(client, "maija@example.fi")
    assert response.status_code == 200
    request = DataRequest.objects.get()
    assert request.status == "awaiting_verification" and request.due_on is None
    path = verification_path()
    assert client.get(path).status_code == 200
    request.refresh_from_db()
    assert request.status == "received"
    assert request.due_on == add_months(request.received_on, 1)
    assert client.get(path).status_code == 404  # used once


def test_an_expired_or_tampered_link_does_nothing(client, organisation, monkeypatch):
    post_form(client, "maija@example.fi")
    path = verification_path()
    assert client.get(path[:-3] + "abc/").status_code == 404
    monkeypatch.setattr(signing, "time", type("Clock", (), {"time": staticmethod(lambda: 9e9)}))
    assert client.get(path).status_code == 404
    assert DataRequest.objects.get().status == "awaiting_verification"


def test_the_answer_is_the_same_for_a_known_and_an_unknown_email(client, organisation):
    ClientFactory(email="tuttu@example.fi")
    known = post_form(client, "tuttu@example.fi")
    unknown = post_form(client, "vieras@example.fi")
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # noqa: E731
    assert strip(known.content.decode()) == strip(unknown.content.decode())


def test_the_honeypot_stores_nothing_and_the_rate_limit_stops_a_flood(client, organisation):
    post_form(client, "robot@example.fi", website="http://spam.example")
    assert DataRequest.objects.count() == 0
    statuses = [post_form(client, f"p{n}@example.fi", ip="192.0.2.99").status_code for n in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    assert DataRequest.objects.count() == 5


def test_a_rectification_request_says_what_is_wrong(client, organisation):
    response = post_form(client, "m@example.fi", kind="rectification")
    assert response.context["form"].errors["what_is_wrong"]


def test_due_requests_are_reminded_once_a_day(organisation):
    paper_request(date.today() - timedelta(days=28))
    assert remind_due_requests() == 1
    assert remind_due_requests() == 0
    assert "sami@liikkuvatpuntit.fi" in mail.outbox[0].to


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
def test_the_request_list_is_for_staff_who_may_handle_requests(client, visitors, organisation, visitor, status):
    paper_request()
    visitors(permissions=["privacy.view_datarequest"]).log_in(client, visitor)
    response = client.get(reverse("admin:privacy_datarequest_changelist"))
    assert response.status_code == status
    assert (b"Maija Virtanen" in response.content) == (status == 200)


def test_an_objection_takes_effect_as_soon_as_the_address_is_proven(client, organisation):
    from consents.eligibility import may_market
    from consents.models import Purpose
    from consents.services import is_suppressed, record_event

    person = ClientFactory(email="kielto@example.fi")
    record_event(
        client=person,
        kind="granted",
        purpose=Purpose.objects.get(code="email_marketing"),
        channel="web",
        recorded_by="person",
    )
    post_form(client, "KIELTO@example.fi", kind="objection")
    assert may_market(person, "email_marketing")  # not before the address is proven
    client.get(verification_path())
    assert not may_market(person, "email_marketing")
    assert is_suppressed("kielto@example.fi")
    request = DataRequest.objects.get()
    assert request.status == "completed" and list(request.people.all()) == [person]


def test_a_restriction_marks_the_person_with_the_request_as_reason(organisation):
    from privacy.requests import restrict_people

    person = ClientFactory()
    request = paper_request()
    request.people.add(person)
    assert restrict_people(request=request) == 1
    person.refresh_from_db()
    assert person.is_restricted and f"no. {request.pk}" in person.restriction_reason.replace("nro", "no.")


def test_a_rectification_keeps_what_was_asked_and_what_was_changed(organisation):
    from privacy.requests import record_rectification

    request = record_request(
        received_on=date(2026, 11, 1),
        kind="rectification",
        channel="paper",
        name="M",
        email="m@example.fi",
        what_is_wrong="Sukunimi väärin",
    )
    with pytest.raises(ValidationError):
        record_rectification(request=request, changed="")
    record_rectification(request=request, changed="Sukunimi korjattu: Virtanen")
    note = request.events.last().note
    assert "Sukunimi väärin" in note and "Virtanen" in note


def test_the_portability_copy_has_only_provided_data_as_json_and_csv(organisation):
    import io as _io
    import zipfile as _zipfile

    from privacy.packages import build_package_bytes
    from tests.factories import StaffNoteFactory

    person = ClientFactory(email="m@example.fi")
    StaffNoteFactory(client=person, text="Henkilökunnan arvio")
    request = paper_request()
    request.people.add(person)
    archive = _zipfile.ZipFile(_io.BytesIO(build_package_bytes(request, portable=True)))
    assert "clients-Client.csv" in archive.namelist()
    assert "Henkilökunnan arvio" not in archive.read("data.json").decode()


def test_staff_extend_and_refuse_in_the_back_office_and_the_refusal_letter_names_the_right_to_complain(
    client, visitors, organisation
):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    visitors().log_in(client, "superuser")
    request = paper_request(date(2026, 3, 31))
    url = reverse("admin:privacy_datarequest_changelist")
    page = client.post(url, {"action": "extend", ACTION_CHECKBOX_NAME: [request.pk]})
    assert page.status_code == 200 and "form" in page.context
    client.post(
        url,
        {
            "action": "extend",
            ACTION_CHECKBOX_NAME: [request.pk],
            "apply": "1",
            "months": "1",
            "reason": "Laaja pyyntö",
            "told_on": "2026-04-15",
        },
    )
    request.refresh_from_db()
    assert request.due_on == date(2026, 5, 30)  # 30 April, the first due date, plus a calendar month
    missing_reason = client.post(
        url, {"action": "refuse", ACTION_CHECKBOX_NAME: [request.pk], "apply": "1", "reasons": ""}
    )
    assert missing_reason.context["form"].errors["reasons"]
    client.post(
        url,
        {
            "action": "refuse",
            ACTION_CHECKBOX_NAME: [request.pk],
            "apply": "1",
            "reasons": "Pyyntö on ilmeisen perusteeton.",
        },
    )
    request.refresh_from_db()
    assert request.status == "refused"
    letter = mail.outbox[-1]
    assert letter.to == ["maija@example.fi"]
    assert "Pyyntö on ilmeisen perusteeton." in letter.body
    assert "tietosuoja.fi" in letter.body


def test_the_back_office_front_page_warns_of_requests_due_within_a_week(client, visitors, organisation):
    visitors().log_in(client, "superuser")
    assert 'data-testid="due-requests"' not in client.get(reverse("admin:index")).content.decode()
    paper_request(date.today() - timedelta(days=25))
    assert 'data-testid="due-requests"' in client.get(reverse("admin:index")).content.decode()


def test_an_extension_counts_from_the_first_due_date(organisation):
    request = paper_request(date(2026, 1, 31))
    extend_request(request=request, months=2, reason="Laaja", told_on=date(2026, 2, 10))
    assert request.due_on == date(2026, 4, 28)


def test_any_move_ends_a_pause_and_a_closed_request_stays_closed(organisation):
    request = paper_request(date(2026, 1, 15))
    pause_request(request=request, on=date(2026, 1, 20))
    pause_request(request=request, on=date(2026, 1, 25))  # paused already: still from the 20th
    assert request.paused_since == date(2026, 1, 20)
    change_status(request=request, status="completed")
    assert request.paused_since is None and request.paused_days > 0
    with pytest.raises(ValidationError):
        change_status(request=request, status="in_progress")


def test_staff_record_a_rectification_in_the_back_office(client, visitors, organisation):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    visitors().log_in(client, "superuser")
    request = record_request(
        received_on=date(2026, 11, 1),
        kind="rectification",
        channel="paper",
        name="M",
        email="m@example.fi",
        what_is_wrong="Osoite vanha",
    )
    client.post(
        reverse("admin:privacy_datarequest_changelist"),
        {"action": "rectified", ACTION_CHECKBOX_NAME: [request.pk], "apply": "1", "changed": "Osoite päivitetty"},
    )
    request.refresh_from_db()
    assert request.status == "completed"
    assert "Osoite päivitetty" in request.events.last().note

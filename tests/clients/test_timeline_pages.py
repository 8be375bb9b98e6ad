"""A long record's person page: the timeline comes a page at a time and the page's queries do not grow."""

import datetime as dt
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Invoice
from bookings.models import Appointment
from clients.timeline import PAGE_SIZE, timeline_for
from tests.auth import sign_in
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    CoachFactory,
    InvoiceFactory,
    LocationFactory,
    ReceivedEmailFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)
INVOICE_NUMBERS = count(1)


def long_record(person, *, appointments, invoices, emails):
    coach, service, location = CoachFactory().user, ServiceFactory(), LocationFactory()
    for number in range(appointments):
        starts = START + dt.timedelta(days=number)
        AppointmentFactory(
            client=person, coach=coach, service=service, location=location, starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1), status="attended",
        )  # fmt: skip
    for number in range(invoices):
        invoice = InvoiceFactory(
            client=person, status="issued", year=2025, number=next(INVOICE_NUMBERS), reference=f"{number}9"
        )
        Invoice.objects.filter(pk=invoice.pk).update(created_at=START + dt.timedelta(days=number, hours=5))
    for number in range(emails):
        ReceivedEmailFactory(client=person, sent_at=START + dt.timedelta(days=number, hours=3))


def test_the_timeline_is_paged_newest_first_across_every_kind_of_entry():
    person = ClientFactory(entered_at=START - dt.timedelta(days=1))
    long_record(person, appointments=30, invoices=10, emails=12)
    staff = UserFactory(is_staff=True, is_superuser=True)
    every = []
    page = timeline_for(person, staff)
    while True:
        assert len(page.entries) == PAGE_SIZE or not page.has_next
        every += page.entries
        if not page.has_next:
            break
        page = timeline_for(person, staff, page=page.next_number)
    # 30 appointments, 10 invoices, 12 emails, the day the person entered the register: once each, in order.
    assert len(every) == 53
    assert [entry.when for entry in every] == sorted((entry.when for entry in every), reverse=True)
    assert every[-1].when == person.entered_at
    assert page.number == 3 and page.has_previous


def test_the_person_page_shows_one_page_of_the_timeline_with_links_to_the_next(client, organisation):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    person = ClientFactory()
    long_record(person, appointments=PAGE_SIZE + 5, invoices=0, emails=0)
    url = reverse("admin:clients_client_change", args=[person.pk])
    first = client.get(url).content.decode()
    assert first.count('class="register-timeline"') == 1
    assert "?timeline=2#timeline" in first
    second = client.get(url + "?timeline=2").content.decode()
    assert "?timeline=1#timeline" in second and "?timeline=3" not in second
    assert client.get(url + "?timeline=oops").status_code == 200


def test_the_person_page_costs_the_same_queries_for_a_short_and_a_long_record(client, organisation):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    short, long = ClientFactory(), ClientFactory()
    long_record(short, appointments=2, invoices=1, emails=1)
    long_record(long, appointments=40, invoices=12, emails=30)

    def queries(person):
        url = reverse("admin:clients_client_change", args=[person.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(short) == queries(long)
    assert Appointment.objects.filter(client=long).count() == 40


def test_the_person_page_reads_its_person_once_and_a_save_reads_it_afresh(client, organisation):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    person = ClientFactory(first_name="Aino", last_name="Lahtinen")
    url = reverse("admin:clients_client_change", args=[person.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    reads = [q["sql"] for q in captured if q["sql"].startswith('SELECT "clients_client"."id"') and "LIMIT" in q["sql"]]
    assert response.status_code == 200 and len(reads) == 1
    assert response.context["adminform"].form.instance.last_name == "Lahtinen"
    assert "Lahtinen" in response.content.decode()
    # A post with an error shows what was posted, in a form of the record read for it.
    data = {"first_name": "Aino", "last_name": "", "_save": "Save"}
    response = client.post(url, data)
    assert response.status_code == 200 and "last_name" in response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.last_name == "Lahtinen"

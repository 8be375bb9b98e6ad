"""The generated large register (bench.generate): its rows keep every rule that the app's own saving keeps."""

import datetime as dt
from collections import defaultdict
from io import StringIO
from itertools import pairwise

import pytest
from django.db.models import Count, Max, Min

from bench.generate import GenerateError, add_people, generate, main
from bench.scale import LONG_RECORDS, PER_PERSON
from billing.models import Invoice, InvoiceLine, InvoiceSequence, Payment
from bookings.models import ACTIVE_STATUSES, Appointment, Coach
from clients.models import Client, Guardian, ReceivedEmail, RoleChange, StaffNote
from consents.models import ConsentEvent, ConsentState, MarketingProhibition, SuppressedAddress
from privacy.models import AccessLogEntry, DataRequest
from register.hashing import address_hmac
from tests.factories import LocationFactory, ServiceFactory, UserFactory

PEOPLE = 400


@pytest.fixture
def generated(seller, settings):
    """Generate a register of PEOPLE people on top of what the small demo would have made first."""
    settings.DEBUG = True
    UserFactory(username="demo", is_staff=True, is_superuser=True)
    ServiceFactory(name_fi="PT", duration=dt.timedelta(minutes=60))
    ServiceFactory(name_fi="Kuntotesti", duration=dt.timedelta(minutes=90))
    LocationFactory(name="Studio")
    LocationFactory(name="Etä", is_remote=True)
    out = StringIO()
    add_people(PEOPLE, out=out, err=StringIO())
    return out.getvalue()


pytestmark = pytest.mark.django_db


def test_it_generates_people_and_their_rows_in_proportion(generated):
    assert Client.objects.count() == PEOPLE
    long_appointments = sum(record.appointments for record in LONG_RECORDS)
    assert Appointment.objects.count() == PEOPLE * PER_PERSON["appointments"]
    assert Appointment.objects.values("client").annotate(n=Count("pk")).order_by("-n")[0]["n"] == max(
        record.appointments for record in LONG_RECORDS
    )
    assert long_appointments < Appointment.objects.count()
    assert 0 < Invoice.objects.count() <= PEOPLE * PER_PERSON["invoices"] + sum(r.invoices for r in LONG_RECORDS)
    assert Payment.objects.exists() and ConsentEvent.objects.exists() and DataRequest.objects.exists()
    assert AccessLogEntry.objects.count() == PEOPLE * PER_PERSON["access_log_entries"]
    assert ReceivedEmail.objects.count() >= sum(record.emails for record in LONG_RECORDS)
    assert RoleChange.objects.count() == PEOPLE
    for app in ("clients", "bookings", "billing", "consents", "privacy"):
        assert f"{app}: " in generated


def test_every_generated_row_has_its_field_history_copy(generated):
    for model in (Client, Guardian, StaffNote, Appointment, Invoice):
        copies = model.history.filter(history_type="+").values_list("id", flat=True)
        assert set(copies) == set(model.objects.values_list("pk", flat=True)), model.__name__


def test_no_coach_and_no_client_has_overlapping_active_appointments(generated):
    for who in ("coach_id", "client_id"):
        times = defaultdict(list)
        for key, starts, ends in Appointment.objects.filter(status__in=ACTIVE_STATUSES).values_list(
            who, "starts_at", "ends_at"
        ):
            times[key].append((starts, ends))
        for spans in times.values():
            spans.sort()
            assert all(earlier[1] <= later[0] for earlier, later in pairwise(spans))
    assert Coach.objects.count() >= 2


def test_invoice_numbers_run_without_gaps_and_each_visit_is_invoiced_once(generated):
    for year in Invoice.objects.exclude(number=None).values("year").annotate(n=Count("pk"), first=Min("number"),
                                                                               last=Max("number")):  # fmt: skip
        assert (year["first"], year["last"]) == (1, year["n"])
        assert InvoiceSequence.objects.get(year=year["year"]).last_number == year["n"]
    lines = InvoiceLine.objects.exclude(appointment=None)
    assert lines.values("appointment").distinct().count() == lines.count()
    assert not lines.exclude(appointment__status="attended").exists()
    paid = Invoice.objects.filter(status="paid").first()
    assert paid.payments.get().amount == paid.total_gross == paid.total_net + paid.total_vat


def test_consent_states_follow_the_newest_event_and_prohibitions_are_suppressed(generated):
    for state in ConsentState.objects.all():
        newest = ConsentEvent.objects.filter(client=state.client_id, purpose=state.purpose_id).first()
        assert (state.last_event_id, state.granted) == (newest.pk, newest.kind == "granted")
    for prohibition in MarketingProhibition.objects.select_related("client", "last_event"):
        assert prohibition.last_event.kind == "prohibited"
        assert SuppressedAddress.objects.filter(address_hmac=address_hmac(prohibition.client.email)).exists()


def test_it_refuses_a_database_that_already_has_data(settings):
    settings.DEBUG = True
    UserFactory()
    with pytest.raises(GenerateError, match="fills only an empty database"):
        generate(10, out=StringIO(), err=StringIO())
    assert not Client.objects.exists()


@pytest.mark.parametrize(("value", "message"), [("0", "between 1 and"), ("many", "whole number")])
def test_it_refuses_a_bad_number_of_people_with_one_line(value, message, capsys):
    with pytest.raises(SystemExit):
        main(["--people", value])
    assert message in capsys.readouterr().err

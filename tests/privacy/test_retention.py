"""purge_expired: the retention rules of the declarations, with and without --dry-run."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients.models import Client, StaffNote
from privacy.models import PurgeRun
from tests.factories import AppointmentFactory, ClientFactory, StaffNoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_prospect(organisation):
    person = ClientFactory(role="prospect", last_name="Vanhaprospekti")
    StaffNoteFactory(client=person)
    Client.objects.filter(pk=person.pk).update(updated_at=timezone.now() - timedelta(days=800))
    return person


def test_a_dry_run_lists_the_expired_and_changes_nothing(old_prospect):
    ClientFactory(role="prospect")  # recent: stays
    out = StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)
    assert "clients.Client: 1" in out.getvalue()
    assert Client.objects.get(pk=old_prospect.pk).last_name == "Vanhaprospekti"
    assert PurgeRun.objects.get().dry_run


def test_a_real_run_erases_the_expired_person_and_is_safe_to_repeat(old_prospect):
    recent = ClientFactory(role="prospect")
    call_command("purge_expired", stdout=StringIO())
    erased = Client.objects.get(pk=old_prospect.pk)
    assert (erased.is_active, erased.email) == (False, "")
    assert not StaffNote.objects.filter(client=old_prospect).exists()
    assert Client.objects.get(pk=recent.pk).is_active
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert out.getvalue().strip() == "Removed:\n-"


def test_old_appointments_lose_their_person_but_stay_for_statistics(organisation):
    old = AppointmentFactory(starts_at=timezone.now() - timedelta(days=1200), notes="Vanha")
    call_command("purge_expired", stdout=StringIO())
    old.refresh_from_db()
    assert old.client is None and old.notes == ""


def test_a_restricted_person_is_kept_as_they_are(organisation):
    person = ClientFactory(role="prospect", restricted_at=timezone.now(), restriction_reason="Kiistetty")
    Client.objects.filter(pk=person.pk).update(updated_at=timezone.now() - timedelta(days=800))
    call_command("purge_expired", stdout=StringIO())
    assert Client.objects.get(pk=person.pk).is_active


def test_a_restricted_persons_old_appointments_are_kept_as_they_are(organisation):
    person = ClientFactory(restricted_at=timezone.now(), restriction_reason="Kiistetty")
    old = AppointmentFactory(client=person, starts_at=timezone.now() - timedelta(days=1200), notes="Vanha")
    call_command("purge_expired", stdout=StringIO())
    old.refresh_from_db()
    assert old.client == person and old.notes == "Vanha"


def test_invoices_go_once_their_six_years_are_over_and_not_before(seller):
    from datetime import date

    from billing.models import Invoice, Payment
    from billing.services import issue_invoice, record_payment
    from privacy.retention import purge_expired
    from tests.factories import InvoiceFactory, InvoiceLineFactory

    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice)
    invoice = issue_invoice(invoice=invoice, on=date(2026, 3, 1))
    record_payment(invoice=invoice, amount=invoice.total_gross, paid_on=date(2026, 3, 5))
    purge_expired(today=date(2032, 12, 31))
    assert Invoice.objects.count() == 1
    purge_expired(today=date(2033, 1, 1))
    assert Invoice.objects.count() == 0 and Payment.objects.count() == 0


def test_an_expired_package_loses_its_file_but_not_its_record(organisation):
    from datetime import date

    from privacy.models import AccessPackage
    from privacy.packages import make_access_package
    from privacy.requests import record_request
    from privacy.retention import purge_expired

    person = ClientFactory()
    request = record_request(
        received_on=date(2026, 11, 1), kind="access", channel="email", name="M", email=person.email
    )
    request.people.add(person)
    package, _url = make_access_package(request=request, base_url="http://x", send=False)
    AccessPackage.objects.filter(pk=package.pk).update(expires_at=timezone.now() - timedelta(days=1))
    purge_expired()
    package.refresh_from_db()
    assert not package.file


def old_prospects(count):
    people = [ClientFactory(role="prospect") for _ in range(count)]
    Client.objects.filter(pk__in=[p.pk for p in people]).update(updated_at=timezone.now() - timedelta(days=800))
    return people


def test_a_purge_longer_than_its_batches_removes_every_expired_row(organisation, monkeypatch):
    from privacy import retention

    monkeypatch.setattr(retention, "BATCH_ROWS", 3)
    monkeypatch.setattr(retention, "BATCH_PEOPLE", 2)
    people = old_prospects(5)
    old = [AppointmentFactory(starts_at=timezone.now() - timedelta(days=1200), notes="Vanha") for _ in range(7)]
    kept = AppointmentFactory(notes="Tuore")
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "clients.Client: 5" in out.getvalue() and "bookings.Appointment: 7" in out.getvalue()
    assert not Client.objects.filter(pk__in=[p.pk for p in people], is_active=True).exists()
    assert not Client.history.filter(id__in=[p.pk for p in people]).exists()
    from bookings.models import Appointment

    assert not Appointment.objects.filter(pk__in=[a.pk for a in old], client__isnull=False).exists()
    assert Appointment.objects.get(pk=kept.pk).notes == "Tuore"


def test_people_erased_together_are_each_their_own_person(organisation, settings, tmp_path, monkeypatch):
    from django.test import TestCase

    from consents.models import Purpose
    from consents.services import is_suppressed, record_event
    from privacy import retention

    settings.ERASURE_JOURNAL = tmp_path / "erasures.jsonl"
    monkeypatch.setattr(retention, "BATCH_PEOPLE", 10)
    objector, other = [ClientFactory(role="prospect") for _ in range(2)]
    purpose = Purpose.objects.get(code="email_marketing")
    for person in (objector, other):
        record_event(client=person, kind="granted", purpose=purpose, channel="web", recorded_by="person")
    record_event(client=objector, kind="withdrawn", purpose=purpose, channel="web", recorded_by="person")
    Client.objects.filter(pk__in=[objector.pk, other.pk]).update(updated_at=timezone.now() - timedelta(days=800))
    objector_email, other_email = objector.email, other.email
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("purge_expired", stdout=StringIO())
    # Only the one who objected is kept off marketing lists for good.
    assert is_suppressed(objector_email) and not is_suppressed(other_email)
    # A restore erases each again as they were erased: one journal line each.
    lines = settings.ERASURE_JOURNAL.read_text().splitlines()
    assert sorted(line.split('"people":')[1] for line in lines) == sorted(
        f'[["clients.client",{person.pk}]]}}' for person in (objector, other)
    )


def test_an_expired_row_that_another_still_needs_is_kept_and_said_so(seller):
    from datetime import date

    from billing.models import Invoice
    from billing.services import credit_invoice, issue_invoice
    from privacy.retention import purge_expired
    from tests.factories import InvoiceFactory, InvoiceLineFactory

    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice)
    invoice = issue_invoice(invoice=invoice, on=date(2026, 3, 1))
    note = credit_invoice(invoice=invoice)
    # The credit note is of a later year: it is kept, and so is the invoice it credits.
    Invoice.objects.filter(pk=note.pk).update(issue_date=date(2027, 1, 5))
    run = purge_expired(today=date(2033, 1, 1))
    assert "kept, still referred to: 1" in run.summary
    assert set(Invoice.objects.values_list("pk", flat=True)) == {invoice.pk, note.pk}

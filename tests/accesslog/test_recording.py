"""Every audited handling of personal data leaves an entry: who, with what roles, what, whose, from where."""

import hashlib
from datetime import date, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from billing.services import issue_invoice
from clients.models import Client
from consents.models import Purpose
from consents.services import record_event
from privacy.models import AccessLogEntry
from privacy.requests import record_request
from tests.accesslog.helpers import ADDRESS, BOOKKEEPER, COACH, OWNER, PRIVACY_HANDLER, signed_in
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    EmailAttachmentFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Action = AccessLogEntry.Action


def only_entry(**filters):
    (entry,) = AccessLogEntry.objects.filter(**filters)
    return entry


def test_opening_a_persons_page_is_logged_with_the_user_roles_person_and_address(client, organisation):
    coach = signed_in(client, COACH)
    person = ClientFactory(coach=coach)
    response = client.get(reverse("admin:clients_client_change", args=[person.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only_entry(action=Action.VIEWED)
    assert (entry.user, entry.username, entry.roles) == (coach, coach.username, COACH)
    assert (entry.person, entry.ip_address) == (person, ADDRESS)
    assert (entry.object_model, entry.object_pk) == ("clients.client", str(person.pk))


@pytest.mark.django_db(transaction=True)
def test_a_page_of_one_record_writes_its_entry_in_one_statement(client, organisation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coach = signed_in(client, COACH)
    person = ClientFactory(coach=coach)
    url = reverse("admin:clients_client_change", args=[person.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    writes = [q["sql"] for q in captured if "privacy_accesslogentry" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("INSERT")
    # No transaction of its own around the one statement.
    assert not [q["sql"] for q in captured if q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT"))]
    assert AccessLogEntry.objects.filter(action=Action.VIEWED, person=person).count() == 2


def test_the_list_of_people_and_a_page_refused_leave_no_entry(client, organisation):
    coach = signed_in(client, COACH)
    someone_elses = ClientFactory(coach=UserFactory(is_staff=True))
    ClientFactory(coach=coach)
    assert client.get(reverse("admin:clients_client_changelist")).status_code == 200
    assert client.get(reverse("admin:clients_client_change", args=[someone_elses.pk])).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_a_superuser_is_logged_with_the_superuser_role(client, visitors, organisation):
    people = visitors()
    people.log_in(client, "superuser")
    person = ClientFactory()
    client.get(reverse("admin:clients_client_change", args=[person.pk]), REMOTE_ADDR=ADDRESS)
    assert only_entry(action=Action.VIEWED).roles == "Pääkäyttäjä (superuser)"


def test_opening_an_appointment_is_logged_for_its_client(client, organisation):
    coach = signed_in(client, COACH)
    appointment = AppointmentFactory(client=ClientFactory(coach=coach))
    response = client.get(reverse("admin:bookings_appointment_change", args=[appointment.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only_entry(action=Action.VIEWED)
    assert (entry.person, entry.object_model, entry.ip_address) == (
        appointment.client,
        "bookings.appointment",
        ADDRESS,
    )


def test_exporting_the_people_list_logs_one_entry_per_exported_person(client, organisation):
    handler = signed_in(client, PRIVACY_HANDLER)
    exported = ClientFactory.create_batch(3)
    ClientFactory(is_active=False)  # erased: not in the export, not in the log
    response = client.post(
        reverse("admin:clients_client_export"),
        {"format": "0", "resource": "0", "clientresource_last_name": "on"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 200
    entries = AccessLogEntry.objects.filter(action=Action.EXPORTED)
    assert {entry.person_id for entry in entries} == {person.pk for person in exported}
    assert {(e.user_id, e.roles, e.ip_address) for e in entries} == {(handler.pk, PRIVACY_HANDLER, ADDRESS)}
    assert "CSV" in entries[0].object_label


def test_downloading_an_email_attachment_is_logged_for_the_sender(client, organisation):
    coach = signed_in(client, COACH)
    person = ClientFactory(coach=coach)
    attachment = EmailAttachmentFactory(email__client=person, filename="kuntotesti.pdf")
    response = client.get(reverse("admin:clients_emailattachment_download", args=[attachment.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only_entry(action=Action.DOWNLOADED_ATTACHMENT)
    assert (entry.user, entry.roles, entry.person, entry.ip_address) == (coach, COACH, person, ADDRESS)
    assert entry.object_label == "kuntotesti.pdf"


def test_downloading_an_invoice_pdf_is_logged_for_the_buyer(client, seller):
    bookkeeper = signed_in(client, BOOKKEEPER)
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice)
    issue_invoice(invoice=invoice)
    response = client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only_entry(action=Action.DOWNLOADED_INVOICE)
    assert (entry.user, entry.roles, entry.person, entry.ip_address) == (
        bookkeeper,
        BOOKKEEPER,
        invoice.client,
        ADDRESS,
    )


def test_the_access_package_is_logged_when_staff_make_it_and_when_its_link_is_used(client, organisation):
    handler = signed_in(client, PRIVACY_HANDLER)
    person = ClientFactory(email="maija@example.fi")
    request = record_request(
        received_on=date(2026, 11, 20), kind="access", channel="email", name=person.full_name, email=person.email
    )
    request.people.add(person)
    client.post(
        reverse("admin:privacy_datarequest_changelist"),
        {"action": "send_access_package", ACTION_CHECKBOX_NAME: [request.pk]},
        REMOTE_ADDR=ADDRESS,
    )
    made = only_entry(action=Action.MADE_ACCESS_PACKAGE)
    assert (made.user, made.roles, made.person, made.ip_address) == (handler, PRIVACY_HANDLER, person, ADDRESS)

    link = next(word for word in mail.outbox[-1].body.split() if word.startswith("http://testserver/"))
    client.logout()
    response = client.get(link.removeprefix("http://testserver"), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    downloaded = only_entry(action=Action.DOWNLOADED_ACCESS_PACKAGE)
    # The person themself (or whoever has the link): no staff user, and their address is not kept here.
    assert (downloaded.user, downloaded.roles, downloaded.person, downloaded.ip_address) == (None, "", person, None)


def test_the_facebook_audience_file_is_logged_for_each_person_in_it(client, organisation):
    owner = signed_in(client, OWNER)
    purpose = Purpose.objects.get(code="facebook_audiences")
    person = ClientFactory(email="maija@example.fi")
    record_event(client=person, kind="granted", purpose=purpose, channel="web", recorded_by="person")
    ClientFactory(email="ei@example.fi")
    response = client.post(reverse("admin:consents_facebook_audience"), REMOTE_ADDR=ADDRESS)
    assert hashlib.sha256(b"maija@example.fi").hexdigest() in response.content.decode()
    entry = only_entry(action=Action.EXPORTED)
    assert (entry.user, entry.roles, entry.person, entry.ip_address) == (owner, OWNER, person, ADDRESS)


PERSON_FORM = {
    "first_name": "Uusi",
    "last_name": "Henkilö",
    "email": "uusi@example.fi",
    "phone": "040 123 4567",
    "country": "FI",
    "preferred_language": "fi",
    "role": "prospect",
    "role_since": "2026-11-25",
    "source": "web_form",
    "entered_at_0": "2026-11-25",
    "entered_at_1": "10:00",
    "guardians-TOTAL_FORMS": 0,
    "guardians-INITIAL_FORMS": 0,
    "notes-TOTAL_FORMS": 0,
    "notes-INITIAL_FORMS": 0,
    "collected_data-TOTAL_FORMS": 0,
    "collected_data-INITIAL_FORMS": 0,
}


def test_adding_changing_and_deleting_a_person_in_the_back_office_are_logged(client, organisation):
    owner = signed_in(client, OWNER)
    assert client.post(reverse("admin:clients_client_add"), PERSON_FORM, REMOTE_ADDR=ADDRESS).status_code == 302
    person = Client.objects.get(email="uusi@example.fi")
    added = only_entry(action=Action.ADDED)
    assert (added.user, added.roles, added.person, added.ip_address) == (owner, OWNER, person, ADDRESS)

    change = reverse("admin:clients_client_change", args=[person.pk])
    assert client.post(change, {**PERSON_FORM, "city": "Vantaa"}, REMOTE_ADDR=ADDRESS).status_code == 302
    assert only_entry(action=Action.CHANGED).person == person

    delete = reverse("admin:clients_client_delete", args=[person.pk])
    assert client.post(delete, {"post": "yes"}, REMOTE_ADDR=ADDRESS).status_code == 302
    deleted = only_entry(action=Action.DELETED)
    # The person is gone, so the entry keeps what was deleted by its name and key.
    assert (deleted.person, deleted.object_pk, deleted.object_label) == (None, str(person.pk), "Henkilö, Uusi")


def test_deleting_several_people_at_once_logs_each_of_them(client, organisation):
    signed_in(client, OWNER)
    people = ClientFactory.create_batch(3)
    response = client.post(
        reverse("admin:clients_client_changelist"),
        {"action": "delete_selected", "post": "yes", ACTION_CHECKBOX_NAME: [p.pk for p in people]},
    )
    assert response.status_code == 302
    assert not Client.objects.exists()
    labels = set(AccessLogEntry.objects.filter(action=Action.DELETED).values_list("object_label", flat=True))
    assert labels == {str(person) for person in people}


def test_importing_people_logs_each_added_person(client, visitors, organisation):
    people = visitors(permissions=["clients.view_client", "clients.add_client", "clients.import_client"])
    people.log_in(client, "permitted")
    content = b"first_name,last_name,email\nAino,Aaltonen,aino@example.fi\nEero,Eskola,eero@example.fi\n"
    preview = client.post(
        reverse("admin:clients_client_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("asiakkaat.csv", content)},
    )
    form = preview.context["confirm_form"]
    response = client.post(
        reverse("admin:clients_client_process_import"), {name: form.initial.get(name, "") for name in form.fields}
    )
    assert response.status_code == 302
    added = AccessLogEntry.objects.filter(action=Action.ADDED, user=people.permitted)
    assert set(added.values_list("person__email", flat=True)) == {"aino@example.fi", "eero@example.fi"}


def test_opening_a_persons_change_history_is_logged(client, organisation):
    owner = signed_in(client, OWNER)
    person = ClientFactory()
    response = client.get(reverse("admin:clients_client_history", args=[person.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only_entry(action=Action.VIEWED_HISTORY)
    assert (entry.user, entry.person, entry.ip_address) == (owner, person, ADDRESS)


def test_the_address_is_left_empty_when_it_is_not_an_address(client, organisation):
    coach = signed_in(client, COACH)
    person = ClientFactory(coach=coach)
    client.get(reverse("admin:clients_client_change", args=[person.pk]), REMOTE_ADDR="unknown")
    assert only_entry(action=Action.VIEWED).ip_address is None


def test_an_action_that_changes_the_selected_rows_is_logged_for_each(client, organisation):
    coach = signed_in(client, COACH)
    soon = timezone.now().replace(microsecond=0) + timedelta(days=2)
    first, second = (
        AppointmentFactory(
            client=ClientFactory(coach=coach),
            coach=coach,
            starts_at=soon + timedelta(hours=hours),
            ends_at=soon + timedelta(hours=hours + 1),
        )
        for hours in (0, 2)
    )
    response = client.post(
        reverse("admin:bookings_appointment_changelist"),
        {"action": "mark_no_show", ACTION_CHECKBOX_NAME: [first.pk, second.pk]},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    entries = AccessLogEntry.objects.filter(action=Action.CHANGED)
    assert {entry.person for entry in entries} == {first.client, second.client}
    assert {entry.ip_address for entry in entries} == {ADDRESS}


def test_an_action_that_only_asks_for_confirmation_logs_no_change(client, organisation):
    signed_in(client, OWNER)
    people = [ClientFactory(), ClientFactory()]
    response = client.post(
        reverse("admin:clients_client_changelist"),
        {"action": "merge_two_people", ACTION_CHECKBOX_NAME: [p.pk for p in people]},
    )
    assert response.status_code == 200
    assert not AccessLogEntry.objects.filter(action=Action.CHANGED).exists()


def test_a_merge_moves_the_duplicates_log_entries_history_and_change_log_to_the_kept_person(client, organisation):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from bookings.models import Appointment
    from clients.services import merge_people

    owner = signed_in(client, OWNER)
    keep, duplicate = ClientFactory(last_name="Pidettava"), ClientFactory(last_name="Kaksoiskappale")
    appointment = AppointmentFactory(client=duplicate)
    client.get(reverse("admin:clients_client_change", args=[duplicate.pk]))
    LogEntry.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(Client),
        object_id=str(duplicate.pk),
        object_repr="Kaksoiskappale",
        action_flag=CHANGE,
    )
    merge_people(keep=keep, duplicate=duplicate, merged_by=owner)

    assert not AccessLogEntry.objects.filter(person__isnull=True).exists()
    assert set(AccessLogEntry.objects.values_list("person", flat=True)) == {keep.pk}
    assert set(Appointment.history.filter(id=appointment.pk).values_list("client_id", flat=True)) == {keep.pk}
    assert not LogEntry.objects.filter(object_id=str(duplicate.pk), content_type__model="client").exists()
    assert LogEntry.objects.get(action_flag=CHANGE).object_id == str(keep.pk)

"""The people pages of the back office, for each kind of visitor."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client, RoleChange
from tests.auth import sign_in
from tests.factories import (
    ClientFactory,
    CollectedDataFactory,
    EmailAttachmentFactory,
    GuardianFactory,
    MinorFactory,
    ReceivedEmailFactory,
    StaffNoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:clients_client_changelist")
VIEW_PEOPLE = ["clients.view_client"]


def change_url(person):
    return reverse("admin:clients_client_change", args=[person.pk])


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
def test_the_people_list_is_for_staff_with_the_permission(client, visitors, visitor, status):
    ClientFactory(last_name="Kivinen")
    visitors(permissions=VIEW_PEOPLE).log_in(client, visitor) if visitor != "anonymous" else None
    response = client.get(LIST_URL)
    assert response.status_code == status
    assert (b"Kivinen" in response.content) == (status == 200)


def list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return response, len(queries)


def test_the_list_makes_the_same_number_of_queries_for_5_and_50_people(
    client, visitors, django_assert_max_num_queries
):
    visitors().log_in(client, "superuser")
    ClientFactory.create_batch(3, coach=None)
    MinorFactory.create_batch(2)
    client.get(LIST_URL)  # the first load caches the organisation and content types
    _response, few = list_queries(client)

    coaches = UserFactory.create_batch(3, is_staff=True)
    for index in range(45):
        GuardianFactory(minor=MinorFactory(coach=coaches[index % 3])) if index % 5 == 0 else ClientFactory(
            coach=coaches[index % 3], restricted_at="2026-11-01T10:00:00Z", restriction_reason="Syy"
        )
    client.get(LIST_URL)  # new coaches: the coach filter reads its choices anew, once
    with django_assert_max_num_queries(few):
        response = client.get(LIST_URL)
    assert response.content.count(b'class="action-select"') == 50


@pytest.mark.parametrize("typed", ["040 765 4321", "+358407654321", "0407654321", "765 4321"])
def test_a_person_is_found_by_their_phone_typed_in_any_format(client, visitors, typed):
    visitors().log_in(client, "superuser")
    ClientFactory(last_name="Puhelinen", phone="+358407654321")
    # A name no random first name or word of the page could contain.
    ClientFactory(last_name="Xerxesdottir", phone="+358401111111")
    html = client.get(LIST_URL, {"q": typed}).content.decode()
    assert "Puhelinen" in html
    assert "Xerxesdottir" not in html


def test_a_person_is_found_by_name_and_by_part_of_the_email(client, visitors):
    visitors().log_in(client, "superuser")
    ClientFactory(first_name="Aino", last_name="Aaltonen", email="aino.aaltonen@posti.fi")
    ClientFactory(first_name="Eero", last_name="Eskola", email="eero@example.fi")
    assert "Aaltonen" in client.get(LIST_URL, {"q": "aalto"}).content.decode()
    html = client.get(LIST_URL, {"q": "posti.fi"}).content.decode()
    assert "Aaltonen" in html and "Eskola" not in html


def test_minors_without_a_guardian_are_flagged_and_filtered(client, visitors):
    visitors().log_in(client, "superuser")
    MinorFactory(last_name="Yksinen")
    GuardianFactory(minor=MinorFactory(last_name="Huollettu"))
    html = client.get(LIST_URL).content.decode()
    assert html.count("minor-mark") == 1
    filtered = client.get(LIST_URL, {"guardian": "missing"}).content.decode()
    assert "Yksinen" in filtered and "Huollettu" not in filtered


def test_a_restricted_person_is_marked_in_the_list_and_on_their_page(client, visitors):
    visitors().log_in(client, "superuser")
    person = ClientFactory(
        last_name="Rajoitettu", restricted_at="2026-11-01T10:00:00Z", restriction_reason="Oikaisu kesken"
    )
    assert 'class="restricted-mark"' in client.get(LIST_URL).content.decode()
    page = client.get(change_url(person)).content.decode()
    assert "restricted-mark-block" in page
    assert "Oikaisu kesken" in page


def test_restricted_notes_are_hidden_from_staff_without_the_permission(client, visitors):
    person = ClientFactory()
    StaffNoteFactory(client=person, text="Tavallinen muistiinpano")
    StaffNoteFactory(client=person, text="Arkaluonteinen muistiinpano", restricted=True)
    people = visitors(permissions=[*VIEW_PEOPLE, "clients.view_staffnote"])
    people.log_in(client, "permitted")
    page = client.get(change_url(person)).content.decode()
    assert "Tavallinen muistiinpano" in page
    assert "Arkaluonteinen" not in page

    people.permitted.user_permissions.add(Permission.objects.get(codename="view_restricted_note"))
    people.permitted = type(people.permitted).objects.get(pk=people.permitted.pk)  # drop the permission cache
    sign_in(client, people.permitted)
    assert "Arkaluonteinen muistiinpano" in client.get(change_url(person)).content.decode()


def test_health_information_is_hidden_from_staff_without_the_permission(client, visitors):
    person = ClientFactory()
    CollectedDataFactory(client=person, label="Tavoite", value="Maraton keväällä")
    CollectedDataFactory(client=person, label="Vamma", value="Polven nivelside", is_health=True)
    people = visitors(permissions=[*VIEW_PEOPLE, "clients.view_collecteddata"])
    people.log_in(client, "permitted")
    page = client.get(change_url(person)).content.decode()
    assert "Maraton keväällä" in page
    assert "Polven nivelside" not in page
    people.log_in(client, "superuser")
    assert "Polven nivelside" in client.get(change_url(person)).content.decode()


def test_the_person_page_lists_emails_newest_first_and_a_timeline(client, visitors):
    visitors().log_in(client, "superuser")
    person = ClientFactory()
    ReceivedEmailFactory(client=person, subject="Vanha viesti", sent_at="2026-01-01T10:00:00Z")
    ReceivedEmailFactory(client=person, subject="Uusi viesti", sent_at="2026-11-01T10:00:00Z")
    StaffNoteFactory(client=person, text="Aloitti valmennuksen")
    RoleChange.objects.create(client=person, role="client", previous_role="prospect")
    page = client.get(change_url(person)).content.decode()
    emails = page[page.index('id="emails-received"') :]
    assert emails.index("Uusi viesti") < emails.index("Vanha viesti")
    timeline = page[page.index('id="timeline"') :]
    assert "Aloitti valmennuksen" in timeline
    assert "Uusi viesti" in timeline


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
def test_attachments_are_downloaded_by_staff_who_may_read_emails_only(client, visitors, visitor, status):
    attachment = EmailAttachmentFactory(filename="kuntotesti.pdf")
    people = visitors(permissions=["clients.view_receivedemail"])
    if visitor != "anonymous":
        people.log_in(client, visitor)
    response = client.get(reverse("admin:clients_emailattachment_download", args=[attachment.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == 'attachment; filename="kuntotesti.pdf"'
        assert b"".join(response.streaming_content) == b"liitteen sisalto"


def test_staff_assign_an_unmatched_email_to_a_person(client, visitors):
    visitors().log_in(client, "superuser")
    received = ReceivedEmailFactory(client=None, sender="tuntematon@example.fi")
    person = ClientFactory()
    url = reverse("admin:clients_receivedemail_change", args=[received.pk])
    response = client.post(url, {"client": person.pk, "attachments-TOTAL_FORMS": 0, "attachments-INITIAL_FORMS": 0})
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.client == person


def test_saving_a_person_records_the_role_change_and_warns_of_a_duplicate_phone(client, visitors):
    people = visitors()
    people.log_in(client, "superuser")
    ClientFactory(last_name="Aiempi", phone="+358401234567")
    data = {
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
    response = client.post(reverse("admin:clients_client_add"), data, follow=True)
    assert response.status_code == 200
    assert "Aiempi" in str([str(m) for m in response.context["messages"]])
    person = Client.objects.get(email="uusi@example.fi")
    assert str(person.phone) == "+358 40 1234567"
    assert list(person.role_changes.values_list("previous_role", "role")) == [("", "prospect")]

    response = client.post(change_url(person), {**data, "role": "client"})
    assert response.status_code == 302
    assert list(person.role_changes.values_list("previous_role", "role")) == [
        ("prospect", "client"),
        ("", "prospect"),
    ]


def test_a_duplicate_email_in_the_form_is_a_field_error_and_saves_nothing(client, visitors):
    visitors().log_in(client, "superuser")
    ClientFactory(email="Matti@x.fi")
    data = {
        "first_name": "Matti",
        "last_name": "Toinen",
        "email": "matti@X.fi",
        "country": "FI",
        "preferred_language": "fi",
        "role": "client",
        "role_since": "2026-11-25",
        "source": "self",
        "entered_at_0": "2026-11-25",
        "entered_at_1": "10:00",
        "guardians-TOTAL_FORMS": 0,
        "guardians-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
        "collected_data-TOTAL_FORMS": 0,
        "collected_data-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:clients_client_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    assert Client.objects.count() == 1


@pytest.mark.parametrize(("visitor", "status"), [("staff", 403), ("permitted", 200), ("superuser", 200)])
def test_exporting_the_list_needs_its_own_permission(client, visitors, visitor, status):
    ClientFactory(last_name="Vientinen", phone="+358401234567")
    people = visitors(permissions=[*VIEW_PEOPLE, "clients.export_client"])
    people.log_in(client, visitor)
    # Viewing alone is not enough to take the whole register away.
    view_only = visitors(permissions=VIEW_PEOPLE)
    response = client.post(
        reverse("admin:clients_client_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"clientresource_{f}": "on" for f in ["first_name", "last_name", "phone"]},
        },
    )
    assert response.status_code == status
    if status == 200:
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[1] == ["Vientinen" if c == "last_name" else r for c, r in zip(rows[0], rows[1], strict=True)]
        assert "040 1234567" in rows[1]
    view_only.log_in(client, "permitted")
    assert client.post(reverse("admin:clients_client_export"), {"format": "0"}).status_code == 403


def test_a_restricted_minor_without_a_guardian_carries_both_marks_beside_the_name(client, visitors):
    visitors().log_in(client, "superuser")
    MinorFactory(last_name="Kaksinen", restricted_at="2026-11-01T10:00:00Z", restriction_reason="Oikaisu kesken")
    html = client.get(LIST_URL, {"q": "Kaksinen"}).content.decode()
    name = html.index("Kaksinen, ")
    name_cell = html[name : html.index("</th>", name)]
    assert 'class="restricted-mark" title="Oikaisu kesken"' in name_cell
    assert 'class="minor-mark"' in name_cell

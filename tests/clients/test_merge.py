"""Merging two records of one person moves everything to the kept one and leaves an audit note."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from clients.models import Client, StaffNote
from clients.services import merge_people
from tests.factories import (
    ClientFactory,
    CollectedDataFactory,
    GuardianFactory,
    ReceivedEmailFactory,
    StaffNoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:clients_client_changelist")


def test_merging_moves_every_related_row_fills_gaps_and_deletes_the_duplicate():
    keep = ClientFactory(email="matti@example.fi", phone="", city="")
    duplicate = ClientFactory(email="MATTI@example.fi", is_active=False, phone="+358401234567", city="Vantaa")
    guardian = GuardianFactory(minor=duplicate)
    note = StaffNoteFactory(client=duplicate, text="Vanha muistiinpano")
    received = ReceivedEmailFactory(client=duplicate)
    data = CollectedDataFactory(client=duplicate)
    owner = UserFactory(is_staff=True)

    merged = merge_people(keep=keep, duplicate=duplicate, merged_by=owner)

    assert not Client.objects.filter(pk=duplicate.pk).exists()
    guardian.refresh_from_db()
    assert guardian.minor == keep
    for row in (note, received, data):
        row.refresh_from_db()
        assert row.client == keep
    assert merged.phone.as_e164 == "+358401234567"
    assert merged.city == "Vantaa"
    audit = StaffNote.objects.filter(client=keep, author=owner).latest("created_at")
    assert f"(id {duplicate.pk})" in audit.text
    assert "MATTI@example.fi" in audit.text
    assert "040 1234567" in audit.text


def test_a_person_cannot_be_merged_with_themselves():
    person = ClientFactory()
    with pytest.raises(ValidationError):
        merge_people(keep=person, duplicate=person)


def test_the_admin_action_asks_which_to_keep_then_merges(client, visitors):
    people = visitors(permissions=["clients.view_client", "clients.change_client", "clients.merge_client"])
    people.log_in(client, "permitted")
    older = ClientFactory(last_name="Vanhempi")
    newer = ClientFactory(last_name="Uudempi")
    StaffNoteFactory(client=newer, text="Siirtyvä muistiinpano")
    selection = {"action": "merge_two_people", ACTION_CHECKBOX_NAME: [older.pk, newer.pk]}

    confirmation = client.post(LIST_URL, selection)
    assert confirmation.status_code == 200
    assert "Vanhempi" in confirmation.content.decode() and "Uudempi" in confirmation.content.decode()
    assert Client.objects.count() == 2

    response = client.post(LIST_URL, {**selection, "keep": newer.pk})
    assert response.status_code == 302
    assert list(Client.objects.values_list("last_name", flat=True)) == ["Uudempi"]
    assert newer.notes.filter(text="Siirtyvä muistiinpano").exists()


def test_the_merge_action_is_offered_only_with_its_permission(client, visitors):
    people = visitors(permissions=["clients.view_client", "clients.change_client"])
    people.log_in(client, "permitted")
    a, b = ClientFactory(), ClientFactory()
    client.post(LIST_URL, {"action": "merge_two_people", ACTION_CHECKBOX_NAME: [a.pk, b.pk], "keep": a.pk})
    assert Client.objects.count() == 2
    assert "merge_two_people" not in client.get(LIST_URL).content.decode()


def test_selecting_other_than_two_people_is_a_clear_error(client, visitors):
    visitors().log_in(client, "superuser")
    people = ClientFactory.create_batch(3)
    response = client.post(
        LIST_URL, {"action": "merge_two_people", ACTION_CHECKBOX_NAME: [p.pk for p in people]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Valitse täsmälleen kaksi yhdistettävää henkilöä."]
    assert Client.objects.count() == 3

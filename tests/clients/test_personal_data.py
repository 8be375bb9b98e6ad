"""What the register answers about one person: every row of theirs, readable, and nobody else's."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from register.declarations import Subject, erasure_plan, export
from tests.factories import (
    ClientFactory,
    CollectedDataFactory,
    EmailAttachmentFactory,
    GuardianFactory,
    StaffNoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_the_export_of_a_person_holds_each_of_their_rows_and_no_one_elses():
    person = GuardianFactory().minor
    attachment = EmailAttachmentFactory(email__client=person)
    StaffNoteFactory(client=person, text="Oma muistiinpano")
    CollectedDataFactory(client=person)
    other = ClientFactory()
    StaffNoteFactory(client=other, text="Toisen muistiinpano")
    LogEntry.objects.log_actions(
        user_id=UserFactory(is_staff=True).pk,
        queryset=[person],
        action_flag=CHANGE,
        change_message="Muutettu",
    )

    with translation.override("en"):
        sections = {s["model"]: s for s in export(Subject(people=(person,)))}
    assert set(sections) == {
        "admin.LogEntry",
        "clients.Client",
        "clients.CollectedData",
        "clients.EmailAttachment",
        "clients.Guardian",
        "clients.ReceivedEmail",
        "clients.StaffNote",
        # The field history of what staff may change: here, the copies made when the rows were added.
        "clients.HistoricalClient",
        "clients.HistoricalCollectedData",
        "clients.HistoricalGuardian",
        "clients.HistoricalStaffNote",
    }
    (me,) = sections["clients.Client"]["rows"]
    assert me["email"] == person.email
    assert me["role"] == "client"  # the readable label, not the code
    assert me["source"] == "told by the guardian"
    assert [n["text"] for n in sections["clients.StaffNote"]["rows"]] == ["Oma muistiinpano"]
    assert sections["clients.EmailAttachment"]["rows"][0]["file"] == attachment.file.name
    assert sections["admin.LogEntry"]["rows"][0]["object_repr"] == str(person)


def test_erasing_a_person_anonymises_their_row_and_deletes_what_hangs_on_it():
    person = GuardianFactory().minor
    StaffNoteFactory(client=person)
    plan = {item.model: item for item in erasure_plan(Subject(people=(person,)))}
    assert plan["clients.Client"].action == "anonymise"
    assert "email" in plan["clients.Client"].fields
    assert plan["clients.Guardian"].action == "delete"
    assert plan["clients.StaffNote"].action == "delete"


def test_the_change_log_is_found_through_the_person_it_names():
    person, other = ClientFactory(), ClientFactory()
    staff = UserFactory(is_staff=True)
    LogEntry.objects.log_actions(user_id=staff.pk, queryset=[person, other], action_flag=CHANGE)
    sections = {s["model"]: s for s in export(Subject(people=(person,)))}
    assert len(sections["admin.LogEntry"]["rows"]) == 1
    assert LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(other)).count() == 2

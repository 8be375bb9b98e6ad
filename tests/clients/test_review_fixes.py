"""Edge cases of the people register: a confirmed import, leaks through history, merges, odd emails."""

import csv
import io
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from clients.models import Client, EmailAttachment, ReceivedEmail
from clients.services import import_emails, merge_people
from register.declarations import Subject, export
from tests.factories import (
    ClientFactory,
    CollectedDataFactory,
    EmailAttachmentFactory,
    GuardianFactory,
    ReceivedEmailFactory,
    StaffNoteFactory,
)

pytestmark = pytest.mark.django_db


def test_a_confirmed_import_writes_nothing_when_a_row_became_invalid_after_the_preview(client, visitors):
    visitors().log_in(client, "superuser")
    content = "first_name,last_name,email\nAino,Aalto,aino@example.fi\nEero,Eskola,eero@example.fi\n"
    preview = client.post(
        reverse("admin:clients_client_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("a.csv", content.encode())},
    )
    form = preview.context["confirm_form"]
    ClientFactory(email="EERO@example.fi")  # someone else adds Eero meanwhile
    response = client.post(
        reverse("admin:clients_client_process_import"), {n: form.initial.get(n, "") for n in form.fields}, follow=True
    )
    assert not Client.objects.filter(email="aino@example.fi").exists()
    assert "Mitään ei tuotu" in " ".join(str(m) for m in response.context["messages"])


def test_the_change_history_does_not_reveal_a_restricted_note_or_a_health_entry(client, visitors):
    # A fixed name: a generated one such as Ruotsalainen holds the very word looked for.
    person = ClientFactory(first_name="Ida", last_name="Virtanen")
    note = StaffNoteFactory(client=person, text="Salainen elämäntilanne", restricted=True)
    entry = CollectedDataFactory(client=person, label="Polvivamma", is_health=True)
    assert "Salainen" not in str(note) and "Polvi" not in str(entry)
    people = visitors(permissions=["clients.view_client", "clients.change_client", "clients.add_staffnote"])
    people.log_in(client, "superuser")
    client.post(
        reverse("admin:clients_client_change", args=[person.pk]),
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "country": "FI",
            "preferred_language": "fi",
            "role": "client",
            "role_since": "2026-11-25",
            "source": "self",
            "entered_at_0": "25.11.2026",
            "entered_at_1": "10:00",
            "guardians-TOTAL_FORMS": 0,
            "guardians-INITIAL_FORMS": 0,
            "notes-TOTAL_FORMS": 1,
            "notes-INITIAL_FORMS": 0,
            "notes-0-text": "Uusi salainen",
            "notes-0-restricted": "on",
            "notes-0-created_at_0": "25.11.2026",
            "notes-0-created_at_1": "10:00",
            "collected_data-TOTAL_FORMS": 0,
            "collected_data-INITIAL_FORMS": 0,
        },
    )
    people.log_in(client, "permitted")
    history = client.get(reverse("admin:clients_client_history", args=[person.pk])).content.decode()
    assert "virtanen, ida" in history.lower()
    assert "salainen" not in history.lower() and "polvi" not in history.lower()


def test_staff_without_the_email_permission_see_no_emails_on_the_person_page(client, visitors):
    person = ClientFactory()
    ReceivedEmailFactory(client=person, subject="Yksityinen asia")
    visitors(permissions=["clients.view_client"]).log_in(client, "permitted")
    assert (
        "Yksityinen asia" not in client.get(reverse("admin:clients_client_change", args=[person.pk])).content.decode()
    )


def test_a_merge_keeps_the_restriction_and_the_furthest_role():
    keep = ClientFactory(role="prospect")
    duplicate = ClientFactory(role="client", restricted_at="2026-11-01T10:00:00Z", restriction_reason="Kiistetty")
    merged = merge_people(keep=keep, duplicate=duplicate)
    assert (merged.role, merged.restriction_reason) == ("client", "Kiistetty")
    assert merged.is_restricted
    assert merged.role_changes.filter(previous_role="prospect", role="client").exists()


def mail(**headers):
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def test_odd_emails_are_imported_readably(tmp_path):
    ClientFactory(email="a@example.fi")
    unknown = tmp_path / "vanha.eml"
    unknown.write_bytes(
        b"From: a@example.fi\r\nMessage-ID: <u@x>\r\nSubject: Vanha\r\n"
        b"Content-Type: text/plain; charset=unknown-8bit\r\n\r\nP\xe4iv\xe4\xe4 vaan\r\n"
    )
    html_only = mail(From="a@example.fi", Message_ID="<h@x>", Subject="HTML")
    html_only.set_content("<style>p{color:red}</style><p>Fish &amp; chips&nbsp;ok</p>", subtype="html")
    forwarded = mail(From="a@example.fi", Message_ID="<f@x>", Subject="Fwd")
    forwarded.set_content("Katso alla")
    forwarded.add_attachment(mail(From="b@example.fi", Subject="Alkuperäinen"))
    sneaky = mail(From="a@example.fi", Message_ID="<s@x>", Subject="Liite")
    sneaky.set_content("liite")
    sneaky.add_attachment(b"data", maintype="application", subtype="octet-stream", filename="..")
    paths = [unknown]
    for name, message in [("html.eml", html_only), ("fwd.eml", forwarded), ("liite.eml", sneaky)]:
        (tmp_path / name).write_bytes(bytes(message))
        paths.append(tmp_path / name)

    result = import_emails(paths=paths)
    assert (result.imported, result.broken_files) == (4, [])
    assert "vaan" in ReceivedEmail.objects.get(message_id="<u@x>").body
    assert ReceivedEmail.objects.get(message_id="<h@x>").body.strip() == "Fish & chips ok"
    forwarded_file = EmailAttachment.objects.get(email__message_id="<f@x>")
    assert b"Alkuper" in forwarded_file.file.read() or forwarded_file.size > 0
    assert EmailAttachment.objects.get(email__message_id="<s@x>").filename == "attachment.bin"


def test_the_import_command_fails_when_a_file_could_not_be_read(tmp_path):
    broken = tmp_path / "rikki.eml"
    broken.write_bytes(b"\x00\x01")
    with pytest.raises(CommandError, match="1 files could not be read"):
        call_command("import_emails", str(broken), stdout=io.StringIO(), stderr=io.StringIO())


def test_deleting_a_person_removes_their_attachment_files(django_capture_on_commit_callbacks):
    attachment = EmailAttachmentFactory()
    path = Path(attachment.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        attachment.email.client.delete()
    assert not path.exists()


def test_emails_a_guardian_sent_and_unmatched_ones_from_a_proven_address_are_found():
    guardian = GuardianFactory(email="huoltaja@example.fi")
    from_guardian = ReceivedEmailFactory(client=guardian.minor, sent_by_guardian=guardian)
    unmatched = ReceivedEmailFactory(client=None, sender="tuntematon@example.fi")
    by_guardian = {s["model"]: s for s in export(Subject(people=(guardian,)))}
    assert len(by_guardian["clients.ReceivedEmail"]["rows"]) == 1
    by_address = {s["model"]: s for s in export(Subject(emails=("TUNTEMATON@example.fi",)))}
    assert [r["subject"] for r in by_address["clients.ReceivedEmail"]["rows"]] == [unmatched.subject]
    assert from_guardian.subject != unmatched.subject


def test_the_export_defuses_spreadsheet_formulas_and_leaves_out_erased_people(client, visitors):
    visitors().log_in(client, "superuser")
    ClientFactory(first_name="=HYPERLINK(1)", last_name="Kaava")
    ClientFactory(last_name="Poistettu", is_active=False, email="")
    response = client.post(
        reverse("admin:clients_client_export"),
        {"format": "0", "resource": "0", **{f"clientresource_{f}": "on" for f in ["first_name", "last_name"]}},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[1] for row in rows[1:]] == ["Kaava"]
    assert not rows[1][0].startswith("=")

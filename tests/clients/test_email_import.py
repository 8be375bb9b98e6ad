"""import_emails: .eml and mbox files matched to people by sender, idempotent, broken files skipped whole."""

import datetime as dt
import mailbox
from email.message import EmailMessage
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clients.models import EmailAttachment, ReceivedEmail
from clients.services import import_emails
from tests.factories import ClientFactory, GuardianFactory

pytestmark = pytest.mark.django_db


def message(sender, subject="Kysymys", message_id=None, attachment=None, html=False):
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "sami@liikkuvatpuntit.fi"
    mail["Subject"] = subject
    mail["Date"] = "Tue, 10 Nov 2026 09:30:00 +0200"
    if message_id:
        mail["Message-ID"] = message_id
    if html:
        mail.set_content("<p>Hei, <b>pääsenkö</b> tiistaina?</p>", subtype="html")
    else:
        mail.set_content("Hei, pääsenkö tiistaina?")
    if attachment:
        name, data = attachment
        mail.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return mail


def eml(tmp_path, name, mail):
    path = tmp_path / name
    path.write_bytes(bytes(mail))
    return path


def test_a_message_is_attached_to_the_person_whose_address_sent_it_in_any_case(tmp_path):
    person = ClientFactory(email="Maija.Virtanen@example.fi")
    path = eml(tmp_path, "a.eml", message('"Maija V" <maija.virtanen@EXAMPLE.fi>', message_id="<m1@x>"))
    result = import_emails(paths=[path])
    assert (result.imported, result.unmatched, result.broken_files) == (1, 0, [])
    received = ReceivedEmail.objects.get()
    assert received.client == person
    assert received.subject == "Kysymys"
    assert received.body.strip() == "Hei, pääsenkö tiistaina?"
    assert received.sent_at == dt.datetime(2026, 11, 10, 7, 30, tzinfo=dt.UTC)
    assert received.recipients == "sami@liikkuvatpuntit.fi"


def test_a_guardians_message_goes_to_the_minor_and_keeps_its_attachment(tmp_path):
    guardian = GuardianFactory(email="aiti@example.fi")
    pdf = b"%PDF-1.4 todistus"
    path = eml(tmp_path, "b.eml", message("aiti@example.fi", message_id="<m2@x>", attachment=("todistus.pdf", pdf)))
    import_emails(paths=[path])
    received = ReceivedEmail.objects.get()
    assert received.client == guardian.minor
    assert received.sent_by_guardian == guardian
    attachment = EmailAttachment.objects.get()
    assert attachment.filename == "todistus.pdf"
    assert attachment.size == len(pdf)
    with attachment.file.open("rb") as handle:
        assert handle.read() == pdf


def test_importing_the_same_files_twice_adds_nothing(tmp_path):
    ClientFactory(email="a@example.fi")
    first = eml(tmp_path, "1.eml", message("a@example.fi", message_id="<same@x>"))
    no_id = eml(tmp_path, "2.eml", message("a@example.fi", subject="Ilman tunnusta"))
    assert import_emails(paths=[first, no_id]).imported == 2
    again = import_emails(paths=[first, no_id])
    assert (again.imported, again.duplicates) == (0, 2)
    assert ReceivedEmail.objects.count() == 2


def test_an_mbox_is_read_message_by_message_and_unknown_senders_wait_for_staff(tmp_path):
    ClientFactory(email="tuttu@example.fi")
    path = tmp_path / "saapuneet.mbox"
    box = mailbox.mbox(str(path))
    box.add(message("tuttu@example.fi", message_id="<a@x>"))
    box.add(message("vieras@example.fi", message_id="<b@x>", html=True))
    box.close()
    result = import_emails(paths=[path])
    assert (result.imported, result.unmatched) == (2, 1)
    unmatched = ReceivedEmail.objects.get(client__isnull=True)
    assert unmatched.sender == "vieras@example.fi"
    assert "pääsenkö" in unmatched.body and "<b>" not in unmatched.body


def test_a_broken_file_is_reported_by_name_and_the_good_ones_are_imported(tmp_path):
    ClientFactory(email="a@example.fi")
    good = eml(tmp_path, "hyva.eml", message("a@example.fi", message_id="<ok@x>"))
    broken = tmp_path / "rikki.eml"
    broken.write_bytes(b"\x00\x01 this is not an email at all")
    result = import_emails(paths=[broken, good])
    assert result.broken_files == ["rikki.eml"]
    assert result.imported == 1


def test_a_file_failing_half_way_leaves_no_row_and_no_file(tmp_path, monkeypatch, settings):
    ClientFactory(email="a@example.fi")
    path = tmp_path / "kaksi.mbox"
    box = mailbox.mbox(str(path))
    box.add(message("a@example.fi", message_id="<1@x>", attachment=("a.pdf", b"%PDF")))
    box.add(message("a@example.fi", message_id="<2@x>"))
    box.close()
    from clients import services

    real_store = services._store
    calls = []

    def store_then_fail(parsed, saved_files):
        calls.append(parsed.message_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_store(parsed, saved_files)

    monkeypatch.setattr(services, "_store", store_then_fail)
    result = import_emails(paths=[path])
    assert result.broken_files == ["kaksi.mbox"]
    assert result.imported == 0
    assert ReceivedEmail.objects.count() == 0
    assert EmailAttachment.objects.count() == 0
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("a*.pdf"))


def test_the_command_reports_counts_and_refuses_a_missing_file(tmp_path):
    ClientFactory(email="a@example.fi")
    path = eml(tmp_path, "a.eml", message("a@example.fi", message_id="<c@x>"))
    out = StringIO()
    call_command("import_emails", str(path), stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == (
        "1 imported, 0 already there, 0 unmatched (assign them in the back office), 0 broken files skipped"
    )
    with pytest.raises(CommandError, match=r"No such file: .*puuttuu\.eml"):
        call_command("import_emails", str(tmp_path / "puuttuu.eml"))

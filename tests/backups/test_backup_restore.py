"""The restore drill: back up a filled register, restore it into a fresh database, compare everything.

The restores run ``manage.py restore`` in a process of its own against a new database (a new SQLite
file, or a scratch PostgreSQL database), as an operator would; the backups run in this process. The
data is committed (transactional tests) so that the snapshot and the other process see it.
"""

import hashlib
import io
import json
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ops.backups import fernet_from_setting, verify_archive
from privacy.erasure import erase
from register.declarations import Subject
from tests.backups.conftest import current_database, files_under, fill_register, make_archive, manage

pytestmark = pytest.mark.django_db(transaction=True)

SKIP_REASON = {
    "sqlite": "the SQLite drill runs when the test database is SQLite (make test)",
    "postgresql": "the PostgreSQL drill runs when DATABASE_URL points at PostgreSQL (make test-postgres)",
}


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_drill_restores_every_table_and_file_and_erases_again_who_was_erased_after_the_backup(
    vendor, seller, backup_settings, fresh_database, tmp_path
):
    if connection.vendor != vendor:
        pytest.skip(SKIP_REASON[vendor])
    people = fill_register()
    person = people["person"]
    source = current_database()
    tables_before = source.tables()
    media_before = files_under(backup_settings.MEDIA_ROOT)
    assert tables_before["clients_client"][0] == 13 + 2  # the guardians' minors are people too
    assert people["attachment"] in media_before

    started = time.monotonic()
    output = io.StringIO()
    archive = make_archive(stdout=output)
    seconds = time.monotonic() - started
    assert str(archive) in output.getvalue()
    print(f"{vendor}: archive of {archive.stat().st_size} bytes written in {seconds:.2f} s")

    # The first restore: every table and every file comes back as it was.
    target = fresh_database("first")
    media = tmp_path / "restored-media"
    journal = Path(backup_settings.ERASURE_JOURNAL)
    started = time.monotonic()
    result = manage("restore", str(archive), "--yes", database=target.url, media_root=media, journal=journal)
    print(f"{vendor}: restored in {time.monotonic() - started:.2f} s")
    assert result.returncode == 0, result.stderr
    assert "Erasures re-applied from the journal: 0" in result.stdout
    assert target.tables() == tables_before
    assert files_under(media) == media_before

    # A person erased after the backup stays erased when the same archive is restored.
    erase(subject=Subject(people=(person,)))
    assert journal.read_text().count("\n") == 1
    again = fresh_database("again")
    media_again = tmp_path / "restored-again"
    result = manage("restore", str(archive), "--yes", database=again.url, media_root=media_again, journal=journal)
    assert result.returncode == 0, result.stderr
    assert "Erasures re-applied from the journal: 1 " in result.stdout
    [(first_name, last_name, email, active)] = again.query(
        "SELECT first_name, last_name, email, is_active FROM clients_client WHERE id = %s", (person.pk,)
    )
    assert (first_name, email, bool(active)) == ("", "", False)
    assert "Äijälä" not in last_name
    assert again.query("SELECT count(*) FROM clients_staffnote WHERE client_id = %s", (person.pk,)) == [(0,)]
    assert again.query("SELECT count(*) FROM clients_receivedemail WHERE client_id = %s", (person.pk,)) == [(0,)]
    assert again.query("SELECT buyer_email FROM billing_invoice WHERE client_id IS NULL") == [("",)]
    restored_files = files_under(media_again)
    assert people["attachment"] not in restored_files
    assert people["kept_attachment"] in restored_files
    # Everyone else is as they were.
    assert again.query("SELECT count(*) FROM clients_client WHERE is_active") == [(14,)]


def test_a_database_that_was_only_migrated_counts_as_empty(seller, backup_settings, fresh_database, tmp_path):
    fill_register()
    tables_before = current_database().tables()
    archive = make_archive()
    target = fresh_database("migrated")
    media = tmp_path / "restored-media"
    journal = Path(backup_settings.ERASURE_JOURNAL)
    migrated = manage("migrate", "--no-input", database=target.url, media_root=media, journal=journal)
    assert migrated.returncode == 0, migrated.stderr
    result = manage("restore", str(archive), "--yes", database=target.url, media_root=media, journal=journal)
    assert result.returncode == 0, result.stderr
    assert target.tables() == tables_before


def test_a_target_with_data_is_refused_and_left_as_it_was(seller, backup_settings):
    fill_register()
    archive = make_archive()
    source = current_database()
    tables_before = source.tables()
    media_before = files_under(backup_settings.MEDIA_ROOT)
    with pytest.raises(CommandError, match=r"^The target is not empty \(auth\.User has rows; "):
        call_command("restore", str(archive), "--yes")
    assert source.tables() == tables_before
    assert files_under(backup_settings.MEDIA_ROOT) == media_before


def _flip_middle_byte(archive: Path) -> None:
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))


def _cut_the_end(archive: Path) -> None:
    archive.write_bytes(archive.read_bytes()[:-100])


@pytest.mark.parametrize(
    ("damage", "with_checksum_file", "message"),
    [
        ("wrong key", True, "The archive cannot be decrypted with BACKUP_KEY: it was made with another key"),
        ("flipped byte", True, "The archive does not match its checksum in"),
        ("flipped byte", False, "The archive is damaged: a part of it fails its authentication check."),
        ("cut end", True, "The archive does not match its checksum in"),
        ("cut end", False, "The archive is incomplete: it ends before its last part"),
    ],
)
def test_a_wrong_key_or_a_damaged_archive_is_refused_and_the_target_untouched(
    damage, with_checksum_file, message, seller, backup_settings, fresh_database, tmp_path
):
    fill_register()
    archive = make_archive()
    if damage == "flipped byte":
        _flip_middle_byte(archive)
    elif damage == "cut end":
        _cut_the_end(archive)
    if not with_checksum_file:
        archive.with_name(archive.name + ".sha256").unlink()
    extra = {"key": Fernet.generate_key().decode()} if damage == "wrong key" else {}
    target = fresh_database("refused")
    media = tmp_path / "target-media"
    journal = Path(backup_settings.ERASURE_JOURNAL)
    result = manage("restore", str(archive), "--yes", database=target.url, media_root=media, journal=journal, **extra)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith(f"CommandError: {message}")
    assert "Traceback" not in result.stderr
    assert target.tables() == {}
    assert files_under(media) == {}


def test_an_archive_is_refused_by_a_database_of_another_vendor(seller, backup_settings, tmp_path):
    fill_register()
    archive = make_archive()
    if connection.vendor == "sqlite":
        # Nothing has to answer there: the vendor is refused before any connection is made.
        other, expected = (
            "postgres://nobody@127.0.0.1:1/nothing",
            "holds a SQLite database but the target is PostgreSQL",
        )
    else:
        other, expected = (
            f"sqlite:///{tmp_path / 'other.sqlite3'}",
            "holds a PostgreSQL database but the target is SQLite",
        )
    media = tmp_path / "target-media"
    result = manage(
        "restore", str(archive), "--yes", database=other, media_root=media, journal=tmp_path / "journal.jsonl"
    )
    assert result.returncode == 1
    assert expected in result.stderr
    assert files_under(media) == {}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "CommandError: BACKUP_KEY is not set; generate a key with"),
        ("not-a-fernet-key", "CommandError: BACKUP_KEY is malformed: key 1 of 1 is not a Fernet key"),
    ],
)
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_a_missing_or_malformed_key_stops_both_commands_with_one_line(command, key, message, tmp_path):
    database = current_database().url
    arguments = ["backup", "--output-dir", str(tmp_path)] if command == "backup" else ["restore", "archive.backup"]
    result = manage(*arguments, database=database, media_root=tmp_path / "media", journal=tmp_path / "j", key=key)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith(message)
    assert not list(tmp_path.glob("register-*"))


def test_keep_prunes_all_but_the_newest_archives_of_its_own_kind(seller, backup_settings):
    folder = Path(backup_settings.BACKUP_DIR)
    folder.mkdir()
    old = ["register-20250101T030000Z.backup", "register-20250102T030000Z.backup", "register-20250103T030000Z.backup"]
    for name in old:
        (folder / name).write_bytes(b"old")
        (folder / f"{name}.sha256").write_text("x")
    (folder / "notes.txt").write_text("not an archive")
    output = io.StringIO()
    archive = make_archive(keep=2, stdout=output)
    assert sorted(path.name for path in folder.iterdir()) == [
        "notes.txt",
        old[2],
        f"{old[2]}.sha256",
        archive.name,
        f"{archive.name}.sha256",
    ]
    assert "Removed 2 older archives" in output.getvalue()


def test_the_archive_has_a_checksum_file_and_a_manifest_of_every_member(seller, backup_settings, tmp_path):
    people = fill_register()
    archive = make_archive()
    checksum, name = archive.with_name(archive.name + ".sha256").read_text().split()
    assert name == archive.name
    assert checksum == hashlib.sha256(archive.read_bytes()).hexdigest()

    verified = verify_archive(archive, fernet=fernet_from_setting(backup_settings.BACKUP_KEY), folder=tmp_path)
    manifest = verified.manifest
    assert manifest["vendor"] == connection.vendor
    assert manifest["created_at"].endswith("Z")
    assert "0001_initial" in manifest["migrations"]["clients"]
    assert f"media/{people['attachment']}" in manifest["members"]
    assert all(len(member["sha256"]) == 64 for member in manifest["members"].values())
    # Nothing of the people is readable in the file itself.
    assert b"Aijala" not in archive.read_bytes() and "Äijälä".encode() not in archive.read_bytes()
    assert json.dumps(manifest)  # plain JSON


def test_a_key_taken_out_of_use_still_decrypts_while_it_is_listed(seller, backup_settings, tmp_path):
    fill_register()
    old_key, new_key = backup_settings.BACKUP_KEY, Fernet.generate_key().decode()
    old_archive = make_archive(output_dir=tmp_path / "old")
    backup_settings.BACKUP_KEY = f"{new_key},{old_key}"
    new_archive = make_archive(output_dir=tmp_path / "new")
    output = io.StringIO()
    call_command("restore", str(old_archive), "--check", stdout=output)
    call_command("restore", str(new_archive), "--check", stdout=output)
    assert output.getvalue().count("Archive verified") == 2
    backup_settings.BACKUP_KEY = new_key
    call_command("restore", str(new_archive), "--check", stdout=output)
    backup_settings.BACKUP_KEY = old_key
    with pytest.raises(CommandError, match="made with another key"):
        call_command("restore", str(new_archive), "--check")


@pytest.mark.parametrize("length", [0, 5, 8, 9, 20])
def test_a_file_cut_right_after_its_start_is_refused_in_one_line(length, seller, backup_settings):
    fill_register()
    archive = make_archive()
    archive.write_bytes(archive.read_bytes()[:length])
    archive.with_name(archive.name + ".sha256").unlink()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--check")
    assert "\n" not in str(refused.value)

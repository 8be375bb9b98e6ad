import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from ops.backups import (
    VENDOR_NAMES,
    BackupError,
    check_sidecar,
    check_target,
    fernet_from_setting,
    first_line,
    restore_database,
    restore_media,
    verify_archive,
)
from privacy.erasure import JournalError, read_journal, reapply_erasures


class Command(BaseCommand):
    help = (
        "Restore an archive made by the backup command into an empty database and an empty MEDIA_ROOT, "
        "then erase again everyone the erasure journal (ERASURE_JOURNAL) says was erased after the archive "
        "was made. Empty means: no user accounts and no rows of personal data, so a newly created database "
        "or one that was only migrated. Everything is decrypted and checked (keys, checksums, vendor, "
        "migrations) before the target is touched; a wrong key or a damaged or incomplete archive changes "
        "nothing. Stop the app and the cron jobs first. The journal must live on another disk or volume "
        "than the database and be backed up with the same care as the archives: a lost journal means "
        "erased people come back with an old archive."
    )

    # A failing system check (a model left undeclared, say) must not stop the backups or a restore.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The archive (register-YYYYMMDDTHHMMSSZ.backup).")
        parser.add_argument("--yes", action="store_true", help="Do not ask before restoring.")
        parser.add_argument(
            "--check", action="store_true", help="Only decrypt and verify the archive; change nothing."
        )

    def handle(self, *, archive, yes, check, **options):
        try:
            self.restore(archive, yes=yes, check=check)
        except (BackupError, JournalError) as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"The restore failed: {error}") from None
        except DatabaseError as error:
            raise CommandError(f"The target database cannot be used: {first_line(error)}") from None

    def restore(self, archive: Path, *, yes: bool, check: bool) -> None:
        fernet = fernet_from_setting(settings.BACKUP_KEY)
        if not archive.is_file():
            raise BackupError(f"{archive} is not a file.")
        media_root = Path(settings.MEDIA_ROOT)
        has_sidecar = check_sidecar(archive)
        with tempfile.TemporaryDirectory(prefix="register-restore-") as folder:
            verified = verify_archive(archive, fernet=fernet, folder=Path(folder))
            self.stdout.write(
                f"Archive verified: made {verified.created_at:%Y-%m-%d %H:%M:%S} UTC from "
                f"{VENDOR_NAMES[verified.vendor]}, {len(verified.media)} uploaded files"
                + ("; it matches its .sha256 file." if has_sidecar else "; there is no .sha256 file beside it.")
            )
            if check:
                return
            entries = read_journal(since=verified.created_at)
            check_target(verified, connection=connection, media_root=media_root)
            if not yes:
                self.confirm(archive, media_root)
            restore_database(verified, connection=connection)
            self.stdout.write(f"Database restored into {connection.settings_dict['NAME']}.")
            count = restore_media(verified, media_root=media_root)
            self.stdout.write(f"Uploaded files restored into {media_root}: {count}.")

        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write(f"Migrations newer than the archive applied: {len(plan)}.")
        reapplied, gone = reapply_erasures(entries)
        self.stdout.write(
            f"Erasures re-applied from the journal: {reapplied} "
            f"({len(entries)} journal entries after the archive was made; {gone} found no one left to erase)."
        )

    def confirm(self, archive: Path, media_root: Path) -> None:
        if not sys.stdin.isatty():
            raise BackupError("Add --yes to restore without being asked; there is no terminal to ask on.")
        answer = input(
            f"Restore {archive.name} into the database {connection.settings_dict['NAME']} and {media_root}? "
            "Type yes to go on: "
        )
        if answer.strip().lower() != "yes":
            raise BackupError("Restore cancelled; nothing was changed.")

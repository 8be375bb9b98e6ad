import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from ops.backups import BackupError, fernet_from_setting, first_line, make_backup, prune


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Write one encrypted archive of the database (SQLite's online backup, or pg_dump on PostgreSQL) "
        "and the uploaded files under MEDIA_ROOT, with a manifest of checksums, encrypted with the first "
        "key of BACKUP_KEY, and a .sha256 file beside it. --keep N then removes all but the newest N "
        "archives in the folder. The database is read as one consistent snapshot while the app runs."
    )

    # A failing system check (a model left undeclared, say) must not stop the backups or a restore.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir", type=Path, help="Folder of the archives (default: the BACKUP_DIR setting)."
        )
        parser.add_argument(
            "--keep", type=positive, metavar="N", help="Keep only the newest N archives in the folder."
        )

    def handle(self, *, output_dir, keep, **options):
        output_dir = Path(output_dir or settings.BACKUP_DIR)
        started = time.monotonic()
        try:
            fernet = fernet_from_setting(settings.BACKUP_KEY)
            # The unencrypted snapshot lives only in a private temporary folder (TMPDIR decides where).
            with tempfile.TemporaryDirectory(prefix="register-backup-") as work_dir:
                result = make_backup(
                    connection=connection,
                    media_root=Path(settings.MEDIA_ROOT),
                    output_dir=output_dir,
                    fernet=fernet,
                    work_dir=Path(work_dir),
                )
            removed = prune(output_dir, keep=keep) if keep else []
        except BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"The backup failed: {error}") from None
        except DatabaseError as error:
            raise CommandError(f"The database cannot be read: {first_line(error)}") from None
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{result.path} ({_size(result.size)}, {result.size} bytes; the database and "
            f"{result.media_files} uploaded files) in {seconds:.1f} s"
        )
        if removed:
            self.stdout.write(f"Removed {len(removed)} older archives: " + ", ".join(path.name for path in removed))
        if not isinstance(default_storage, FileSystemStorage):
            # The archive reads MEDIA_ROOT itself: files kept in a bucket (AWS_STORAGE_BUCKET_NAME) are not in it.
            self.stderr.write(
                "Uploaded files are kept in object storage, not under MEDIA_ROOT, and are not in this archive: "
                "keep them with the bucket's own versioning or replication."
            )


def _size(size: float) -> str:
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        size /= 1024
        if size < 1024:
            return f"{size:.1f} {unit}"
    return f"{size / 1024:.1f} TiB"

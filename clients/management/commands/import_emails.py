from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from clients.services import import_emails


class Command(BaseCommand):
    help = (
        "Import emails from .eml or mbox files and attach them to the people who sent them "
        "(matched by sender address, also a guardian's). Safe to run again: known messages are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help=".eml or mbox files")

    def handle(self, *, paths, **options):
        missing = [path for path in paths if not path.is_file()]
        if missing:
            raise CommandError(f"No such file: {missing[0]}")
        result = import_emails(paths=paths, progress=tqdm)
        self.stdout.write(
            f"{result.imported} imported, {result.duplicates} already there, "
            f"{result.unmatched} unmatched (assign them in the back office), "
            f"{len(result.broken_files)} broken files skipped"
        )
        for name in result.broken_files:
            self.stderr.write(f"Skipped broken file: {name}")
        if result.broken_files:
            raise CommandError(f"{len(result.broken_files)} files could not be read; the rest were imported")

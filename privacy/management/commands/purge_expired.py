from django.core.management.base import BaseCommand
from tqdm import tqdm

from privacy.retention import purge_expired


class Command(BaseCommand):
    help = (
        "Apply the retention rules of every app: erase people and rows whose time is up. --dry-run prints "
        "the plan. Safe to run from cron: what is gone is not found again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be removed; change nothing.")

    def handle(self, *, dry_run, **options):
        run = purge_expired(dry_run=dry_run, progress=tqdm)
        self.stdout.write(("Would remove:\n" if dry_run else "Removed:\n") + run.summary)

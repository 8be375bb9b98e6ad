from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from consents.mailchimp import MailchimpNotConfigured, sync


class Command(BaseCommand):
    help = (
        "Send Mailchimp the email address and first name of everyone who may receive email marketing, and "
        "unsubscribe those who may no longer. Only changes are sent; failed contacts are retried next run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")

    def handle(self, *, dry_run, **options):
        try:
            result = sync(dry_run=dry_run, progress=tqdm)
        except MailchimpNotConfigured as error:
            raise CommandError(str(error)) from error
        if dry_run:
            for change in result.planned:
                self.stdout.write(f"would {change.status.removesuffix('d')}: {change.email}")
            self.stdout.write(f"{len(result.planned)} changes planned, {result.unchanged} unchanged")
            return
        for line in result.errors:
            self.stderr.write(f"failed, retried next run: {line}")
        self.stdout.write(
            f"{result.subscribed} subscribed, {result.unsubscribed} unsubscribed, {result.unchanged} unchanged, "
            f"{len(result.errors)} failed"
        )
        if result.errors:
            raise CommandError(f"{len(result.errors)} contacts failed; they are retried on the next run")

from django.core.management.base import BaseCommand

from billing.feedback import send_feedback_requests


class Command(BaseCommand):
    help = (
        "Email a feedback link for each visit of the last two days not yet asked about, when the organisation "
        "has feedback requests switched on. Safe to run from cron: nobody is asked twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", required=True, help="The public address of the site, e.g. https://rekisteri.example.fi"
        )

    def handle(self, *, base_url, **options):
        self.stdout.write(f"{send_feedback_requests(base_url=base_url)} feedback requests sent")

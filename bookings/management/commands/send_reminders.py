from django.core.management.base import BaseCommand

from bookings.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Email the reminders that are due (by default 24 hours before each appointment). Meant for cron "
        "every few minutes: each reminder is sent once, even when runs overlap."
    )

    def handle(self, **options):
        sent = send_due_reminders()
        self.stdout.write(f"{sent} reminders sent")

from django.core.management.base import BaseCommand

from billing.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Send a payment reminder for each invoice at least 14 days overdue that has had none in the last "
        "14 days (Debt Collection Act). Safe to run daily from cron."
    )

    def handle(self, **options):
        self.stdout.write(f"{send_due_reminders()} payment reminders sent")

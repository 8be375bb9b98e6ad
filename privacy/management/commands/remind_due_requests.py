from django.core.management.base import BaseCommand

from privacy.requests import expire_unverified, remind_due_requests


class Command(BaseCommand):
    help = (
        "Mark unverified requests expired and email the privacy contact about open requests due within a week "
        "or overdue. Safe to run from cron: each request is in at most one reminder a day."
    )

    def handle(self, **options):
        expired = expire_unverified()
        reminded = remind_due_requests()
        self.stdout.write(f"{expired} expired, {reminded} requests in the reminder")

"""Demo billing for seed_demo: seller details, last month's visits invoiced, some paid."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.services import invoices_from_visits, issue_invoice, record_payment
from register.models import Organisation


def seed(command):
    organisation = Organisation.objects.get()
    # A made-up but valid business ID and bank account for the demo only.
    organisation.business_id = "0112038-9"
    organisation.vat_number = "FI01120389"
    organisation.iban = "FI2112345600000785"
    organisation.bic = "NDEAFIHH"
    organisation.save()
    today = timezone.localdate()
    drafts = invoices_from_visits(start=today - timedelta(days=30), end=today - timedelta(days=8))
    for index, draft in enumerate(drafts):
        if index % 3 == 2:
            continue  # some stay drafts for staff to look at
        try:
            invoice = issue_invoice(invoice=draft, on=today - timedelta(days=7))
        except ValidationError:
            continue  # a buyer without an address: the draft waits for staff, as it would in real life
        if index % 3 == 0:
            record_payment(invoice=invoice, amount=invoice.total_gross, paid_on=today)
        elif index % 4 == 1:
            record_payment(invoice=invoice, amount=(invoice.total_gross / 2).quantize(Decimal("0.01")), paid_on=today)

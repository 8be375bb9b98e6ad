"""The generated invoices: a third of the generated visits invoiced, with their lines and payments."""

import json
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from bench.scale import Scale
from billing.models import Invoice, InvoiceLine, InvoiceSequence, Payment, VatRate, cents
from billing.payment_codes import make_reference
from billing.services import seller_details
from bookings.models import Appointment, Service
from clients.models import Client
from register.models import Organisation

PAID_SHARE, PARTLY_PAID_SHARE = 0.93, 0.95  # of invoices past their due date; the rest stay unpaid
PAYMENT_TERMS_DAYS = 14


def generate(scale: Scale) -> None:
    """Invoice a third of the generated visits (each long-standing client's share exactly), with payments.

    Numbers run gap-free per year in the order of issue, after those the year already has, and each
    year's sequence row ends at the last number used; every invoice has its reference, frozen seller
    details, one line naming its visit (so the visit is never invoiced twice) and its field history.
    """
    rng, loader, now = scale.rng, scale.loader, scale.now
    today = timezone.localdate()
    visits = Appointment.objects.filter(pk__gte=scale.first_keys["bookings.Appointment"], status="attended")
    chosen = list(
        visits.exclude(client__in=list(scale.long_records))
        .annotate(third=F("pk") % 3)
        .filter(third=0)
        .values_list("pk", "client_id", "starts_at", "service_id")
    )
    for key, record in scale.long_records.items():
        theirs = list(visits.filter(client=key).values_list("pk", "client_id", "starts_at", "service_id"))
        chosen += rng.sample(theirs, min(record.invoices, len(theirs)))

    planned = []
    for visit, client, starts, service in chosen:
        day = timezone.localtime(starts).date()
        issued = day + timedelta(days=rng.randint(1, 10))
        if issued <= today:
            planned.append((issued, visit, client, day, service))
    planned.sort()

    buyers = {
        key: (f"{first} {last}", "\n".join(p for p in (street, f"{code} {city}".strip()) if p), email, language)
        for key, first, last, street, code, city, email, language in Client.objects.filter(
            pk__gte=scale.first_keys["clients.Client"]
        ).values_list("pk", "first_name", "last_name", "street_address", "postal_code", "city", "email",
                      "preferred_language")
    }  # fmt: skip
    services = {service.pk: service for service in Service.objects.all()}
    rates = list(VatRate.objects.order_by("-valid_from"))
    rate_cache = {}

    def rate_on(category, day):
        if (category, day) not in rate_cache:
            rate = next(
                (r.rate for r in rates if r.category == category and r.valid_from <= day
                 and (r.valid_until is None or r.valid_until >= day)),
                Decimal(0),
            )  # fmt: skip
            rate_cache[category, day] = rate
        return rate_cache[category, day]

    # The same frozen details on every invoice: serialised once instead of per row.
    seller = json.dumps(seller_details(Organisation.objects.get()), ensure_ascii=False)
    last_numbers = dict(InvoiceSequence.objects.values_list("year", "last_number"))
    keys = loader.reserve(Invoice, len(planned))
    invoices, lines, payments = [], [], []
    for key, line_key, (issued, visit, client, day, service_key) in zip(
        keys, loader.reserve(InvoiceLine, len(planned)), planned, strict=True
    ):
        service = services[service_key]
        name, address, email, language = buyers[client]
        language = "en" if language == "en" else "fi"
        number = last_numbers[issued.year] = last_numbers.get(issued.year, 0) + 1
        reference = make_reference(f"{issued.year}{number:05d}")
        gross = cents(service.price)
        rate = rate_on(service.vat_category, day)
        vat = cents(gross * rate / (100 + rate))
        due = issued + timedelta(days=PAYMENT_TERMS_DAYS)
        created = datetime.combine(issued, time(7), tzinfo=UTC)
        outcome = rng.random() if due < today - timedelta(days=10) else rng.random() * 1.5
        status = "paid" if outcome < PAID_SHARE else "partly_paid" if outcome < PARTLY_PAID_SHARE else "sent"
        invoices.append(
            (key, issued.year, number, reference, status, False, client, name, address, email, language, issued,
             day, due, seller, gross - vat, vat, gross, created, created)
        )  # fmt: skip
        lines.append(
            (line_key, key, service.name_en if language == "en" else service.name_fi, Decimal(1),
             "pcs" if language == "en" else "kpl", service.price, True, rate, day,
             visit, False)
        )  # fmt: skip
        if status != "sent":
            amount = gross if status == "paid" else cents(gross / 2)
            paid_on = min(today, issued + timedelta(days=rng.randint(2, 20)))
            payments.append((key, amount, paid_on, reference, name, rng.choice(["manual", "bank"])))

    invoice_columns = [
        "id", "year", "number", "reference", "status", "is_credit_note", "client_id", "buyer_name", "buyer_address",
        "buyer_email", "buyer_language", "issue_date", "delivery_date", "due_date", "seller", "total_net",
        "total_vat", "total_gross", "sent_at", "created_at",
    ]  # fmt: skip
    history = Invoice.history.model
    with loader.indexes_deferred(Invoice, history, InvoiceLine, Payment):
        with scale.progress(len(invoices), "invoices") as bar:
            loader.write_with_history(
                Invoice, invoice_columns, scale.counted(invoices, bar), history_date="created_at"
            )
        loader.write(
            InvoiceLine,
            ["id", "invoice_id", "description", "quantity", "unit", "unit_price", "unit_price_includes_vat",
             "vat_rate", "service_date", "appointment_id", "on_credit_note"],
            lines,
        )  # fmt: skip
        loader.write(
            Payment,
            ["id", "invoice_id", "amount", "paid_on", "reference", "payer_name", "source", "bank_entry_id",
             "recorded_at"],
            (
                (payment_key, *payment, "", now)
                for payment_key, payment in zip(loader.reserve(Payment, len(payments)), payments, strict=True)
            ),
        )  # fmt: skip
    for year, last in last_numbers.items():
        InvoiceSequence.objects.update_or_create(year=year, defaults={"last_number": last})

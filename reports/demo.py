"""Demo history for seed_demo, so the dashboard has a year to show: past visits, feedback, invoices, requests.

The bookings app's demo covers the weeks around today; this adds the year before them for the two
coaches (with outcomes, feedback and a month's invoices at each month's end, most of them paid), and a
few open data requests. It runs after every other app's demo (reports comes last in INSTALLED_APPS).
"""

import random
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from billing.models import Feedback
from billing.services import credit_invoice, invoices_from_visits, issue_invoice, record_payment
from bookings.models import Appointment, Coach, Location, Service
from clients.models import Client
from privacy.requests import record_request
from reports.periods import first_of_month, previous_month

# The bookings demo books from three weeks back; the history ends the day before that.
HISTORY_ENDS_DAYS_AGO = 22
HISTORY_DAYS = 365


def seed(command):
    rng = random.Random(9)  # noqa: S311 - repeatable demo data, not a secret
    today = timezone.localdate()
    services = list(Service.objects.order_by("pk"))
    studio = Location.objects.filter(is_remote=False).first()
    coaches = list(Coach.objects.select_related("user").order_by("pk"))
    if not services or not coaches:
        return

    visits = []
    for coach in coaches:
        clients = list(Client.objects.filter(coach=coach.user, role=Client.Role.CLIENT))
        if not clients:
            continue
        for back in range(HISTORY_ENDS_DAYS_AGO, HISTORY_DAYS):
            day = today - timedelta(days=back)
            # Quieter in July, busier in January, as a gym's year goes.
            sessions = 1 if day.month == 7 else 5 if day.month == 1 else 3
            if day.weekday() >= 5:
                continue
            for hour in sorted(rng.sample(range(7, 19), sessions)):
                visits.append(_visit(rng, coach, rng.choice(clients), rng.choice(services[:2]), studio, day, hour))
    Appointment.objects.bulk_create(visits, batch_size=500)

    attended = Appointment.objects.filter(
        status=Appointment.Status.ATTENDED, starts_at__lt=timezone.now() - timedelta(days=HISTORY_ENDS_DAYS_AGO)
    )
    Feedback.objects.bulk_create(
        [Feedback(appointment=visit, score=rng.choice([3, 4, 4, 5, 5, 5])) for visit in attended if rng.random() < 0.4]
    )
    # Answered the day of the visit: the feedback chart counts by the month of the answer.
    Feedback.objects.filter(appointment__in=attended).update(
        answered_at=Subquery(Appointment.objects.filter(pk=OuterRef("appointment_id")).values("starts_at")[:1])
    )
    _invoice_months(rng, today)
    _open_requests(today)


def _visit(rng, coach, client, service, location, day: date, hour: int) -> Appointment:
    starts_at = timezone.make_aware(datetime.combine(day, time(hour)))
    visit = Appointment(
        client=client,
        coach=coach.user,
        service=service,
        location=location,
        starts_at=starts_at,
        ends_at=starts_at + service.duration,
        status=Appointment.Status.ATTENDED,
    )
    outcome = rng.random()
    if outcome < 0.06:
        visit.status = Appointment.Status.NO_SHOW
    elif outcome < 0.12:
        visit.status = Appointment.Status.CANCELLED_BY_CLIENT
        visit.cancelled_at = starts_at - timedelta(hours=rng.choice([5, 30, 72]))
        visit.late_cancellation = starts_at - visit.cancelled_at < timedelta(hours=24)
    elif outcome < 0.14:
        visit.status = Appointment.Status.CANCELLED_BY_BUSINESS
        visit.cancelled_at = starts_at - timedelta(days=2)
    else:
        visit.checked_in_at = starts_at
    return visit


def _invoice_months(rng, today: date) -> None:
    """Invoice each past month's visits on the first of the next month; most are paid, a few are late."""
    month = first_of_month(today - timedelta(days=HISTORY_DAYS))
    last = previous_month(today - timedelta(days=HISTORY_ENDS_DAYS_AGO))
    credited, unpaid_left = False, 3
    while month < last:
        following = (month + timedelta(days=32)).replace(day=1)
        drafts = invoices_from_visits(start=month, end=following - timedelta(days=1))
        for draft in drafts:
            try:
                invoice = issue_invoice(invoice=draft, on=following)
            except ValidationError:
                continue  # a buyer without an address waits as a draft, as in the bookings demo
            if not credited:
                credit_invoice(invoice=invoice)  # one correction: the credit note shows in the VAT summary
                credited = True
                continue
            if unpaid_left and today - timedelta(days=120) < invoice.due_date < today - timedelta(days=20):
                unpaid_left -= 1
                continue  # unpaid: overdue on the dashboard
            paid_on = min(invoice.due_date + timedelta(days=rng.randint(-10, 3)), today)
            record_payment(invoice=invoice, amount=invoice.total_gross, paid_on=paid_on, payer_name=invoice.buyer_name)
        month = following


def _open_requests(today: date) -> None:
    """Three requests still open: one due within a week, one with time, one overdue."""
    for days_ago, kind, name in [
        (27, "access", "Pirjo Demo"),
        (5, "rectification", "Kalle Demo"),
        (33, "erasure", "Ulla Demo"),
    ]:
        record_request(
            received_on=today - timedelta(days=days_ago),
            kind=kind,
            channel="email",
            name=name,
            email=f"{name.split()[0].lower()}@example.fi",
            details="Demo",
        )

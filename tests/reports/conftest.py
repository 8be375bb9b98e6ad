"""A hand-built register for the dashboard and report tests, seen on Wednesday 8 January 2025.

Two coaches (Sami and Laura), appointments around the turn of the year (the week of Monday
30 December 2024 belongs to two years), invoices, a credit note, payments, feedback and new people
whose times sit on either side of a Helsinki midnight that is still the previous day in UTC.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from billing.models import Feedback, Invoice
from billing.services import credit_invoice, issue_invoice, record_payment
from bookings.models import Appointment
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    CoachFactory,
    FeedbackFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    ServiceFactory,
    UserFactory,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = date(2025, 1, 8)
ROLE_GROUPS = {
    "owner": "Omistaja (owner)",
    "coach": "Valmentaja (coach)",
    "bookkeeper": "Kirjanpitäjä (bookkeeper)",
    "privacy handler": "Tietosuojavastaava (privacy handler)",
}


def at(year, month, day, hour=10, minute=0) -> datetime:
    """Return a Helsinki wall-clock time as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def role_group(role: str) -> Group:
    """Return the role's group, made again as its migration makes it when a transactional test emptied it."""
    group = Group.objects.filter(name=ROLE_GROUPS[role]).first()
    if group is not None:
        return group
    group = Group.objects.create(name=ROLE_GROUPS[role])
    if role == "owner":
        group.permissions.set(Permission.objects.all())
        return group
    table = import_module("privacy.migrations.0006_staff_roles").ROLES[ROLE_GROUPS[role]]
    wanted = Q(pk__in=[])
    for app_label, models in table.items():
        for model, actions in models.items():
            names = ["issue_invoice" if action == "issue" else f"{action}_{model}" for action in actions]
            wanted |= Q(content_type__app_label=app_label, codename__in=names)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def staff(role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(role_group(role))
    return user


@pytest.fixture
def team(organisation):
    """Return the staff: the owner, two coaches with calendar profiles, the bookkeeper, the privacy handler."""
    sami = CoachFactory(user__username="sami", display_name="Sami Muhonen", colour="#b5651d").user
    laura = CoachFactory(user__username="laura", display_name="Laura Lehtinen", colour="#2f6f9f").user
    for coach in (sami, laura):
        coach.groups.add(role_group("coach"))
    return SimpleNamespace(
        owner=staff("owner", "omistaja"),
        sami=sami,
        laura=laura,
        bookkeeper=staff("bookkeeper", "kirjanpitaja"),
        privacy_handler=staff("privacy handler", "tietosuoja"),
    )


def appointment(coach, client, starts_at, status="attended", **fields):
    if status == "cancelled_by_client":
        fields.setdefault("cancelled_at", starts_at - timedelta(hours=30))
    return AppointmentFactory(
        coach=coach,
        client=client,
        service=fields.pop("service", None) or ServiceFactory(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status=status,
        **fields,
    )


def issued(on: date, *lines, due: date | None = None, client=None) -> Invoice:
    """Issue an invoice on ``on`` with ``lines`` as (quantity, unit price, VAT %, price includes VAT)."""
    invoice = InvoiceFactory(client=client or ClientFactory(), due_date=due)
    for quantity, price, rate, with_vat in lines:
        InvoiceLineFactory(
            invoice=invoice,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            vat_rate=Decimal(rate),
            unit_price_includes_vat=with_vat,
        )
    return issue_invoice(invoice=invoice, on=on)


@pytest.fixture
def register(team, seller):
    """Return the hand-built register (see the module docstring); the expected figures are in the tests."""
    sami, laura = team.sami, team.laura
    # Sami's clients are Aino and Eero, Laura's is Vieno.
    aino = ClientFactory(first_name="Aino", last_name="Aaltonen", coach=sami)
    eero = ClientFactory(first_name="Eero", last_name="Eskola", coach=sami)
    vieno = ClientFactory(first_name="Vieno", last_name="Vieraskorpi", coach=laura)

    # The first of the 26 weeks (Monday 15 July 2024) and the Sunday before it, outside the range.
    appointment(sami, aino, at(2024, 7, 15))
    appointment(sami, aino, at(2024, 7, 14))
    # The week of 23 December: two cancellations, neither late.
    appointment(sami, eero, at(2024, 12, 23), "cancelled_by_business")
    appointment(laura, vieno, at(2024, 12, 27), "cancelled_by_client")
    # The week of 30 December 2024 to 5 January 2025, across the turn of the year.
    appointment(sami, aino, at(2024, 12, 30))
    appointment(sami, eero, at(2025, 1, 1, 12), "no_show")
    appointment(sami, aino, at(2025, 1, 3), "cancelled_by_client", late_cancellation=True)
    appointment(laura, vieno, at(2025, 1, 5, 23, 30))  # Sunday night in Helsinki: still this week
    # Monday 6 January 00:30 in Helsinki is still Sunday in UTC: it belongs to the new week.
    late_night = appointment(laura, vieno, at(2025, 1, 6, 0, 30))
    # This week: today's booking of Sami's and tomorrow's of Laura's.
    appointment(sami, eero, at(2025, 1, 8, 9), "booked")
    appointment(laura, vieno, at(2025, 1, 9, 9), "confirmed")
    # Sami stands in for Laura once: his own appointment with her client.
    stand_in = appointment(sami, vieno, at(2025, 1, 7, 15))

    # Invoices. December: 85.00 with 14 % VAT inside, 20.00 plus 25.5 % VAT; and an overdue one.
    first = issued(date(2024, 12, 15), (1, "85.00", "14.00", True), (1, "20.00", "25.50", False), client=aino)
    overdue = issued(date(2024, 12, 1), (1, "100.00", "25.50", True), due=date(2024, 12, 15), client=eero)
    # January: three times 42.50 with 14 % VAT inside, half paid; and the first one credited.
    second = issued(date(2025, 1, 3), (3, "42.50", "14.00", True), client=vieno)
    note = credit_invoice(invoice=first)
    Invoice.objects.filter(pk=note.pk).update(issue_date=date(2025, 1, 5), due_date=date(2025, 1, 5))
    InvoiceLineFactory(invoice=InvoiceFactory(client=aino), unit_price=Decimal("999.00"))  # a draft: not counted
    record_payment(invoice=second, amount=Decimal("50.00"), paid_on=date(2025, 1, 6), payer_name="Vieno V")
    record_payment(amount=Decimal("10.00"), paid_on=date(2025, 1, 7), reference="123", payer_name="=HYPERLINK(1)")
    record_payment(invoice=overdue, amount=Decimal("1.00"), paid_on=date(2024, 11, 30))  # before the period

    # Feedback, by the month it was answered in: Sami 4 and 5 in December and 3 in January, Laura 5 in
    # December; nobody in November.
    for visit, score, answered in [
        (appointment(sami, aino, at(2024, 12, 2)), 4, at(2024, 12, 3)),
        (appointment(sami, eero, at(2024, 12, 9)), 5, at(2024, 12, 10)),
        (stand_in, 3, at(2025, 1, 7, 18)),
        (late_night, 5, at(2024, 12, 31, 23, 30)),  # still December in Helsinki, 21:30 UTC
    ]:
        feedback = FeedbackFactory(appointment=visit, score=score)
        Feedback.objects.filter(pk=feedback.pk).update(answered_at=answered)

    return SimpleNamespace(
        aino=aino,
        eero=eero,
        vieno=vieno,
        first=first,
        second=second,
        overdue=overdue,
        note=note,
        appointments=Appointment.objects.all(),
    )

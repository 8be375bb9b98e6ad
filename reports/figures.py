"""The dashboard's figures and chart series, each computed by the database in one or two grouped queries.

Every function takes the staff member whose view it is: the owner (and anyone who sees the whole
register) gets the business's numbers, a coach their own. Empty periods are filled with zeros here,
in a loop over the periods, never over rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from billing.models import Feedback, Invoice, InvoiceLine, Payment
from bookings.models import ACTIVE_STATUSES, Appointment, Coach
from clients.models import Client
from clients.scoping import scope, sees_everyone
from consents.eligibility import marketable_counts
from consents.models import ConsentState, Purpose
from privacy.models import DataRequest
from register.caching import remembered
from reports.periods import last_months, last_weeks, next_month, start_of

WEEKS = 26
MONTHS = 12
DUE_SOON_DAYS = 7
TODAY_LIST_LIMIT = 30
# The whole register's figures (the owner's view) are grouped queries over the largest tables. Their results,
# numbers only (counts and sums per period, role, purpose code or VAT rate: never a name, never an id of a
# person), are kept in the cache for FIGURE_SECONDS, so that the dashboard opened again within a minute,
# or its chart downloaded, does not count them again; a change shows within that minute. A coach's own
# figures count few rows and are read afresh, and so are the feedback chart (a line per coach, by name)
# and today's appointments and open requests, the lists staff act on.
FIGURE_SECONDS = 60


# Who sees which rows ---------------------------------------------------------------------------------


def own_appointments(user) -> QuerySet:
    """Return the appointments whose statistics the user sees: all of them, or a coach's own."""
    appointments = Appointment.objects.all()
    return appointments if sees_everyone(user) else appointments.filter(coach=user)


def visible_appointments(user) -> QuerySet:
    """Return the appointments the user may list: as in the back office, a coach's clients' and their own."""
    return scope(Appointment.objects.all(), user, "client", also=Q(coach=user))


def own_feedback(user) -> QuerySet:
    """Return the feedback the user's statistics count: all of it, or that on the coach's own visits."""
    feedback = Feedback.objects.all()
    return feedback if sees_everyone(user) else feedback.filter(appointment__coach=user)


def visible_people(user) -> QuerySet:
    return scope(Client.objects.active(), user)


def kept(user, name: str, compute):
    """Return ``compute()``, numbers only; for a user who sees the whole register, through the cache."""
    if not sees_everyone(user):
        return compute()
    return remembered(f"reports:figure:{name}", FIGURE_SECONDS, compute, what="a dashboard figure")


# Appointment outcomes, as counted everywhere in this app --------------------------------------------

CANCELLED = (Appointment.Status.CANCELLED_BY_CLIENT, Appointment.Status.CANCELLED_BY_BUSINESS)
OUTCOMES = [
    # key, label, colour, condition (a key must not be a field name: the condition would read the count)
    ("attended", _("attended"), "#2e7d32", Q(status=Appointment.Status.ATTENDED)),
    ("no_show", _("no-show"), "#c62828", Q(status=Appointment.Status.NO_SHOW)),
    ("late_cancelled", _("late cancellation"), "#ef6c00", Q(status__in=CANCELLED, late_cancellation=True)),
    ("cancelled", _("cancelled"), "#9e9e9e", Q(status__in=CANCELLED, late_cancellation=False)),
    (
        "booked",
        _("booked, no outcome yet"),
        "#1565c0",
        Q(status__in=[Appointment.Status.BOOKED, Appointment.Status.CONFIRMED]),
    ),
]


def outcome_counts() -> dict:
    """Return Count aggregates of each outcome, to use in annotate() or aggregate()."""
    return {key: Count("pk", filter=condition) for key, _label, _colour, condition in OUTCOMES}


# Chart data -------------------------------------------------------------------------------------------


@dataclass
class Series:
    key: str
    label: str
    colour: str
    values: list  # one number per period; None where there is nothing to average
    counts: list | None = None  # how many answers each value stands for (averages only)


@dataclass
class Chart:
    slug: str
    title: str
    periods: list[date]
    period_kind: str  # "week" or "month"
    series: list[Series]
    kind: str = "stacked"  # stacked bars, or "lines"
    unit: str = ""
    decimals: int = 0
    y_range: tuple | None = None  # a fixed scale (feedback is 1–5); otherwise from the values
    note: str = ""

    def totals(self) -> list:
        return [sum((s.values[i] or 0) for s in self.series) for i in range(len(self.periods))]


def _fill(rows, periods, period_key: str, keys) -> dict[str, list]:
    """Return each key's values per period from grouped rows, zero where the database had no row."""
    found = {row[period_key]: row for row in rows}
    return {key: [found[p][key] if p in found else 0 for p in periods] for key in keys}


def appointments_per_week(user, *, today: date, weeks: int = WEEKS) -> Chart:
    """Return the appointments of the last ``weeks`` weeks (this one included) per week, stacked by outcome."""
    periods = last_weeks(today, weeks)
    rows = (
        own_appointments(user)
        .filter(starts_at__gte=start_of(periods[0]), starts_at__lt=start_of(periods[-1] + timedelta(weeks=1)))
        .annotate(week=TruncWeek("starts_at", output_field=DateField()))
        .values("week")
        .annotate(**outcome_counts())
        .order_by()
    )
    rows = kept(user, f"appointments:{periods[0]}:{weeks}", lambda: list(rows))
    values = _fill(rows, periods, "week", [key for key, *_rest in OUTCOMES])
    series = [Series(key, label, colour, values[key]) for key, label, colour, _condition in OUTCOMES]
    return Chart(
        slug="appointments",
        title=_("Appointments per week by outcome"),
        periods=periods,
        period_kind="week",
        series=series,
        unit=_("appointments"),
    )


VAT_COLOURS = ["#1b5e20", "#4e7fb3", "#b5651d", "#7b1fa2", "#00838f", "#9e9d24"]


def vat_rows(user, *, start: date, end: date, by_month: bool = True) -> QuerySet:
    """Return issued invoices' and credit notes' lines grouped by issue month and VAT rate, in cents.

    A credit note's lines are negative, so it lowers the month it was issued in. Each row has month
    (unless ``by_month`` is off), vat_rate, net and vat (cents as whole numbers; the gross is their sum)
    and invoices (how many documents).
    """
    lines = (
        scope(InvoiceLine.objects.all(), user, "invoice__client")
        .exclude(invoice__status=Invoice.Status.DRAFT)
        .filter(invoice__issue_date__gte=start, invoice__issue_date__lte=end)
    )
    groups = ["vat_rate"]
    if by_month:
        lines = lines.annotate(month=TruncMonth("invoice__issue_date"))
        groups.insert(0, "month")
    return (
        lines.values(*groups)
        .annotate(
            net=Sum("net_cents"),
            vat=Sum("vat_cents"),
            invoices=Count("invoice", distinct=True),
        )
        .order_by(*groups[:-1], "-vat_rate")
    )


def euros(cents) -> Decimal:
    """Return a whole number of cents (an int, or a Decimal from PostgreSQL's SUM) in euros."""
    return (Decimal(int(cents or 0)) / 100).quantize(Decimal("0.01"))


def rate_label(rate: Decimal) -> str:
    return f"{rate.normalize():f} %".replace(".", ",")


def revenue_per_month(user, *, today: date, months: int = MONTHS) -> Chart:
    """Return the taxable amount (without VAT) of the last ``months`` months per month, stacked by VAT rate."""
    periods = last_months(today, months)
    rows = vat_rows(user, start=periods[0], end=next_month(periods[-1]) - timedelta(days=1))
    rows = kept(user, f"revenue:{periods[0]}:{months}", lambda: list(rows))
    rates = sorted({row["vat_rate"] for row in rows}, reverse=True)
    net = {(row["month"], row["vat_rate"]): euros(row["net"]) for row in rows}
    series = [
        Series(
            key=f"vat_{rate.normalize():f}",
            label=_("VAT %(rate)s") % {"rate": rate_label(rate)},
            colour=VAT_COLOURS[index % len(VAT_COLOURS)],
            values=[net.get((month, rate), Decimal("0.00")) for month in periods],
        )
        for index, rate in enumerate(rates)
    ]
    return Chart(
        slug="revenue",
        title=_("Revenue per month without VAT, by VAT rate"),
        periods=periods,
        period_kind="month",
        series=series,
        unit="€",
        decimals=2,
        note=_("From issued invoices by issue date; credit notes lower the month they were issued in."),
    )


SOURCE_COLOURS = {
    Client.Source.SELF: "#2f6f9f",
    Client.Source.GUARDIAN: "#8e24aa",
    Client.Source.RELATIONSHIP: "#2e7d32",
    Client.Source.WEB_FORM: "#ef6c00",
    Client.Source.REMARKETING: "#c62828",
    Client.Source.IMPORT: "#757575",
}


def new_people_per_month(user, *, today: date, months: int = MONTHS) -> Chart:
    """Return how many people entered the register in each of the last ``months`` months, by source."""
    periods = last_months(today, months)
    # Named "from_<source>": a source called "self" could not be a keyword argument of annotate().
    counts = {f"from_{source.value}": Count("pk", filter=Q(source=source.value)) for source in Client.Source}
    rows = (
        visible_people(user)
        .filter(entered_at__gte=start_of(periods[0]), entered_at__lt=start_of(next_month(periods[-1])))
        .annotate(month=TruncMonth("entered_at", output_field=DateField()))
        .values("month")
        .annotate(**counts)
        .order_by()
    )
    rows = kept(user, f"new-people:{periods[0]}:{months}", lambda: list(rows))
    values = _fill(rows, periods, "month", counts)
    series = [
        Series(source.value, source.label, SOURCE_COLOURS[source], values[f"from_{source.value}"])
        for source in Client.Source
    ]
    return Chart(
        slug="new-people",
        title=_("New people per month by source"),
        periods=periods,
        period_kind="month",
        series=series,
        unit=_("people"),
    )


def _coach_names(user_ids) -> dict[int, tuple[str, str]]:
    """Return each coach's calendar name and colour, or their user name and a grey."""
    User = get_user_model()
    profiles = {c.user_id: (c.display_name, c.colour) for c in Coach.objects.filter(user_id__in=user_ids)}
    names = {}
    for user in User.objects.filter(pk__in=[pk for pk in user_ids if pk not in profiles]):
        names[user.pk] = (user.get_full_name() or user.get_username(), "#616161")
    return {**names, **profiles}


def feedback_per_coach(user, *, today: date, months: int = MONTHS) -> Chart:
    """Return the average feedback score per coach per month (a coach: their own line only)."""
    periods = last_months(today, months)
    rows = list(
        own_feedback(user)
        .filter(answered_at__gte=start_of(periods[0]), answered_at__lt=start_of(next_month(periods[-1])))
        .annotate(month=TruncMonth("answered_at", output_field=DateField()), coach=F("appointment__coach"))
        .values("month", "coach")
        .annotate(average=Avg("score"), answers=Count("pk"))
        .order_by()
    )
    found = {(row["month"], row["coach"]): row for row in rows}
    coaches = sorted({row["coach"] for row in rows})
    names = _coach_names(coaches) if coaches else {}
    series = []
    for coach in sorted(coaches, key=lambda pk: names.get(pk, ("", ""))[0]):
        name, colour = names.get(coach, (str(coach), "#616161"))
        cells = [found.get((month, coach)) for month in periods]
        series.append(
            Series(
                key=f"coach_{coach}",
                label=name,
                colour=colour,
                # A month without answers has no average: the line breaks there instead of dropping to zero.
                values=[Decimal(cell["average"]).quantize(Decimal("0.01")) if cell else None for cell in cells],
                counts=[cell["answers"] if cell else 0 for cell in cells],
            )
        )
    return Chart(
        slug="feedback",
        title=_("Average feedback per coach per month"),
        periods=periods,
        period_kind="month",
        series=series,
        kind="lines",
        unit=_("score 1–5"),
        decimals=2,
        y_range=(0, 5),
    )


# The panels above the charts ---------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    count: int


@dataclass
class Week:
    today: list  # today's appointments
    today_count: int
    days: list[Day] = field(default_factory=list)
    total: int = 0


def appointments_now(user, *, today: date) -> Week:
    """Return today's appointments (listed) and this week's active appointments per day."""
    mine = own_appointments(user)
    todays = list(
        mine.filter(starts_at__gte=start_of(today), starts_at__lt=start_of(today + timedelta(days=1)))
        .select_related("client", "service", "coach__coach_profile")
        .order_by("starts_at")[: TODAY_LIST_LIMIT + 1]
    )
    monday = today - timedelta(days=today.weekday())
    per_day = dict(
        mine.filter(
            status__in=ACTIVE_STATUSES,
            starts_at__gte=start_of(monday),
            starts_at__lt=start_of(monday + timedelta(weeks=1)),
        )
        .annotate(day=TruncDate("starts_at"))
        .values_list("day")
        .annotate(count=Count("pk"))
        .order_by()
    )
    days = [Day(monday + timedelta(days=n), per_day.get(monday + timedelta(days=n), 0)) for n in range(7)]
    return Week(
        today=todays[:TODAY_LIST_LIMIT],
        today_count=len(todays),
        days=days,
        total=sum(day.count for day in days),
    )


@dataclass
class Requests:
    open: list
    overdue: int
    due_soon: int


def open_requests(*, today: date) -> Requests:
    """Return the open data requests, soonest due first, each with ``days_left`` (negative when overdue)."""
    requests = list(DataRequest.objects.open().order_by(F("due_on").asc(nulls_last=True), "created_at"))
    for request in requests:
        request.days_left = (request.due_on - today).days if request.due_on else None
        request.is_urgent = request.days_left is not None and request.days_left <= DUE_SOON_DAYS
        request.days_overdue = -request.days_left if request.days_left is not None and request.days_left < 0 else 0
    return Requests(
        open=requests,
        overdue=sum(1 for r in requests if r.days_left is not None and r.days_left < 0),
        due_soon=sum(1 for r in requests if r.is_urgent and r.days_left >= 0),
    )


def invoice_balances(user, *, today: date) -> dict:
    """Return open invoices' count and balance, and the overdue ones' count and balance, in two queries.

    The invoices' totals and their payments are summed apart, each on an index of its own
    (billing_invoice_open_idx holds every column the first needs): a balance is the gross less the
    payments, and so is a sum of balances.
    """
    return kept(user, f"invoices:{today}", partial(_invoice_balances, user, today=today))


def _invoice_balances(user, *, today: date) -> dict:
    invoices = scope(Invoice.objects.open(), user, "client").filter(is_credit_note=False)
    overdue = Q(due_date__lt=today)
    totals = invoices.aggregate(
        open_count=Count("pk"),
        outstanding=Sum("total_gross", default=Decimal("0")),
        overdue_count=Count("pk", filter=overdue),
        overdue_amount=Sum("total_gross", filter=overdue, default=Decimal("0")),
    )
    payments = Payment.objects.filter(invoice__status__in=Invoice.OPEN_STATUSES, invoice__is_credit_note=False)
    paid = scope(payments, user, "invoice__client").aggregate(
        outstanding=Sum("amount", default=Decimal("0")),
        overdue_amount=Sum("amount", filter=Q(invoice__due_date__lt=today), default=Decimal("0")),
    )
    for key in ("outstanding", "overdue_amount"):
        totals[key] = Decimal(totals[key] - paid[key]).quantize(Decimal("0.01"))
    return totals


def people_per_role(user) -> list[tuple[str, str, int]]:
    """Return (role, its name, how many) for every role, of the people the user sees."""
    people = visible_people(user)
    counts = kept(user, "roles", lambda: dict(people.values_list("role").annotate(count=Count("pk")).order_by()))
    return [(role.value, role.label, counts.get(role.value, 0)) for role in Client.Role]


@dataclass
class Coverage:
    purposes: list  # rows: title, is_marketing, consents, may_be_emailed
    prohibited: int
    people: int


def consent_coverage(user) -> Coverage:
    """Return per purpose how many of the user's people have a valid consent and how many may be marketed to."""
    counts = kept(user, "coverage", partial(_coverage_counts, user))
    purposes = list(Purpose.objects.order_by("code"))
    for purpose in purposes:
        purpose.consents = counts["consents"].get(purpose.code, 0)
        purpose.may_be_marketed = counts["reachable"].get(purpose.code, 0) if purpose.is_marketing else None
    return Coverage(purposes=purposes, prohibited=counts["prohibited"], people=counts["people"])


def _coverage_counts(user) -> dict:
    people = visible_people(user)
    # Counted from the consents, joined to their people: a join the database can drive from either
    # table, where a condition "the person is among the visible people" made it list the whole register.
    granted = scope(ConsentState.objects.filter(granted=True, client__is_active=True), user, "client")
    consents = granted.order_by().values_list("purpose__code").annotate(Count("pk"))
    totals = people.aggregate(
        people=Count("pk"),
        prohibited=Count("pk", filter=Q(marketing_prohibition__isnull=False)),
    )
    return {"consents": dict(consents), "reachable": marketable_counts(people), **totals}

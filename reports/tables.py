"""The date-range reports: appointments, the VAT summary, payments received, visits per client.

Each report is a queryset the database groups or filters (shown a page at a time, exported whole), a
row function, and summary figures from one aggregate query. Who sees a report is decided by the
permissions of the rows under it, and the rows are scoped as in the back office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import InvoiceLine, Payment
from clients.models import Client
from clients.scoping import scope
from reports.figures import OUTCOMES, euros, outcome_counts, rate_label, vat_rows, visible_appointments
from reports.periods import start_of


@dataclass
class Column:
    label: str
    kind: str = "text"  # text, date, time, money, number, yes_no


class Report:
    slug = ""
    title = ""
    description = ""
    permissions: tuple[str, ...] = ()
    columns: list[Column] = []
    # Whether the rows name people: exporting them is then recorded in the personal-data access log.
    names_people = True

    def may_see(self, user) -> bool:
        return user.has_perms(self.permissions)

    def queryset(self, user, start: date, end: date) -> QuerySet:
        raise NotImplementedError

    def row(self, item) -> list:
        raise NotImplementedError

    def summary(self, user, start: date, end: date) -> list[tuple[str, object, str]]:
        """Return the period's totals as (label, value, kind)."""
        return []

    def people(self, user, start: date, end: date) -> QuerySet | None:
        """Return the people whose data an export of the report holds."""
        return None


def _between(start: date, end: date, field: str = "starts_at") -> Q:
    """Return the condition "``field`` falls on one of the Helsinki days start..end"."""
    return Q(**{f"{field}__gte": start_of(start), f"{field}__lt": start_of(end + timedelta(days=1))})


def _coach_name(user) -> str:
    profile = getattr(user, "coach_profile", None)
    return profile.display_name if profile else user.get_full_name() or user.get_username()


ERASED = _("(erased)")


class AppointmentsReport(Report):
    slug = "appointments"
    title = _("Appointments")
    description = _(
        "Every appointment in the period, cancelled ones included, with its outcome and whether it is invoiced."
    )
    permissions = ("bookings.view_appointment",)
    columns = [
        Column(_("date"), "date"),
        Column(_("starts"), "time"),
        Column(_("ends"), "time"),
        Column(_("coach")),
        Column(_("client")),
        Column(_("service")),
        Column(_("status")),
        Column(_("late cancellation"), "yes_no"),
        Column(_("invoiced"), "yes_no"),
    ]

    def queryset(self, user, start, end):
        invoiced = InvoiceLine.objects.filter(appointment=OuterRef("pk"), on_credit_note=False)
        return (
            visible_appointments(user)
            .filter(_between(start, end))
            .annotate(invoiced=Exists(invoiced))
            .select_related("client", "coach__coach_profile", "service")
            .order_by("starts_at", "pk")
        )

    def row(self, appointment):
        starts, ends = timezone.localtime(appointment.starts_at), timezone.localtime(appointment.ends_at)
        client = appointment.client
        return [
            starts.date(),
            starts.time().replace(second=0, microsecond=0),
            ends.time().replace(second=0, microsecond=0),
            _coach_name(appointment.coach),
            f"{client.last_name}, {client.first_name}" if client else str(ERASED),
            appointment.service.name,
            appointment.get_status_display(),
            appointment.late_cancellation,
            appointment.invoiced,
        ]

    def summary(self, user, start, end):
        totals = visible_appointments(user).filter(_between(start, end)).aggregate(**outcome_counts(), all=Count("pk"))
        return [(_("appointments"), totals["all"], "number")] + [
            (label, totals[key], "number") for key, label, _colour, _condition in OUTCOMES
        ]

    def people(self, user, start, end):
        return Client.objects.filter(pk__in=visible_appointments(user).filter(_between(start, end)).values("client"))


class VisitsReport(Report):
    slug = "visits"
    title = _("Visits per client")
    description = _("For each client with appointments in the period: visits, no-shows and cancellations.")
    permissions = ("bookings.view_appointment",)
    columns = [
        Column(_("client")),
        Column(_("attended"), "number"),
        Column(_("no-show"), "number"),
        Column(_("late cancellation"), "number"),
        Column(_("cancelled"), "number"),
        Column(_("booked, no outcome yet"), "number"),
        Column(_("appointments"), "number"),
        Column(_("last visit"), "date"),
    ]

    def _appointments(self, user, start, end):
        return visible_appointments(user).filter(_between(start, end), client__isnull=False)

    def queryset(self, user, start, end):
        return (
            self._appointments(user, start, end)
            .values("client", "client__last_name", "client__first_name")
            .annotate(
                **outcome_counts(),
                total=Count("pk"),
                last_visit=Max("starts_at", filter=Q(status="attended")),
            )
            .order_by("client__last_name", "client__first_name", "client")
        )

    def row(self, item):
        last = item["last_visit"]
        return [
            f"{item['client__last_name']}, {item['client__first_name']}",
            *(item[key] for key, *_rest in OUTCOMES),
            item["total"],
            timezone.localtime(last).date() if last else None,
        ]

    def summary(self, user, start, end):
        totals = self._appointments(user, start, end).aggregate(clients=Count("client", distinct=True))
        return [(_("clients"), totals["clients"], "number")]

    def people(self, user, start, end):
        return Client.objects.filter(pk__in=self._appointments(user, start, end).values("client"))


class VatReport(Report):
    slug = "vat"
    title = _("VAT summary")
    description = _(
        "Taxable amounts and VAT per rate and month from the invoices and credit notes issued in the period "
        "(by issue date), for the periodic VAT return."
    )
    permissions = ("billing.view_invoice",)
    names_people = False
    columns = [
        Column(_("month")),
        Column(_("VAT rate %"), "number"),
        Column(_("taxable amount"), "money"),
        Column(_("VAT"), "money"),
        Column(_("total with VAT"), "money"),
        Column(_("invoices and credit notes"), "number"),
    ]

    def queryset(self, user, start, end):
        return vat_rows(user, start=start, end=end)

    def row(self, item):
        return [
            f"{item['month']:%Y-%m}",
            item["vat_rate"],
            euros(item["net"]),
            euros(item["vat"]),
            euros(item["net"]) + euros(item["vat"]),
            item["invoices"],
        ]

    def summary(self, user, start, end):
        summary = []
        for row in vat_rows(user, start=start, end=end, by_month=False):
            rate = rate_label(row["vat_rate"])
            summary.append((_("taxable at %(rate)s") % {"rate": rate}, euros(row["net"]), "money"))
            summary.append((_("VAT at %(rate)s") % {"rate": rate}, euros(row["vat"]), "money"))
        return summary


class PaymentsReport(Report):
    slug = "payments"
    title = _("Payments received")
    description = _("Payments received in the period, matched to an invoice or not.")
    permissions = ("billing.view_payment",)
    columns = [
        Column(_("paid on"), "date"),
        Column(_("amount"), "money"),
        Column(_("payer")),
        Column(_("reference")),
        Column(_("invoice")),
        Column(_("source")),
    ]

    def _payments(self, user, start, end):
        return scope(Payment.objects.all(), user, "invoice__client").filter(paid_on__gte=start, paid_on__lte=end)

    def queryset(self, user, start, end):
        return self._payments(user, start, end).select_related("invoice").order_by("paid_on", "pk")

    def row(self, payment):
        return [
            payment.paid_on,
            payment.amount,
            payment.payer_name,
            payment.reference,
            payment.invoice.display_number if payment.invoice else "",
            payment.get_source_display(),
        ]

    def summary(self, user, start, end):
        totals = self._payments(user, start, end).aggregate(
            count=Count("pk"),
            total=Sum("amount"),
            unmatched=Sum("amount", filter=Q(invoice__isnull=True)),
        )
        return [
            (_("payments"), totals["count"], "number"),
            (_("received in total"), totals["total"] or 0, "money"),
            (_("not matched to an invoice"), totals["unmatched"] or 0, "money"),
        ]

    def people(self, user, start, end):
        return Client.objects.filter(pk__in=self._payments(user, start, end).values("invoice__client"))


REPORTS = {report.slug: report for report in (AppointmentsReport(), VatReport(), PaymentsReport(), VisitsReport())}

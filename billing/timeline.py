"""The person page's share of billing: invoices in the timeline and the amount still open."""

from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from clients.timeline import TimelineEntry, summary_provider, timeline_provider


@timeline_provider
def invoices(person, user, limit):
    if not user.has_perm("billing.view_invoice"):
        return
    # Newest first by the time the timeline shows, so that a page of it takes the right ones. Each label
    # is translated once rather than per row.
    kind, statuses = str(_("invoice")), {value: str(label) for value, label in Invoice.Status.choices}
    rows = (
        Invoice.objects.filter(client=person)
        .exclude(status="draft")
        .only("created_at", "status", "client_id", "year", "number", "is_credit_note", "total_gross")
        .order_by("-created_at", "-id")
    )
    for invoice in rows[:limit]:
        yield TimelineEntry(
            when=invoice.created_at,
            kind=kind,
            title=f"{invoice} – {invoice.total_gross} € – {statuses.get(invoice.status, invoice.status)}",
            url=reverse_lazy("admin:billing_invoice_change", args=[invoice.pk]),
        )


@summary_provider
def open_amount(person, user):
    if not user.has_perm("billing.view_invoice"):
        return []
    total = Invoice.objects.filter(client=person).open().aggregate(total=Sum("total_gross"))["total"]
    return [(_("invoiced, open"), f"{total or Decimal(0)} €")]

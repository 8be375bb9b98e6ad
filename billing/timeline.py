"""The person page's share of billing: invoices in the timeline and the amount still open."""

from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from clients.timeline import PER_PROVIDER, TimelineEntry, summary_provider, timeline_provider


@timeline_provider
def invoices(person, user):
    if not user.has_perm("billing.view_invoice"):
        return
    for invoice in (
        Invoice.objects.filter(client=person).exclude(status="draft").order_by("-issue_date")[:PER_PROVIDER]
    ):
        yield TimelineEntry(
            when=invoice.created_at,
            kind=_("invoice"),
            title=f"{invoice} – {invoice.total_gross} € – {invoice.get_status_display()}",
            url=reverse("admin:billing_invoice_change", args=[invoice.pk]),
        )


@summary_provider
def open_amount(person, user):
    if not user.has_perm("billing.view_invoice"):
        return []
    total = Invoice.objects.filter(client=person).open().aggregate(total=Sum("total_gross"))["total"]
    return [(_("invoiced, open"), f"{total or Decimal(0)} €")]

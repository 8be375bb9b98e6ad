"""The person page's share of bookings: appointments in the timeline, and visit counts."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment
from clients.timeline import PER_PROVIDER, TimelineEntry, summary_provider, timeline_provider


@timeline_provider
def appointments(person, user):
    if not user.has_perm("bookings.view_appointment"):
        return
    for appointment in (
        Appointment.objects.filter(client=person).select_related("service").order_by("-starts_at")[:PER_PROVIDER]
    ):
        yield TimelineEntry(
            when=appointment.starts_at,
            kind=_("appointment"),
            title=f"{appointment.service} – {appointment.get_status_display()}",
            url=reverse("admin:bookings_appointment_change", args=[appointment.pk]),
        )


@summary_provider
def visit_counts(person, user):
    if not user.has_perm("bookings.view_appointment"):
        return []
    counts = Appointment.objects.filter(client=person).aggregate(
        visits=Count("pk", filter=Q(status=Appointment.Status.ATTENDED)),
        no_shows=Count("pk", filter=Q(status=Appointment.Status.NO_SHOW)),
        late=Count("pk", filter=Q(status=Appointment.Status.CANCELLED_BY_CLIENT, late_cancellation=True)),
    )
    return [
        (_("visits"), counts["visits"]),
        (_("no-shows"), counts["no_shows"]),
        (_("late cancellations"), counts["late"]),
    ]

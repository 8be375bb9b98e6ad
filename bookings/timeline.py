"""The person page's share of bookings: appointments in the timeline, and visit counts."""

from django.db.models import Count, Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment
from clients.timeline import TimelineEntry, summary_provider, timeline_provider


@timeline_provider
def appointments(person, user, limit):
    if not user.has_perm("bookings.view_appointment"):
        return
    # A long record's page: only the columns shown, and each label translated once rather than per row.
    kind, statuses = str(_("appointment")), {value: str(label) for value, label in Appointment.Status.choices}
    rows = (
        Appointment.objects.filter(client=person)
        .select_related("service")
        .only("starts_at", "status", "client_id", "service__name_fi", "service__name_en")
        .order_by("-starts_at")
    )
    for appointment in rows[:limit]:
        yield TimelineEntry(
            when=appointment.starts_at,
            kind=kind,
            title=f"{appointment.service} – {statuses.get(appointment.status, appointment.status)}",
            url=reverse_lazy("admin:bookings_appointment_change", args=[appointment.pk]),
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

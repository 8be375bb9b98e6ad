"""Personal data held by the bookings app: appointments and recurring series of a person."""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment, AppointmentSeries, Location
from register.declarations import Anonymise, Delete, Retention, declare, not_personal_data, related_to
from register.history import declare_history

APPOINTMENT_MONTHS = 36


def _expired_appointments(rows: QuerySet, day: date) -> QuerySet:
    # A restricted person's data is kept as it is until the restriction is lifted (GDPR article 18).
    limit = day - timedelta(days=round(APPOINTMENT_MONTHS * 30.44))
    return rows.filter(client__isnull=False, client__restricted_at__isnull=True, starts_at__date__lt=limit)


declare(
    Appointment,
    portable=True,
    category=_("Appointments and visits"),
    find=related_to("client"),
    export=(
        "starts_at",
        "ends_at",
        "service",
        "location",
        "coach",
        "status",
        "cancelled_at",
        "late_cancellation",
        "checked_in_at",
        "notes",
        "created_at",
    ),
    # The appointment stays without its person, so that the statistics and the counts billing relies
    # on stay right; nothing in it then tells who it was.
    erasure=Anonymise(fields={"client": None, "series": None, "notes": ""}),
    retention=Retention(
        _("36 months after the appointment; then kept without the person for statistics."),
        expired=_expired_appointments,
    ),
)

declare(
    AppointmentSeries,
    category=_("Recurring appointments"),
    find=related_to("client"),
    export=("service", "interval_weeks", "created_at"),
    erasure=Delete(),
    retention=Retention(
        _("As long as the appointments of the series."),
        # A series whose appointments have all lost their person (by retention or erasure) has nothing left
        # to recur for; a new series without appointments yet is left alone.
        expired=lambda rows, day: (
            rows.filter(appointments__isnull=False, client__restricted_at__isnull=True)
            .exclude(appointments__client__isnull=False)
            .distinct()
        ),
    ),
)

not_personal_data(Location, reason="The business's own premises, not anyone's home address.")

declare_history(Appointment, category=_("Earlier versions of appointments"))

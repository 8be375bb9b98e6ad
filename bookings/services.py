"""Booking, cancelling, attending and recurring series: the rules of the calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment, AppointmentSeries, Location, Service, end_of
from clients.models import Client
from register.models import Organisation

OVERLAP_CONSTRAINTS = ("bookings_appointment_no_coach_overlap", "bookings_appointment_no_client_overlap")


def _save_guarded(appointment: Appointment) -> Appointment:
    """Save, turning PostgreSQL's overlap refusal (a booking made at the same moment) into a clear error."""
    try:
        with transaction.atomic():
            appointment.save()
    except (IntegrityError, OperationalError) as error:
        # Two bookings racing for one slot: PostgreSQL refuses the second with the exclusion
        # constraint, or, when each waits on the other's index entry, ends one as a deadlock (40P01).
        deadlock = getattr(getattr(error, "__cause__", None), "sqlstate", None) == "40P01"
        if deadlock or any(name in str(error) for name in OVERLAP_CONSTRAINTS):
            raise ValidationError(
                _("Someone else booked an overlapping time a moment ago; choose another time."), code="overlap"
            ) from error
        raise
    return appointment


def book_appointment(*, appointment: Appointment, booked_by: User | None = None) -> Appointment:
    """Validate and save a new or changed appointment; refuse one that overlaps the coach's or client's."""
    if appointment.pk is None:
        appointment.created_by = booked_by
    else:
        previous = Appointment.objects.filter(pk=appointment.pk).values_list("starts_at", flat=True).first()
        if previous is not None and previous != appointment.starts_at:
            # Moved: the reminder sent for the old time does not cover the new one.
            appointment.reminder_sent_at = None
    appointment.updated_by = booked_by
    appointment.full_clean()
    return _save_guarded(appointment)


def availability_warnings(appointment: Appointment) -> list[str]:
    """Return why the coach may not be available then (a day off, outside working hours); a warning only.

    Coaches do take a client outside their usual hours now and then, so this never blocks a booking.
    """
    from bookings.models import Coach

    coach = Coach.objects.filter(user_id=appointment.coach_id).prefetch_related("working_hours", "days_off").first()
    if coach is None or not appointment.starts_at or not appointment.ends_at:
        return []
    start, end = timezone.localtime(appointment.starts_at), timezone.localtime(appointment.ends_at)
    warnings = []
    if any(day_off.date == start.date() for day_off in coach.days_off.all()):
        warnings.append(_("%(coach)s has a day off on %(date)s.") % {"coach": coach, "date": f"{start:%d.%m.%Y}"})
    hours = [h for h in coach.working_hours.all() if h.weekday == start.weekday()]
    if hours and not any(
        h.starts <= start.time() and end.time() <= h.ends and start.date() == end.date() for h in hours
    ):
        warnings.append(_("The appointment is outside %(coach)s's working hours.") % {"coach": coach})
    return warnings


def cancellation_window() -> timedelta:
    organisation = Organisation.current()
    return timedelta(hours=organisation.cancellation_window_hours if organisation else 24)


def is_late_cancellation(*, starts_at: datetime, cancelled_at: datetime) -> bool:
    """Return whether a client's cancellation at ``cancelled_at`` falls within the cancellation window."""
    return starts_at - cancelled_at < cancellation_window()


@transaction.atomic
def cancel_appointment(
    *,
    appointment: Appointment,
    by_client: bool,
    cancelled_by: User | None = None,
    at: datetime | None = None,
) -> Appointment:
    """Cancel by the client (classified as late or not) or by the business; the slot becomes free."""
    if appointment.status not in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED):
        raise ValidationError(_("Only a booked or confirmed appointment can be cancelled."))
    at = at or timezone.now()
    appointment.cancelled_at = at
    if by_client:
        appointment.status = Appointment.Status.CANCELLED_BY_CLIENT
        appointment.late_cancellation = is_late_cancellation(starts_at=appointment.starts_at, cancelled_at=at)
    else:
        appointment.status = Appointment.Status.CANCELLED_BY_BUSINESS
        appointment.late_cancellation = False
    appointment.updated_by = cancelled_by
    appointment.save(update_fields=["status", "cancelled_at", "late_cancellation", "updated_by", "updated_at"])
    return appointment


@transaction.atomic
def record_visit(
    *, appointment: Appointment, checked_in_at: datetime | None = None, recorded_by: User | None = None
) -> Appointment:
    """Mark the client as arrived: the appointment becomes a visit with its check-in time."""
    if appointment.status not in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED, Appointment.Status.NO_SHOW):
        raise ValidationError(_("A cancelled appointment cannot become a visit."))
    appointment.status = Appointment.Status.ATTENDED
    appointment.checked_in_at = checked_in_at or timezone.now()
    appointment.updated_by = recorded_by
    appointment.save(update_fields=["status", "checked_in_at", "updated_by", "updated_at"])
    return appointment


@transaction.atomic
def record_no_show(*, appointment: Appointment, recorded_by: User | None = None) -> Appointment:
    if appointment.status not in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED):
        raise ValidationError(_("Only a booked or confirmed appointment can be a no-show."))
    appointment.status = Appointment.Status.NO_SHOW
    appointment.updated_by = recorded_by
    appointment.save(update_fields=["status", "updated_by", "updated_at"])
    return appointment


# Recurring series -----------------------------------------------------------------------------------


@dataclass
class Occurrence:
    starts_at: datetime
    ends_at: datetime
    conflicts: list[Appointment] = field(default_factory=list)


@dataclass
class SeriesPlan:
    client: Client
    coach: User
    service: Service
    location: Location | None
    interval_weeks: int
    occurrences: list[Occurrence]

    @property
    def conflicting(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.conflicts]


MAX_OCCURRENCES = 104


def plan_series(
    *,
    client: Client,
    coach: User,
    service: Service,
    location: Location | None = None,
    first_starts_at: datetime,
    interval_weeks: int = 1,
    count: int | None = None,
    until: date | None = None,
) -> SeriesPlan:
    """Return the occurrences of a weekly series and the appointments each would conflict with.

    The series keeps its local wall-clock time (10:00 stays 10:00 across the daylight-saving change),
    so each occurrence is computed from the local date and time, not by adding hours.
    """
    if not count and not until:
        raise ValidationError(_("Give the number of appointments or the last date of the series."))
    if interval_weeks < 1:
        raise ValidationError(_("The interval is at least one week."))
    zone = ZoneInfo(settings.TIME_ZONE)
    first_local = timezone.localtime(first_starts_at, zone)
    occurrences = []
    for index in range(MAX_OCCURRENCES):
        if count and index >= count:
            break
        day = first_local.date() + timedelta(weeks=index * interval_weeks)
        if until and day > until:
            break
        starts_at = datetime.combine(day, first_local.time(), tzinfo=zone)
        occurrence = Occurrence(starts_at=starts_at, ends_at=end_of(starts_at, service.duration))
        probe = Appointment(
            client=client, coach=coach, service=service, starts_at=starts_at, ends_at=occurrence.ends_at
        )
        occurrence.conflicts = list(probe.conflicts())
        occurrences.append(occurrence)
    return SeriesPlan(client, coach, service, location, interval_weeks, occurrences)


@transaction.atomic
def create_series(
    *, plan: SeriesPlan, skip_conflicts: bool, created_by: User | None = None
) -> tuple[AppointmentSeries, list[Appointment]]:
    """Book the planned series; conflicting occurrences are skipped, or nothing is booked."""
    if plan.conflicting and not skip_conflicts:
        raise ValidationError(_("Some appointments of the series conflict with existing ones; nothing was booked."))
    series = AppointmentSeries.objects.create(
        client=plan.client,
        coach=plan.coach,
        service=plan.service,
        interval_weeks=plan.interval_weeks,
        created_by=created_by,
    )
    booked = []
    for occurrence in plan.occurrences:
        if occurrence.conflicts:
            continue
        appointment = Appointment(
            client=plan.client,
            coach=plan.coach,
            service=plan.service,
            location=plan.location,
            series=series,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
        )
        booked.append(book_appointment(appointment=appointment, booked_by=created_by))
    return series, booked


@transaction.atomic
def cancel_series_from(*, series: AppointmentSeries, from_date: date, cancelled_by: User | None = None) -> int:
    """Cancel, as the business, the series' booked appointments on or after ``from_date``."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(from_date, datetime.min.time(), tzinfo=zone)
    cancelled = 0
    for appointment in series.appointments.filter(
        starts_at__gte=start, status__in=[Appointment.Status.BOOKED, Appointment.Status.CONFIRMED]
    ):
        cancel_appointment(appointment=appointment, by_client=False, cancelled_by=cancelled_by)
        cancelled += 1
    return cancelled

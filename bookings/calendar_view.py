"""The staff calendar: a week or a day as a table of half hours, one column per day and coach."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, Coach

FIRST_HOUR = 6
LAST_HOUR = 22
SLOT_MINUTES = 30
SLOTS = (LAST_HOUR - FIRST_HOUR) * 60 // SLOT_MINUTES
LONGEST_APPOINTMENT = timedelta(days=7)


@dataclass
class Column:
    day: date
    coach: Coach


@dataclass
class Placed:
    """An appointment in the cell of the half hour it starts in, drawn ``length`` half hours tall."""

    appointment: Appointment
    url: str  # its page in the back office
    times: str  # "10:00–11:00" by the local clock
    status: str  # the status's label in the page's language
    length: int


@dataclass
class Row:
    time: str
    cells: list  # per column, the appointments that start in this half hour


@dataclass
class CalendarPage:
    view: str
    day: date
    days: list[date]
    coaches: list[Coach]
    selected_coach: Coach | None
    columns: list[Column]
    rows: list[Row]

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=7 if self.view == "week" else 1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=7 if self.view == "week" else 1)


def minutes_into_grid(moment: datetime, day: date) -> int:
    """Return how far into ``day``'s grid ``moment`` falls, in minutes by the local clock, kept on the grid."""
    local = timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))
    if local.date() > day:
        return SLOTS * SLOT_MINUTES
    return max(0, min((local.hour - FIRST_HOUR) * 60 + local.minute, SLOTS * SLOT_MINUTES))


def build_calendar(*, view: str, day: date, coach_user_id: int | None = None) -> CalendarPage:
    """Return the calendar page for ``day`` (its week, Monday first, for the week view).

    Two queries: the coaches, and the appointments of the period with what the grid shows of them.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    if view == "week":
        monday = day - timedelta(days=day.weekday())
        days = [monday + timedelta(days=n) for n in range(7)]
    else:
        days = [day]
    coaches = list(Coach.objects.select_related("user").filter(user__is_active=True))
    selected = next((c for c in coaches if c.user_id == coach_user_id), None)
    columns = [Column(day=d, coach=c) for d in days for c in ([selected] if selected else coaches)]
    index_of = {(column.day, column.coach.user_id): n for n, column in enumerate(columns)}
    # Most cells are empty: they share one empty tuple, and a cell gets a list of its own when an
    # appointment starts in it.
    starts = (FIRST_HOUR * 60 + n * SLOT_MINUTES for n in range(SLOTS))
    rows = [Row(f"{minutes // 60:02d}:{minutes % 60:02d}", [()] * len(columns)) for minutes in starts]

    start = datetime.combine(days[0], time.min, tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
    # The lower bound on the start lets the database read the period from the index of start times
    # instead of every appointment before the period's end; nothing lasts longer than a week. Only what
    # the grid shows is read: a busy week's clients would otherwise each have their phone number parsed.
    appointments = (
        Appointment.objects.between(start, end)
        .filter(starts_at__gte=start - LONGEST_APPOINTMENT)
        .select_related("client", "service")
        .only(
            "starts_at", "ends_at", "status", "coach_id", "client__first_name", "client__last_name",
            "client__restricted_at", "service__name_fi", "service__name_en",
        )
        .order_by("starts_at")
    )  # fmt: skip
    if selected:
        appointments = appointments.filter(coach_id=selected.user_id)

    statuses = {value: str(label) for value, label in Appointment.Status.choices}
    # One reverse() for the page rather than one per appointment (a busy week has hundreds, and each
    # took a quarter of the time it takes to write an appointment): the key goes in the 0's place.
    before, after = reverse("admin:bookings_appointment_change", args=[0]).rsplit("/0/", 1)
    for appointment in appointments:
        local_starts = timezone.localtime(appointment.starts_at, zone)
        column = index_of.get((local_starts.date(), appointment.coach_id))
        if column is None:
            continue
        # Appointments outside the grid's hours are pinned to its first or last row, their own times
        # printed in them, rather than drawn off the grid. One that ends mid-slot still covers that slot.
        top = min(minutes_into_grid(local_starts, local_starts.date()) // SLOT_MINUTES, SLOTS - 1)
        bottom = -(-minutes_into_grid(appointment.ends_at, local_starts.date()) // SLOT_MINUTES)
        times = f"{local_starts:%H:%M}–{timezone.localtime(appointment.ends_at, zone):%H:%M}"
        status = statuses.get(appointment.status, appointment.status)
        url = f"{before}/{appointment.pk}/{after}"
        placed = Placed(appointment, url, times, status, max(bottom - top, 1))
        cells = rows[top].cells
        cells[column] = [*cells[column], placed]

    return CalendarPage(
        view=view, day=day, days=days, coaches=coaches, selected_coach=selected, columns=columns, rows=rows
    )

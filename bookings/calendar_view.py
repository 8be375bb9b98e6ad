"""The staff calendar: a week or a day laid out on a grid of half hours, per coach or for all coaches."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from bookings.models import Appointment, Coach

FIRST_HOUR = 6
LAST_HOUR = 22
SLOT_MINUTES = 30
SLOTS = (LAST_HOUR - FIRST_HOUR) * 60 // SLOT_MINUTES
# The grid has a header row; slot n (from 0) starts on grid row n + 2.
FIRST_SLOT_ROW = 2


@dataclass
class Column:
    day: date
    coach: Coach | None
    index: int


@dataclass
class Placed:
    appointment: Appointment
    column: int
    row_start: int
    row_end: int


@dataclass
class Slot:
    column: Column
    row: int
    starts_at: datetime


@dataclass
class CalendarPage:
    view: str
    day: date
    days: list[date]
    coaches: list[Coach]
    selected_coach: Coach | None
    columns: list[Column]
    placed: list[Placed] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    hours: list[tuple[int, int]] = field(default_factory=list)

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=7 if self.view == "week" else 1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=7 if self.view == "week" else 1)


def _row_of(moment: datetime, day: date, zone) -> int:
    local = timezone.localtime(moment, zone)
    if local.date() < day:
        return FIRST_SLOT_ROW
    minutes = (local.hour - FIRST_HOUR) * 60 + local.minute
    if local.date() > day:
        minutes = SLOTS * SLOT_MINUTES
    minutes = max(0, min(minutes, SLOTS * SLOT_MINUTES))
    return FIRST_SLOT_ROW + minutes // SLOT_MINUTES


def _row_end_of(moment: datetime, day: date, zone) -> int:
    local = timezone.localtime(moment, zone)
    minutes = (local.hour - FIRST_HOUR) * 60 + local.minute
    if local.date() > day:
        minutes = SLOTS * SLOT_MINUTES
    minutes = max(0, min(minutes, SLOTS * SLOT_MINUTES))
    # An appointment ending mid-slot still covers that slot.
    return FIRST_SLOT_ROW + -(-minutes // SLOT_MINUTES)


def build_calendar(*, view: str, day: date, coach_user_id: int | None = None) -> CalendarPage:
    """Return the calendar page for ``day`` (its week, Monday first, for the week view).

    Two queries: the coaches, and the appointments of the period with what the grid shows of them.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    if view == "week":
        first = day - timedelta(days=day.weekday())
        days = [first + timedelta(days=n) for n in range(7)]
    else:
        days = [day]
    coaches = list(Coach.objects.select_related("user").filter(user__is_active=True))
    selected = next((c for c in coaches if c.user_id == coach_user_id), None)
    shown = [selected] if selected else coaches

    if view == "week" and selected:
        columns = [Column(day=d, coach=selected, index=i + 2) for i, d in enumerate(days)]
    else:
        columns = [
            Column(day=d, coach=c, index=i * len(shown) + j + 2)
            for i, d in enumerate(days)
            for j, c in enumerate(shown)
        ]
    by_key = {(c.day, c.coach.user_id if c.coach else None): c for c in columns}

    start = datetime.combine(days[0], time.min, tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
    appointments = (
        Appointment.objects.between(start, end).select_related("client", "service", "coach").order_by("starts_at")
    )
    if selected:
        appointments = appointments.filter(coach_id=selected.user_id)

    page = CalendarPage(view=view, day=day, days=days, coaches=coaches, selected_coach=selected, columns=columns)
    for appointment in appointments:
        local_day = timezone.localtime(appointment.starts_at, zone).date()
        column = by_key.get((local_day, appointment.coach_id))
        if column is None:
            continue
        # Appointments outside the grid's hours are pinned to its first or last row, their own times
        # printed in them, rather than drawn off the grid.
        last_row = FIRST_SLOT_ROW + SLOTS - 1
        row_start = min(_row_of(appointment.starts_at, local_day, zone), last_row)
        row_end = max(_row_end_of(appointment.ends_at, local_day, zone), row_start + 1)
        page.placed.append(Placed(appointment, column.index, row_start, row_end))

    for column in columns:
        for n in range(SLOTS):
            minutes = FIRST_HOUR * 60 + n * SLOT_MINUTES
            starts_at = datetime.combine(column.day, time(minutes // 60, minutes % 60), tzinfo=zone)
            page.slots.append(Slot(column=column, row=FIRST_SLOT_ROW + n, starts_at=starts_at))
    page.hours = [(FIRST_SLOT_ROW + (h - FIRST_HOUR) * 60 // SLOT_MINUTES, h) for h in range(FIRST_HOUR, LAST_HOUR)]
    return page

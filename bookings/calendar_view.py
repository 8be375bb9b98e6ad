"""The staff calendar: a week or a day laid out on a grid of half hours, per coach or for all coaches."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from bookings.models import Appointment, Coach

FIRST_HOUR = 6
LAST_HOUR = 22
SLOT_MINUTES = 30
SLOTS = (LAST_HOUR - FIRST_HOUR) * 60 // SLOT_MINUTES
# The grid has a header row; slot n (from 0) starts on grid row n + 2.
FIRST_SLOT_ROW = 2
LONGEST_APPOINTMENT = timedelta(days=7)


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
class CalendarPage:
    view: str
    day: date
    days: list[date]
    coaches: list[Coach]
    selected_coach: Coach | None
    columns: list[Column]
    placed: list[Placed] = field(default_factory=list)
    hours: list[tuple[int, int]] = field(default_factory=list)
    day_labels: dict[date, str] = field(default_factory=dict, repr=False)

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=7 if self.view == "week" else 1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=7 if self.view == "week" else 1)

    def day_label(self, day: date) -> str:
        """Return the day as the grid's headings show it ("ke 25.11."), escaped; formatted once per day."""
        if day not in self.day_labels:
            self.day_labels[day] = escape(date_format(day, "D j.n."))
        return self.day_labels[day]

    def header_cells(self) -> SafeString:
        """Return the column headings: the day, and the coach when several coaches are shown."""
        cells = []
        for column in self.columns:
            coach = ""
            if column.coach is not None and self.selected_coach is None:
                coach = f'<br><span class="quiet">{escape(column.coach.display_name)}</span>'
            label = self.day_label(column.day)
            cells.append(f'<div class="cal-head gc-{column.index}" role="columnheader">{label}{coach}</div>')
        return mark_safe("".join(cells))  # noqa: S308 - every value in it is escaped above

    def slot_cells(self, add_url: str | None = None) -> SafeString:
        """Return the grid's empty half hours as HTML: links that start a booking, or plain cells.

        A week of twenty coaches has thousands of them; written by a template, with two date formats
        and a translation each, they took longer than the rest of the page. Here everything that is the
        same along a column (the day, the coach, the clock's offset) is worked out once per column.
        """
        zone = ZoneInfo(settings.TIME_ZONE)
        book = escape(gettext("Book %(coach)s %(when)s"))
        minutes = (FIRST_HOUR * 60 + n * SLOT_MINUTES for n in range(SLOTS))
        times = [f"{start // 60:02d}:{start % 60:02d}" for start in minutes]
        quoted = {}  # the time of day and offset in the link, per offset (summer or winter time)
        cells = []
        for column in self.columns:
            prefix = f"cal-slot gc-{column.index} gs-"
            if add_url is None or column.coach is None:
                cells.extend(f'<span class="{prefix}{FIRST_SLOT_ROW + n}"></span>' for n in range(SLOTS))
                continue
            # The grid's hours are never those of a clock change, so one offset holds for the whole day.
            offset = datetime.combine(column.day, time(12), tzinfo=zone).isoformat()[-6:]
            link = (
                f"{escape(add_url)}?coach={column.coach.user_id}&amp;starts_at="
                f"{quote(column.day.isoformat() + 'T', safe='/')}"
            )
            if offset not in quoted:
                quoted[offset] = [quote(f"{when}:00{offset}", safe="/") for when in times]
            coach, day = escape(column.coach.display_name), self.day_label(column.day)
            cells.extend(
                f'<a class="{prefix}{FIRST_SLOT_ROW + n}" href="{link}{quoted[offset][n]}" '
                f'aria-label="{book % {"coach": coach, "when": f"{day} {when}"}}"></a>'
                for n, when in enumerate(times)
            )
        return mark_safe("".join(cells))  # noqa: S308 - every value in it is escaped above

    def appointment_cells(self, change_url: str) -> SafeString:
        """Return the placed appointments as HTML links to their pages (``change_url`` with the key as 0).

        Written directly for the same reason as the slots: a busy week has hundreds of appointments.
        """
        zone = ZoneInfo(settings.TIME_ZONE)
        statuses = {value: escape(label) for value, label in Appointment.Status.choices}
        head, tail = (escape(part) for part in change_url.split("/0/", 1))
        services = {}  # a service's name in the page's language, looked up once
        cells = []
        for item in self.placed:
            appointment = item.appointment
            if appointment.service_id not in services:
                services[appointment.service_id] = escape(appointment.service)
            starts = timezone.localtime(appointment.starts_at, zone)
            ends = timezone.localtime(appointment.ends_at, zone)
            cells.append(
                f'<a class="cal-appt gc-{item.column} gs-{item.row_start} ge-{item.row_end} '
                f'coach-{appointment.coach_id} status-{escape(appointment.status)}" '
                f'href="{head}/{appointment.pk}/{tail}" data-testid="appointment">'
                f"<strong>{starts:%H:%M}–{ends:%H:%M}</strong> {escape(appointment.client or '–')}<br>"
                f'<span class="quiet">{services[appointment.service_id]} · '
                f"{statuses.get(appointment.status, escape(appointment.status))}</span></a>"
            )
        return mark_safe("".join(cells))  # noqa: S308 - every value in it is escaped above


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

    page.hours = [(FIRST_SLOT_ROW + (h - FIRST_HOUR) * 60 // SLOT_MINUTES, h) for h in range(FIRST_HOUR, LAST_HOUR)]
    return page

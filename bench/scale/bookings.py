"""The generated coaches' calendars: every slot of every coach's week booked, years back and two weeks on."""

from bisect import bisect_right
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from bench.scale import FIRST_SLOT_HOUR, SLOT_MINUTES, SLOTS_PER_DAY, SLOTS_PER_WEEK, WORKING_DAYS, Scale
from bookings.models import Appointment, Coach, Location, Service, WorkingHours
from clients.models import Client, adulthood_birth_date

ATTENDED, NO_SHOW, LATE_OR_NOT, BY_BUSINESS = 0.82, 0.90, 0.97, 1.0
EARLIEST_CANDIDATES = 50


def generate(scale: Scale) -> None:
    """Generate the coaches' calendars: every slot of every coach's week booked, years back and two weeks on.

    Each coach has ten 90-minute slots a day, Monday to Saturday, and no service is longer than a slot,
    so no coach is ever double-booked; a client is booked at most once per slot time, so neither is a
    client. On PostgreSQL the exclusion constraints check every row all the same.
    """
    rng, loader, now = scale.rng, scale.loader, scale.now
    zone = ZoneInfo(settings.TIME_ZONE)
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=scale.coach_user_ids)}
    colours = ["#b5651d", "#2f6f9f", "#5b8c3a", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#2c3e50"]
    for number, user_id in enumerate(scale.coach_user_ids):
        coach = Coach.objects.create(
            user=users[user_id], display_name=users[user_id].get_full_name(), colour=colours[number % len(colours)]
        )
        WorkingHours.objects.bulk_create(
            WorkingHours(coach=coach, weekday=weekday, starts=time(FIRST_SLOT_HOUR), ends=time(21))
            for weekday in range(WORKING_DAYS)
        )
    services = [s for s in Service.objects.filter(is_active=True) if s.duration <= timedelta(minutes=SLOT_MINUTES)]
    locations = list(Location.objects.order_by("is_remote", "pk").values_list("pk", flat=True)) or [None]

    # Adults coached now or before; the long-standing clients get only the slots kept for them below.
    adult_born_before = adulthood_birth_date(timezone.localdate())
    candidates = sorted(
        (entered, key)
        for key, entered, born in Client.objects.filter(
            pk__gte=scale.first_keys["clients.Client"], role__in=[Client.Role.CLIENT, Client.Role.FORMER_CLIENT]
        ).values_list("pk", "entered_at", "date_of_birth")
        if key not in scale.long_records and (born is None or born <= adult_born_before)
    )
    entered_times = [entered for entered, _key in candidates]

    total = scale.amount("appointments")
    coaches = scale.coach_user_ids
    times = -(-total // len(coaches))  # slot times needed, every coach booked in each
    first_monday = timezone.localdate() + timedelta(days=14) - timedelta(weeks=-(-times // SLOTS_PER_WEEK))
    first_monday -= timedelta(days=first_monday.weekday())
    kept = {}  # (slot time, coach) -> long-standing client
    for key, record in scale.long_records.items():
        for moment in rng.sample(range(times), min(record.appointments, times)):
            free = [index for index in range(len(coaches)) if (moment, index) not in kept]
            if free:
                kept[moment, rng.choice(free)] = key
    keys = loader.reserve(Appointment, total)
    scale.first_keys["bookings.Appointment"] = keys[0]

    def rows():
        key_iter = iter(keys)
        if not candidates and not kept:
            return
        for moment in range(times):
            week, rest = divmod(moment, SLOTS_PER_WEEK)
            day, slot = divmod(rest, SLOTS_PER_DAY)
            local_day = first_monday + timedelta(weeks=week, days=day)
            minutes = FIRST_SLOT_HOUR * 60 + slot * SLOT_MINUTES
            starts = datetime.combine(local_day, time(minutes // 60, minutes % 60), tzinfo=zone).astimezone(UTC)
            known = bisect_right(entered_times, starts)
            pool = max(known, min(EARLIEST_CANDIDATES, len(candidates)))
            booked = set()
            for index, coach in enumerate(coaches):
                client = kept.get((moment, index))
                while client is None and len(booked) < pool:
                    client = candidates[rng.randrange(pool)][1]
                    client = None if client in booked else client
                if client is None:
                    continue  # fewer people than coaches early on: the slot stays free
                key = next(key_iter, None)
                if key is None:
                    return
                booked.add(client)
                yield _appointment_row(rng, key, client, coach, rng.choice(services), locations, starts, now)

    columns = [
        "id", "client_id", "coach_id", "service_id", "location_id", "starts_at", "ends_at", "status",
        "cancelled_at", "late_cancellation", "checked_in_at", "notes", "created_at", "updated_at",
    ]  # fmt: skip
    with (
        loader.indexes_deferred(Appointment, Appointment.history.model),
        scale.progress(total, "appointments") as bar,
    ):
        loader.write_with_history(Appointment, columns, scale.counted(rows(), bar), history_date="created_at")


def _appointment_row(rng, key, client, coach, service, locations, starts, now):
    ends = starts + service.duration
    status, cancelled, late, checked_in = Appointment.Status.BOOKED, None, False, None
    if starts < now:
        outcome = rng.random()
        if outcome < ATTENDED:
            status, checked_in = Appointment.Status.ATTENDED, starts - timedelta(minutes=rng.randint(0, 10))
        elif outcome < NO_SHOW:
            status = Appointment.Status.NO_SHOW
        elif outcome < LATE_OR_NOT:
            status, cancelled = Appointment.Status.CANCELLED_BY_CLIENT, starts - timedelta(hours=rng.choice([3, 30]))
            late = starts - cancelled < timedelta(hours=24)
        else:
            status, cancelled = Appointment.Status.CANCELLED_BY_BUSINESS, starts - timedelta(days=2)
    elif rng.random() < 0.5:
        status = Appointment.Status.CONFIRMED
    created = starts - timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
    location = locations[0] if rng.random() < 0.9 else locations[-1]
    return (key, client, coach, service.pk, location, starts, ends, status, cancelled, late, checked_in, "",
            created, created)  # fmt: skip

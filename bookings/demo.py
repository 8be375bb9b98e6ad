"""Demo bookings for seed_demo: services, places, two coaches' month of appointments and visits."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from bookings.models import Appointment, Coach, Location, Service, WorkingHours
from clients.models import Client


def seed(command):
    rng = random.Random(4)  # noqa: S311 - repeatable demo data, not a secret
    zone = ZoneInfo(settings.TIME_ZONE)
    services = [
        Service.objects.create(
            name_fi="Personal training",
            name_en="Personal training",
            duration=timedelta(minutes=60),
            price=Decimal("85.00"),
        ),
        Service.objects.create(
            name_fi="Pari-PT",
            name_en="Personal training for two",
            duration=timedelta(minutes=60),
            price=Decimal("110.00"),
        ),
        Service.objects.create(
            name_fi="Kuntotesti", name_en="Fitness test", duration=timedelta(minutes=90), price=Decimal("120.00")
        ),
    ]
    studio = Location.objects.create(name="Studio", street_address="Vestrantie 39", postal_code="01750", city="Vantaa")
    remote = Location.objects.create(name="Etävalmennus", is_remote=True)

    coaches = []
    for user, colour in zip(
        get_user_model().objects.filter(username__in=["sami", "laura"]).order_by("username"),
        ["#b5651d", "#2f6f9f"],
        strict=True,
    ):
        coach = Coach.objects.create(user=user, display_name=user.get_full_name(), colour=colour)
        for weekday in range(5):
            WorkingHours.objects.create(coach=coach, weekday=weekday, starts=time(7), ends=time(19))
        coaches.append(coach)

    clients = list(Client.objects.filter(role=Client.Role.CLIENT))
    today = timezone.localdate()
    now = timezone.now()
    for offset in range(-21, 14):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for coach in coaches:
            hours = sorted(rng.sample(range(7, 18), 4))
            for hour in hours:
                starts_at = datetime.combine(day, time(hour), tzinfo=zone)
                service = rng.choices(services, weights=[8, 2, 1])[0]
                client = rng.choice(clients)
                appointment = Appointment(
                    client=client,
                    coach=coach.user,
                    service=service,
                    starts_at=starts_at,
                    ends_at=starts_at + service.duration,
                    location=remote if rng.random() < 0.1 else studio,
                )
                if appointment.conflicts().exists():
                    continue
                if starts_at < now:
                    outcome = rng.random()
                    if outcome < 0.82:
                        appointment.status = Appointment.Status.ATTENDED
                        appointment.checked_in_at = starts_at - timedelta(minutes=rng.randint(0, 10))
                    elif outcome < 0.9:
                        appointment.status = Appointment.Status.NO_SHOW
                    else:
                        appointment.status = Appointment.Status.CANCELLED_BY_CLIENT
                        appointment.cancelled_at = starts_at - timedelta(hours=rng.choice([3, 30, 50]))
                        appointment.late_cancellation = starts_at - appointment.cancelled_at < timedelta(hours=24)
                elif rng.random() < 0.5:
                    appointment.status = Appointment.Status.CONFIRMED
                appointment.save()

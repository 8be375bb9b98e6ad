"""Services, coaches, locations, appointments (ajanvaraus) and visits (käynti)."""

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from register.history import field_history
from register.translation import in_language


class Service(models.Model):
    """Something a client can book: a personal training session, a consultation."""

    class VatCategory(models.TextChoices):
        # Billing maps each category to the rate in force on the delivery date.
        GENERAL = "general", _("general rate")
        SPORTS = "sports", _("reduced rate for sports and exercise services")
        REDUCED = "reduced", _("reduced rate of 10 per cent")
        ZERO = "zero", _("zero rate or VAT exempt")

    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)
    duration = models.DurationField(_("duration"), default=timedelta(hours=1))
    price = models.DecimalField(
        _("price"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("The price a client pays, VAT included, in euros."),
    )
    vat_category = models.CharField(
        _("VAT rate category"),
        max_length=10,
        choices=VatCategory,
        default=VatCategory.SPORTS,
        help_text=_(
            "Which VAT rate applies is the owner's choice: personal training is usually a sports and "
            "exercise service (13.5 per cent from 2026), but check the Tax Administration's guidance for yours."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name_fi"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration__gt=timedelta(0)), name="bookings_service_duration_positive"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")


class Location(models.Model):
    name = models.CharField(_("name"), max_length=100)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_remote = models.BooleanField(_("remote"), default=False, help_text=_("A video call or other remote session."))

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Coach(models.Model):
    """A staff member who coaches: their calendar name and colour, working hours and days off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff user"), on_delete=models.CASCADE, related_name="coach_profile"
    )
    display_name = models.CharField(_("display name"), max_length=100)
    colour = models.CharField(
        _("calendar colour"),
        max_length=7,
        default="#2f6f9f",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))],
    )
    # Only a hash is kept: the feed address is shown once when made, and a leaked database does not
    # reveal anyone's calendar.
    feed_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    feed_token_created_at = models.DateTimeField(_("calendar feed made"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("coach")
        verbose_name_plural = _("coaches")
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class WorkingHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="bookings_workinghours_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class DayOff(models.Model):
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="days_off")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["coach", "date"], name="bookings_dayoff_unique")]

    def __str__(self):
        return f"{self.date:%d.%m.%Y}"


class AppointmentSeries(models.Model):
    """A recurring booking: the same slot every N weeks."""

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="appointment_series"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coach"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.PROTECT)
    interval_weeks = models.PositiveSmallIntegerField(_("every N weeks"), default=1, validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("appointment series")
        verbose_name_plural = _("appointment series")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.client} – {self.service} / {self.interval_weeks} vk"


ACTIVE_STATUSES = ("booked", "confirmed", "attended", "no_show")


def end_of(starts_at: datetime, duration: timedelta) -> datetime:
    """Return when something lasting ``duration`` ends: elapsed time, also across a clock change.

    Adding to a Helsinki wall-clock time would count the clock, so a one-hour session at 03:30 on the
    night summer time ends would last two; in UTC an hour is an hour.
    """
    return timezone.localtime(starts_at.astimezone(UTC) + duration)


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        """Return the appointments that hold their slot (not cancelled)."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def overlapping(self, starts_at: datetime, ends_at: datetime):
        """Return active appointments whose time overlaps [starts_at, ends_at); touching ends do not."""
        return self.active().filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def between(self, start: datetime, end: datetime):
        return self.filter(starts_at__lt=end, ends_at__gt=start)

    def upcoming(self, *, now=None):
        """Return appointments that have not started yet, soonest first."""
        return self.filter(starts_at__gte=now or timezone.now()).order_by("starts_at")


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED_BY_CLIENT = "cancelled_by_client", _("cancelled by the client")
        CANCELLED_BY_BUSINESS = "cancelled_by_business", _("cancelled by the business")
        ATTENDED = "attended", _("attended")
        NO_SHOW = "no_show", _("no-show")

    # Empty only once the client has been erased: the appointment then still counts in statistics.
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="appointments", null=True
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        on_delete=models.PROTECT,
        related_name="appointments",
        limit_choices_to={"coach_profile__isnull": False},
    )
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.PROTECT)
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.SET_NULL, null=True, blank=True
    )
    series = models.ForeignKey(
        AppointmentSeries,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), blank=True, help_text=_("Empty: the service's duration from the start."))
    status = models.CharField(_("status"), max_length=24, choices=Status, default=Status.BOOKED, db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    late_cancellation = models.BooleanField(
        _("late cancellation"), default=False, help_text=_("Cancelled by the client within the cancellation window.")
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AppointmentQuerySet.as_manager()
    # Every save stores a copy with who changed what (declared in personal_data.py like the appointment).
    history = field_history(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["coach", "starts_at"], name="bookings_appt_coach_start_idx"),
            models.Index(fields=["client", "starts_at"], name="bookings_appt_client_start_idx"),
            # The list's ordering, key included: a deep page is found by an index-only scan.
            models.Index(fields=["starts_at", "id"], name="bookings_appt_start_id_idx"),
        ]
        # On PostgreSQL, migration 0002 adds exclusion constraints: no two active appointments of one
        # coach, or of one client, overlap in time. clean() gives the same rule a readable error on
        # every database.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="bookings_appointment_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled_by_client") | models.Q(cancelled_at__isnull=False),
                name="bookings_appointment_cancellation_has_time",
            ),
        ]

    def __str__(self):
        # Finnish notation in both languages: staff read 7.12.2026 10:00 the same way in either.
        if self.starts_at:
            local = timezone.localtime(self.starts_at)
            when = f"{local.day}.{local.month}.{local.year} {local:%H:%M}"  # j.n.Y H:i, written directly
        else:
            when = "?"
        return f"{when} {self.client} – {self.service}" if self.service_id else when

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def time_range_label(self) -> str:
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{date_format(start, 'j.n.Y')} {start:%H:%M}–{end:%H:%M}"

    def conflicts(self):
        """Return the active appointments that overlap this one for the same coach or the same client."""
        if not (self.starts_at and self.ends_at and self.is_active):
            return Appointment.objects.none()
        same_people = models.Q()
        if self.coach_id:
            same_people |= models.Q(coach_id=self.coach_id)
        if self.client_id:
            same_people |= models.Q(client_id=self.client_id)
        if not same_people:
            return Appointment.objects.none()
        return (
            Appointment.objects.overlapping(self.starts_at, self.ends_at)
            .filter(same_people)
            .exclude(pk=self.pk)
            .select_related("client", "coach", "service")
        )

    def clean(self):
        if self.starts_at and not self.ends_at and self.service_id:
            self.ends_at = end_of(self.starts_at, self.service.duration)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The appointment must end after it starts.")})
        clash = self.conflicts().first()
        if clash is not None:
            profile = Coach.objects.filter(user_id=clash.coach_id).first()
            who = profile.display_name if profile else clash.coach.get_full_name() or clash.coach.get_username()
            if clash.coach_id == self.coach_id:
                message = _("%(coach)s already has an appointment at %(time)s: %(appointment)s (no. %(id)s).")
            else:
                message = _("The client already has an appointment at %(time)s: %(appointment)s (no. %(id)s).")
            raise ValidationError(
                message % {"coach": who, "time": clash.time_range_label(), "appointment": clash, "id": clash.pk},
                code="overlap",
            )

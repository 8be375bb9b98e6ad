"""The people in the register: clients, prospects, subscribers, their guardians, emails and notes."""

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from register.choices import choice_label
from register.hashing import address_hmac
from register.history import field_history
from register.validators import validate_finnish_postal_code

ADULT_AGE = 18
EMAIL_IN_USE = _("Another person in the register already has this email address.")


def age_on(birth_date: date, day: date) -> int:
    """Return the age in full years on ``day`` of someone born on ``birth_date``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def adulthood_birth_date(today: date) -> date:
    """Return the latest birth date of someone who is an adult on ``today`` (born on 29 February too)."""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # today is 29 February and 18 years ago was no leap year
        return today.replace(year=today.year - ADULT_AGE, day=28)


class ClientQuerySet(models.QuerySet):
    def active(self):
        """Return the people still in the register (not erased or merged away)."""
        return self.filter(is_active=True)

    def minors(self, *, today: date | None = None):
        """Return the people under 18 on ``today`` (default: today in Helsinki)."""
        return self.filter(date_of_birth__gt=adulthood_birth_date(today or timezone.localdate()))

    def minors_without_guardian(self, *, today: date | None = None):
        """Return the minors for whom no guardian is recorded."""
        return self.minors(today=today).filter(guardians__isnull=True)

    def with_email(self, email: str):
        """Return the active people whose email equals ``email``, ignoring case."""
        return self.active().filter(email__iexact=email.strip())

    def emails_in_use(self, emails) -> set[str]:
        """Return, upper-cased, those of ``emails`` that an active person here has, ignoring case; one query.

        Compared as ``with_email`` compares (upper case on both sides), so the same index answers.
        """
        wanted = {str(email).strip().upper() for email in emails if email and str(email).strip()}
        if not wanted:
            return set()
        return set(
            self.active()
            .annotate(upper_email=Upper("email"))
            .filter(upper_email__in=wanted)
            .values_list("upper_email", flat=True)
        )


class Client(models.Model):
    """A person in the register: an email subscriber, a prospect, a client or a former client."""

    class Role(models.TextChoices):
        SUBSCRIBER = "subscriber", _("subscriber")
        PROSPECT = "prospect", _("prospect")
        CLIENT = "client", _("client")
        FORMER_CLIENT = "former_client", _("former client")

    class Source(models.TextChoices):
        SELF = "self", _("told by the person")
        GUARDIAN = "guardian", _("told by the guardian")
        RELATIONSHIP = "relationship", _("arose during the client relationship")
        WEB_FORM = "web_form", _("public web form")
        REMARKETING = "remarketing", _("cookies or remarketing (a lead)")
        IMPORT = "import", _("imported from an earlier client list")

    class Language(models.TextChoices):
        FINNISH = "fi", _("Finnish")
        ENGLISH = "en", _("English")
        SWEDISH = "sv", _("Swedish")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(
        _("email"), blank=True, help_text=_("Unique among the people in the register, whatever the case.")
    )
    # The address's keyed hash, kept with it by save(): the suppression list holds only such hashes, so
    # the marketing rule (consents.eligibility) compares the two in the database. Empty without an address.
    email_hmac = models.CharField(max_length=64, blank=True, editable=False)
    phone = PhoneNumberField(_("phone"), blank=True, db_index=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), default="FI")
    date_of_birth = models.DateField(
        _("date of birth"),
        null=True,
        blank=True,
        help_text=_("Optional; needed to know whether the person is a minor."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.FINNISH
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach responsible"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coached_people",
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    background = models.TextField(_("background"), blank=True)

    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.PROSPECT, db_index=True)
    role_since = models.DateField(_("role since"), default=timezone.localdate)

    source = models.CharField(_("source of the data"), max_length=16, choices=Source, default=Source.SELF)
    entered_at = models.DateTimeField(_("entered the register"), default=timezone.now)

    restricted_at = models.DateTimeField(
        _("processing restricted since"),
        null=True,
        blank=True,
        help_text=_("GDPR article 18: while set, the data is only stored: no marketing, no other processing."),
    )
    restriction_reason = models.TextField(_("reason for the restriction"), blank=True)

    informed_at = models.DateTimeField(_("informed of the register"), null=True, blank=True)
    # The number of the privacy notice version shown; the privacy app keeps the versions.
    informed_notice_version = models.PositiveIntegerField(_("privacy notice version shown"), null=True, blank=True)
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("informed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    is_active = models.BooleanField(
        _("in the register"),
        default=True,
        help_text=_("Off once the person is erased or merged into another."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClientQuerySet.as_manager()
    # Every save stores a copy with who changed what (declared in personal_data.py like the person).
    history = field_history(excluded_fields=["updated_at", "email_hmac"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "id"]
        permissions = [
            ("export_client", _("Can export the list of people")),
            ("import_client", _("Can import a list of people")),
            ("merge_client", _("Can merge duplicate people")),
        ]
        # iexact lookups compare UPPER(column) on PostgreSQL: the indexes match that expression.
        indexes = [
            models.Index(Upper("email"), name="clients_client_email_ci_idx"),
            # The list's ordering, key included: a deep page is found by an index-only scan. The email
            # and phone ride along (PostgreSQL only) so that a broad search walks this index in name
            # order, testing each entry without visiting the table, and stops at the page's last match.
            models.Index(
                fields=["last_name", "first_name", "id"],
                include=["email", "phone"],
                name="clients_client_name_search_idx",
            ),
            models.Index(fields=["-created_at"], name="clients_client_created_idx"),
            # The dashboard's counts of the people in the register (per role, per month of entry by
            # source, and those of a consent) are read from this index alone, on PostgreSQL.
            models.Index(
                fields=["entered_at"],
                include=["role", "source", "id"],
                condition=models.Q(is_active=True),
                name="clients_active_entered_idx",
            ),
            # Those whom marketing may reach once they consent (consents.eligibility): counted from the index,
            # the address's hash included for the comparison with the suppression list.
            models.Index(
                fields=["id"],
                include=["email_hmac"],
                condition=models.Q(is_active=True, restricted_at__isnull=True) & ~models.Q(email=""),
                name="clients_reachable_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(is_active=True) & ~models.Q(email=""),
                name="clients_client_email_ci_unique",
                violation_error_message=_("Another person in the register already has this email address."),
            ),
            models.CheckConstraint(
                condition=models.Q(restricted_at__isnull=True) | ~models.Q(restriction_reason=""),
                name="clients_client_restriction_has_reason",
                violation_error_message=_("Give the reason for restricting the processing."),
            ),
        ]

    def __str__(self):
        name = f"{self.last_name}, {self.first_name}"
        # The mark travels with the name into every list and select of the back office.
        mark = _("restricted")
        return f"{name} ({mark})" if self.is_restricted else name

    def save(self, *args, **kwargs):
        self.set_email_hmac()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_hmac"}
        super().save(*args, **kwargs)

    def set_email_hmac(self) -> None:
        """Key the address as the suppression list keys its own; save() does it, a bulk insert must too."""
        self.email_hmac = address_hmac(self.email) if self.email.strip() else ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None

    def age(self, today: date | None = None) -> int | None:
        if self.date_of_birth is None:
            return None
        return age_on(self.date_of_birth, today or timezone.localdate())

    @property
    def is_minor(self) -> bool:
        age = self.age()
        return age is not None and age < ADULT_AGE

    def clean(self):
        errors = self.value_errors()
        # The database constraint is the last guard; this check puts the error on the field, also in
        # forms that do not show is_active (the constraint's condition), where Django skips the constraint.
        if self.email and self.is_active and Client.objects.exclude(pk=self.pk).emails_in_use([self.email]):
            errors["email"] = [EMAIL_IN_USE]
        if errors:
            raise ValidationError(errors)

    def value_errors(self) -> dict[str, Sequence[str | Promise]]:
        """Return the errors of ``clean`` that the row's own values show, found without a query.

        An import checks the addresses of a whole file against the register at once instead.
        """
        errors: dict[str, Sequence[str | Promise]] = {}
        if self.country == "FI" and self.postal_code:
            try:
                validate_finnish_postal_code(self.postal_code)
            except ValidationError as error:
                errors["postal_code"] = error.messages
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors["date_of_birth"] = [_("The date of birth cannot be in the future.")]
        if self.restricted_at and not self.restriction_reason.strip():
            errors["restriction_reason"] = [_("Give the reason for restricting the processing.")]
        return errors


class RoleChange(models.Model):
    """A change of a person's role in the register, kept so the timeline can show when each began."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="role_changes")
    role = models.CharField(_("role"), max_length=16, choices=Client.Role)
    previous_role = models.CharField(_("previous role"), max_length=16, choices=Client.Role, blank=True)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{choice_label(self, 'role')} {self.changed_at:%Y-%m-%d}"


class Guardian(models.Model):
    """A guardian (huoltaja) of a minor in the register; can receive invoices and give consents."""

    minor = models.ForeignKey(Client, verbose_name=_("minor"), on_delete=models.CASCADE, related_name="guardians")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    relation = models.CharField(_("relation"), max_length=50, help_text=_("For example mother, father, guardian."))
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_invoice_recipient = models.BooleanField(_("receives the invoices"), default=False)

    history = field_history()

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(Upper("email"), name="clients_guardian_email_ci_idx")]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.relation})"


def attachment_path(instance, filename):
    # Files are grouped by month of import; the database row keeps the original name.
    return f"emails/{timezone.now():%Y/%m}/{filename}"


class ReceivedEmail(models.Model):
    """An email a person in the register sent to the business (or that staff have yet to assign)."""

    client = models.ForeignKey(
        Client,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        help_text=_("Empty until the sender is matched to a person."),
    )
    sent_by_guardian = models.ForeignKey(
        Guardian, verbose_name=_("sent by guardian"), on_delete=models.SET_NULL, null=True, blank=True
    )
    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    sender = models.EmailField(_("sender"), max_length=320)
    sender_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    body = models.TextField(_("message"), blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("email received")
        verbose_name_plural = _("emails received")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(Upper("sender"), name="clients_email_sender_ci_idx"),
            models.Index(fields=["sent_at", "id"], name="clients_email_sent_idx"),
        ]

    def __str__(self):
        return self.subject or _("(no subject)")


class EmailAttachment(models.Model):
    email = models.ForeignKey(ReceivedEmail, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return self.filename


class StaffNoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the notes ``user`` may read: none without the view permission, restricted ones with their own."""
        if not user.has_perm("clients.view_staffnote"):
            return self.none()
        if user.has_perm("clients.view_restricted_note"):
            return self
        return self.filter(restricted=False)


class StaffNote(models.Model):
    """A dated note a staff member wrote about a person."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    text = models.TextField(_("note"))
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only staff with the permission for restricted notes see it."),
    )

    objects = StaffNoteQuerySet.as_manager()
    history = field_history()

    class Meta:
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")
        ordering = ["-created_at", "-id"]
        permissions = [("view_restricted_note", _("Can see restricted staff notes"))]

    def __str__(self):
        # Neutral on purpose: the admin's change history and delete pages show this to staff who may
        # not read restricted notes.
        return _("note no. %(id)s") % {"id": self.pk}


# The privacy app, above this one, tells which notice version is in force (a function returning its
# number), so that "informed of the register" records the version shown.
NOTICE_VERSION_IN_FORCE: list = []


# Checks that apps above this one add for entries collected with permission (the consents app checks
# that the purpose exists and that health information has its explicit consent). Each takes the entry
# and raises ValidationError.
COLLECTED_DATA_CHECKS: list = []


class CollectedDataQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the entries ``user`` may read: health information only with its own permission."""
        if user.has_perm("clients.view_health_data"):
            return self
        return self.filter(is_health=False)


class CollectedData(models.Model):
    """Other data collected with the person's permission: a labelled entry naming the purpose allowing it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="collected_data")
    label = models.CharField(_("label"), max_length=100)
    value = models.TextField(_("value"))
    # The consents app owns the catalogue of purposes and sits above this app, so the link is by the
    # purpose's code; the consents app validates it and shows the purpose.
    purpose_code = models.CharField(
        _("consent purpose"),
        max_length=50,
        help_text=_("Code of the consent purpose that allows collecting this."),
    )
    is_health = models.BooleanField(
        _("health information"),
        default=False,
        help_text=_("Special-category data (an injury, a condition): visible only with its own permission."),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = CollectedDataQuerySet.as_manager()
    history = field_history()

    class Meta:
        verbose_name = _("data collected with permission")
        verbose_name_plural = _("data collected with permission")
        ordering = ["label", "id"]
        permissions = [("view_health_data", _("Can see health information"))]

    def __str__(self):
        # Neutral on purpose: a health entry's label ("knee injury") is itself health information.
        return _("entry no. %(id)s") % {"id": self.pk}

    def clean(self):
        for check in COLLECTED_DATA_CHECKS:
            check(self)

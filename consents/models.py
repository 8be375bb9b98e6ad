"""Consent purposes, the append-only consent ledger and its current state, suppression, disclosures."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from register.choices import choice_label
from register.translation import in_language


class Purpose(models.Model):
    """Something the business asks a person's consent for."""

    class LegalBasis(models.TextChoices):
        CONSENT = "6_1_a", _("consent (GDPR 6(1)(a))")
        EXPLICIT = "9_2_a", _("explicit consent to special-category data (GDPR 9(2)(a))")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    title_fi = models.CharField(_("title in Finnish"), max_length=150)
    title_en = models.CharField(_("title in English"), max_length=150)
    description_fi = models.TextField(_("description in Finnish"))
    description_en = models.TextField(_("description in English"))
    legal_basis = models.CharField(_("legal basis"), max_length=8, choices=LegalBasis, default=LegalBasis.CONSENT)
    is_marketing = models.BooleanField(
        _("marketing"), default=False, help_text=_("A marketing prohibition overrides it.")
    )
    is_special_category = models.BooleanField(_("special-category data"), default=False)
    per_occasion = models.BooleanField(
        _("given per occasion"), default=False, help_text=_("Each consent names its recipient, e.g. a disclosure.")
    )

    class Meta:
        verbose_name = _("consent purpose")
        verbose_name_plural = _("consent purposes")
        ordering = ["code"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def description(self) -> str:
        return in_language(self, "description")


class ConsentEvent(models.Model):
    """One entry of the consent ledger. Entries are never changed; only erasure of the person removes them."""

    class Kind(models.TextChoices):
        GRANTED = "granted", _("consent given")
        WITHDRAWN = "withdrawn", _("consent withdrawn")
        PROHIBITED = "prohibited", _("marketing prohibited")
        PROHIBITION_LIFTED = "prohibition_lifted", _("marketing prohibition lifted")

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        IN_PERSON = "in_person", _("in person")
        EMAIL = "email", _("email")
        PHONE = "phone", _("phone")
        PAPER = "paper", _("paper")
        MAILCHIMP = "mailchimp", _("Mailchimp (the person unsubscribed there)")

    class RecordedBy(models.TextChoices):
        PERSON = "person", _("the person")
        GUARDIAN = "guardian", _("a guardian")
        STAFF = "staff", _("a staff member")

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("person"), on_delete=models.CASCADE, related_name="consent_events"
    )
    purpose = models.ForeignKey(
        Purpose,
        verbose_name=_("purpose"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for a marketing prohibition: it covers every marketing purpose."),
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    recorded_by = models.CharField(_("recorded by"), max_length=10, choices=RecordedBy)
    guardian = models.ForeignKey(
        "clients.Guardian", verbose_name=_("guardian"), on_delete=models.SET_NULL, null=True, blank=True
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.SET_NULL, null=True, blank=True
    )
    text_shown = models.TextField(_("text the person saw"), blank=True)
    recipient = models.CharField(
        _("recipient"), max_length=200, blank=True, help_text=_("For a per-occasion consent.")
    )
    evidence_ip_hash = models.CharField(_("IP address (keyed hash)"), max_length=64, blank=True)
    evidence_user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    evidence_note = models.TextField(_("how the consent was obtained"), blank=True)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["client", "purpose", "-occurred_at"], name="consents_event_client_idx"),
            # The ledger's ordering, key included: a deep page of the list is found by an index-only scan.
            models.Index(fields=["occurred_at", "id"], name="consents_event_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["prohibited", "prohibition_lifted"], purpose__isnull=True)
                | models.Q(kind__in=["granted", "withdrawn"], purpose__isnull=False),
                name="consents_event_purpose_matches_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(recorded_by="guardian") | models.Q(guardian__isnull=False),
                name="consents_event_guardian_named",
            ),
        ]

    def __str__(self):
        return f"{choice_label(self, 'kind')} {self.occurred_at:%d.%m.%Y}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("erasing", False):
            raise ValidationError(_("A consent event is never changed; record a new event instead."))
        super().save(*args, **kwargs)


class ConsentState(models.Model):
    """The current consent of one person for one purpose, kept with the ledger in one transaction."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="consent_states")
    purpose = models.ForeignKey(Purpose, on_delete=models.CASCADE, related_name="states")
    granted = models.BooleanField(_("given"), default=False)
    since = models.DateTimeField(_("since"))
    last_event = models.ForeignKey(ConsentEvent, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states")
        constraints = [models.UniqueConstraint(fields=["client", "purpose"], name="consents_state_unique")]
        indexes = [models.Index(fields=["purpose", "granted"], name="consents_state_purpose_idx")]

    def __str__(self):
        return f"{self.purpose}: {self.granted}"


class MarketingProhibition(models.Model):
    """A person's objection to direct marketing (GDPR article 21), in force until they lift it."""

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="marketing_prohibition")
    since = models.DateTimeField(_("since"))
    last_event = models.ForeignKey(ConsentEvent, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("marketing prohibition")
        verbose_name_plural = _("marketing prohibitions")

    def __str__(self):
        return f"{self.client_id} {self.since:%d.%m.%Y}"


class SuppressedAddress(models.Model):
    """A keyed hash of an email address that must never be marketed to again."""

    class Reason(models.TextChoices):
        OBJECTION = "objection", _("objected to marketing")
        ERASURE = "erasure", _("erased after withdrawing or objecting")
        BOUNCED = "bounced", _("address cleaned by Mailchimp")

    address_hmac = models.CharField(max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")

    def __str__(self):
        return f"{self.address_hmac[:12]}… ({choice_label(self, 'reason')})"


class Disclosure(models.Model):
    """Data disclosed to someone outside the business, with the consent that allowed it (seed section 7)."""

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("person"), on_delete=models.CASCADE, related_name="disclosures"
    )
    recipient = models.CharField(_("recipient"), max_length=200)
    what = models.TextField(_("what was disclosed"))
    disclosed_at = models.DateTimeField(_("disclosed"), default=timezone.now)
    consent_event = models.ForeignKey(
        ConsentEvent, verbose_name=_("consent"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-disclosed_at"]

    def __str__(self):
        return f"{self.recipient} {self.disclosed_at:%d.%m.%Y}"


class AudienceExport(models.Model):
    """A hashed list of people handed to Facebook for a custom audience."""

    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    people = models.ManyToManyField("clients.Client", related_name="audience_exports", verbose_name=_("people"))
    count = models.PositiveIntegerField(_("people"), default=0)

    class Meta:
        verbose_name = _("audience export")
        verbose_name_plural = _("audience exports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.purpose} {self.created_at:%d.%m.%Y} ({self.count})"


class MailchimpMember(models.Model):
    """What the register last told Mailchimp about a person, so that a run sends only changes.

    The row outlives its person (erased or merged away) until Mailchimp has unsubscribed the address.
    """

    client = models.OneToOneField(
        "clients.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="mailchimp"
    )
    email = models.EmailField()
    first_name_sent = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20)
    # An address the person used before, still to be unsubscribed there.
    pending_unsubscribe = models.EmailField(blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Mailchimp contact")
        verbose_name_plural = _("Mailchimp contacts")

    def __str__(self):
        return f"{self.email} {self.status}"


class CookieChoice(models.Model):
    """A visitor's cookie choice, under a random id: no personal data beyond it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    analytics = models.BooleanField(default=False)
    marketing = models.BooleanField(default=False)
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cookie choice")
        verbose_name_plural = _("cookie choices")

    def __str__(self):
        return str(self.id)

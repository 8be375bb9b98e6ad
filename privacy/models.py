"""The privacy notice (tietosuojaseloste) as versioned, structured data."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from register import signals
from register.choices import choice_label
from register.translation import in_language


class NoticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=NoticeVersion.Status.PUBLISHED)

    def current(self):
        """Return the published version in force: the latest published."""
        return self.published().order_by("-published_on", "-number").first()


class NoticeVersion(models.Model):
    """One version of the privacy notice. A published version never changes; a change is a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    number = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    register_name_fi = models.CharField(_("name of the register in Finnish"), max_length=200)
    register_name_en = models.CharField(_("name of the register in English"), max_length=200)
    rights_fi = models.TextField(_("the rights and how to use them, in Finnish"), blank=True)
    rights_en = models.TextField(_("the rights and how to use them, in English"), blank=True)
    withdrawal_fi = models.TextField(_("withdrawing a consent, in Finnish"), blank=True)
    withdrawal_en = models.TextField(_("withdrawing a consent, in English"), blank=True)
    complaint_fi = models.TextField(_("complaint to the Data Protection Ombudsman, in Finnish"), blank=True)
    complaint_en = models.TextField(_("complaint to the Data Protection Ombudsman, in English"), blank=True)
    requirement_fi = models.TextField(_("whether providing data is required, in Finnish"), blank=True)
    requirement_en = models.TextField(_("whether providing data is required, in English"), blank=True)
    automated_decisions_fi = models.TextField(_("automated decision-making, in Finnish"), blank=True)
    automated_decisions_en = models.TextField(_("automated decision-making, in English"), blank=True)
    security_fi = models.TextField(_("security principles, in Finnish"), blank=True)
    security_en = models.TextField(_("security principles, in English"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("privacy notice version")
        verbose_name_plural = _("privacy notice versions")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_on__isnull=False),
                name="privacy_notice_published_has_date",
            ),
        ]

    def __str__(self):
        return _("privacy notice, version %(number)s") % {"number": self.number}

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("publishing", False):
            stored = NoticeVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.PUBLISHED:
                raise ValidationError(_("A published notice is never edited; make a new version."))
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def text(self, name: str) -> str:
        """Return the field ``name`` in the active language (Finnish unless English is active)."""
        return in_language(self, name)


class NoticeItem(models.Model):
    """A repeated part of a notice: a purpose, a category of data, a source, a recipient or a transfer."""

    class Kind(models.TextChoices):
        PURPOSE = "purpose", _("purpose of processing")
        CATEGORY = "category", _("category of data")
        SOURCE = "source", _("source of data")
        RECIPIENT = "recipient", _("recipient or disclosure")
        TRANSFER = "transfer", _("transfer outside the EU/EEA")

    class LegalBasis(models.TextChoices):
        CONSENT = "a", _("consent (GDPR 6(1)(a))")
        CONTRACT = "b", _("contract (GDPR 6(1)(b))")
        LEGAL_OBLIGATION = "c", _("legal obligation (GDPR 6(1)(c))")
        VITAL_INTERESTS = "d", _("vital interests (GDPR 6(1)(d))")
        PUBLIC_TASK = "e", _("public task (GDPR 6(1)(e))")
        LEGITIMATE_INTERESTS = "f", _("legitimate interests (GDPR 6(1)(f))")

    notice = models.ForeignKey(NoticeVersion, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_fi = models.CharField(_("title in Finnish"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    text_fi = models.TextField(_("text in Finnish"), blank=True)
    text_en = models.TextField(_("text in English"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=1, choices=LegalBasis, blank=True)
    legitimate_interest_fi = models.TextField(_("the legitimate interest, in Finnish"), blank=True)
    legitimate_interest_en = models.TextField(_("the legitimate interest, in English"), blank=True)
    safeguard_fi = models.CharField(_("safeguard of the transfer, in Finnish"), max_length=300, blank=True)
    safeguard_en = models.CharField(_("safeguard of the transfer, in English"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notice item")
        verbose_name_plural = _("notice items")
        ordering = ["kind", "order", "id"]

    def __str__(self):
        return self.title_fi

    def save(self, *args, **kwargs):
        if self.notice.is_published:
            raise ValidationError(_("A published notice is never edited; make a new version."))
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.kind == self.Kind.PURPOSE and not self.legal_basis:
            errors["legal_basis"] = _("Each purpose names its legal basis.")
        if self.legal_basis == self.LegalBasis.LEGITIMATE_INTERESTS and not (
            self.legitimate_interest_fi.strip() and self.legitimate_interest_en.strip()
        ):
            errors["legitimate_interest_fi"] = _("Spell out the legitimate interest in both languages.")
        if self.kind == self.Kind.TRANSFER and not (self.safeguard_fi.strip() and self.safeguard_en.strip()):
            errors["safeguard_fi"] = _("Name the safeguard of the transfer in both languages.")
        if errors:
            raise ValidationError(errors)

    def text(self, name: str) -> str:
        return in_language(self, name)


class DataRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=DataRequest.OPEN_STATUSES)


class DataRequest(models.Model):
    """A data subject's request: access, rectification, erasure, restriction, portability, objection ..."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("access: a copy of my data")
        RECTIFICATION = "rectification", _("rectification of wrong data")
        ERASURE = "erasure", _("erasure")
        RESTRICTION = "restriction", _("restriction of processing")
        PORTABILITY = "portability", _("portability: my data in a machine-readable form")
        OBJECTION = "objection", _("objection to direct marketing")
        WITHDRAW_CONSENT = "withdraw_consent", _("withdrawal of a consent")
        OTHER = "other", _("something else")

    class Status(models.TextChoices):
        AWAITING_VERIFICATION = "awaiting_verification", _("awaiting verification")
        RECEIVED = "received", _("received")
        IDENTITY_CHECK = "identity_check", _("identity check")
        IN_PROGRESS = "in_progress", _("in progress")
        WAITING = "waiting", _("waiting for the requester")
        COMPLETED = "completed", _("completed")
        REFUSED = "refused", _("refused")
        EXPIRED = "expired", _("expired unverified")
        WITHDRAWN = "withdrawn", _("withdrawn by the requester")

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        PAPER = "paper", _("letter")
        EMAIL = "email", _("email")
        IN_PERSON = "in_person", _("in person")

    OPEN_STATUSES = ("received", "identity_check", "in_progress", "waiting")

    kind = models.CharField(_("request"), max_length=20, choices=Kind)
    status = models.CharField(
        _("status"), max_length=24, choices=Status, default=Status.AWAITING_VERIFICATION, db_index=True
    )
    channel = models.CharField(_("received by"), max_length=10, choices=Channel, default=Channel.WEB)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    details = models.TextField(_("details"), blank=True)
    what_is_wrong = models.TextField(_("what is wrong"), blank=True)
    what_is_right = models.TextField(_("what is right"), blank=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True)
    relation = models.CharField(_("relation to that person"), max_length=100, blank=True)
    people = models.ManyToManyField(
        "clients.Client", verbose_name=_("people in the register"), blank=True, related_name="data_requests"
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    extended_by_months = models.PositiveSmallIntegerField(_("extended by months"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    requester_told_of_extension_on = models.DateField(_("requester told of the extension on"), null=True, blank=True)
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("days paused"), default=0)
    refusal_reasons = models.TextField(_("reasons for refusing"), blank=True)
    reminded_on = models.DateField(_("privacy contact reminded on"), null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["due_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reasons=""),
                name="privacy_request_refusal_has_reasons",
            ),
            models.CheckConstraint(
                condition=models.Q(extended_by_months__lte=2), name="privacy_request_extension_at_most_two_months"
            ),
        ]

    def __str__(self):
        return f"{choice_label(self, 'kind')} – {self.name}"


class RequestEvent(models.Model):
    """A change of a request's status: who, when, and why."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=24, choices=DataRequest.Status)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{choice_label(self, 'status')} {self.at:%d.%m.%Y}"


def package_path(instance, filename):
    return f"access-packages/{instance.request_id}/{filename}"


class AccessPackage(models.Model):
    """A zip of everything the register holds about a requester, delivered by a signed, expiring link."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="packages")
    file = models.FileField(upload_to=package_path, max_length=300)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    expires_at = models.DateTimeField(_("link expires"))
    revoked_at = models.DateTimeField(_("link revoked"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)

    class Meta:
        verbose_name = _("access package")
        verbose_name_plural = _("access packages")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.request} {self.created_at:%d.%m.%Y}"


class PackageDownload(models.Model):
    """One download of an access package: the business can show the answer reached the person."""

    package = models.ForeignKey(AccessPackage, on_delete=models.CASCADE, related_name="downloads")
    at = models.DateTimeField(_("downloaded"), auto_now_add=True)
    ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("package download")
        verbose_name_plural = _("package downloads")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.package_id} {self.at:%d.%m.%Y %H:%M}"


class PurgeRun(models.Model):
    """One run of purge_expired: what the retention rules removed, for the owner to see in the admin."""

    ran_at = models.DateTimeField(_("ran"), auto_now_add=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    summary = models.TextField(_("summary"))

    class Meta:
        verbose_name = _("retention purge")
        verbose_name_plural = _("retention purges")
        ordering = ["-ran_at"]

    def __str__(self):
        return f"{self.ran_at:%d.%m.%Y %H:%M}"


class AccessLogEntryQuerySet(models.QuerySet):
    def older_than(self, days: int, *, now=None):
        """Return the entries made more than ``days`` days before ``now``."""
        return self.filter(at__lt=(now or timezone.now()) - timedelta(days=days))


class AccessLogEntry(models.Model):
    """One time a staff member saw, exported, downloaded or changed personal data: who, when, what, from where.

    The log is append-only through the app: an entry is never edited or deleted by anyone, only its
    retention (``purge_expired``) removes it, and an erasure unlinks it from the erased person.
    """

    class Action(models.TextChoices):
        VIEWED = signals.VIEWED, _("viewed the page")
        VIEWED_HISTORY = signals.VIEWED_HISTORY, _("viewed the change history")
        EXPORTED = signals.EXPORTED, _("exported")
        DOWNLOADED_ATTACHMENT = signals.DOWNLOADED_ATTACHMENT, _("downloaded an email attachment")
        DOWNLOADED_INVOICE = signals.DOWNLOADED_INVOICE, _("downloaded an invoice PDF")
        MADE_ACCESS_PACKAGE = signals.MADE_ACCESS_PACKAGE, _("made a copy of the data for the person")
        DOWNLOADED_ACCESS_PACKAGE = signals.DOWNLOADED_ACCESS_PACKAGE, _("copy of the data downloaded by its link")
        ADDED = signals.ADDED, _("added")
        CHANGED = signals.CHANGED, _("changed")
        DELETED = signals.DELETED, _("deleted")
        ERASED = signals.ERASED, _("erased")
        EXPORTED_ACCESS_LOG = signals.EXPORTED_ACCESS_LOG, _("exported the access log")

    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    # Staff accounts are deactivated rather than deleted, but a deleted account must neither block
    # (PROTECT) nor take its entries with it: the user name is kept as it was at the time.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    username = models.CharField(_("user name"), max_length=150, blank=True, editable=False)
    roles = models.CharField(
        _("roles"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("The staff roles (groups) of the user at the time."),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action, db_index=True, editable=False)
    # Erasure unlinks the person (SET_NULL for the rare deletion of the row too); the rest of the entry
    # stays as the controller's proof of who handled the data (GDPR article 5(2)).
    person = models.ForeignKey(
        "clients.Client",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    object_model = models.CharField(_("kind of record"), max_length=100, blank=True, editable=False)
    object_pk = models.CharField(_("record id"), max_length=64, blank=True, editable=False)
    object_label = models.CharField(_("record"), max_length=200, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True, editable=False)

    objects = AccessLogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["object_model", "object_pk"], name="privacy_access_object_idx"),
            # The log's ordering, key included: a deep page of the list is found by an index-only scan.
            models.Index(fields=["at", "id"], name="privacy_access_time_idx"),
        ]

    def __str__(self):
        return f"{self.at:%d.%m.%Y %H:%M} {self.username or '-'} {choice_label(self, 'action')}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("An access log entry is never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An access log entry is not deleted; its retention removes it."))

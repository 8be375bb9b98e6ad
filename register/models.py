"""The organisation that keeps the register: the controller, its contact person and seller details."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from register.validators import (
    validate_bic,
    validate_business_id,
    validate_finnish_postal_code,
    validate_finnish_vat_number,
    validate_iban,
    validate_phone,
)

logger = logging.getLogger(__name__)

ORGANISATION_CACHE_KEY = "register:organisation"
ORGANISATION_CACHE_SECONDS = 300


class Organisation(models.Model):
    """The controller (rekisterinpitäjä) of the register; there is exactly one row."""

    SINGLETON_ID = 1

    name = models.CharField(_("name"), max_length=200)
    business_id = models.CharField(
        _("business ID"),
        max_length=9,
        blank=True,
        validators=[validate_business_id],
        help_text=_("Y-tunnus, for example 1234567-1."),
    )
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=5, validators=[validate_finnish_postal_code])
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)

    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_phone = models.CharField(
        _("contact person's phone"), max_length=30, blank=True, validators=[validate_phone]
    )
    contact_email = models.EmailField(_("contact person's email"))
    contact_street_address = models.CharField(_("contact person's street address"), max_length=200, blank=True)
    contact_postal_code = models.CharField(
        _("contact person's postal code"),
        max_length=5,
        blank=True,
        validators=[validate_finnish_postal_code],
    )
    contact_city = models.CharField(_("contact person's city"), max_length=100, blank=True)

    # Seller details printed on invoices.
    vat_number = models.CharField(
        _("VAT number"), max_length=10, blank=True, validators=[validate_finnish_vat_number], help_text=_("FI01120389")
    )
    is_vat_registered = models.BooleanField(
        _("VAT registered"),
        default=True,
        help_text=_("Off for a small business under the VAT threshold: invoices then carry no VAT and say why."),
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    payment_terms_days = models.PositiveSmallIntegerField(_("days to the due date"), default=14)
    late_interest_text = models.CharField(
        _("late interest"),
        max_length=200,
        default="Viivästyskorko korkolain mukaan.",
        help_text=_("Printed on invoices, for example: late interest under the Interest Act."),
    )

    send_feedback_requests = models.BooleanField(
        _("ask for feedback after visits"),
        default=False,
        help_text=_("Email clients a link to a one-page feedback form after each visit (quality control)."),
    )

    # Booking rules of the business.
    cancellation_window_hours = models.PositiveSmallIntegerField(
        _("cancellation window in hours"),
        default=24,
        help_text=_("A client's cancellation later than this before the start is a late cancellation."),
    )
    reminder_hours_before = models.PositiveSmallIntegerField(
        _("reminder hours before"), default=24, help_text=_("How long before an appointment its reminder is sent.")
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1),
                name="register_organisation_single_row",
                violation_error_message=_("The register has exactly one organisation."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)
        # The organisation is read on every page; drop the cached copy so the change shows at once,
        # and again after the commit, for a request that cached the old row in between.
        _forget_cached_organisation()
        transaction.on_commit(_forget_cached_organisation)

    def clean(self):
        if self.vat_number and self.business_id and self.vat_number[2:] != self.business_id.replace("-", ""):
            raise ValidationError({"vat_number": _("The VAT number is FI followed by the business ID's digits.")})

    @classmethod
    def current(cls) -> "Organisation | None":
        """Return the organisation, from the cache when possible; None before it has been set up.

        A cache that does not answer is no reason for a page to fail: the database is asked instead.
        """
        try:
            organisation = cache.get(ORGANISATION_CACHE_KEY)
        except Exception:  # any cache backend's connection error
            logger.warning("The cache did not answer; reading the organisation from the database")
            return cls.objects.filter(pk=cls.SINGLETON_ID).first()
        if organisation is None:
            organisation = cls.objects.filter(pk=cls.SINGLETON_ID).first()
            if organisation is not None:
                try:
                    cache.set(ORGANISATION_CACHE_KEY, organisation, ORGANISATION_CACHE_SECONDS)
                except Exception:
                    logger.warning("The cache did not answer; the organisation was not cached")
        return organisation

    @property
    def address_lines(self) -> list[str]:
        return [self.street_address, f"{self.postal_code} {self.city}".strip()]


def _forget_cached_organisation():
    try:
        cache.delete(ORGANISATION_CACHE_KEY)
    except Exception:
        logger.warning("The cache did not answer; the cached organisation expires on its own")


class StaffProfile(models.Model):
    """What the register keeps of a staff account besides Django's user: the confidentiality agreement.

    Staff see personal data only once the date of their signed confidentiality agreement
    (salassapitosopimus) is recorded here; superusers, the controller's own accounts, are exempt.
    ``sessions_revoked_at`` ends every session of the account that began before it ("log out everywhere").
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("user")
    )
    agreement_signed_on = models.DateField(
        _("confidentiality agreement signed on"),
        null=True,
        blank=True,
        help_text=_("The date of the signed confidentiality agreement. Without it the account sees no personal data."),
    )
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreement recorded by"),
        editable=False,
    )
    sessions_revoked_at = models.DateTimeField(_("sessions ended at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        # What a role may see of people (clients.scoping); kept here, in the app every other app builds on.
        permissions = [
            ("view_all_people", _("Can see every person in the register, not only own clients")),
            ("view_person_details", _("Can see a person's full record, not only name and billing address")),
        ]

    def __str__(self):
        return str(self.user)


def has_confidentiality_agreement(user) -> bool:
    """Return whether the user may see personal data as far as the confidentiality agreement goes."""
    if user.is_superuser:
        return True
    try:
        return user.staff_profile.agreement_signed_on is not None
    except StaffProfile.DoesNotExist:
        return False

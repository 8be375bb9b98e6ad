from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from register.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """One editable record: the list opens it, and it can be neither added twice nor deleted."""

    # Addresses typed without a scheme are web sites of today: assume https, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            _("Controller"),
            {
                "fields": [
                    "name",
                    "business_id",
                    "street_address",
                    "postal_code",
                    "city",
                    "phone",
                    "email",
                    "website",
                ]
            },
        ),
        (
            _("Contact person for register matters"),
            {
                "fields": [
                    "contact_name",
                    "contact_phone",
                    "contact_email",
                    "contact_street_address",
                    "contact_postal_code",
                    "contact_city",
                ]
            },
        ),
        (
            _("Invoicing"),
            {"fields": ["vat_number", "is_vat_registered", "iban", "bic", "payment_terms_days", "late_interest_text"]},
        ),
        (_("Bookings"), {"fields": ["cancellation_window_hours", "reminder_hours_before", "send_feedback_requests"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Organisation.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        organisation = Organisation.objects.first()
        if organisation is None:
            return HttpResponseRedirect(reverse("admin:register_organisation_add"))
        return HttpResponseRedirect(reverse("admin:register_organisation_change", args=[organisation.pk]))

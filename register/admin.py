from axes.utils import reset as axes_reset
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from register import two_factor
from register.models import Organisation, StaffProfile


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
        # Asked for the side bar of every page: the organisation every page's header reads already.
        return super().has_add_permission(request) and Organisation.current() is None

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        organisation = Organisation.objects.first()
        if organisation is None:
            return HttpResponseRedirect(reverse("admin:register_organisation_add"))
        return HttpResponseRedirect(reverse("admin:register_organisation_change", args=[organisation.pk]))


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    fk_name = "user"
    can_delete = False
    fields = ["agreement_signed_on", "agreement_recorded_by", "sessions_revoked_at"]
    readonly_fields = ["agreement_recorded_by", "sessions_revoked_at"]
    verbose_name = _("confidentiality agreement")
    verbose_name_plural = _("confidentiality agreement")


@admin.display(description=_("agreement signed"), ordering="staff_profile__agreement_signed_on")
def agreement_signed(user):
    profile = getattr(user, "staff_profile", None)
    return profile.agreement_signed_on if profile else None


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Django's user admin with the confidentiality agreement, two-factor reset, unlock and log out everywhere."""

    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "is_staff", agreement_signed, "last_login"]
    list_select_related = ["staff_profile"]
    actions = ["log_out_everywhere", "reset_two_factor", "unlock_login"]

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if (
                isinstance(instance, StaffProfile)
                and instance.agreement_signed_on
                and not instance.agreement_recorded_by_id
            ):
                instance.agreement_recorded_by = request.user
            instance.save()
        formset.save_m2m()

    @admin.action(description=_("Log out everywhere"), permissions=["change"])
    def log_out_everywhere(self, request, queryset):
        for user in queryset:
            two_factor.log_out_everywhere(user)
        self.message_user(request, _("Every session of %(count)s users ended.") % {"count": queryset.count()})

    @admin.action(description=_("Reset two-step verification (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor.reset_two_factor(user)
            two_factor.log_out_everywhere(user)
        self.message_user(
            request,
            _("Two-step verification reset for %(count)s users; they set up a new phone at their next login.")
            % {"count": queryset.count()},
        )

    @admin.action(description=_("Unlock login after failed attempts"), permissions=["change"])
    def unlock_login(self, request, queryset):
        unlocked = sum(axes_reset(username=user.get_username()) for user in queryset)
        self.message_user(request, _("Login unlocked (%(count)s lockouts cleared).") % {"count": unlocked})

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from clients.scoping import ScopedAdminMixin
from consents import mailchimp
from consents.eligibility import marketable_people
from consents.facebook import export_audience
from consents.models import AudienceExport, ConsentEvent, Disclosure, Purpose, SuppressedAddress
from consents.services import record_event
from register.admin_lists import LargeListMixin
from register.signals import EXPORTED, data_accessed


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["title_fi", "code", "legal_basis", "is_marketing", "valid_consents"]
    readonly_fields = ["code"]
    actions = ["sync_mailchimp"]
    change_list_template = "admin/consents/purpose/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(valid=Count("states", filter=Q(states__granted=True, states__client__is_active=True)))
        )

    @admin.display(description=_("people with a valid consent"), ordering="valid")
    def valid_consents(self, purpose):
        # For marketing, valid means what the one eligibility rule allows, prohibitions and all.
        return len(marketable_people(purpose.code)) if purpose.is_marketing else purpose.valid

    @admin.action(description=_("Sync email marketing to Mailchimp"), permissions=["change"])
    def sync_mailchimp(self, request, queryset):
        try:
            result = mailchimp.sync()
        except mailchimp.MailchimpNotConfigured as error:
            self.message_user(request, str(error), messages.WARNING)
            return
        self.message_user(
            request,
            _("Mailchimp: %(subscribed)s subscribed, %(unsubscribed)s unsubscribed, %(failed)s failed.")
            % {"subscribed": result.subscribed, "unsubscribed": result.unsubscribed, "failed": len(result.errors)},
            messages.WARNING if result.errors else messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "facebook-audience/", self.admin_site.admin_view(self.facebook_view), name="consents_facebook_audience"
            ),
            *super().get_urls(),
        ]

    def facebook_view(self, request):
        """Download the hashed audience file; the download is recorded as a disclosure."""
        if not request.user.has_perm("consents.add_audienceexport"):
            raise PermissionDenied
        if request.method != "POST":
            return TemplateResponse(
                request,
                "admin/consents/purpose/facebook.html",
                {**self.admin_site.each_context(request), "title": _("Facebook audience"), "opts": self.model._meta},
            )
        export, content = export_audience(exported_by=request.user)
        # Hashed addresses are still the people's data: each one exported is in the access log.
        data_accessed(request, EXPORTED, export.people.all(), label=_("Facebook audience file"))
        response = HttpResponse(content, content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="facebook-audience-{export.pk}.csv"'
        return response


class RecordConsentForm(forms.ModelForm):
    """A consent given on paper, in person, by email or phone, entered by staff."""

    class Meta:
        model = ConsentEvent
        fields = [
            "client",
            "purpose",
            "kind",
            "channel",
            "recorded_by",
            "guardian",
            "recipient",
            "text_shown",
            "evidence_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "client" not in self.fields:
            return  # a recorded event, shown read-only: the ledger is never edited
        # Narrowed, not replaced: the admin has already limited the choices to the people this staff
        # member may see (clients.scoping).
        self.fields["client"].queryset = self.fields["client"].queryset.filter(is_active=True)
        self.fields["guardian"].queryset = self.fields["guardian"].queryset.select_related("minor")
        # Staff record what a person or a guardian gave them; a prohibition is lifted by the person only.
        self.fields["recorded_by"].choices = [
            c for c in ConsentEvent.RecordedBy.choices if c[0] != ConsentEvent.RecordedBy.PERSON
        ]
        self.fields["kind"].choices = [
            c for c in ConsentEvent.Kind.choices if c[0] != ConsentEvent.Kind.PROHIBITION_LIFTED
        ]
        self.fields["evidence_note"].required = True


@admin.register(ConsentEvent)
class ConsentEventAdmin(LargeListMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = RecordConsentForm
    list_display = ["occurred_at", "client", "purpose", "kind", "channel", "recorded_by"]
    list_select_related = ["client", "purpose"]
    # No date_hierarchy: its top level reads every matching row's year (SELECT DISTINCT over the whole
    # table) on each load of the list. The date filter's choices are fixed and cost no query.
    list_filter = [("occurred_at", admin.DateFieldListFilter), "kind", "purpose", "channel", "recorded_by"]
    search_fields = ["client__last_name", "client__email"]
    autocomplete_fields = ["client"]

    def has_change_permission(self, request, obj=None):
        return False  # the ledger is append-only

    def has_delete_permission(self, request, obj=None):
        return False  # only erasure of the person removes events

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("recorded_by", ConsentEvent.RecordedBy.STAFF)
        initial.setdefault("channel", ConsentEvent.Channel.PAPER)
        return initial

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            event = record_event(
                client=data["client"],
                kind=data["kind"],
                purpose=data["purpose"],
                channel=data["channel"],
                recorded_by=data["recorded_by"],
                guardian=data["guardian"],
                staff=request.user,
                recipient=data["recipient"],
                text_shown=data["text_shown"],
                evidence_note=data["evidence_note"],
            )
        except ValidationError as error:
            raise _FormError(error) from error
        obj.pk = event.pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _FormError as error:
            self.message_user(request, " ".join(error.validation.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class _FormError(Exception):
    def __init__(self, validation: ValidationError):
        super().__init__(str(validation))
        self.validation = validation


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    list_display = ["disclosed_at", "client", "recipient"]
    list_select_related = ["client"]
    autocomplete_fields = ["client"]
    fields = ["client", "recipient", "what", "disclosed_at", "consent_event"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "consent_event":
            kwargs["queryset"] = ConsentEvent.objects.filter(
                kind="granted", purpose__per_occasion=True
            ).select_related("client", "purpose")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.consent_event is None or obj.consent_event.client_id != obj.client_id:
            raise PermissionDenied  # the form requires it; this guards a forged post
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["consent_event"].required = True
        return form


@admin.register(AudienceExport)
class AudienceExportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "purpose", "count", "created_by"]
    list_select_related = ["purpose", "created_by"]
    readonly_fields = ["purpose", "created_at", "created_by", "count"]
    exclude = ["people"]

    def has_add_permission(self, request):
        return False


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "added_at"]
    list_filter = ["reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

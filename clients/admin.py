from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.results import RowResult

from clients.models import (
    NOTICE_VERSION_IN_FORCE,
    Client,
    CollectedData,
    EmailAttachment,
    Guardian,
    ReceivedEmail,
    StaffNote,
    adulthood_birth_date,
)
from clients.phones import format_phone, phone_search_digits
from clients.resources import ClientResource
from clients.scoping import ScopedAdminMixin, sees_details
from clients.services import assign_email, merge_people, possible_duplicates, record_role_change
from clients.timeline import links_for, summary_for, timeline_for
from register.admin_lists import LargeListMixin
from register.signals import ADDED, CHANGED, DOWNLOADED_ATTACHMENT, EXPORTED, data_accessed

EMAILS_ON_PERSON_PAGE = 20
# The person page's timeline is paged (?timeline=N): a long record is read a page at a time.
TIMELINE_PAGE_VAR = "timeline"
MAX_TIMELINE_PAGE = 1000


def _timeline_page(request) -> int:
    """Return the timeline page asked for, 1 when the parameter is missing or not a sensible number."""
    value = request.GET.get(TIMELINE_PAGE_VAR, "")
    return min(int(value), MAX_TIMELINE_PAGE) if value.isdigit() and int(value) > 0 else 1


class MinorWithoutGuardianFilter(admin.SimpleListFilter):
    title = _("guardian")
    parameter_name = "guardian"

    def lookups(self, request, model_admin):
        return [("missing", _("minor without guardian"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(date_of_birth__gt=adulthood_birth_date(timezone.localdate()), has_guardian=False)
        return queryset


class RestrictedFilter(admin.SimpleListFilter):
    title = _("processing")
    parameter_name = "restricted"

    def lookups(self, request, model_admin):
        return [("yes", _("restricted")), ("no", _("not restricted"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(restricted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(restricted_at__isnull=True)
        return queryset


class GuardianInline(admin.StackedInline):
    model = Guardian
    extra = 0
    fields = [
        ("first_name", "last_name", "relation"),
        ("phone", "email"),
        ("street_address", "postal_code", "city"),
        "is_invoice_recipient",
    ]


class StaffNoteInline(admin.TabularInline):
    model = StaffNote
    extra = 1
    fields = ["created_at", "text", "restricted", "author"]
    readonly_fields = ["author"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("author")

    def has_change_permission(self, request, obj=None):
        # A note is a dated record of what someone wrote: it is added, never rewritten.
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["author"]


class CollectedDataInline(admin.TabularInline):
    model = CollectedData
    extra = 0
    fields = ["label", "value", "purpose_code", "is_health", "recorded_at", "recorded_by"]
    readonly_fields = ["recorded_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("recorded_by")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not request.user.has_perm("clients.view_health_data"):
            # Who may not see health information may not record it either.
            fields = [name for name in fields if name != "is_health"]
        return fields


@admin.register(Client)
class ClientAdmin(LargeListMixin, ScopedAdminMixin, ImportExportMixin, admin.ModelAdmin):
    person_path = ""
    resource_classes = [ClientResource]
    formats = [base_formats.CSV, base_formats.XLSX]
    list_display = ["name", "role", "email", "phone_display", "coach", "created_at"]
    list_display_links = ["name"]
    list_select_related = ["coach"]
    list_filter = [
        "role",
        "coach",
        "source",
        "preferred_language",
        MinorWithoutGuardianFilter,
        RestrictedFilter,
    ]
    search_fields = ["first_name", "last_name", "email"]
    search_help_text = _("Search by name, email or phone number (in any format).")
    inlines = [GuardianInline, StaffNoteInline, CollectedDataInline]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["merge_two_people"]

    class Media:
        css = {"all": ["css/admin-register.css"]}

    fieldsets = [
        (_("Identity"), {"fields": [("first_name", "last_name"), "date_of_birth", "preferred_language"]}),
        (
            _("Contact details"),
            {"fields": ["email", "phone", "street_address", ("postal_code", "city"), "country"]},
        ),
        (
            _("Role and source"),
            {"fields": [("role", "role_since"), "coach", ("source", "entered_at"), "background"]},
        ),
        (
            _("Informed of the register"),
            {
                "fields": [("informed_at", "informed_by", "informed_notice_version")],
                "description": _(
                    "When the person was told at the start of coaching that their data is recorded in the register."
                ),
            },
        ),
        (
            _("Restriction of processing"),
            {"fields": [("restricted_at", "restriction_reason")], "classes": ["collapse"]},
        ),
        (_("Record"), {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]

    # Who needs only names and billing addresses (the bookkeeper) gets those, and nothing more.
    billing_fieldsets = [
        (_("Identity"), {"fields": [("first_name", "last_name")]}),
        (_("Billing address"), {"fields": ["street_address", ("postal_code", "city"), "country"]}),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(has_guardian=Exists(Guardian.objects.filter(minor=OuterRef("pk"))))
        )

    def get_fieldsets(self, request, obj=None):
        return super().get_fieldsets(request, obj) if sees_details(request.user) else self.billing_fieldsets

    def get_inlines(self, request, obj):
        return super().get_inlines(request, obj) if sees_details(request.user) else []

    def get_list_display(self, request):
        if sees_details(request.user):
            return super().get_list_display(request)
        return ["name", "postal_code", "city"]

    def get_list_filter(self, request):
        return super().get_list_filter(request) if sees_details(request.user) else []

    def get_search_fields(self, request):
        return super().get_search_fields(request) if sees_details(request.user) else ["first_name", "last_name"]

    def get_export_queryset(self, request):
        # Erased and merged people are not part of the register's list.
        return super().get_export_queryset(request).filter(is_active=True)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        # One access-log entry per exported person: the log then tells whose data left the register.
        label = _("people list (%(format)s)") % {"format": file_format.get_title().upper()}
        data_accessed(request, EXPORTED, queryset, label=label)
        return data

    def generate_log_entries(self, result, request):
        super().generate_log_entries(result, request)
        # The import writes the change log itself, past log_addition and log_change: announce its rows here.
        for import_type, action in ((RowResult.IMPORT_TYPE_NEW, ADDED), (RowResult.IMPORT_TYPE_UPDATE, CHANGED)):
            people = [row.instance for row in result if row.import_type == import_type and row.instance is not None]
            if people:
                data_accessed(request, action, people, sender=Client)

    def process_dataset(self, dataset, form, request, **kwargs):
        # The confirmed import is all or nothing too: rows that became invalid since the preview (a
        # person added meanwhile with the same email) roll back the whole file.
        kwargs["rollback_on_validation_errors"] = True
        return super().process_dataset(dataset, form, request, **kwargs)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            rows = ", ".join(str(row.number) for row in result.invalid_rows[:10])
            self.message_user(
                request,
                _("Nothing was imported: rows %(rows)s are no longer valid. Check the file and import it again.")
                % {"rows": rows or "-"},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:clients_client_import"))
        return super().process_result(result, request)

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, person):
        # What calls for care is marked beside the name, rather than in a column of its own that would
        # stand empty on nearly every row (and cost its fifty cells on every page).
        marks = []
        if person.is_restricted:
            marks.append(
                format_html(
                    '<span class="restricted-mark" title="{}">{}</span>', person.restriction_reason, _("restricted")
                )
            )
        if person.is_minor and not getattr(person, "has_guardian", True):
            marks.append(format_html('<span class="minor-mark">{}</span>', _("minor without guardian")))
        if not marks:
            return f"{person.last_name}, {person.first_name}"
        return format_html(
            "{}, {} {}", person.last_name, person.first_name, format_html_join(" ", "{}", ((mark,) for mark in marks))
        )

    @admin.display(description=_("phone"), ordering="phone")
    def phone_display(self, person):
        return format_phone(person.phone)

    def get_search_results(self, request, queryset, search_term):
        digits = phone_search_digits(search_term) if sees_details(request.user) else ""
        if digits:
            return queryset.filter(phone__contains=digits), False
        return super().get_search_results(request, queryset, search_term)

    def get_object(self, request, object_id, from_field=None):
        # A person page reads its person once: change_view reads it for the timeline beside the form,
        # and the admin then asks again for the form; a page that saves reads it afresh for the form.
        key = (str(object_id), from_field)
        shown = getattr(request, "person_shown", None)
        if shown is not None and shown[0] == key and request.method in ("GET", "HEAD"):
            return shown[1]
        person = super().get_object(request, object_id, from_field)
        request.person_shown = (key, person)
        return person

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = self.get_object(request, unquote(object_id))
        if person is not None and sees_details(request.user):
            may_read_emails = request.user.has_perm("clients.view_receivedemail")
            extra_context = {
                **(extra_context or {}),
                "may_read_emails": may_read_emails,
                # The columns the table shows: an email's body and headers can be long.
                "emails": person.emails.only(
                    "id", "client_id", "subject", "sender", "sent_at", "imported_at"
                ).prefetch_related(
                    Prefetch("attachments", EmailAttachment.objects.only("id", "email_id", "filename"))
                )[:EMAILS_ON_PERSON_PAGE]
                if may_read_emails
                else [],
                "emails_limit": EMAILS_ON_PERSON_PAGE,
                "all_emails_url": reverse("admin:clients_receivedemail_changelist")
                + f"?client__id__exact={person.pk}",
                # The timeline leaves out what this staff member may not see (restricted notes, say).
                "timeline": timeline_for(person, request.user, page=_timeline_page(request)),
                "summary": summary_for(person, request.user),
                "person_links": links_for(person, request.user),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        previous_role = form.initial.get("role", "") if change else ""
        if obj.informed_at and not obj.informed_by_id:
            obj.informed_by = request.user
        if obj.informed_at and obj.informed_notice_version is None and NOTICE_VERSION_IN_FORCE:
            obj.informed_notice_version = NOTICE_VERSION_IN_FORCE[0]()
        super().save_model(request, obj, form, change)
        record_role_change(person=obj, previous_role=previous_role, changed_by=request.user)
        duplicates = possible_duplicates(obj)
        if duplicates:
            self.message_user(
                request,
                _("Possible duplicate: %(people)s have the same email or phone. Merge them if they are one person.")
                % {"people": "; ".join(str(p) for p in duplicates)},
                messages.WARNING,
            )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, StaffNote) and not instance.author_id:
                instance.author = request.user
            if isinstance(instance, CollectedData) and not instance.recorded_by_id:
                instance.recorded_by = request.user
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    @admin.action(description=_("Merge two people (duplicates)"), permissions=["merge"])
    def merge_two_people(self, request, queryset):
        people = list(queryset.order_by("created_at", "pk"))
        if len(people) != 2:
            self.message_user(request, _("Select exactly two people to merge."), messages.ERROR)
            return None
        if request.POST.get("keep"):
            keep = next((p for p in people if str(p.pk) == request.POST["keep"]), None)
            if keep is None:
                raise PermissionDenied
            duplicate = people[1] if keep is people[0] else people[0]
            try:
                merged = merge_people(keep=keep, duplicate=duplicate, merged_by=request.user)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                return None
            self.message_user(request, _("Merged into %(person)s.") % {"person": merged})
            return None
        return TemplateResponse(
            request,
            "clients/admin/merge_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge two people"),
                "people": people,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def has_merge_permission(self, request):
        return request.user.has_perm("clients.merge_client")


class EmailAttachmentInline(admin.TabularInline):
    model = EmailAttachment
    extra = 0
    fields = ["download", "content_type", "size"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, attachment):
        url = reverse("admin:clients_emailattachment_download", args=[attachment.pk])
        return format_html('<a href="{}">{}</a>', url, attachment.filename)


class UnmatchedFilter(admin.SimpleListFilter):
    title = _("matched")
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("no", _("unmatched")), ("yes", _("matched to a person"))]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(client__isnull=self.value() == "no")
        return queryset


@admin.register(ReceivedEmail)
class ReceivedEmailAdmin(LargeListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["subject_display", "sender", "client", "sent_at"]
    list_select_related = ["client"]
    list_filter = [UnmatchedFilter]
    search_fields = ["subject", "sender"]
    autocomplete_fields = ["client"]
    fields = [
        "client",
        "sender",
        "sender_name",
        "sent_by_guardian",
        "recipients",
        "subject",
        "sent_at",
        "body",
    ]
    readonly_fields = [
        "sender",
        "sender_name",
        "sent_by_guardian",
        "recipients",
        "subject",
        "sent_at",
        "body",
    ]
    inlines = [EmailAttachmentInline]

    @admin.display(description=_("subject"), ordering="subject")
    def subject_display(self, received):
        return str(received)

    def has_add_permission(self, request):
        # Emails come in through the import command; staff only assign them.
        return False

    def save_model(self, request, obj, form, change):
        if "client" in form.changed_data and obj.client is not None:
            assign_email(received=obj, person=obj.client)
        else:
            super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "attachment/<int:pk>/",
                self.admin_site.admin_view(self.download_attachment),
                name="clients_emailattachment_download",
            ),
            *super().get_urls(),
        ]

    def download_attachment(self, request, pk):
        """Send an attachment to staff who may view emails; always as a download, never rendered inline."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Only attachments of emails this staff member may see (a coach: their own clients' emails).
        visible = EmailAttachment.objects.filter(email__in=self.get_queryset(request))
        attachment = get_object_or_404(visible.select_related("email"), pk=pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as error:
            raise Http404(_("The file of this attachment is missing.")) from error
        data_accessed(request, DOWNLOADED_ATTACHMENT, [attachment], sender=EmailAttachment)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.filename,
            content_type="application/octet-stream",
        )

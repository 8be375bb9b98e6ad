import csv
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from privacy import access_log
from privacy.erasure import erase, send_erasure_receipt
from privacy.models import (
    AccessLogEntry,
    AccessPackage,
    DataRequest,
    NoticeItem,
    NoticeVersion,
    PurgeRun,
    RequestEvent,
)
from privacy.notices import missing_items, new_version, processing_record, publish_notice
from privacy.packages import make_access_package, subject_of
from privacy.requests import (
    change_status,
    extend_request,
    pause_request,
    record_rectification,
    record_request,
    refuse_request,
    restrict_people,
    resume_request,
)
from register.admin_actions import apply_to_each
from register.admin_lists import LargeListMixin, StaffUserFilter
from register.declarations import erasure_plan


class NoticeItemInline(admin.StackedInline):
    model = NoticeItem
    extra = 0
    fields = [
        ("kind", "order", "legal_basis"),
        ("title_fi", "title_en"),
        ("text_fi", "text_en"),
        ("legitimate_interest_fi", "legitimate_interest_en"),
        ("safeguard_fi", "safeguard_en"),
    ]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(NoticeVersion)
class NoticeVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "status", "published_on", "completeness_summary"]
    inlines = [NoticeItemInline]
    actions = ["publish_selected", "publish_incomplete", "copy_as_new_version"]
    readonly_fields = ["status", "published_on", "completeness"]
    fieldsets = [
        (None, {"fields": ["number", "status", "published_on", "completeness"]}),
        (_("Register"), {"fields": [("register_name_fi", "register_name_en")]}),
        (
            _("Rights"),
            {
                "fields": [
                    ("rights_fi", "rights_en"),
                    ("withdrawal_fi", "withdrawal_en"),
                    ("complaint_fi", "complaint_en"),
                ]
            },
        ),
        (
            _("Other information"),
            {
                "fields": [
                    ("requirement_fi", "requirement_en"),
                    ("automated_decisions_fi", "automated_decisions_en"),
                    ("security_fi", "security_en"),
                ]
            },
        ),
    ]
    change_list_template = "admin/privacy/noticeversion/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [f.name for f in NoticeVersion._meta.fields if f.name not in ("id", "created_at")] + [
                "completeness"
            ]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_published)

    @admin.display(description=_("missing under GDPR article 13"))
    def completeness(self, notice):
        if notice.pk is None:
            return "-"
        missing = missing_items(notice)
        if not missing:
            return _("Nothing: the notice is complete.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in missing)))

    @admin.display(description=_("complete"))
    def completeness_summary(self, notice):
        missing = missing_items(notice)
        return _("yes") if not missing else _("%(count)s missing") % {"count": len(missing)}

    def _publish(self, request, queryset, confirm):
        for notice in queryset:
            try:
                publish_notice(notice=notice, confirm_incomplete=confirm)
                self.message_user(request, _("%(notice)s published.") % {"notice": notice})
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._publish(request, queryset, confirm=False)

    @admin.action(description=_("Publish even though incomplete (I confirm)"), permissions=["change"])
    def publish_incomplete(self, request, queryset):
        self._publish(request, queryset, confirm=True)

    @admin.action(description=_("Copy as a new draft version"), permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        for notice in queryset:
            draft = new_version(source=notice)
            self.message_user(request, _("%(notice)s made.") % {"notice": draft})

    def get_urls(self):
        return [
            path("<int:pk>/record/", self.admin_site.admin_view(self.record_view), name="privacy_processing_record"),
            *super().get_urls(),
        ]

    def record_view(self, request, pk):
        """The record of processing activities (GDPR article 30), printable or as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        notice = get_object_or_404(NoticeVersion, pk=pk)
        rows = processing_record(notice)
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="processing-record-v{notice.number}.csv"'
            writer = csv.DictWriter(response, fieldnames=list(rows[0]) if rows else ["purpose"])
            writer.writeheader()
            writer.writerows(rows)
            return response
        return TemplateResponse(
            request,
            "admin/privacy/processing_record.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Record of processing activities"),
                "opts": self.model._meta,
                "notice": notice,
                "rows": rows,
                "csv_url": reverse("admin:privacy_processing_record", args=[notice.pk]) + "?format=csv",
            },
        )


OPEN = DataRequest.OPEN_STATUSES


def _check_open_and_matched(data_request):
    if data_request.status not in OPEN:
        raise ValidationError(_("Only an open request is answered."))
    if not data_request.people.exists():
        raise ValidationError(_("Match the request to the person in the register first."))


class ExtensionForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("extend by"), choices=[(1, _("one month")), (2, _("two months"))], coerce=int
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    told_on = forms.DateField(label=_("the requester was told on"), widget=admin.widgets.AdminDateWidget)


class RectificationForm(forms.Form):
    changed = forms.CharField(label=_("what was changed"), widget=forms.Textarea(attrs={"rows": 3}))


class RefusalForm(forms.Form):
    reasons = forms.CharField(label=_("reasons for refusing"), widget=forms.Textarea(attrs={"rows": 4}))


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    fields = ["at", "status", "by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DataRequest)
class DataRequestAdmin(LargeListMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "channel", "received_on", "due_marker"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["people"]
    inlines = [RequestEventInline]
    actions = [
        "start",
        "pause",
        "resume",
        "complete",
        "extend",
        "refuse",
        "rectified",
        "send_access_package",
        "send_portable_copy",
        "restrict",
        "erase_people",
    ]
    readonly_fields = ["status", "verified_at", "due_on", "extended_by_months", "paused_days", "created_at"]
    fields = [
        "kind",
        "status",
        "channel",
        "name",
        "email",
        "phone",
        "details",
        "what_is_wrong",
        "what_is_right",
        "on_behalf_of",
        "relation",
        "people",
        "received_on",
        "due_on",
        "extended_by_months",
        "paused_days",
        "verified_at",
        "created_at",
    ]

    class Media:
        css = {"all": ["css/admin-register.css"]}

    @admin.display(description=_("due on"), ordering="due_on")
    def due_marker(self, request_):
        if request_.due_on is None:
            return "-"
        days = (request_.due_on - date.today()).days
        if request_.status in DataRequest.OPEN_STATUSES and days <= 7:
            label = _("overdue") if days < 0 else _("%(days)s days left") % {"days": days}
            return format_html('<span class="restricted-mark">{} ({})</span>', f"{request_.due_on:%d.%m.%Y}", label)
        return f"{request_.due_on:%d.%m.%Y}"

    def get_readonly_fields(self, request, obj=None):
        # Once recorded, the date received fixes the deadline: it is not edited afterwards.
        return [*self.readonly_fields, "received_on", "channel"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A request received by letter, email or in person: its deadline runs from the date received.
        if not obj.received_on:
            obj.received_on = date.today()
        data = {
            f: getattr(obj, f)
            for f in [
                "kind",
                "channel",
                "name",
                "email",
                "phone",
                "details",
                "what_is_wrong",
                "what_is_right",
                "on_behalf_of",
                "relation",
            ]
        }
        saved = record_request(received_on=obj.received_on, recorded_by=request.user, **data)
        obj.pk = saved.pk
        obj.status, obj.due_on = saved.status, saved.due_on

    def _move(self, request, queryset, operation, done):
        apply_to_each(self, request, queryset, operation, done)

    @admin.action(description=_("Start handling"), permissions=["change"])
    def start(self, request, queryset):
        self._move(
            request,
            queryset,
            lambda r: change_status(request=r, status="in_progress", by=request.user),
            _("%(count)s requests in progress."),
        )

    @admin.action(description=_("Pause: waiting for the requester"), permissions=["change"])
    def pause(self, request, queryset):
        self._move(
            request, queryset, lambda r: pause_request(request=r, by=request.user), _("%(count)s requests paused.")
        )

    @admin.action(description=_("Resume after the requester answered"), permissions=["change"])
    def resume(self, request, queryset):
        self._move(
            request, queryset, lambda r: resume_request(request=r, by=request.user), _("%(count)s requests resumed.")
        )

    @admin.action(description=_("Build the access package and email its link"), permissions=["change"])
    def send_access_package(self, request, queryset):
        def send(data_request):
            _check_open_and_matched(data_request)
            make_access_package(request=data_request, base_url=request.build_absolute_uri("/"))
            access_log.record(
                request,
                AccessLogEntry.Action.MADE_ACCESS_PACKAGE,
                rows=data_request.people.all(),
                label=str(_("access package")),
            )

        self._move(request, queryset, send, _("%(count)s access packages sent."))

    def _form_action(self, request, queryset, action, title, form_class, handle):
        """Ask for the details an action needs on a page of its own, then run it on the one request selected."""
        if queryset.count() != 1:
            self.message_user(request, _("Select one request."), messages.ERROR)
            return None
        data_request = queryset.first()
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                handle(data_request, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("Done: %(request)s.") % {"request": data_request})
                return None
        return TemplateResponse(
            request,
            "admin/privacy/request_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "form": form,
                "data_request": data_request,
                "action": action,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Extend the deadline (with a reason)"), permissions=["change"])
    def extend(self, request, queryset):
        return self._form_action(
            request, queryset, "extend", _("Extend the deadline"), ExtensionForm,
            lambda r, data: extend_request(request=r, months=data["months"], reason=data["reason"],
                                           told_on=data["told_on"], by=request.user),
        )  # fmt: skip

    @admin.action(description=_("Refuse (the requester is told the reasons and the right to complain)"),
                  permissions=["change"])  # fmt: skip
    def refuse(self, request, queryset):
        return self._form_action(
            request, queryset, "refuse", _("Refuse the request"), RefusalForm,
            lambda r, data: refuse_request(request=r, reasons=data["reasons"], by=request.user),
        )  # fmt: skip

    @admin.action(description=_("Rectified: record what was changed"), permissions=["change"])
    def rectified(self, request, queryset):
        return self._form_action(
            request, queryset, "rectified", _("Record the rectification"), RectificationForm,
            lambda r, data: record_rectification(request=r, changed=data["changed"], by=request.user),
        )  # fmt: skip

    @admin.action(
        description=_("Build the portability copy (JSON and CSV) and email its link"), permissions=["change"]
    )
    def send_portable_copy(self, request, queryset):
        def send(data_request):
            _check_open_and_matched(data_request)
            make_access_package(request=data_request, base_url=request.build_absolute_uri("/"), portable=True)
            access_log.record(
                request,
                AccessLogEntry.Action.MADE_ACCESS_PACKAGE,
                rows=data_request.people.all(),
                label=str(_("portability copy")),
            )

        self._move(request, queryset, send, _("%(count)s access packages sent."))

    @admin.action(description=_("Restrict the processing of the matched people"), permissions=["change"])
    def restrict(self, request, queryset):
        self._move(
            request,
            queryset,
            lambda r: restrict_people(request=r, by=request.user),
            _("%(count)s requests: processing restricted."),
        )

    @admin.action(description=_("Erase the person: show the plan, then erase"), permissions=["change"])
    def erase_people(self, request, queryset):
        data_request = queryset.first()
        if queryset.count() != 1 or not data_request.people.exists() or data_request.status not in OPEN:
            self.message_user(
                request, _("Select one open request matched to the person in the register."), messages.ERROR
            )
            return None
        subject = subject_of(data_request)
        if request.POST.get("confirm") == "erase":
            receipt = erase(subject=subject)
            # Recorded after the erasure and without the person: the entry names the request instead.
            access_log.record(request, AccessLogEntry.Action.ERASED, rows=[data_request], link_people=False)
            change_status(request=data_request, status="completed", by=request.user, note=receipt.as_text())
            send_erasure_receipt(request=data_request, receipt=receipt)
            self.message_user(request, _("Erased. The receipt is in the request's history and sent to the requester."))
            return None
        return TemplateResponse(
            request,
            "admin/privacy/erasure_plan.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Erasure plan"),
                "opts": self.model._meta,
                "plan": erasure_plan(subject),
                "data_request": data_request,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Mark completed"), permissions=["change"])
    def complete(self, request, queryset):
        self._move(
            request,
            queryset,
            lambda r: change_status(request=r, status="completed", by=request.user),
            _("%(count)s requests completed."),
        )


@admin.register(AccessPackage)
class AccessPackageAdmin(admin.ModelAdmin):
    list_display = ["request", "created_at", "expires_at", "revoked_at", "download_count"]
    list_select_related = ["request"]
    readonly_fields = ["request", "created_at", "expires_at", "revoked_at", "size"]
    exclude = ["file", "token_hash"]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(download_total=Count("downloads"))

    @admin.display(description=_("downloads"), ordering="download_total")
    def download_count(self, package):
        return package.download_total

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the download link"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(count)s links revoked.") % {"count": count})


@admin.register(PurgeRun)
class PurgeRunAdmin(admin.ModelAdmin):
    list_display = ["ran_at", "dry_run", "summary"]
    readonly_fields = ["ran_at", "dry_run", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        # The roles are the groups (a handful of rows, read by their unique name's index) and the superuser.
        names = [access_log.SUPERUSER_ROLE, *Group.objects.order_by("name").values_list("name", flat=True)]
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(roles__contains=self.value())
        return queryset


def _spreadsheet_safe(value) -> str:
    """Return the value as text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(LargeListMixin, admin.ModelAdmin):
    """The access log, read-only for everyone: no one adds, changes or deletes an entry here."""

    # Reading the log is not itself logged per page; exporting it is.
    access_logged = False
    list_display = ["at", "username", "roles", "action", "person_link", "object_label", "ip_address"]
    # No date_hierarchy: its top level reads every matching row's year (SELECT DISTINCT over the whole
    # table) on each load of the list. The date filter's choices are fixed and cost no query.
    list_filter = [("at", admin.DateFieldListFilter), "action", RoleFilter, ("user", StaffUserFilter)]
    list_select_related = ["person"]
    search_fields = ["username", "object_label"]
    fields = [
        "at",
        "user",
        "username",
        "roles",
        "action",
        "person",
        "object_model",
        "object_pk",
        "object_label",
        "ip_address",
    ]
    readonly_fields = fields

    @admin.display(description=_("person"), ordering="person__last_name")
    def person_link(self, entry):
        if entry.person is None:
            return "-"
        url = reverse("admin:clients_client_change", args=[entry.person_id])
        return format_html('<a href="{}">{}</a>', url, entry.person)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="privacy_accesslogentry_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """Send the entries the list shows with its current filters as CSV; the export is itself logged."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:privacy_accesslogentry_changelist"))
        entries = changelist.get_queryset(request).select_related("person")
        filters = request.GET.urlencode()
        access_log.record(
            request,
            AccessLogEntry.Action.EXPORTED_ACCESS_LOG,
            label=f"{_('access log')} (CSV){' ' + filters if filters else ''}",
        )
        header = [
            _("time"),
            _("user name"),
            _("roles"),
            _("action"),
            _("person"),
            _("person id"),
            _("kind of record"),
            _("record id"),
            _("record"),
            _("IP address"),
        ]

        def rows():
            yield header
            for entry in entries.iterator(chunk_size=2000):
                yield [
                    timezone.localtime(entry.at).isoformat(timespec="seconds"),
                    entry.username,
                    entry.roles,
                    entry.get_action_display(),
                    entry.person or "",
                    entry.person_id or "",
                    entry.object_model,
                    entry.object_pk,
                    entry.object_label,
                    entry.ip_address or "",
                ]

        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow([_spreadsheet_safe(value) for value in row]) for row in rows()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="access-log-{timezone.localdate():%Y-%m-%d}.csv"'
        return response

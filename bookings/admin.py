import secrets
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.gzip import gzip_page

from bookings.calendar_view import build_calendar
from bookings.models import Appointment, AppointmentSeries, Coach, DayOff, Location, Service, WorkingHours
from bookings.services import (
    availability_warnings,
    book_appointment,
    cancel_appointment,
    cancel_series_from,
    create_series,
    plan_series,
    record_no_show,
    record_visit,
)
from clients.models import Client
from clients.scoping import ScopedAdminMixin, scope, sees_details, sees_everyone
from register.admin_actions import apply_to_each
from register.admin_lists import LargeListMixin
from register.choices import choice_label


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name_fi", "name_en", "duration", "price", "vat_category", "is_active"]
    list_filter = ["is_active", "vat_category"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "street_address", "city", "is_remote"]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class DayOffInline(admin.TabularInline):
    model = DayOff
    extra = 0


@admin.register(Coach)
class CoachAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "colour", "feed_status"]
    list_select_related = ["user"]
    inlines = [WorkingHoursInline, DayOffInline]
    actions = ["make_feed_link", "revoke_feed_link"]

    @admin.display(description=_("calendar feed"))
    def feed_status(self, coach):
        if coach.feed_token_hash:
            made = timezone.localtime(coach.feed_token_created_at).strftime("%d.%m.%Y")
            return _("in use since %(date)s") % {"date": made}
        return "-"

    @admin.action(description=_("Make a new calendar feed link (the old one stops working)"), permissions=["change"])
    def make_feed_link(self, request, queryset):
        for coach in queryset:
            token = secrets.token_urlsafe(32)
            coach.feed_token_hash = Coach.hash_token(token)
            coach.feed_token_created_at = timezone.now()
            coach.save(update_fields=["feed_token_hash", "feed_token_created_at"])
            url = request.build_absolute_uri(reverse("bookings:calendar_feed", args=[token]))
            # The address is shown this once: only its hash is stored.
            self.message_user(
                request,
                format_html(
                    "{}: <code>{}</code> {}",
                    coach.display_name,
                    url,
                    _("Copy this address into the coach's calendar app now; it is not shown again."),
                ),
                messages.SUCCESS,
            )

    @admin.action(description=_("Revoke the calendar feed link"), permissions=["change"])
    def revoke_feed_link(self, request, queryset):
        count = queryset.update(feed_token_hash="", feed_token_created_at=None)
        self.message_user(request, _("%(count)s feed links revoked.") % {"count": count})


class AppointmentForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["client", "coach", "service", "location", "starts_at", "ends_at", "notes"]


# A search of the appointments that matches at most this many people looks up their appointments by key.
PEOPLE_SEARCHED_FIRST = 1000


@admin.register(Appointment)
class AppointmentAdmin(LargeListMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = AppointmentForm
    list_display = ["starts_at", "client", "coach", "service", "status_label", "late_cancellation"]
    list_select_related = ["client", "coach", "service"]
    # No date_hierarchy: its top level reads every matching row's year (SELECT DISTINCT over the whole
    # table) on each load of the list. The date filter's choices are fixed and cost no query.
    list_filter = ["status", "coach", "late_cancellation", ("starts_at", admin.DateFieldListFilter)]
    search_fields = ["client__last_name", "client__first_name", "client__email"]
    autocomplete_fields = ["client"]
    # The status changes through the list's actions, which keep the times and rules that go with it.
    readonly_fields = [
        "status",
        "cancelled_at",
        "late_cancellation",
        "checked_in_at",
        "reminder_sent_at",
        "series",
        "created_by",
        "updated_by",
    ]
    actions = ["mark_attended", "mark_no_show", "cancel_by_client", "cancel_by_business"]
    change_list_template = "admin/bookings/appointment/change_list.html"

    class Media:
        css = {"all": ["css/admin-register.css"]}

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, appointment):
        label = choice_label(appointment, "status")
        return format_html('<span class="status status-{}">{}</span>', appointment.status, label)

    def get_fields(self, request, obj=None):
        # The appointment's notes may say anything about the client: not for who reads names and addresses only.
        fields = super().get_fields(request, obj)
        return fields if sees_details(request.user) else [name for name in fields if name != "notes"]

    def get_search_fields(self, request):
        if sees_details(request.user):
            return super().get_search_fields(request)
        return ["client__last_name", "client__first_name"]

    def get_search_results(self, request, queryset, search_term):
        # The people are found first, as the people list finds them (on its indexes, phone numbers
        # included), and their appointments then by key. Searched through the join, the database walks
        # the appointments by date testing each one's person: for a surname of 343 people it passed
        # 16,000 appointments, and tested 13,000 people, before it had fifty. A term that matches more
        # people than that is common enough to be met early on the walk, which is what Django's own
        # search then does.
        if not search_term.strip():
            return queryset, False
        people_admin = self.admin_site.get_model_admin(Client)
        people, _duplicates = people_admin.get_search_results(request, Client.objects.all(), search_term)
        keys = list(people.order_by().values_list("pk", flat=True)[: PEOPLE_SEARCHED_FIRST + 1])
        if len(keys) <= PEOPLE_SEARCHED_FIRST:
            return queryset.filter(client__in=keys), False
        return super().get_search_results(request, queryset, search_term)

    def scope_also(self, request):
        # A coach sees their own clients' appointments and their own appointments (standing in for a colleague).
        return Q(coach=request.user)

    def get_changeform_initial_data(self, request):
        """Pre-fill coach and time (or only the day) when staff book from the calendar."""
        initial = super().get_changeform_initial_data(request)
        value = request.GET.get("starts_at", "")
        try:
            day, starts = parse_date(value), parse_datetime(value)
        except ValueError:
            day = starts = None
        if day is not None:
            # A day's own "book" link: the date and time fields get the day and an empty time.
            initial["starts_at"] = [day, None]
        elif starts is None:
            initial.pop("starts_at", None)  # a mangled link: the form simply starts empty
        else:
            initial["starts_at"] = (
                timezone.localtime(starts) if timezone.is_aware(starts) else timezone.make_aware(starts)
            )
        return initial

    def save_model(self, request, obj, form, change):
        book_appointment(appointment=obj, booked_by=request.user)
        for warning in availability_warnings(obj):
            self.message_user(request, warning, messages.WARNING)

    @admin.action(description=_("Mark as attended (a visit)"), permissions=["change"])
    def mark_attended(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda a: record_visit(appointment=a, recorded_by=request.user),
            _("%(count)s visits recorded."),
        )

    @admin.action(description=_("Mark as no-show"), permissions=["change"])
    def mark_no_show(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda a: record_no_show(appointment=a, recorded_by=request.user),
            _("%(count)s no-shows recorded."),
        )

    @admin.action(description=_("Cancel: by the client"), permissions=["change"])
    def cancel_by_client(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda a: cancel_appointment(appointment=a, by_client=True, cancelled_by=request.user),
            _("%(count)s appointments cancelled."),
        )

    @admin.action(description=_("Cancel: by the business"), permissions=["change"])
    def cancel_by_business(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda a: cancel_appointment(appointment=a, by_client=False, cancelled_by=request.user),
            _("%(count)s appointments cancelled."),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # A booking made at the same moment took the slot after the form was validated.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_urls(self):
        return [
            # The calendar is the back office's heaviest page and shows no request input beside the names in
            # it (its date, view and coach are parsed before they are written back), so it is compressed;
            # see register/compression.py for the other pages.
            path(
                "calendar/",
                self.admin_site.admin_view(gzip_page(self.calendar_view)),
                name="bookings_appointment_calendar",
            ),
            *super().get_urls(),
        ]

    def calendar_view(self, request):
        """Show the week or the day, for one coach or all, with empty slots that start a booking."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        view = "day" if request.GET.get("view") == "day" else "week"
        day = parse_date(request.GET.get("date", "")) or timezone.localdate()
        coach = request.GET.get("coach", "")
        if not sees_everyone(request.user):
            coach = str(request.user.pk)  # a coach's calendar is their own
        page = build_calendar(view=view, day=day, coach_user_id=int(coach) if coach.isdigit() else None)
        return TemplateResponse(
            request,
            "admin/bookings/appointment/calendar.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Calendar"),
                "opts": self.model._meta,
                "page": page,
                "today": timezone.localdate(),
                "add_url": reverse("admin:bookings_appointment_add") if self.has_add_permission(request) else "",
            },
        )


class SeriesForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.active(), label=_("client"))
    coach = forms.ModelChoiceField(queryset=Coach.objects.select_related("user"), label=_("coach"))
    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True), label=_("service"))
    location = forms.ModelChoiceField(queryset=Location.objects.all(), label=_("location"), required=False)
    first_starts_at = forms.SplitDateTimeField(label=_("first appointment"), widget=admin.widgets.AdminSplitDateTime)
    interval_weeks = forms.IntegerField(label=_("every N weeks"), min_value=1, max_value=8, initial=1)
    count = forms.IntegerField(label=_("number of appointments"), min_value=1, max_value=104, required=False)
    until = forms.DateField(label=_("or until"), required=False, widget=admin.widgets.AdminDateWidget)
    on_conflict = forms.ChoiceField(
        label=_("conflicting times"),
        choices=[("", "---"), ("skip", _("skip them and book the rest")), ("cancel", _("book nothing"))],
        required=False,
    )

    def clean(self):
        data = super().clean()
        if not data.get("count") and not data.get("until"):
            raise ValidationError(_("Give the number of appointments or the last date of the series."))
        return data


@admin.register(AppointmentSeries)
class AppointmentSeriesAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["client", "coach", "service", "interval_weeks", "created_at"]
    list_select_related = ["client", "coach", "service"]
    readonly_fields = ["client", "coach", "service", "interval_weeks", "created_by", "created_at"]
    actions = ["cancel_from_date"]

    def add_view(self, request, form_url="", extra_context=None):
        """Plan the series, show its conflicts, and book it only when staff have chosen what to do."""
        if not (self.has_add_permission(request) and request.user.has_perm("bookings.add_appointment")):
            raise PermissionDenied
        form = SeriesForm(request.POST or None)
        form.fields["client"].queryset = scope(form.fields["client"].queryset, request.user)
        plan = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                plan = plan_series(
                    client=data["client"],
                    coach=data["coach"].user,
                    service=data["service"],
                    location=data["location"],
                    first_starts_at=data["first_starts_at"],
                    interval_weeks=data["interval_weeks"],
                    count=data["count"],
                    until=data["until"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            if plan is not None and "book" in request.POST:
                choice = data["on_conflict"]
                if plan.conflicting and choice == "cancel":
                    self.message_user(request, _("Nothing was booked."), messages.WARNING)
                    return redirect("admin:bookings_appointmentseries_changelist")
                if plan.conflicting and choice != "skip":
                    form.add_error("on_conflict", _("Choose what to do with the conflicting times."))
                else:
                    series, booked = create_series(plan=plan, skip_conflicts=True, created_by=request.user)
                    self.message_user(
                        request,
                        _("%(count)s appointments booked, %(skipped)s skipped.")
                        % {"count": len(booked), "skipped": len(plan.conflicting)},
                    )
                    return redirect("admin:bookings_appointmentseries_change", series.pk)
        return TemplateResponse(
            request,
            "admin/bookings/appointmentseries/plan.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Book a recurring series"),
                "opts": self.model._meta,
                "form": form,
                "plan": plan,
                "media": self.media + form.media,
            },
        )

    @admin.action(description=_("Cancel the series from a date onward"), permissions=["change"])
    def cancel_from_date(self, request, queryset):
        if not request.user.has_perm("bookings.change_appointment"):
            raise PermissionDenied
        from_date = parse_date(request.POST.get("from_date", ""))
        if from_date is None:
            return TemplateResponse(
                request,
                "admin/bookings/appointmentseries/cancel_from.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Cancel the series from a date onward"),
                    "opts": self.model._meta,
                    "series": queryset,
                    "today": date.today().isoformat(),
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        total = sum(cancel_series_from(series=s, from_date=from_date, cancelled_by=request.user) for s in queryset)
        self.message_user(request, _("%(count)s appointments cancelled.") % {"count": total})
        return None

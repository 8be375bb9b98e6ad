"""The back office's part in accountability: announce each handling of personal data, show field history.

``AccessLoggedAdmin`` is mixed by ``RegisterAdminSite.register`` (see ``audited``) into every ModelAdmin
of the site, so that a new admin class cannot forget it. It announces (``register.signals.data_accessed``) the opening
of a record's page, its change history, and every addition, change and deletion made through the
back office, for models declared as personal data; the privacy app's access log records them.

``FieldHistoryAdmin`` shows the field-level history that django-simple-history keeps, read-only and
only for records the staff member may open; the site adds it to the admin of every model with history.
"""

from functools import wraps

from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from register.declarations import declaration_for
from register.signals import ADDED, CHANGED, DELETED, VIEWED, VIEWED_HISTORY, data_accessed


class AccessLoggedAdmin:
    """Announce views and changes of personal data made through this ModelAdmin."""

    # Off for admins whose pages are the log itself: reading the log is not an access to be logged again.
    access_logged = True

    def _logs_access(self) -> bool:
        return self.access_logged and declaration_for(self.model) is not None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The page of an existing record, shown on opening (a form sent back with errors was opened first).
        if change and obj is not None and request.method == "GET" and self._logs_access():
            data_accessed(request, VIEWED, [obj], sender=self.model)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200 and self._logs_access():
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                data_accessed(request, VIEWED_HISTORY, [obj], sender=self.model)
        return response

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if self._logs_access():
            data_accessed(request, ADDED, [obj], sender=self.model)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if self._logs_access():
            data_accessed(request, CHANGED, [obj], sender=self.model)
        return entry

    def get_actions(self, request):
        # An action (mark attended, merge, issue, send) changes the selected rows through a service rather
        # than the change form: each one that did its work is announced as a change of those rows, named
        # by the action. One that only shows a confirmation page first changes nothing yet.
        actions = super().get_actions(request)
        if not self._logs_access():
            return actions
        announced = {}
        for key, (function, name, description) in actions.items():
            if key != "delete_selected":  # deletions are announced by log_deletions
                function = _announced(function, str(description))
            announced[key] = (function, name, description)
        return announced

    def log_deletions(self, request, queryset):
        # Called before the rows go, so the entries can still name the people they were about.
        if self._logs_access():
            data_accessed(request, DELETED, list(queryset), sender=self.model)
        return super().log_deletions(request, queryset)


def _announced(function, description: str):
    """Wrap an admin action so that, once it has done its work, the rows it was given are announced as changed."""

    @wraps(function)
    def action(modeladmin, request, queryset):
        keys = list(queryset.values_list("pk", flat=True))
        response = function(modeladmin, request, queryset)
        if not isinstance(response, TemplateResponse) and keys:
            # The rows still there afterwards: what a merge deleted now lives on in the row it kept.
            rows = list(modeladmin.model._base_manager.filter(pk__in=keys))
            if rows:
                data_accessed(request, CHANGED, rows, sender=modeladmin.model, label=description)
        return response

    return action


class FieldHistoryAdmin(SimpleHistoryAdmin):
    """Show a record's field history (who changed what, from which value to which) to those who may open it.

    The history is evidence, so it is only read: nothing is reverted from it. A record the staff member
    cannot open (another coach's client, or a deleted row) has no history page for them either.
    """

    def _visible(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        obj = self._visible(request, object_id)
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if response.status_code == 200 and getattr(self, "access_logged", False) and declaration_for(self.model):
            data_accessed(request, VIEWED_HISTORY, [obj], sender=self.model)
        return response

    def revert_disabled(self, request, obj=None):
        return True

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # Each change lists only the fields this staff member's form of the record shows: the bookkeeper,
        # who sees a person's name and billing address, must not read an old phone number in the history.
        shown = set(flatten_fieldsets(self.get_fieldsets(request)))
        previous = None
        for current in historical_records:
            if previous is not None:
                compared = {f.name for f in current.tracked_fields if f.editable} & shown
                delta = previous.diff_against(
                    current, included_fields=compared, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current


def audited(admin_class: type, model: type) -> type:
    """Return ``admin_class`` with the access-log hooks in front, and the history pages if ``model`` has them.

    The history class goes before the admin class, whose own methods it wraps through ``super()``.
    """
    bases = []
    if not issubclass(admin_class, AccessLoggedAdmin):
        bases.append(AccessLoggedAdmin)
    if hasattr(model._meta, "simple_history_manager_attribute") and not issubclass(admin_class, FieldHistoryAdmin):
        bases.append(FieldHistoryAdmin)
    if not bases:
        return admin_class
    return type(
        admin_class.__name__,
        (*bases, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )

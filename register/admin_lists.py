"""What every back-office list of a large table shares: ModelAdmin options that keep its page cheap.

A list of people, appointments or access log entries grows into the millions. Its pages must cost the
same handful of queries whatever the size: the count is estimated or capped
(``register.paginators.EstimatedCountPaginator``), and the admin counts nothing else.
"""

import functools

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.views.main import PAGE_VAR
from django.utils.translation import get_language

from register.caching import forget, remembered
from register.form_choices import choices_version_key, tracks_choices_of
from register.paginators import EstimatedCountPaginator
from register.widgets import QuickSelect


class QuickActionForm(ActionForm):
    """The admin's form of list actions, its select of actions written without a template per option."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin sets the choices afterwards, through the field, onto this widget.
        self.fields["action"].widget = QuickSelect()


class LargeListMixin:
    """ModelAdmin options for a list of a large table."""

    list_per_page = 50
    action_form = QuickActionForm
    # The admin's "Show counts" would count every choice of every filter over the whole table (on a
    # million appointments, seconds a page): a large list offers no counts.
    show_facets = admin.ShowFacets.NEVER
    # The admin would count the whole table once more to show "N total" beside a filtered count.
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The page asked for: a capped count reaches beyond it (see EstimatedCountPaginator).
        asked = request.GET.get(PAGE_VAR, "")
        page = int(asked) if asked.isdigit() else 1
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, page_asked=page)


# The choices of a filter by a related record (the coach of a person or an appointment: every staff
# account) are the same on every load of the list and read a table of their own each time. Kept in the
# cache, they cost no query; saving or deleting a record of the related model drops them
# (forget_filter_choices, connected in RegisterConfig.ready), and they expire after a minute in any case.
FILTER_CHOICES_CACHE_SECONDS = 60


def _filter_choices_key(field, variant: str, language: str) -> str:
    return f"register:filter-choices:{field.model._meta.label_lower}.{field.name}:{variant}:{language}"


class CachedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """The admin's filter by a related record, its choices read from the cache (see above)."""

    choices_variant = "all"

    def field_choices(self, field, request, model_admin):
        key = _filter_choices_key(field, self.choices_variant, get_language() or "")

        def read():
            return [(value, str(label)) for value, label in self.read_choices(field, request, model_admin)]

        return remembered(key, FILTER_CHOICES_CACHE_SECONDS, read, what="a list filter's choices")

    def read_choices(self, field, request, model_admin):
        return super().field_choices(field, request, model_admin)


class StaffUserFilter(CachedRelatedFieldListFilter):
    """Filter by a user field, offering the staff accounts only (the admin's own filter lists every user)."""

    choices_variant = "staff"

    def read_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"is_staff": True})


@functools.cache
def _filter_choices_keys_of(model) -> tuple[str, ...]:
    """Return every cache key of filter choices that list records of ``model`` (worked out once)."""
    fields = [relation.remote_field for relation in model._meta.related_objects if relation.remote_field]
    return tuple(
        _filter_choices_key(field, variant, code)
        for field in fields
        for variant in (CachedRelatedFieldListFilter.choices_variant, StaffUserFilter.choices_variant)
        for code, _name in settings.LANGUAGES
    )


def forget_filter_choices(sender, **kwargs) -> None:
    """Drop the cached filter choices that list records of ``sender`` (a signal receiver: one was saved)."""
    keys = _filter_choices_keys_of(sender)
    # A model no foreign key points to, and whose choices nobody remembers: no call to the cache on its saves.
    if keys or tracks_choices_of(sender):
        # With them, the version of the remembered choices of such records (register/form_choices.py).
        forget([*keys, choices_version_key(sender)], what="a list filter's choices")


# Every filter by a related record (a list_filter naming a foreign key) is the cached one.
admin.FieldListFilter.register(
    lambda field: bool(field.remote_field) and not field.many_to_many, CachedRelatedFieldListFilter, take_priority=True
)

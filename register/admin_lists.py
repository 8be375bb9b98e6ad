"""What every back-office list of a large table shares: ModelAdmin options that keep its page cheap.

A list of people, appointments or access log entries grows into the millions. Its pages must cost the
same handful of queries whatever the size: the count is estimated or capped
(``register.paginators.EstimatedCountPaginator``), and the admin counts nothing else.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR
from django.http import HttpResponseRedirect
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from register.paginators import EstimatedCountPaginator


class LargeListMixin:
    """ModelAdmin options for a list of a large table."""

    list_per_page = 50
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

    def changelist_view(self, request, extra_context=None):
        # A page beyond the deepest one offered (see EstimatedCountPaginator.max_pages) leads to that
        # page, with the reason, rather than to the admin's "wrong lookup parameters" error.
        asked = request.GET.get(PAGE_VAR, "")
        deepest = self.paginator.max_pages
        if asked.isdigit() and int(asked) > deepest:
            message = _(
                "A list shows its first %(pages)s pages. Narrow it with a filter or a search to reach the rows "
                "after them."
            )
            self.message_user(
                request, message % {"pages": number_format(deepest, force_grouping=True)}, messages.WARNING
            )
            query = request.GET.copy()
            query[PAGE_VAR] = str(deepest)
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)


class StaffUserFilter(admin.RelatedFieldListFilter):
    """Filter by a user field, offering the staff accounts only (the admin's own filter lists every user)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"is_staff": True})

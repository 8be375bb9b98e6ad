"""What every back-office list of a large table shares: a page count without COUNT(*), deep pages read
through the index, and rows rendered without the form machinery.

A list of people, appointments or access log entries grows into the millions. Its first page and a page
deep in it must cost the same handful of queries and milliseconds whatever the size: the count comes
from the table statistics (``EstimatedCountPaginator``), a deep page is found on the ordering's index
before its rows are read, filters offer fixed choices instead of reading distinct values from the
table, and the date drill-down reads the ends of the index (``templates/admin/change_list.html``).
"""

from urllib.parse import parse_qsl, urlencode
from urllib.parse import quote as url_quote

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from register.paginators import EstimatedCountPaginator

# Addresses of the form /admin/app/model/<key>/change/, resolved once per view, language and prefix,
# with a marker in the key's place: letters where the pattern takes any text, digits where a number.
_URL_MARKERS = ("rowkeymarker", "9081726354")
_url_parts: dict[tuple, tuple[str, list[str]] | None] = {}


def object_url(viewname: str, key, *, current_app: str | None = None) -> str:
    """Return ``reverse(viewname, args=[key])``, the pattern resolved once instead of for every row.

    A list of fifty rows that links each row to a page of its own would walk the URL patterns fifty
    times; the address differs only by the key, which goes in place of a marker, quoted as reverse()
    quotes it.
    """
    cache_key = (viewname, current_app, get_language(), get_script_prefix())
    if cache_key not in _url_parts:
        _url_parts[cache_key] = None
        for marker in _URL_MARKERS:
            try:
                parts = reverse(viewname, args=[marker], current_app=current_app).split(marker)
            except NoReverseMatch:
                continue
            if len(parts) == 2:
                _url_parts[cache_key] = (marker, parts)
                break
    found, text = _url_parts[cache_key], str(key)
    if found is None or (found[0].isdigit() and not text.isdigit()):
        return reverse(viewname, args=[key], current_app=current_app)  # as reverse() itself does, errors too
    parts = found[1]
    return f"{parts[0]}{url_quote(text, safe=RFC3986_SUBDELIMS + '/~:@')}{parts[1]}"


class LargeChangeList(ChangeList):
    """The admin's list, with the filters to return to added to the rows' links once per page.

    The admin adds the list's filters and page to each row's link, so that saving a record returns to
    the same page of the same filtered list. To do so it resolves every link again, a walk through all
    the URL patterns per row, only to find each time that a row's page is not the list. The query string
    is the same for every row, so here it is added once; the links come out the same.
    """

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.request = request  # who looks at the list (register.templatetags.large_lists._date_range)
        self.row_link_query, self.preserved_filters = self.preserved_filters, ""
        # The query exactly as the admin's add_preserved_filters() would write it after each link.
        query = urlencode(dict(parse_qsl(self.row_link_query)))
        self._row_link_suffix = f"?{query}" if query else ""

    def get_results(self, request):
        # The page's rows are read with only the columns they show (see LargeListMixin.list_row_fields);
        # the list's queryset stays whole for what else uses it (the import-export's export of the list).
        whole = self.queryset
        self.queryset = self._row_queryset(request, whole)
        try:
            super().get_results(request)
        finally:
            self.queryset = whole
        # When the first page read with its count holds every row, the admin would read them all again.
        first_page = getattr(self.paginator, "_first_page_rows", None)
        if first_page is not None and self.result_count == len(first_page):
            self.result_list = first_page

    def _row_queryset(self, request, queryset):
        fields = self.model_admin.list_row_fields
        # Only the columns the rows show, when the admin names them for the list as it shows it by
        # default (a role that sees other columns gets whole rows).
        if fields and list(self.model_admin.get_list_display(request)) == list(self.model_admin.list_display):
            return queryset.only(*fields)
        return queryset

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self.row_link_query}" if self.row_link_query else url

    def fast_url_for_result(self, result) -> str:
        """Return the row's link as the admin writes it (its change page, then the filters to return to)."""
        key = quote(getattr(result, self.pk_attname))
        page = object_url(admin_urlname(self.opts, "change"), key, current_app=self.model_admin.admin_site.name)
        return f"{page}{self._row_link_suffix}"


class LargeListMixin:
    """ModelAdmin settings for a list of a large table."""

    list_per_page = 50
    # The admin's "Show counts" would count every choice of every filter over the whole table (on a
    # million appointments, seconds a page): a large list offers no counts.
    show_facets = admin.ShowFacets.NEVER
    # The admin would count the whole table once more to show "N total" beside a filtered count.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # The fields the list's rows read, related ones included (client__last_name), when building whole
    # rows of wide joined tables costs more than the list's queries; None reads whole rows. A field left
    # out would be read row by row (tests/register/test_large_lists.py counts the queries).
    list_row_fields = None

    def get_changelist(self, request, **kwargs):
        return LargeChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        asked = request.GET.get(PAGE_VAR, "1")
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, first_page_asked=asked in ("", "1"))

    def action_checkbox(self, obj):
        return self.action_checkbox_writer()(obj)

    def action_checkbox_writer(self):
        """Return a function that writes a row's checkbox, its label translated once for all the rows.

        The markup is the admin's own checkbox's, written directly: rendering a form widget through the
        template engine for every row cost more than all the list's queries.
        """
        label = _("Select this object for an action - {}")

        def write(obj):
            # What format_html() wrote here: the key and the record's name escaped, the label as it is.
            named = label.format(conditional_escape(str(obj)))
            return mark_safe(  # noqa: S308
                f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" value="{conditional_escape(obj.pk)}" '
                f'class="action-select" aria-label="{named}">'
            )

        return write


class StaffUserFilter(admin.RelatedFieldListFilter):
    """Filter by a user field, offering the staff accounts only (the admin's own filter lists every user)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"is_staff": True})

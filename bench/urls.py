"""The project's URLs, plus the two yardsticks: a tuned stock admin over the same models, and a minimal view."""

from django.apps import apps
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponse
from django.urls import URLResolver, include, path

from billing.models import Invoice
from bookings.models import Appointment
from clients.models import Client
from consents.models import ConsentEvent
from privacy.models import AccessLogEntry, DataRequest
from register.admin_lists import LargeListMixin
from register.paginators import EstimatedCountPaginator
from register.urls import urlpatterns as project_urlpatterns

STOCK_MODELS = [Client, Appointment, Invoice, ConsentEvent, DataRequest, AccessLogEntry]


def _plain_field(model, name) -> bool:
    if not isinstance(name, str):
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.concrete and not field.many_to_many


def _stock_filter(entry) -> bool:
    # A filter named by its field, or a field with one of the admin's own filter classes: what a
    # ModelAdmin gets without writing a filter of its own.
    if isinstance(entry, str):
        return True
    return isinstance(entry, tuple) and entry[1].__module__.startswith("django.")


def tuned_admin(model, project: admin.ModelAdmin) -> type[admin.ModelAdmin]:
    """Return a stock ModelAdmin tuned as the admin's documentation allows, over the project's list of ``model``.

    It shows the project list's columns as plain fields (its name column as ``__str__``), joins the
    related ones (``list_select_related``), searches
    and filters by the same fields with the admin's own filters, orders like the project (so the same
    indexes serve it), pages with the project's estimated-count paginator as the project's lists do
    (``get_paginator`` of ``LargeListMixin``, so that a deep page is reached), and counts neither the
    whole table beside a filtered list nor the filters' choices. Everything else is the admin's
    defaults: its own templates, tags and change list.
    """
    shown = []
    for position, name in enumerate(project.list_display):
        # The project's own columns as the stock admin would show them: a plain field as it is, a
        # formatted one (phone_display) as its field, and a first column of its own (the name) as the
        # record's __str__, which is the stock admin's default column.
        if _plain_field(model, name):
            shown.append(name)
        elif isinstance(name, str) and name.endswith("_display") and _plain_field(model, name[: -len("_display")]):
            shown.append(name[: -len("_display")])
        elif position == 0:
            shown.append("__str__")
    shown = shown or ["__str__"]
    options = {
        "list_display": shown,
        "list_select_related": [
            name for name in shown if name != "__str__" and model._meta.get_field(name).is_relation
        ],
        "search_fields": list(project.search_fields),
        "list_filter": [entry for entry in project.list_filter if _stock_filter(entry)],
        "date_hierarchy": project.date_hierarchy,
        "ordering": project.ordering,
        "list_per_page": project.list_per_page,
        "paginator": EstimatedCountPaginator,
        "get_paginator": LargeListMixin.get_paginator,
        "show_full_result_count": False,
        "show_facets": admin.ShowFacets.NEVER,
        # The general list template, not a model's own (the project's appointments template links to
        # its calendar, say).
        "change_list_template": "admin/change_list.html",
    }
    return type(f"Tuned{model.__name__}Admin", (admin.ModelAdmin,), options)


# admin.site is a lazy stand-in for the project's site; its __class__ is the site's own class.
class StockSite(admin.site.__class__):
    """The project's admin site class, with the tuned stock ModelAdmins for the measured lists.

    The same class (its header, side bar, login steps and access-log hooks) on both sides leaves only
    the ModelAdmin and its list to tell the two apart. Every other model is registered with the
    admin's defaults, so that the side bar lists as many models as the project's does.
    """


stock_site = StockSite(name="stock")
stock_site.url_providers = list(admin.site.url_providers)
for model in apps.get_models():
    if admin.site.is_registered(model):
        model_admin = admin.site.get_model_admin(model)
        stock_site.register(model, tuned_admin(model, model_admin) if model in STOCK_MODELS else admin.ModelAdmin)

# The bytes of the privacy notice page, set by the benchmark before it compares the two.
MINIMAL_CONTENT = {"bytes": b""}


def minimal(request):
    """Return the same bytes as the notice page with no work at all: the throughput to compare with."""
    return HttpResponse(MINIMAL_CONTENT["bytes"])


# The minimal view is resolved exactly as deep as the notice: in the same language-prefixed group, in
# the same included list of the privacy app's paths, just before the notice (so the notice's own path
# is the one that is tried one pattern later).
*plain_paths, project_languages = project_urlpatterns
languages = i18n_patterns(prefix_default_language=False)[0]
for pattern in project_languages.url_patterns:
    if isinstance(pattern, URLResolver) and pattern.namespace == "privacy":
        pattern = path("", include(([path("bench/minimal/", minimal), *pattern.url_patterns], "privacy")))
    languages.url_patterns.append(pattern)
urlpatterns = [path("bench/stock-admin/", stock_site.urls), *plain_paths, languages]

"""The project's URLs, plus the two yardsticks: a stock admin site over the same models, and a minimal view."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpResponse
from django.urls import URLResolver, include, path

from billing.models import Invoice
from bookings.models import Appointment
from clients.models import Client
from consents.models import ConsentEvent
from privacy.models import AccessLogEntry, DataRequest
from register.urls import urlpatterns as project_urlpatterns

STOCK_MODELS = [Client, Appointment, Invoice, ConsentEvent, DataRequest, AccessLogEntry]


class StockSite(admin.AdminSite):
    """Django's own admin site, plus the account pages the project's page header links to (and nothing else)."""

    def get_urls(self):
        from register.two_factor import site_urls

        return site_urls(self) + super().get_urls()


class StockModelAdmin(admin.ModelAdmin):
    """A ModelAdmin of defaults only, its list written by the admin's own templates and tags.

    The list template is the general one (the project's templates for a model's list, a calendar link
    above the appointments, say, link to its own pages), and ``admins_own_markup`` has the project's
    override of it (templates/admin/change_list.html) leave the rows, filters and drill-down to the admin.
    """

    change_list_template = "admin/change_list.html"
    admins_own_markup = True


# Each model with a ModelAdmin of defaults, on a site of its own: what the lists cost untuned.
stock_site = StockSite(name="stock")
for model in STOCK_MODELS:
    stock_site.register(model, StockModelAdmin)

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

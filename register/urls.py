"""Root URLs. Finnish lives at unprefixed paths, English under /en/ (see DESIGN.md's URL table)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from register import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every page that names no icon (the admin's pages, for one).
    path("favicon.ico", views.favicon, name="favicon"),
    # Calendar feeds are read by calendar services, in no language.
    path("", include("bookings.urls")),
    path("", include("consents.webhook_urls")),
]

urlpatterns += i18n_patterns(
    path("", views.front_page, name="front_page"),
    # The notice was called rekisteriseloste under the old Personal Data Act; old links keep working.
    path(
        "rekisteriseloste/",
        RedirectView.as_view(pattern_name="privacy:notice", permanent=True, query_string=True),
        name="old_notice",
    ),
    path("", include("privacy.urls")),
    path("", include("billing.urls")),
    path("", include("consents.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    prefix_default_language=False,
)

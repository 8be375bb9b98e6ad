from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The staff dashboard (the back office's first page), its charts and the date-range reports.

    The app sits on top of every other one: it reads clients, bookings, billing, consents and privacy,
    and nothing imports it. It reaches the admin site through the site's extension points instead.
    """

    name = "reports"
    verbose_name = _("Dashboard and reports")

    def ready(self):
        from django.contrib import admin

        from reports import views

        admin.site.url_providers.append(views.admin_urls)
        admin.site.index_providers.append(views.dashboard_context)
        admin.site.index_template = "reports/dashboard.html"

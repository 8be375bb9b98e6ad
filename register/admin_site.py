from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class RegisterAdminSite(admin.AdminSite):
    """The staff back office, titled with the name of the organisation that keeps the register."""

    site_title = _("Client register")
    index_title = _("Back office")

    def each_context(self, request):
        # Imported here: this module is loaded with the app configs, before models may be imported.
        from register.models import Organisation

        context = super().each_context(request)
        organisation = Organisation.current()
        name = organisation.name if organisation else _("Client register")
        context["site_header"] = name
        context["site_title"] = name
        return context


class RegisterAdminConfig(AdminConfig):
    """The Django admin with the register's own site; installed in place of django.contrib.admin."""

    default_site = "register.admin_site.RegisterAdminSite"

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Register of people")

    def ready(self):
        # Apps above this one add to a person's timeline from their own timeline.py.
        autodiscover_modules("timeline")
        from clients import storage_cleanup  # noqa: F401 - connects the file clean-up

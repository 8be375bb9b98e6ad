from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents and marketing")

    def ready(self):
        from clients.models import COLLECTED_DATA_CHECKS
        from consents.checks import entry_has_its_consent

        if entry_has_its_consent not in COLLECTED_DATA_CHECKS:
            COLLECTED_DATA_CHECKS.append(entry_has_its_consent)

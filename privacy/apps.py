from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from clients.models import NOTICE_VERSION_IN_FORCE
        from privacy.notices import version_in_force

        if version_in_force not in NOTICE_VERSION_IN_FORCE:
            NOTICE_VERSION_IN_FORCE.append(version_in_force)

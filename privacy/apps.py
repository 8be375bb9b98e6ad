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

        # The apps below this one announce every access to personal data; the access log kept here
        # records it (register.signals explains why a signal and not an import).
        from privacy.access_log import on_personal_data_accessed
        from register.signals import personal_data_accessed

        personal_data_accessed.connect(on_personal_data_accessed, dispatch_uid="privacy.access_log")

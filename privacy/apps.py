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

        # The cached notice page shows the notice's versions and items and the organisation keeping the
        # register: a change to any of them drops the copies, now and again once the change is committed
        # (for a request that cached the old page in between).
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from privacy.models import NoticeItem, NoticeVersion
        from privacy.views import forget_cached_notices
        from register.models import Organisation

        def forget(**kwargs):
            forget_cached_notices()
            transaction.on_commit(forget_cached_notices)

        for model in (NoticeVersion, NoticeItem, Organisation):
            for name, signal in (("saved", post_save), ("deleted", post_delete)):
                uid = f"privacy.notice.{model.__name__}.{name}"
                signal.connect(forget, sender=model, weak=False, dispatch_uid=uid)

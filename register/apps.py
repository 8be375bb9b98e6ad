from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "register"
    verbose_name = _("Register")

    def ready(self):
        # Each app declares its personal data in its own personal_data.py; importing them here makes
        # the declarations complete before any request, command or system check runs.
        autodiscover_modules("personal_data")

        from django.contrib.auth.signals import user_logged_in

        from register import checks  # noqa: F401 - registers the deployment checks
        from register.middleware import remember_login_time

        user_logged_in.connect(remember_login_time, dispatch_uid="register.remember_login_time")

import secrets
import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from register.two_factor import new_backup_codes

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = (
        "Fill an empty development database with demo data and give the demo account a new password. "
        "Each app adds its own demo data in its demo.py (a function seed(command)). Runs only with DEBUG on. "
        "A large generated register is made by the benchmark's generator: python -m bench.generate --people N."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the app is served.")

    def handle(self, *, base_url, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates an account for anyone to use; it runs only with DEBUG on.")
        User = get_user_model()
        if not User.objects.exists():
            started = time.perf_counter()
            with transaction.atomic():
                User.objects.create_superuser(DEMO_USERNAME, email="demo@example.invalid", password=None)
                for seed in self._app_seeders():
                    seed(self)
            self.stdout.write(f"Demo data created in {time.perf_counter() - started:.1f} s.")

        self.stdout.write(f"Back office: {base_url.rstrip('/')}/{settings.ADMIN_URL}")
        demo = User.objects.filter(username=DEMO_USERNAME).first()
        if demo is not None:
            # A fresh password on every start: the demo account never has a password anyone could know.
            password = secrets.token_urlsafe(12)
            demo.set_password(password)
            demo.save(update_fields=["password"])
            self.stdout.write(f"Demo account: {DEMO_USERNAME}  password: {password}  (new on every start)")
            # Two-step verification is not switched off for the demo: it gets one-time backup codes
            # instead, also new on every start, and may enrol an authenticator app at any time.
            codes = new_backup_codes(demo)
            self.stdout.write(
                "Two-step verification: type one of these one-time codes after the password, "
                "or set up an authenticator app on the account security page: " + " ".join(codes[:5])
            )

    def _app_seeders(self):
        """Yield each app's demo function ``seed``, in the order of INSTALLED_APPS (lower apps first)."""
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if find_spec(module_name) is not None:
                function = getattr(import_module(module_name), "seed", None)
                if function is not None:
                    yield function

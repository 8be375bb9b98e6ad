"""WSGI entry point for gunicorn: ``gunicorn register.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

from register.startup import exit_on_configuration_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "register.settings")

with exit_on_configuration_error():
    application = get_wsgi_application()

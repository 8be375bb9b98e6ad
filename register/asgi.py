"""ASGI entry point, for an ASGI server such as uvicorn or daphne."""

import os

from django.core.asgi import get_asgi_application

from register.startup import exit_on_configuration_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "register.settings")

with exit_on_configuration_error():
    application = get_asgi_application()

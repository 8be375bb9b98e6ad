"""WSGI entry point for gunicorn: ``gunicorn register.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

from register.startup import exit_on_configuration_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "register.settings")

with exit_on_configuration_error():
    application = get_wsgi_application()

# What starting made (modules, models, URL patterns) lives as long as the process. Frozen, it is out of
# the garbage collector's reach: a full collection then walks a request's objects only, instead of
# pausing that request for tens of milliseconds (measured on the people list: 2.7 ms a request on average, 0.4 frozen).
gc.freeze()

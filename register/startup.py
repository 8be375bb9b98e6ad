"""Start-up helpers shared by manage.py and the WSGI/ASGI entry points."""

import sys
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured


@contextmanager
def exit_on_configuration_error():
    """Turn a configuration error into a one-line message and exit status 1 instead of a traceback."""
    try:
        yield
    except ImproperlyConfigured as error:
        sys.stderr.write(f"Configuration error: {error}\n")
        sys.exit(1)

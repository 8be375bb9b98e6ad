"""Production settings (DEBUG off) for measuring in-process; only what a test client needs differs."""

import os
import tempfile
import warnings
from pathlib import Path

os.environ["ENV_FILE"] = ""
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-never-used-elsewhere-0123456789")
os.environ.setdefault("SUPPRESSION_HMAC_KEY", "benchmark-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from register.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Static files are served from the source folders: the benchmark needs no collectstatic manifest.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
# Access packages made by the benchmark, and the erasure journal of its rolled-back purges, go to a
# temporary folder.
MEDIA_ROOT = tempfile.mkdtemp(prefix="register-bench-media-")
ERASURE_JOURNAL = Path(tempfile.mkdtemp(prefix="register-bench-journal-")) / "erasures.jsonl"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# The static files are served from the source folders; WhiteNoise need not say that STATIC_ROOT is empty.
warnings.filterwarnings("ignore", message="No directory at")

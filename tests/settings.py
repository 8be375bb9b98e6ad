"""Settings for the test suite: the real settings, with the secrets a test run has no need to keep.

The values are only defaults: a variable set in the environment (DATABASE_URL for the PostgreSQL
run, for example) still wins.
"""

import os

# A developer's own .env (a production-like DATABASE_URL, say) must not change what the tests run on.
os.environ["ENV_FILE"] = ""
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("SUPPRESSION_HMAC_KEY", "tests-only-suppression-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ["CACHE_URL"] = os.environ.get("TEST_CACHE_URL", "locmemcache://tests")

from register.settings import *  # noqa: F403

# Hashing with the real hasher makes every login in a test take a noticeable fraction of a second.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Serve static files straight from the source folders: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded files of a test run go to a temporary folder, never into the project.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="register-tests-media-")
# Erasures of a test run are journalled into a temporary folder, never into the project's var/.
ERASURE_JOURNAL = os.path.join(tempfile.mkdtemp(prefix="register-tests-journal-"), "erasures.jsonl")

# On SQLite the test database is a file, not memory: the live server of the browser tests then has a
# connection of its own instead of sharing the test thread's, which two threads may otherwise use at once.
_database = DATABASES["default"]  # noqa: F405
if _database["ENGINE"].endswith("sqlite3"):
    _database["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"register-tests-{os.getpid()}.sqlite3")}

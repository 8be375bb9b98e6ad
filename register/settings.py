"""Settings of the client register, read from the environment.

Every value that differs between a developer's laptop and production comes from an environment
variable (or a ``.env`` file beside ``manage.py``). ``.env.example`` documents each of them. The
defaults are safe for development: SQLite, e-mail printed to the console, a local-memory cache.
With ``DEBUG`` off nothing insecure is assumed: a missing secret stops start-up.
"""

from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Values already in the environment win over the file, so a deployment can override one setting
# without editing .env. ENV_FILE names another file, or none when empty (the tests ignore a local .env).
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _list(name):
    """Return a comma-separated variable as a list, with the spaces around each item removed."""
    return [item.strip() for item in env.ENVIRON.get(name, "").split(",") if item.strip()]


def _required_in_production(name, *, cast=str, dev_default):
    """Return the variable, or the developer default when DEBUG is on; refuse to start otherwise."""
    # Read as is: django-environ would treat a value starting with $ as the name of another variable,
    # and a generated secret key may well start with one.
    if env.ENVIRON.get(name, "").strip():
        return _list(name) if cast is list else env.ENVIRON[name]
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see .env.example).")


SECRET_KEY = _required_in_production(
    "SECRET_KEY", dev_default="django-insecure-development-only-never-use-in-production"
)
ALLOWED_HOSTS = _required_in_production("ALLOWED_HOSTS", cast=list, dev_default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS")
# The key of the suppression list's hashes and of consent evidence. It must stay the same for as long
# as the list is kept: a new key would let suppressed addresses be marketed to again.
SUPPRESSION_HMAC_KEY = _required_in_production(
    "SUPPRESSION_HMAC_KEY", dev_default="development-only-suppression-key-never-use-in-production"
)

# The back office path can be moved away from the well-known /admin/ to cut down on scanning noise.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"

INSTALLED_APPS = [
    "register.apps.RegisterConfig",
    "clients",
    "bookings",
    "billing",
    "consents",
    "privacy",
    "reports",
    "ops",
    "register.admin_site.RegisterAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "django_countries",
    "import_export",
    "csp",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Last, as its documentation asks: it wraps the authentication of everything before it.
    "axes",
]

MIDDLEWARE = [
    # Before everything: the rest of the request runs in one chunk of the frame stack (see the class).
    "register.stack_room.StackRoomMiddleware",
    # Then: everything after it (rate limits, login lockout, the access log) sees the visitor's address.
    "register.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "register.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages are compressed (gzip), with Django's BREACH mitigations: the CSRF token masked in every
    # response and random bytes in each gzip header. These do not protect personal data shown next to what
    # a request writes into the page (a search's query), so back-office pages are sent plain unless their
    # view compresses itself with gzip_page (the calendar does). See register/compression.py. Placed after
    # WhiteNoise, which sends static files compressed already, and before every middleware that writes
    # the body.
    "register.compression.PublicPagesGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "register.middleware.IdleTimeoutMiddleware",
    "register.middleware.SessionRevocationMiddleware",
    # Field history rows name the staff user who made the change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "register.urls"
WSGI_APPLICATION = "register.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "register.context_processors.organisation",
                "consents.context_processors.cookie_consent",
                "privacy.context_processors.due_requests",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling a cursor cannot outlive its transaction: Django's server-side
# cursors (large exports read a batch at a time) must then be switched off.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Threads of one server (runserver, the browser tests' live server) write at the same moment: a
    # transaction that takes the write lock when it begins waits for another instead of failing with
    # "database is locked" when it later tries to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Nothing another server needs is kept in a process: sessions are in the database, and the cache (rate
# limits, the cached notice page, the organisation) is shared when CACHE_URL points to Redis, which
# production needs as soon as more than one process serves the app (manage.py check --deploy says so).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://register")}

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="rekisteri@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Argon2 first; the others only verify passwords stored before and are upgraded on the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# A staff session ends after 30 idle minutes (register.middleware.IdleTimeoutMiddleware) and after
# 12 hours at most.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username and address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the staff profile with the account (sessions begun under the plain
    # ModelBackend, before this release, end: staff sign in once more).
    "register.auth_backends.StaffBackend",
]

# Behind a reverse proxy, the number of proxies in front of the app that append to X-Forwarded-For.
# The visitor's address is then the one that many hops from the right (register.middleware); 0 means
# the app is reached directly and REMOTE_ADDR is the visitor. Never set it higher than the real
# number of proxies: the visitor could then choose their own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Login throttling (django-axes): a username and address pair is locked after five failed logins in a
# row and opens again by itself after the cool-off; staff with the permission can unlock it sooner.
# Locking the pair, not the address or the username alone, means nobody can lock a colleague out
# from elsewhere, and a shared office address does not lock everyone.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "register.middleware.client_address"
AXES_LOCKOUT_CALLABLE = "register.two_factor.locked_out"
# The access log of logins would hold every staff login forever; failures are what the lockout needs.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Two-factor login (django-otp): the name an authenticator app shows, and how many backup codes
# a staff member gets at a time.
OTP_TOTP_ISSUER = env.str("OTP_ISSUER", default="Asiakasrekisteri")
OTP_BACKUP_CODES = 10

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Finnish first and at unprefixed URLs, English under /en/.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded files (email attachments, access packages) go through Django's storage API: the local folder
# MEDIA_ROOT by default, or an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set, so that several
# servers share them. The bucket stays private: files reach people only through the views that check
# the right to them. boto3 reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME and find_spec("storages") is None:
    raise ImproperlyConfigured(
        "AWS_STORAGE_BUCKET_NAME is set but django-storages is not installed: pip install -e '.[s3]'."
    )
_FILE_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "location": env.str("AWS_LOCATION", default="media"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
    if AWS_STORAGE_BUCKET_NAME
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": _FILE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Backups (manage.py backup and restore). BACKUP_KEY is one Fernet key, or several separated by commas
# while keys are rotated: the first encrypts, every one of them decrypts. Without it both commands refuse.
BACKUP_KEY = env.str("BACKUP_KEY", default="")
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "backups")))
# One line per erasure (model and primary key, no names), appended outside the database so that a
# restore can erase again whoever was erased after the archive was made. Keep it on another disk than
# the database and back it up as carefully as the archives.
ERASURE_JOURNAL = Path(env.str("ERASURE_JOURNAL", default=str(BASE_DIR / "var" / "erasures.jsonl")))

# The personal-data access log (who viewed, exported or changed whose data) keeps its entries this long;
# purge_expired removes older ones. Two years covers the look-back of a typical audit or complaint.
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=730)

# Phone numbers are stored in E.164 (+358401234567); a number typed without a country code is Finnish.
PHONENUMBER_DEFAULT_REGION = "FI"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# Imports run in one transaction: a file is written whole or not at all.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# A name such as =HYPERLINK(...) from a public form must not run as a formula in a spreadsheet.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Payment reminders: the fee (capped at 5 euros for consumers by the Debt Collection Act) and the
# Bank of Finland's reference rate, which changes each half-year: late interest is it plus 7 points.
PAYMENT_REMINDER_FEE = env.str("PAYMENT_REMINDER_FEE", default="5.00")
REFERENCE_INTEREST_RATE = env.str("REFERENCE_INTEREST_RATE", default="2.00")

# Marketing integrations: each is off until configured.
MAILCHIMP_API_KEY = env.str("MAILCHIMP_API_KEY", default="")
MAILCHIMP_AUDIENCE_ID = env.str("MAILCHIMP_AUDIENCE_ID", default="")
MAILCHIMP_WEBHOOK_SECRET = env.str("MAILCHIMP_WEBHOOK_SECRET", default="")
GOOGLE_TAG_ID = env.str("GOOGLE_TAG_ID", default="")
META_PIXEL_ID = env.str("META_PIXEL_ID", default="")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER_ENABLED so Django trusts
# X-Forwarded-Proto; never enable it when the app is reachable without that proxy.
if env.bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The cookie banner's script reads the CSRF token from its cookie (the banner sits on the cached notice page,
# whose content holds no token), so the cookie is readable by scripts, as is Django's default. That gives
# nothing away: the token is no secret from a script of this site's own origin, which could read it from
# any form of the site anyway, and no other origin can read the cookie. Scripts run only from this site's
# own files (the Content-Security-Policy below allows no inline script); the session cookie stays HttpOnly.
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp): scripts only from this site, and from the trackers' own hosts
# when they are configured (and then only loaded after the visitor's consent). Styles allow inline
# style attributes, which the Django admin uses; scripts never run inline.
_TRACKER_SCRIPTS = ["https://www.googletagmanager.com"] * bool(env.str("GOOGLE_TAG_ID", default="")) + [
    "https://connect.facebook.net"
] * bool(env.str("META_PIXEL_ID", default=""))
_TRACKER_CALLS = ["https://*.google-analytics.com", "https://*.googletagmanager.com"] * bool(
    env.str("GOOGLE_TAG_ID", default="")
) + ["https://www.facebook.com"] * bool(env.str("META_PIXEL_ID", default=""))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_TRACKER_SCRIPTS],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_TRACKER_CALLS],
        "connect-src": ["'self'", *_TRACKER_CALLS],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features the register never uses are switched off for every page.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # runserver prints its own start-up lines; the reloader's would repeat them.
    # django-axes reports every login at INFO; failures and lockouts are warnings, which is enough.
    "loggers": {"django.utils.autoreload": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

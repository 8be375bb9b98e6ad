"""With DEBUG off the app refuses to start without its secrets, and says which one in one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "rekisteri.example.fi",
    "SUPPRESSION_HMAC_KEY": "a-production-like-suppression-key-" + "y" * 30,
    "CSRF_TRUSTED_ORIGINS": "https://rekisteri.example.fi",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "DATABASE_URL": "sqlite:///:memory:",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def run(command, env_changes, remove=()):
    # Start from a bare environment: neither the test settings' defaults nor a developer's own .env
    # may fill in what the test leaves out.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(env_changes)
    for name in remove:
        env.pop(name, None)
    env["ENV_FILE"] = ""
    return subprocess.run(
        [sys.executable, *command], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SUPPRESSION_HMAC_KEY"])
def test_manage_py_refuses_to_start_without_a_secret_when_debug_is_off(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run(["manage.py", "check"], env, remove=[missing])
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert missing in result.stderr
    assert "Traceback" not in result.stderr


def test_the_wsgi_entry_point_refuses_to_start_without_the_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(["-c", "import register.wsgi"], env, remove=["SECRET_KEY"])
    assert result.returncode == 1
    assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set when DEBUG is off (see .env.example)."


def test_an_empty_secret_key_counts_as_missing():
    result = run(["manage.py", "check"], {**PRODUCTION, "SECRET_KEY": "  "})
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr


def test_debug_on_starts_with_developer_defaults():
    result = run(["manage.py", "check"], {"DEBUG": "true"}, remove=["SECRET_KEY", "ALLOWED_HOSTS"])
    assert result.returncode == 0, result.stderr


def test_the_documented_production_environment_passes_the_deployment_checklist():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_list_settings_ignore_spaces_and_a_secret_may_start_with_a_dollar_sign():
    code = "from django.conf import settings; print(settings.ALLOWED_HOSTS, settings.SECRET_KEY)"
    result = run(
        ["manage.py", "shell", "-v0", "-c", code],
        {**PRODUCTION, "ALLOWED_HOSTS": "a.example.fi, b.example.fi ,", "SECRET_KEY": "$abc-" + "x" * 50},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['a.example.fi', 'b.example.fi'] $abc-" + "x" * 50


def test_the_deployment_checklist_warns_of_a_cache_each_process_keeps_for_itself():
    result = run(["manage.py", "check", "--deploy"], PRODUCTION, remove=["CACHE_URL"])
    assert "register.W010" in result.stdout + result.stderr


def test_uploaded_files_go_to_an_s3_bucket_when_one_is_named():
    code = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    local = run(["manage.py", "shell", "-v0", "-c", code], PRODUCTION)
    assert local.stdout.strip() == "django.core.files.storage.FileSystemStorage"
    bucket = run(["manage.py", "shell", "-v0", "-c", code], {**PRODUCTION, "AWS_STORAGE_BUCKET_NAME": "rekisteri"})
    try:
        import storages  # noqa: F401
    except ImportError:
        # Without the optional dependency the app refuses to start, saying what to install, in one line.
        assert bucket.returncode == 1 and "pip install -e '.[s3]'" in bucket.stderr
        assert bucket.stderr.strip().count("\n") == 0, bucket.stderr
    else:
        assert bucket.stdout.strip() == "storages.backends.s3.S3Storage"

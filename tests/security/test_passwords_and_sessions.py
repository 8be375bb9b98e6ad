"""Passwords are hashed with Argon2, at least 12 characters; an idle staff session ends after 30 minutes."""

import importlib

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_argon2_is_the_first_hasher_of_the_real_settings(settings):
    production = importlib.import_module("register.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the tests themselves use a fast hasher
    assert make_password("a long enough passphrase").startswith("argon2$")
    assert production.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_a_short_or_common_password_is_refused():
    for weak in ("lyhyt", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("kolme pitkää sanaa yhdessä")


def test_an_idle_staff_session_ends_after_30_minutes(client, visitors, organisation, monkeypatch):
    import register.middleware as middleware

    visitors().log_in(client, "superuser")
    clock = [1_000_000]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    assert client.get(reverse("admin:index")).status_code == 200
    clock[0] += 29 * 60
    assert client.get(reverse("admin:index")).status_code == 200  # activity keeps it alive
    clock[0] += 31 * 60
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_a_busy_staff_session_still_ends_12_hours_after_the_login(client, visitors, organisation, monkeypatch):
    import register.middleware as middleware

    clock = [1_000_000]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    visitors().log_in(client, "superuser")
    for _ in range(35):  # a request every 20 minutes for 11 h 40 min
        clock[0] += 20 * 60
        assert client.get(reverse("admin:index")).status_code == 200
    clock[0] += 21 * 60
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_a_session_without_a_login_time_is_not_kept(client, visitors, organisation):
    visitors().log_in(client, "superuser")
    session = client.session
    del session["login_at"]
    session.save()
    assert client.get(reverse("admin:index")).status_code == 302


def test_pages_opened_within_a_minute_do_not_write_the_session_each_time(client, visitors, organisation, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import register.middleware as middleware

    clock = [1_000_000]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    visitors().log_in(client, "superuser")
    url = reverse("admin:privacy_purgerun_changelist")

    def session_writes():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))
                and "django_session" in q["sql"]]  # fmt: skip

    session_writes()
    clock[0] += 30
    assert session_writes() == []
    clock[0] += 31
    assert len(session_writes()) == 1  # a minute on: the activity time moves on

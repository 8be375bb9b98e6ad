import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def seed_demo():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def printed_password(output):
    return re.search(r"Demo account: demo  password: (\S+)", output).group(1)


def printed_codes(output):
    return re.search(r"one-time codes after the password, .*: (.+)$", output, re.MULTILINE).group(1).split()


def password_accepted(client, password):
    """Post the login form as a person would; True when the password step let them through."""
    response = client.post("/admin/login/", {"username": "demo", "password": password})
    return response.status_code == 302


@pytest.mark.django_db
def test_it_refuses_to_create_a_demo_account_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        seed_demo()
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_it_creates_a_demo_account_whose_printed_password_logs_in(settings, client):
    settings.DEBUG = True
    output = seed_demo()
    assert "Back office: http://127.0.0.1:8000/admin/" in output
    password = printed_password(output)
    assert len(password) >= 16
    assert password_accepted(client, password)
    # The password alone opens nothing: the second step asks for a code.
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith("/admin/two-factor/")
    codes = printed_codes(output)
    assert len(codes) == 5
    response = client.post("/admin/two-factor/", {"code": codes[0]})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_every_run_gives_a_new_password_and_creates_nothing_twice(settings, client):
    settings.DEBUG = True
    first = printed_password(seed_demo())
    users = get_user_model().objects.count()
    second_output = seed_demo()
    second = printed_password(second_output)
    assert first != second
    assert "Demo data created." not in second_output
    assert not password_accepted(client, first)
    assert password_accepted(client, second)
    assert get_user_model().objects.count() == users
    assert get_user_model().objects.filter(username="demo").count() == 1


@pytest.mark.django_db
def test_a_database_with_its_own_users_gets_no_demo_account(settings):
    settings.DEBUG = True
    get_user_model().objects.create_user("omistaja", password="x" * 20, is_staff=True)
    output = seed_demo()
    assert "Demo account" not in output
    assert not get_user_model().objects.filter(username="demo").exists()

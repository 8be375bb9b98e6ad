"""Two app servers, one PostgreSQL database and one Redis: a session and a rate limit span both servers.

The servers are real gunicorn processes on two ports, as two machines behind a load balancer would run
them. A staff member signs in with the password on one and gives the second factor on the other, then
uses the back office on the first again; the public request form's limit of five posts an hour counts
the posts made to either server. It runs where PostgreSQL and Redis are (``make test-postgres``; CI sets
REQUIRE_SCALE_OUT, so that a missing Redis fails instead of skipping).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.auth import authenticator, current_code
from tests.factories import UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two servers need a database server: runs with make test-postgres"
)
PROJECT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "kaksi-palvelinta-yksi-istunto"


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_SCALE_OUT"):
        pytest.fail(f"The scale-out test is required but cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_db():
    """Return the Redis database the servers share, emptied before and after the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        _unavailable(f"Redis does not answer at {REDIS_URL} ({error})")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}"
    )


@pytest.fixture
def servers(redis_db):
    """Start two gunicorn servers of the app on the test database and the shared Redis; yield their addresses."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "TEST_CACHE_URL": redis_db,
    }
    started, addresses = [], []
    for _server in range(2):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "register.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--log-level", "warning"],
            cwd=PROJECT, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(process)
        addresses.append(f"http://127.0.0.1:{port}")
    try:
        for process, address in zip(started, addresses, strict=True):
            _wait_until_up(process, address)
        yield addresses
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


def _wait_until_up(process, address, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server at {address} stopped: {process.stdout.read().decode()[-2000:]}")
        try:
            if requests.get(f"{address}/healthz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    pytest.fail(f"The server at {address} did not answer within {seconds} s")


class Browser:
    """Cookies kept by hand: the test settings mark cookies Secure, and these servers speak plain HTTP."""

    def __init__(self):
        self.cookies = {}

    def request(self, method, url, **kwargs):
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(
            method, url, headers={"Cookie": cookie}, allow_redirects=False, timeout=10, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def form_token(self, url) -> str:
        page = self.request("GET", url)
        assert page.status_code == 200, page.status_code
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


@pytest.mark.django_db(transaction=True)
def test_a_session_begun_on_one_server_goes_on_on_the_other(servers, organisation):
    first, second = servers
    staff = UserFactory(username="kaksi", is_staff=True, is_superuser=True)
    staff.set_password(PASSWORD)
    staff.save()
    device = authenticator(staff)
    browser = Browser()

    token = browser.form_token(f"{first}/admin/login/")
    signed_in = browser.request(
        "POST", f"{first}/admin/login/",
        data={"username": "kaksi", "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/admin/"},
    )  # fmt: skip
    assert signed_in.status_code == 302 and "sessionid" in browser.cookies

    # The second server knows the session: its login page sends on to the second step, not the password.
    asks = browser.request("GET", f"{second}/admin/login/?next=/admin/")
    assert asks.status_code == 302 and asks.headers["Location"].startswith("/admin/two-factor/")
    token = browser.form_token(f"{second}/admin/two-factor/")
    verified = browser.request(
        "POST", f"{second}/admin/two-factor/", data={"code": current_code(device), "csrfmiddlewaretoken": token}
    )
    assert verified.status_code == 302

    # And the first one sees the session the second completed.
    back_office = browser.request("GET", f"{first}/admin/")
    assert back_office.status_code == 200
    assert 'id="logout-form"' in back_office.text  # the back office itself, for a signed-in staff member


@pytest.mark.django_db(transaction=True)
def test_the_rate_limit_counts_posts_to_either_server(servers, organisation):
    first, second = servers
    browser = Browser()
    token = browser.form_token(f"{first}/tietopyynto/")
    answers = [
        browser.request("POST", f"{address}/tietopyynto/", data={"csrfmiddlewaretoken": token}).status_code
        for address in (first, second, first, second, first, second)
    ]
    # Five posts an hour per address: the sixth is refused, although each server has seen only three.
    assert answers == [200, 200, 200, 200, 200, 429]

from unittest import mock

import pytest
from django.db import OperationalError, connections


@pytest.mark.django_db
def test_it_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_503_without_details_when_the_database_fails(client, caplog):
    failure = OperationalError("connection to server at 10.0.0.5 failed: password authentication failed")
    with mock.patch.object(connections["default"], "cursor", side_effect=failure):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}
    assert b"10.0.0.5" not in response.content
    assert b"password" not in response.content
    # The operator still learns why, from the log.
    assert "Health check failed" in caplog.text


@pytest.mark.django_db
def test_it_is_not_redirected_to_https_so_a_plain_http_load_balancer_can_probe_it(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_it_refuses_writes(client):
    assert client.post("/healthz").status_code == 405

"""Hardened HTTP: the security headers on public and back-office pages, no inline script, friendly errors."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/en/", "/tietosuojaseloste/", "/en/privacy-notice/", "/tietopyynto/", "/evasteet/"]


def csp_directives(response):
    return {part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split("; ")}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_the_security_headers_and_no_inline_script(client, organisation, path):
    response = client.get(path)
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())
    assert inline_scripts == []


def test_the_back_office_works_under_the_same_policy(client, visitors, organisation):
    visitors().log_in(client, "superuser")
    response = client.get(reverse("admin:clients_client_add"))
    assert response.status_code == 200
    assert csp_directives(response)["script-src"] == ["'self'"]


@pytest.mark.parametrize(("path", "text"), [("/ei-ole/", "Sivua ei löydy"), ("/en/no-such-page/", "Page not found")])
def test_a_missing_page_is_a_friendly_page_in_its_language(client, organisation, settings, path, text):
    settings.DEBUG = False
    response = client.get(path)
    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.urls("tests.security.broken_urls")
def test_a_server_error_shows_no_trace_of_the_code(organisation, settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Jotain meni vikaan" in body and "Something went wrong" in body
    assert "secret detail" not in body and "Traceback" not in body


def test_the_feedback_and_consent_pages_answer_a_flood_with_429(client, organisation):
    from billing.feedback import feedback_token
    from consents.views import choices_url
    from tests.factories import AppointmentFactory, ClientFactory

    organisation.send_feedback_requests = True
    organisation.save()
    visit = AppointmentFactory(status="attended")
    feedback_url = f"/palaute/{feedback_token(visit)}/"
    statuses = [client.post(feedback_url, {"score": "9"}, REMOTE_ADDR="198.51.100.7").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    choices = choices_url(ClientFactory())
    statuses = [client.post(choices, {"withdraw": "x"}, REMOTE_ADDR="198.51.100.8").status_code for _ in range(21)]
    assert statuses[:20] == [302] * 20 and statuses[20] == 429

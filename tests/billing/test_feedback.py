"""Quality feedback: asked once after a visit when the business wants it, answered once, by a signed link."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from billing.feedback import feedback_token, send_feedback_requests
from billing.models import Feedback
from tests.factories import AppointmentFactory, ClientFactory

pytestmark = pytest.mark.django_db


def recent_visit(**client_fields):
    end = timezone.now() - timedelta(hours=2)
    return AppointmentFactory(
        client=ClientFactory(**client_fields), status="attended", starts_at=end - timedelta(hours=1), ends_at=end
    )


def test_nobody_is_asked_unless_the_business_switched_feedback_on(organisation):
    recent_visit()
    assert send_feedback_requests(base_url="https://rekisteri.example.fi") == 0
    organisation.send_feedback_requests = True
    organisation.save()
    assert send_feedback_requests(base_url="https://rekisteri.example.fi") == 1
    assert send_feedback_requests(base_url="https://rekisteri.example.fi") == 0
    (message,) = mail.outbox
    assert "https://rekisteri.example.fi/palaute/" in message.body


def test_a_restricted_person_is_not_asked(organisation):
    organisation.send_feedback_requests = True
    organisation.save()
    recent_visit(restricted_at=timezone.now(), restriction_reason="Kiistetty")
    assert send_feedback_requests(base_url="https://x.fi") == 0


@pytest.fixture
def feedback_on(organisation):
    organisation.send_feedback_requests = True
    organisation.save()
    return organisation


def test_the_link_takes_one_answer_per_visit(client, feedback_on):
    visit = recent_visit()
    url = f"/palaute/{feedback_token(visit)}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"score": "4", "comment": "Hyvä treeni"})
    assert "Palautteesi on vastaanotettu." in response.content.decode()
    again = client.post(url, {"score": "1", "comment": "Toinen yritys"})
    assert "on jo annettu palaute" in again.content.decode()
    (feedback,) = Feedback.objects.all()
    assert (feedback.score, feedback.comment) == (4, "Hyvä treeni")


def test_a_forged_or_expired_link_is_refused(client, feedback_on, monkeypatch):
    visit = recent_visit()
    assert client.get(f"/palaute/{visit.pk}:forged/").status_code == 404
    token = feedback_token(visit)
    monkeypatch.setattr(signing, "time", type("Clock", (), {"time": staticmethod(lambda: 9e9)}))
    assert client.get(f"/palaute/{token}/").status_code == 404


def test_a_score_outside_1_to_5_is_a_field_error(client, feedback_on):
    visit = recent_visit()
    response = client.post(f"/en/feedback/{feedback_token(visit)}/", {"score": "7"})
    assert response.status_code == 200
    assert response.context["form"].errors["score"]
    assert not Feedback.objects.exists()


def test_the_link_stops_working_for_a_restricted_person_or_when_feedback_is_switched_off(client, feedback_on):
    visit = recent_visit()
    url = f"/palaute/{feedback_token(visit)}/"
    visit.client.restricted_at, visit.client.restriction_reason = timezone.now(), "Kiistetty"
    visit.client.save()
    assert client.get(url).status_code == 404
    other = recent_visit()
    feedback_on.send_feedback_requests = False
    feedback_on.save()
    assert client.post(f"/palaute/{feedback_token(other)}/", {"score": "5"}).status_code == 404
    assert not Feedback.objects.exists()

"""Mailchimp, its webhook, the self-service links and the Facebook audience: only what consent allows."""

import csv
import hashlib
import io
import json

import pytest
import responses
from django.core import signing
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consents.facebook import export_audience
from consents.mailchimp import sync
from consents.models import AudienceExport, ConsentState, MailchimpMember, Purpose
from consents.services import record_event
from consents.views import choices_url, marketing_email_headers
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
LIST_URL = "https://us21.api.mailchimp.com/3.0/lists/aud123"


@pytest.fixture
def mailchimp_on(settings, organisation):
    settings.MAILCHIMP_API_KEY = "0123456789abcdef-us21"
    settings.MAILCHIMP_AUDIENCE_ID = "aud123"
    settings.MAILCHIMP_WEBHOOK_SECRET = "s3cr3t-webhook"
    return Purpose.objects.get(code="email_marketing")


def consenting(purpose, **fields):
    person = ClientFactory(**fields)
    record_event(client=person, kind="granted", purpose=purpose, channel="web", recorded_by="person")
    return person


def batch_response(errors=()):
    return {
        "new_members": [],
        "updated_members": [],
        "errors": list(errors),
        "total_created": 0,
        "total_updated": 0,
        "error_count": len(errors),
    }


@responses.activate
def test_the_sync_sends_only_the_email_and_first_name_of_consenting_people(mailchimp_on):
    aino = consenting(mailchimp_on, first_name="Aino", email="aino@example.fi", phone="+358401234567")
    ClientFactory(first_name="Eero", email="eero@example.fi")  # no consent
    responses.post(LIST_URL, json=batch_response())
    result = sync()
    (call,) = responses.calls
    body = json.loads(call.request.body)
    assert body == {
        "members": [{"email_address": "aino@example.fi", "status": "subscribed", "merge_fields": {"FNAME": "Aino"}}],
        "update_existing": True,
    }
    assert result.subscribed == 1
    assert MailchimpMember.objects.get(client=aino).status == "subscribed"
    # Nothing changed: nothing is sent again.
    sync()
    assert len(responses.calls) == 1


@responses.activate
def test_a_withdrawn_person_is_unsubscribed_and_a_failed_contact_is_retried(mailchimp_on):
    aino = consenting(mailchimp_on, first_name="Aino", email="aino@example.fi")
    responses.post(LIST_URL, json=batch_response())
    sync()
    record_event(client=aino, kind="withdrawn", purpose=mailchimp_on, channel="web", recorded_by="person")
    consenting(mailchimp_on, first_name="Bea", email="bea@example.fi")
    responses.replace(
        responses.POST,
        LIST_URL,
        json=batch_response(
            [{"email_address": "bea@example.fi", "error": "Bea looks fake", "error_code": "ERROR_CONTACT_EXISTS"}]
        ),
    )
    result = sync()
    body = json.loads(responses.calls[-1].request.body)
    assert {m["email_address"]: m["status"] for m in body["members"]} == {
        "aino@example.fi": "unsubscribed",
        "bea@example.fi": "subscribed",
    }
    assert result.unsubscribed == 1 and result.errors == ["bea@example.fi: Bea looks fake"]
    assert MailchimpMember.objects.get(client=aino).status == "unsubscribed"
    responses.replace(responses.POST, LIST_URL, json=batch_response())
    sync()
    assert json.loads(responses.calls[-1].request.body)["members"][0]["email_address"] == "bea@example.fi"


@responses.activate
def test_an_api_outage_loses_nothing_and_the_command_says_so(mailchimp_on):
    consenting(mailchimp_on, email="aino@example.fi")
    responses.post(LIST_URL, status=503, json={"title": "Service Unavailable"})
    with pytest.raises(CommandError, match="1 contacts failed"):
        call_command("sync_mailchimp", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("sync_mailchimp", "--dry-run", stdout=out)
    assert "would subscribe: aino@example.fi" in out.getvalue()


def test_without_configuration_the_sync_is_off_and_says_so(organisation):
    with pytest.raises(CommandError, match="not configured"):
        call_command("sync_mailchimp")


def test_the_webhook_records_a_withdrawal_and_refuses_a_wrong_secret(client, mailchimp_on):
    person = consenting(mailchimp_on, email="pois@example.fi")
    data = {"type": "unsubscribe", "data[email]": "POIS@example.fi", "data[list_id]": "aud123"}
    assert client.post("/webhooks/mailchimp/wrong/", data).status_code == 404
    assert ConsentState.objects.get(client=person).granted
    assert client.get("/webhooks/mailchimp/s3cr3t-webhook/").status_code == 200
    assert client.post("/webhooks/mailchimp/s3cr3t-webhook/", data).status_code == 200
    state = ConsentState.objects.get(client=person)
    assert not state.granted
    assert state.last_event.channel == "mailchimp"


def test_the_choices_link_withdraws_with_one_click_and_refuses_tampered_or_expired_links(
    client, mailchimp_on, monkeypatch
):
    person = consenting(mailchimp_on)
    url = choices_url(person)
    page = client.get(url)
    assert page.status_code == 200 and "Sähköpostimarkkinointi" in page.content.decode()
    client.post(url, {"withdraw": "email_marketing"})
    assert not ConsentState.objects.get(client=person).granted
    assert client.get(url.replace(":", "x", 1)).status_code == 404
    monkeypatch.setattr(signing, "time", type("Clock", (), {"time": staticmethod(lambda: 9e9)}))
    assert client.get(url).status_code == 404


def test_the_one_click_unsubscribe_header_works_without_a_page(client, mailchimp_on):
    person = consenting(mailchimp_on)
    headers = marketing_email_headers(person, base_url="https://rekisteri.example.fi")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = headers["List-Unsubscribe"].strip("<>").removeprefix("https://rekisteri.example.fi")
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not ConsentState.objects.get(client=person).granted


def test_the_facebook_audience_holds_hashes_of_consenting_people_only_and_is_recorded(organisation):
    facebook = Purpose.objects.get(code="facebook_audiences")
    person = consenting(facebook, email="  Maija@Example.FI ")
    ClientFactory(email="ei@example.fi")
    export, content = export_audience()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows == [["email"], [hashlib.sha256(b"maija@example.fi").hexdigest()]]
    assert list(export.people.all()) == [person]
    assert AudienceExport.objects.get().count == 1


def test_the_consent_event_list_makes_the_same_number_of_queries_for_few_and_many(
    client, visitors, organisation, django_assert_max_num_queries
):
    visitors().log_in(client, "superuser")
    purpose = Purpose.objects.get(code="email_marketing")
    consenting(purpose)
    url = reverse("admin:consents_consentevent_changelist")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _index in range(30):
        consenting(purpose)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_staff_record_a_paper_consent_from_the_person_page(client, visitors, organisation):
    person = ClientFactory()
    people = visitors(permissions=["clients.view_client", "consents.view_consentevent", "consents.add_consentevent"])
    people.log_in(client, "permitted")
    page = client.get(reverse("admin:clients_client_change", args=[person.pk]))
    add_url = reverse("admin:consents_consentevent_add") + f"?client={person.pk}"
    assert add_url in page.content.decode()
    purpose = Purpose.objects.get(code="market_research")
    response = client.post(
        add_url,
        {
            "client": person.pk,
            "purpose": purpose.pk,
            "kind": "granted",
            "channel": "paper",
            "recorded_by": "staff",
            "evidence_note": "Allekirjoitettu lomake 1.12.",
        },
    )
    assert response.status_code == 302
    state = ConsentState.objects.get(client=person, purpose=purpose)
    assert state.granted and state.last_event.staff == people.permitted
    page = client.get(reverse("admin:clients_client_change", args=[person.pk]))
    assert dict(page.context["summary"])[_("consents given")] == "Mielipide- ja markkinatutkimukset"


@responses.activate
def test_a_changed_address_unsubscribes_the_old_one_even_if_that_fails_first(mailchimp_on):
    person = consenting(mailchimp_on, first_name="Aino", email="vanha@example.fi")
    responses.post(LIST_URL, json=batch_response())
    sync()
    person.email = "uusi@example.fi"
    person.save()
    responses.replace(
        responses.POST,
        LIST_URL,
        json=batch_response(
            [{"email_address": "vanha@example.fi", "error": "temporarily unavailable", "error_code": "ERROR_GENERIC"}]
        ),
    )
    sync()
    responses.replace(responses.POST, LIST_URL, json=batch_response())
    sync()
    body = json.loads(responses.calls[-1].request.body)
    assert body["members"] == [{"email_address": "vanha@example.fi", "status": "unsubscribed"}]
    member = MailchimpMember.objects.get(client=person)
    assert (member.email, member.status, member.pending_unsubscribe) == ("uusi@example.fi", "subscribed", "")


@responses.activate
def test_a_new_first_name_is_sent_and_a_deleted_persons_address_is_unsubscribed(mailchimp_on):
    person = consenting(mailchimp_on, first_name="Aino", email="aino@example.fi")
    gone = consenting(mailchimp_on, first_name="Gone", email="gone@example.fi")
    responses.post(LIST_URL, json=batch_response())
    sync()
    person.first_name = "Aino-Maija"
    person.save()
    gone.delete()
    sync()
    members = {m["email_address"]: m for m in json.loads(responses.calls[-1].request.body)["members"]}
    assert members["aino@example.fi"]["merge_fields"] == {"FNAME": "Aino-Maija"}
    assert members["gone@example.fi"]["status"] == "unsubscribed"
    assert not MailchimpMember.objects.filter(email="gone@example.fi").exists()


def test_staff_cannot_lift_a_prohibition_or_record_without_a_note(mailchimp_on):
    from django.core.exceptions import ValidationError

    from tests.factories import UserFactory

    person = ClientFactory()
    record_event(client=person, kind="prohibited", channel="email", recorded_by="person")
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError):
        record_event(
            client=person,
            kind="prohibition_lifted",
            channel="paper",
            recorded_by="staff",
            staff=staff,
            evidence_note="Soitti",
        )
    with pytest.raises(ValidationError):
        record_event(
            client=person, kind="granted", purpose=mailchimp_on, channel="paper", recorded_by="staff", staff=staff
        )


def test_an_event_dated_earlier_does_not_overturn_a_later_one(mailchimp_on):
    from datetime import timedelta

    from django.utils import timezone

    person = consenting(mailchimp_on)
    record_event(client=person, kind="withdrawn", purpose=mailchimp_on, channel="web", recorded_by="person")
    record_event(
        client=person,
        kind="granted",
        purpose=mailchimp_on,
        channel="paper",
        recorded_by="person",
        at=timezone.now() - timedelta(days=30),
    )
    assert not ConsentState.objects.get(client=person).granted


def test_the_purpose_count_follows_the_one_rule(client, visitors, mailchimp_on):
    visitors().log_in(client, "superuser")
    consenting(mailchimp_on)
    objector = consenting(mailchimp_on)
    record_event(client=objector, kind="prohibited", channel="email", recorded_by="person")
    response = client.get(reverse("admin:consents_purpose_changelist"))
    row = next(r for r in response.context["cl"].result_list if r.code == "email_marketing")
    assert response.context["cl"].model_admin.valid_consents(row) == 1


def test_a_cleaned_address_is_suppressed_and_an_old_address_is_found_and_a_non_ascii_secret_is_404(
    client, mailchimp_on
):
    from consents.services import is_suppressed

    person = consenting(mailchimp_on, email="uusi@example.fi")
    MailchimpMember.objects.create(client=person, email="vanha@example.fi", status="subscribed")
    client.post(
        "/webhooks/mailchimp/s3cr3t-webhook/",
        {"type": "unsubscribe", "data[email]": "vanha@example.fi", "data[list_id]": "aud123"},
    )
    assert not ConsentState.objects.get(client=person).granted
    client.post(
        "/webhooks/mailchimp/s3cr3t-webhook/",
        {"type": "cleaned", "data[email]": "bounce@example.fi", "data[list_id]": "aud123"},
    )
    assert is_suppressed("bounce@example.fi")
    assert client.post("/webhooks/mailchimp/%C3%A4/", {}).status_code == 404


def test_one_click_unsubscribe_leaves_other_purposes_alone(client, mailchimp_on):
    person = consenting(mailchimp_on)
    research = Purpose.objects.get(code="market_research")
    record_event(client=person, kind="granted", purpose=research, channel="web", recorded_by="person")
    path = marketing_email_headers(person, base_url="").get("List-Unsubscribe").strip("<>")
    client.post(path)
    assert not ConsentState.objects.get(client=person, purpose=mailchimp_on).granted
    assert ConsentState.objects.get(client=person, purpose=research).granted


def test_another_persons_id_with_a_valid_signature_is_refused(client, mailchimp_on):
    person, other = consenting(mailchimp_on), consenting(mailchimp_on)
    token = signing.TimestampSigner(salt="consents.marketing-choices").sign(str(person.pk))
    forged = f"{other.pk}:{token.split(':', 1)[1]}"
    assert client.get(f"/markkinointi/{forged}/").status_code == 404

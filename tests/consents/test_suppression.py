"""The suppression list is compared with each person's address by the database, in the one marketing rule.

The list holds keyed hashes only; each person's address is kept hashed beside it, and that hash must
follow the address wherever it changes, and go when the person is erased.
"""

import pytest
import responses
from django.urls import reverse

from clients.models import Client
from consents.eligibility import marketable_counts, marketable_people, may_market
from consents.facebook import export_audience
from consents.mailchimp import sync
from consents.models import Purpose
from consents.services import record_event, suppress
from privacy.erasure import erase
from register.declarations import Subject
from tests.consents.test_marketing_paths import LIST_URL, batch_response, consenting
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_marketing(organisation):
    return Purpose.objects.get(code="email_marketing")


def test_a_person_whose_address_changes_to_a_suppressed_one_is_no_longer_marketed_to(email_marketing):
    person = consenting(email_marketing, email="aino@example.fi")
    suppress("Vanha.Osoite@Example.fi", reason="bounced")
    assert may_market(person, "email_marketing")

    person.email = "vanha.osoite@example.fi"
    person.save()
    assert not may_market(person, "email_marketing")
    assert marketable_people("email_marketing") == []

    # A save of only the address (as a form that changed nothing else makes) keeps its hash in step too.
    person.email = "uusi@example.fi"
    person.save(update_fields=["email"])
    assert may_market(Client.objects.get(pk=person.pk), "email_marketing")
    assert marketable_people("email_marketing") == [person]


def test_an_erased_person_keeps_no_hash_of_their_address(email_marketing):
    person = consenting(email_marketing, email="maija@example.fi")
    erase(subject=Subject(people=(person,)))
    erased = Client.objects.get(pk=person.pk)
    assert (erased.email, erased.email_hmac) == ("", "")


@responses.activate
def test_the_dashboard_mailchimp_and_the_audience_count_the_same_people(client, visitors, settings, email_marketing):
    settings.MAILCHIMP_API_KEY = "0123456789abcdef-us21"
    settings.MAILCHIMP_AUDIENCE_ID = "aud123"
    facebook = Purpose.objects.get(code="facebook_audiences")
    for purpose in (email_marketing, facebook):
        consenting(purpose, email=f"kelpaa.{purpose.code}@example.fi")
        consenting(purpose, email=f"Estetty.{purpose.code}@Example.fi")
        suppress(f"estetty.{purpose.code}@example.fi", reason="bounced")
        objector = consenting(purpose)
        record_event(client=objector, kind="prohibited", channel="email", recorded_by="person")
        restricted = consenting(purpose)
        Client.objects.filter(pk=restricted.pk).update(restricted_at="2026-01-01T00:00Z", restriction_reason="Pyyntö")
    ClientFactory(email="ei.suostumusta@example.fi")

    visitors().log_in(client, "superuser")
    coverage = client.get(reverse("admin:index")).context["dashboard"]["coverage"]
    shown = {purpose.code: purpose.may_be_marketed for purpose in coverage.purposes if purpose.is_marketing}
    responses.post(LIST_URL, json=batch_response())
    assert shown["email_marketing"] == sync().subscribed == 1
    assert shown["facebook_audiences"] == export_audience()[0].people.count() == 1
    assert marketable_counts() == {"email_marketing": 1, "facebook_audiences": 1}

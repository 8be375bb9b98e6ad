"""The consent ledger: state from events, prohibition above consent, guardians, suppression, the one rule."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consents.eligibility import marketable_people, may_market
from consents.models import ConsentEvent, ConsentState, Purpose
from consents.services import record_event
from tests.factories import ClientFactory, GuardianFactory, MinorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_marketing(organisation):
    return Purpose.objects.get(code="email_marketing")


def give(person, purpose, **extra):
    return record_event(
        client=person,
        kind="granted",
        purpose=purpose,
        channel="web",
        recorded_by="person",
        text_shown="Haluan uutiskirjeen.",
        ip_address="192.0.2.1",
        **extra,
    )


def test_state_follows_grant_withdraw_grant(email_marketing):
    person = ClientFactory()
    give(person, email_marketing)
    assert may_market(person, "email_marketing")
    record_event(client=person, kind="withdrawn", purpose=email_marketing, channel="web", recorded_by="person")
    assert not may_market(person, "email_marketing")
    give(person, email_marketing)
    assert may_market(person, "email_marketing")
    state = ConsentState.objects.get(client=person, purpose=email_marketing)
    assert state.granted and state.last_event.kind == "granted"
    assert ConsentEvent.objects.filter(client=person).count() == 3


def test_a_prohibition_beats_a_consent_until_the_person_lifts_it(email_marketing):
    person = ClientFactory(email="kielto@example.fi")
    give(person, email_marketing)
    record_event(client=person, kind="prohibited", channel="email", recorded_by="person")
    assert not may_market(person, "email_marketing")
    assert person not in marketable_people("email_marketing")
    record_event(client=person, kind="prohibition_lifted", channel="web", recorded_by="person")
    assert may_market(person, "email_marketing")


def test_an_objectors_address_stays_suppressed_even_as_a_new_person_from_an_old_list(email_marketing):
    person = ClientFactory(email="Vanha.Lista@example.fi")
    record_event(client=person, kind="prohibited", channel="email", recorded_by="person")
    person.is_active = False  # erased or merged away
    person.save()
    again = ClientFactory(email="vanha.lista@EXAMPLE.fi")
    give(again, email_marketing)
    assert not may_market(again, "email_marketing")
    assert marketable_people("email_marketing") == []


def test_a_minors_consent_is_given_by_their_guardian(email_marketing):
    minor = MinorFactory()
    guardian = GuardianFactory(minor=minor)
    with pytest.raises(ValidationError, match=r"huoltaja|guardian"):
        give(minor, email_marketing)
    record_event(
        client=minor,
        kind="granted",
        purpose=email_marketing,
        channel="paper",
        recorded_by="guardian",
        guardian=guardian,
        staff=UserFactory(is_staff=True),
        evidence_note="Allekirjoitettu lomake",
    )
    assert may_market(minor, "email_marketing")
    other_guardian = GuardianFactory()
    with pytest.raises(ValidationError):
        record_event(
            client=minor,
            kind="granted",
            purpose=email_marketing,
            channel="paper",
            recorded_by="guardian",
            guardian=other_guardian,
            evidence_note="x",
            staff=UserFactory(is_staff=True),
        )


def test_a_restricted_person_is_never_marketed_to(email_marketing):
    person = ClientFactory()
    give(person, email_marketing)
    person.restricted_at, person.restriction_reason = timezone.now(), "Kiistetty"
    person.save()
    assert not may_market(person, "email_marketing")


def test_a_disclosure_consent_names_its_recipient_and_health_needs_explicit_consent(organisation):
    person = ClientFactory()
    disclosure = Purpose.objects.get(code="disclosure_to_professional")
    with pytest.raises(ValidationError):
        record_event(client=person, kind="granted", purpose=disclosure, channel="paper", recorded_by="person")
    record_event(
        client=person,
        kind="granted",
        purpose=disclosure,
        channel="paper",
        recorded_by="person",
        recipient="Fysioterapeutti Laine",
    )
    health = Purpose.objects.get(code="health_for_safe_training")
    with pytest.raises(ValidationError):
        record_event(client=person, kind="granted", purpose=health, channel="in_person", recorded_by="person")


def test_the_ledger_is_append_only_and_keeps_evidence_without_the_plain_ip(email_marketing):
    event = give(ClientFactory(), email_marketing)
    assert event.evidence_ip_hash and "192.0.2.1" not in event.evidence_ip_hash
    event.channel = "paper"
    with pytest.raises(ValidationError):
        event.save()


def test_health_information_needs_the_persons_explicit_consent(organisation):
    from clients.models import CollectedData

    person = ClientFactory()
    entry = CollectedData(
        client=person, label="Polvi", value="Nivelside", purpose_code="health_for_safe_training", is_health=True
    )
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert "is_health" in error.value.message_dict
    record_event(
        client=person,
        kind="granted",
        purpose=Purpose.objects.get(code="health_for_safe_training"),
        channel="paper",
        recorded_by="person",
        text_shown="Suostun terveystietojeni käsittelyyn.",
    )
    entry.full_clean()
    with pytest.raises(ValidationError):
        CollectedData(client=person, label="x", value="y", purpose_code="ei-ole").full_clean()

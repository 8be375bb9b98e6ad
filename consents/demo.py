"""Demo consents for seed_demo: newsletter consents, the health consent behind a health note, an objection."""

from clients.models import Client, CollectedData
from consents.models import Disclosure, Purpose
from consents.services import record_event


def seed(command):
    email = Purpose.objects.get(code="email_marketing")
    facebook = Purpose.objects.get(code="facebook_audiences")
    people = list(
        Client.objects.filter(role__in=["subscriber", "client"], date_of_birth__isnull=True).exclude(email="")[:20]
    ) + list(Client.objects.filter(role="client").exclude(email="")[:10])
    for index, person in enumerate(people):
        if person.is_minor:
            continue
        record_event(
            client=person,
            kind="granted",
            purpose=email,
            channel="web",
            recorded_by="person",
            text_shown="Haluan Liikkuvien Puntien uutiskirjeen.",
            ip_address=f"192.0.2.{index}",
        )
        if index % 4 == 0:
            record_event(
                client=person,
                kind="granted",
                purpose=facebook,
                channel="web",
                recorded_by="person",
                text_shown="Saa näyttää minulle mainoksia Facebookissa.",
            )
    if len(people) > 3:
        record_event(client=people[3], kind="prohibited", channel="email", recorded_by="person")
    for entry in CollectedData.objects.filter(is_health=True).select_related("client"):
        record_event(
            client=entry.client,
            kind="granted",
            purpose=Purpose.objects.get(code=entry.purpose_code),
            channel="paper",
            recorded_by="person",
            text_shown="Suostun terveystietojeni käsittelyyn.",
        )
    disclosure = Purpose.objects.get(code="disclosure_to_professional")
    person = Client.objects.filter(role="client").exclude(email="").exclude(pk__in=[p.pk for p in people]).first()
    if person is not None and not person.is_minor:
        event = record_event(
            client=person,
            kind="granted",
            purpose=disclosure,
            channel="paper",
            recorded_by="person",
            recipient="Fysioterapia Laine",
        )
        Disclosure.objects.create(
            client=person, recipient="Fysioterapia Laine", what="Harjoitusohjelma ja polven vamma", consent_event=event
        )

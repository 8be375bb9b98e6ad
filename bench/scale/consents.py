"""The generated consent ledger: consents given on joining, some withdrawn, a few marketing prohibitions."""

from django.utils import timezone

from bench.scale import Scale
from clients.models import Client, adulthood_birth_date
from consents.models import ConsentEvent, ConsentState, MarketingProhibition, Purpose, SuppressedAddress
from register.hashing import address_hmac

# Who gave which consent when they joined, and who later changed their mind.
SCALE_CONSENTS = {
    "subscriber": ("email_marketing", 0.8),
    "prospect": ("market_research", 0.5),
    "client": ("facebook_audiences", 0.3),
    "former_client": ("facebook_audiences", 0.3),
}
WITHDRAWN_SHARE = 0.12
PROHIBITED_SHARE = 0.01
TEXT_SHOWN = {
    "email_marketing": "Haluan Liikkuvien Puntien uutiskirjeen.",
    "market_research": "Minulle saa lähettää asiakaskyselyitä.",
    "facebook_audiences": "Saa näyttää minulle mainoksia Facebookissa.",
}


def generate(scale: Scale) -> None:
    """Generate the consent ledger of the generated people, with the current state and prohibitions to match.

    Every state row points at the person's newest event for its purpose, and every prohibition at its
    event and at the address's entry on the suppression list, as ``record_event`` would leave them.
    """
    rng, loader, now = scale.rng, scale.loader, scale.now
    purposes = dict(Purpose.objects.values_list("code", "pk"))
    adult_born_before = adulthood_birth_date(timezone.localdate())
    events, states, prohibitions, suppressed = [], [], [], []
    people = (
        Client.objects.filter(pk__gte=scale.first_keys["clients.Client"], restricted_at__isnull=True)
        .exclude(email="")
        .values_list("pk", "role", "entered_at", "email", "date_of_birth")
    )
    event_keys = iter(loader.reserve(ConsentEvent, 3 * scale.people))
    for key, role, entered, email, born in people.iterator(chunk_size=5000):
        if born is not None and born > adult_born_before:
            continue  # a minor's consent is the guardian's to give; the generated minors have none
        code, share = SCALE_CONSENTS[role]
        if code in purposes and rng.random() < share:
            granted = next(event_keys)
            events.append((granted, key, purposes[code], "granted", entered, "web", "person", TEXT_SHOWN[code]))
            last, since, given = granted, entered, True
            if rng.random() < WITHDRAWN_SHARE:
                since = entered + (now - entered) * rng.random()
                last, given = next(event_keys), False
                events.append((last, key, purposes[code], "withdrawn", since, "web", "person", ""))
            states.append((key, purposes[code], given, since, last))
        if rng.random() < PROHIBITED_SHARE:
            event = next(event_keys)
            since = entered + (now - entered) * rng.random()
            events.append((event, key, None, "prohibited", since, "email", "person", ""))
            prohibitions.append((key, since, event))
            suppressed.append((address_hmac(email), "objection", since))

    with scale.progress(len(events), "consent events") as bar:
        loader.write(
            ConsentEvent,
            ["id", "client_id", "purpose_id", "kind", "occurred_at", "channel", "recorded_by", "text_shown"],
            scale.counted(events, bar),
        )
    loader.add(ConsentState, ["client_id", "purpose_id", "granted", "since", "last_event_id"], states)
    loader.add(MarketingProhibition, ["client_id", "since", "last_event_id"], prohibitions)
    known = set(SuppressedAddress.objects.values_list("address_hmac", flat=True))
    loader.add(
        SuppressedAddress, ["address_hmac", "reason", "added_at"], [row for row in suppressed if row[0] not in known]
    )

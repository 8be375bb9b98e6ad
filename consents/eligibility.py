"""Who may be marketed to: the one rule every marketing path uses (emails, Mailchimp, audience exports)."""

from django.db.models import Count, Exists, OuterRef, QuerySet

from clients.models import Client
from consents.models import ConsentState, MarketingProhibition, SuppressedAddress


def _reachable(people: QuerySet | None = None) -> QuerySet:
    """Return those of ``people`` (default: everyone) whom marketing may reach once they have consented.

    In the register, processing not restricted, no marketing prohibition, and an address to write to
    that is not on the suppression list. The list holds keyed hashes of addresses; each person's address
    is kept hashed the same way (``Client.email_hmac``), so the database compares the two.
    """
    prohibition = MarketingProhibition.objects.filter(client=OuterRef("pk"))
    suppressed = SuppressedAddress.objects.filter(address_hmac=OuterRef("email_hmac"))
    base = Client.objects.all() if people is None else people
    return (
        base.filter(is_active=True, restricted_at__isnull=True)
        .exclude(Exists(prohibition))
        .exclude(email="")
        .exclude(Exists(suppressed))
    )


def _candidates(purpose_code: str) -> QuerySet:
    consent = ConsentState.objects.filter(
        client=OuterRef("pk"), purpose__code=purpose_code, purpose__is_marketing=True, granted=True
    )
    return _reachable().filter(Exists(consent))


def marketable_people(purpose_code: str, *, fields: tuple[str, ...] = ()) -> list[Client]:
    """Return the people who may be marketed to for ``purpose_code`` now.

    A valid consent for the purpose, no marketing prohibition, processing not restricted, and the
    address not on the suppression list. ``fields``, when given, are the only columns read (with the key).
    """
    people = _candidates(purpose_code)
    if fields:
        people = people.only(*fields)
    return list(people)


def may_market(client: Client, purpose_code: str) -> bool:
    """Return whether ``client`` may be marketed to for ``purpose_code`` now (the same rule, for one person)."""
    return _candidates(purpose_code).filter(pk=client.pk).exists()


def marketable_counts(people: QuerySet | None = None) -> dict[str, int]:
    """Return how many of ``people`` (default: everyone) may be marketed to now, per marketing purpose code.

    The same rule as ``marketable_people``, counted by the database in one grouped query; a purpose
    nobody may be marketed for is left out. A person has one consent state per purpose (a unique
    constraint), so counting the states counts the people, without sorting them to count each once.
    """
    consents = ConsentState.objects.filter(granted=True, purpose__is_marketing=True, client__in=_reachable(people))
    return dict(consents.order_by().values_list("purpose__code").annotate(people=Count("pk")))

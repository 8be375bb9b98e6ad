"""Who may be marketed to: the one rule every marketing path uses (emails, Mailchimp, audience exports)."""

from django.db.models import Count, Exists, OuterRef, QuerySet

from clients.models import Client
from consents.models import ConsentState, MarketingProhibition, SuppressedAddress


def _reachable(people: QuerySet | None = None) -> QuerySet:
    """Return those of ``people`` (default: everyone) whom marketing may reach once they have consented.

    In the register, processing not restricted, no marketing prohibition, and an address to write to.
    """
    prohibition = MarketingProhibition.objects.filter(client=OuterRef("pk"))
    base = Client.objects.all() if people is None else people
    return base.filter(is_active=True, restricted_at__isnull=True).exclude(Exists(prohibition)).exclude(email="")


def _candidates(purpose_code: str) -> QuerySet:
    consent = ConsentState.objects.filter(
        client=OuterRef("pk"), purpose__code=purpose_code, purpose__is_marketing=True, granted=True
    )
    return _reachable().filter(Exists(consent))


def marketable_people(purpose_code: str, *, fields: tuple[str, ...] = ()) -> list[Client]:
    """Return the people who may be marketed to for ``purpose_code`` now.

    A valid consent for the purpose, no marketing prohibition, processing not restricted, and the
    address not on the suppression list. The suppression list holds keyed hashes, so that last test
    runs here, not in the database. ``fields``, when given, are the only columns read (with the key).
    """
    from consents.services import address_hmac

    suppressed = set(SuppressedAddress.objects.values_list("address_hmac", flat=True))
    people = _candidates(purpose_code)
    if fields:
        people = people.only(*fields)
    return [person for person in people if address_hmac(person.email) not in suppressed]


def may_market(client: Client, purpose_code: str) -> bool:
    """Return whether ``client`` may be marketed to for ``purpose_code`` now (the same rule, for one person)."""
    from consents.services import is_suppressed

    return _candidates(purpose_code).filter(pk=client.pk).exists() and not is_suppressed(client.email)


def marketable_counts(people: QuerySet | None = None) -> dict[str, int]:
    """Return how many of ``people`` (default: everyone) may be marketed to now, per marketing purpose code.

    The same rule as ``marketable_people``, counted by the database in one grouped query. Only when the
    suppression list has entries are the consenting addresses read (one more query) and compared with
    its keyed hashes here; a purpose nobody may be marketed for is left out.
    """
    from consents.services import address_hmac

    consents = ConsentState.objects.filter(granted=True, purpose__is_marketing=True, client__in=_reachable(people))
    counts = dict(consents.order_by().values_list("purpose__code").annotate(people=Count("client", distinct=True)))
    suppressed = set(SuppressedAddress.objects.values_list("address_hmac", flat=True))
    if suppressed:
        for code, email in consents.values_list("purpose__code", "client__email"):
            if address_hmac(email) in suppressed:
                counts[code] -= 1
    return {code: count for code, count in counts.items() if count > 0}

"""Who may be marketed to: the one rule every marketing path uses (emails, Mailchimp, audience exports)."""

from django.db.models import Exists, OuterRef, QuerySet

from clients.models import Client
from consents.models import ConsentState, MarketingProhibition, SuppressedAddress


def _candidates(purpose_code: str) -> QuerySet:
    consent = ConsentState.objects.filter(
        client=OuterRef("pk"), purpose__code=purpose_code, purpose__is_marketing=True, granted=True
    )
    prohibition = MarketingProhibition.objects.filter(client=OuterRef("pk"))
    return (
        Client.objects.active()
        .filter(Exists(consent), restricted_at__isnull=True)
        .exclude(Exists(prohibition))
        .exclude(email="")
    )  # fmt: skip


def marketable_people(purpose_code: str) -> list[Client]:
    """Return the people who may be marketed to for ``purpose_code`` now.

    A valid consent for the purpose, no marketing prohibition, processing not restricted, and the
    address not on the suppression list. The suppression list holds keyed hashes, so that last test
    runs here, not in the database.
    """
    from consents.services import address_hmac

    suppressed = set(SuppressedAddress.objects.values_list("address_hmac", flat=True))
    return [person for person in _candidates(purpose_code) if address_hmac(person.email) not in suppressed]


def may_market(client: Client, purpose_code: str) -> bool:
    """Return whether ``client`` may be marketed to for ``purpose_code`` now (the same rule, for one person)."""
    from consents.services import is_suppressed

    return _candidates(purpose_code).filter(pk=client.pk).exists() and not is_suppressed(client.email)

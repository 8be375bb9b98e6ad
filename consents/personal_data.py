"""Personal data held by the consents app: the ledger, its state, disclosures, audience exports."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from consents.models import (
    AudienceExport,
    ConsentEvent,
    ConsentState,
    Disclosure,
    MailchimpMember,
    MarketingProhibition,
    SuppressedAddress,
)
from register.declarations import Anonymise, Delete, Keep, Retention, declare, related_to
from register.hashing import address_hmac

PROOF = _(
    "GDPR article 7(1): the business must be able to show the consents it relied on; the events are kept "
    "pseudonymised (without the text of the evidence) for three years after the last of them."
)

declare(
    ConsentEvent,
    portable=True,
    category=_("Consents and marketing prohibitions"),
    find=related_to("client"),
    export=("purpose", "kind", "occurred_at", "channel", "recorded_by", "text_shown", "recipient", "evidence_note"),
    erasure=Keep(reason=PROOF, meanwhile=Anonymise(fields={"evidence_user_agent": "", "evidence_note": ""})),
    retention=Retention(
        _("Three years after the consent ended, as proof of what was relied on."),
        # Events older than three years of people who have no consent in force any more.
        expired=lambda rows, day: rows.filter(occurred_at__date__lt=day - timedelta(days=3 * 365 + 1)).exclude(
            client__consent_states__granted=True
        ),
    ),
)
declare(
    ConsentState,
    category=_("Current consents"),
    find=related_to("client"),
    export=("purpose", "granted", "since"),
    erasure=Delete(),
    retention=Retention(_("As long as the person's own data.")),
)
declare(
    MarketingProhibition,
    category=_("Marketing prohibition"),
    find=related_to("client"),
    export=("since",),
    erasure=Delete(),
    retention=Retention(_("Until the person lifts it; the address stays on the suppression list.")),
)
declare(
    Disclosure,
    category=_("Disclosures to other professionals"),
    find=related_to("client"),
    export=("recipient", "what", "disclosed_at"),
    erasure=Keep(reason=PROOF),
    retention=Retention(
        _("Three years after the disclosure."),
        expired=lambda rows, day: rows.filter(disclosed_at__date__lt=day - timedelta(days=3 * 365)),
    ),
)
declare(
    AudienceExport,
    category=_("Advertising audiences the person was in"),
    find=related_to("people"),
    export=("purpose", "created_at"),
    erasure=Anonymise(fields={"people": None}),
    retention=Retention(_("Three years after the export.")),
    notes="Erasure removes the person from people; the export's date and count remain.",
)
declare(
    MailchimpMember,
    category=_("Email marketing list"),
    find=related_to("client"),
    export=("email", "status", "synced_at"),
    # The row stays, without its person, until the sync has unsubscribed the address at Mailchimp.
    erasure=Anonymise(fields={"client": None, "first_name_sent": ""}),
    retention=Retention(_("As long as the email marketing consent.")),
)


def _suppressions_of(model, subject):
    return model._default_manager.filter(address_hmac__in=[address_hmac(email) for email in subject.emails])


declare(
    SuppressedAddress,
    category=_("Suppression list (a keyed hash of the address, no address itself)"),
    find=_suppressions_of,
    export=("reason", "added_at"),
    erasure=Keep(
        reason=_(
            "GDPR article 21(3): after an objection the data may no longer be used for direct marketing; the "
            "hash is what keeps an address from coming back on an old list. It reveals no address."
        )
    ),
    retention=Retention(_("For as long as the business markets by email.")),
)

"""Personal data held by the clients app: the people, their guardians, emails, notes and other data."""

from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clients.models import (
    Client,
    CollectedData,
    EmailAttachment,
    Guardian,
    ReceivedEmail,
    RoleChange,
    StaffNote,
)
from register.declarations import Anonymise, Delete, Retention, about_people, declare, related_to, the_people
from register.history import declare_history

PROSPECT_MONTHS = 24
FORMER_CLIENT_MONTHS = 36


def _months_before(day: date, months: int) -> date:
    # Retention is counted in whole months; a day-precise month is not needed for a purge threshold.
    return day - timedelta(days=round(months * 30.44))


def _expired_people(rows: QuerySet, day: date) -> QuerySet:
    """Prospects and subscribers idle for 24 months; former clients 36 months after the relationship.

    A person whose processing is restricted is kept as they are until the restriction is lifted (GDPR
    article 18), and one already erased is not found again.
    """
    return rows.filter(is_active=True, restricted_at__isnull=True).filter(
        Q(
            role__in=[Client.Role.PROSPECT, Client.Role.SUBSCRIBER],
            updated_at__date__lt=_months_before(day, PROSPECT_MONTHS),
        )
        | Q(role=Client.Role.FORMER_CLIENT, role_since__lt=_months_before(day, FORMER_CLIENT_MONTHS))
    )


PEOPLE_RETENTION = _(
    "Prospects and subscribers: 24 months after the last change of their data. Clients: while the client "
    "relationship lasts, and former clients 36 months after it ended (invoices are kept longer, see billing)."
)

declare(
    Client,
    portable=True,
    category=_("Personal and contact details"),
    find=the_people(),
    export=(
        "first_name",
        "last_name",
        "email",
        "phone",
        "street_address",
        "postal_code",
        "city",
        "country",
        "date_of_birth",
        "preferred_language",
        "coach",
        "background",
        "role",
        "role_since",
        "source",
        "entered_at",
        "restricted_at",
        "restriction_reason",
        "informed_at",
        "informed_notice_version",
        "created_at",
    ),
    # The row itself stays (pseudonymised) while other apps keep rows under a legal duty that point to
    # it; the privacy app deletes it once nothing does.
    erasure=Anonymise(
        fields={
            "first_name": "",
            "last_name": _("(erased)"),
            "email": "",
            "email_hmac": "",
            "phone": "",
            "street_address": "",
            "postal_code": "",
            "city": "",
            "date_of_birth": None,
            "background": "",
            "restricted_at": None,
            "restriction_reason": "",
            "is_active": False,
        }
    ),
    retention=Retention(PEOPLE_RETENTION, expired=_expired_people),
    subject=True,
)

declare(
    Guardian,
    portable=True,
    category=_("Guardians"),
    find=related_to("minor"),
    export=("first_name", "last_name", "relation", "phone", "email", "street_address", "postal_code", "city"),
    erasure=Delete(),
    retention=Retention(_("As long as the data of the minor they are the guardian of.")),
    subject=True,
)

declare(
    RoleChange,
    category=_("Role in the register"),
    find=related_to("client"),
    export=("role", "previous_role", "changed_at"),
    erasure=Delete(),
    retention=Retention(_("As long as the person's own data.")),
)


@about_people
def _emails_of(model, subject):
    """Find emails attached to the person, sent by a matched guardian, or from a proven address."""
    query = Q(client__in=subject.people_of(Client)) | Q(sent_by_guardian__in=subject.people_of(Guardian))
    for address in subject.emails:
        query |= Q(sender__iexact=address)
    return model._default_manager.filter(query)


@about_people
def _attachments_of(model, subject):
    return model._default_manager.filter(email__in=_emails_of(ReceivedEmail, subject))


declare(
    ReceivedEmail,
    portable=True,
    category=_("Emails the person sent"),
    find=_emails_of,
    export=("sender", "recipients", "subject", "sent_at", "body"),
    erasure=Delete(),
    retention=Retention(_("As long as the person's own data.")),
)

declare(
    EmailAttachment,
    category=_("Attachments of emails"),
    find=_attachments_of,
    export=("filename", "content_type", "size", "file"),
    erasure=Delete(),
    retention=Retention(_("As long as the email they came with.")),
    notes="Deleting the row does not remove the file; the privacy app's erasure removes files too.",
)

declare(
    StaffNote,
    category=_("Staff notes"),
    find=related_to("client"),
    export=("created_at", "text", "restricted"),
    erasure=Delete(),
    retention=Retention(_("As long as the person's own data.")),
)

declare(
    CollectedData,
    portable=True,
    category=_("Other data collected with permission"),
    find=related_to("client"),
    export=("label", "value", "purpose_code", "is_health", "recorded_at"),
    erasure=Delete(),
    retention=Retention(_("Until the consent is withdrawn, and at most as long as the person's own data.")),
)

# The field history of what staff change (django-simple-history): personal data of the same people.
declare_history(Client, category=_("Earlier values of the personal and contact details"))
declare_history(Guardian, category=_("Earlier values of the guardians' details"))
declare_history(StaffNote, category=_("Earlier versions of staff notes"))
declare_history(CollectedData, category=_("Earlier values of other data collected with permission"))

"""Personal data held by the privacy app: the data requests people made, their handling, and the access log."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from privacy.access_log import retention_days
from privacy.models import AccessLogEntry, AccessPackage, DataRequest, PackageDownload, RequestEvent
from register.declarations import Anonymise, Keep, Retention, about_people, declare


@about_people
def _requests_of(model, subject):
    query = Q(people__in=subject.people_of(Client))
    for email in subject.emails:
        query |= Q(email__iexact=email)
    return model._default_manager.filter(query).distinct()


@about_people
def _request_events_of(model, subject):
    return model._default_manager.filter(request__in=_requests_of(DataRequest, subject))


PROOF = _(
    "GDPR article 5(2): the controller shows that it answered each request; the request and its handling "
    "are kept three years after it was closed."
)

declare(
    DataRequest,
    category=_("Your data requests"),
    find=_requests_of,
    export=("kind", "status", "channel", "name", "email", "phone", "details", "created_at", "received_on", "due_on"),
    erasure=Keep(reason=PROOF),
    retention=Retention(
        _("Three years after the request was closed."),
        expired=lambda rows, day: rows.filter(
            status__in=["completed", "refused", "expired", "withdrawn"],
            created_at__date__lt=day - timedelta(days=3 * 365 + 1),
        ),
    ),
)
declare(
    RequestEvent,
    category=_("Handling of your data requests"),
    find=_request_events_of,
    export=("status", "at", "note"),
    erasure=Keep(reason=PROOF),
    retention=Retention(_("As long as the request.")),
)


@about_people
def _packages_of(model, subject):
    return model._default_manager.filter(request__in=_requests_of(DataRequest, subject))


@about_people
def _downloads_of(model, subject):
    return model._default_manager.filter(package__request__in=_requests_of(DataRequest, subject))


declare(
    AccessPackage,
    category=_("Copies of your data we sent you"),
    find=_packages_of,
    export=("created_at", "expires_at", "revoked_at", "size"),
    # The file goes; the record of what was sent and downloaded stays as proof of the answer.
    erasure=Keep(reason=PROOF, meanwhile=Anonymise(fields={"file": "", "revoked_at": lambda row: timezone.now()})),
    retention=Retention(_("The file is removed when the link expires; the record as long as the request.")),
)
declare(
    PackageDownload,
    category=_("Downloads of those copies"),
    find=_downloads_of,
    export=("at",),
    erasure=Keep(reason=PROOF),
    retention=Retention(_("As long as the request.")),
)


@about_people
def _access_entries_of(model, subject):
    """Find the entries about the subject's person page, or naming one of their other rows (a guardian's)."""
    query = Q(person__in=subject.people_of(Client))
    for person in subject.people:
        if not isinstance(person, Client):
            query |= Q(object_model=person._meta.label_lower, object_pk=str(person.pk))
    return model._default_manager.filter(query)


def _access_log_retention() -> str:
    return gettext("%(days)s days from the access; then deleted.") % {"days": retention_days()}


def _access_entries_expired(rows, day):
    start_of_day = timezone.make_aware(datetime.combine(day - timedelta(days=retention_days()), time.min))
    return rows.filter(at__lt=start_of_day)


declare(
    AccessLogEntry,
    category=_("Who in our staff handled your data, and when"),
    find=_access_entries_of,
    # The staff member's role, not their name: the person learns what kind of access there was.
    export=("at", "roles", "action", "object_label"),
    # Erasure keeps the entries, unlinked from the person and without the record's name, for their own
    # retention: they are the controller's proof of who handled the data and how (GDPR article 5(2)),
    # which a complaint or a breach investigation may need after the person is gone. What stays names
    # the record only by its key, the same pseudonym the kept invoices use.
    erasure=Keep(
        reason=_(
            "GDPR article 5(2): the controller shows who handled personal data; the access log is kept for "
            "its own retention without the person's name."
        ),
        until=lambda row: timezone.localtime(row.at).date() + timedelta(days=retention_days()),
        meanwhile=Anonymise(fields={"person": None, "object_label": ""}),
    ),
    retention=Retention(lazy(_access_log_retention, str)(), expired=_access_entries_expired),
)

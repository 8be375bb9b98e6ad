"""Personal data held by the privacy app: the data requests people made and their handling."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from privacy.models import AccessPackage, DataRequest, PackageDownload, RequestEvent
from register.declarations import Anonymise, Keep, Retention, declare


def _requests_of(model, subject):
    query = Q(people__in=subject.people_of(Client))
    for email in subject.emails:
        query |= Q(email__iexact=email)
    return model._default_manager.filter(query).distinct()


def _request_events_of(model, subject):
    return model._default_manager.filter(request__in=_requests_of(DataRequest, subject))


_requests_of.about_people = _request_events_of.about_people = True

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


def _packages_of(model, subject):
    return model._default_manager.filter(request__in=_requests_of(DataRequest, subject))


def _downloads_of(model, subject):
    return model._default_manager.filter(package__request__in=_requests_of(DataRequest, subject))


_packages_of.about_people = _downloads_of.about_people = True

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

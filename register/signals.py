"""Signals every app may send: the base app defines them, the apps above it listen.

``personal_data_accessed`` tells the personal-data access log (kept by the privacy app, which sits on
top of every other app) that a staff member saw, exported, downloaded or changed someone's data. A
lower app cannot import the privacy app, so it announces the access here instead; the privacy app
connects its receiver at start-up.
"""

from collections.abc import Iterable

from django.db.models import Model
from django.dispatch import Signal

# Sent with ``request``, ``action`` (one of the names below), ``objects`` (the rows whose data was
# handled: people, or rows about people) and ``label`` (what was handled when the rows alone do not
# say it, such as "people list (CSV)"). The sender is the model of the rows.
personal_data_accessed = Signal()

# Sent with ``user`` when every session of a staff account is ended (log out everywhere, a reset of
# two-step login): apps that give the user another way in (a coach's calendar feed) close it too.
staff_access_revoked = Signal()

# The kinds of access, stored in the log. The privacy app gives each its readable name.
VIEWED = "viewed"
VIEWED_HISTORY = "viewed_history"
EXPORTED = "exported"
DOWNLOADED_ATTACHMENT = "downloaded_attachment"
DOWNLOADED_INVOICE = "downloaded_invoice"
MADE_ACCESS_PACKAGE = "made_access_package"
DOWNLOADED_ACCESS_PACKAGE = "downloaded_access_package"
ADDED = "added"
CHANGED = "changed"
DELETED = "deleted"
ERASED = "erased"
EXPORTED_ACCESS_LOG = "exported_access_log"


def data_accessed(request, action: str, objects: Iterable[Model] = (), *, sender=None, label: str = "") -> None:
    """Announce that the user of ``request`` handled the personal data in ``objects``.

    ``objects`` may be a queryset: the receiver reads only what it needs from it (the keys of a
    thousand exported people, not the people).
    """
    if sender is None:
        sender = getattr(objects, "model", None)
    personal_data_accessed.send(sender=sender, request=request, action=action, objects=objects, label=label)

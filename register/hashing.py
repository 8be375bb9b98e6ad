"""Keyed hashes under the register's own key: comparable, not reversible.

The suppression list keeps addresses only as such hashes, and every person's address is kept hashed the
same way beside it (``clients.Client.email_hmac``), so the database can tell who is on the list.
"""

import hashlib
import hmac

from django.conf import settings


def keyed_hash(value: str) -> str:
    """Return an HMAC-SHA256 of ``value`` under the register's own key."""
    return hmac.new(settings.SUPPRESSION_HMAC_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def address_hmac(email: str) -> str:
    """Return the keyed hash of an email address, whatever its case and surrounding spaces."""
    return keyed_hash(email.strip().lower())

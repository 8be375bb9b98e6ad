"""Staff of each role, signed in as after both login steps, for the access-log tests."""

from django.contrib.auth.models import Group

from tests.auth import sign_in
from tests.factories import UserFactory

OWNER = "Omistaja (owner)"
COACH = "Valmentaja (coach)"
BOOKKEEPER = "Kirjanpitäjä (bookkeeper)"
PRIVACY_HANDLER = "Tietosuojavastaava (privacy handler)"

ADDRESS = "203.0.113.5"


def staff_in(role: str, **fields):
    """Return a staff member whose only group is ``role``."""
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


def signed_in(client, role: str, **fields):
    """Return a staff member of ``role`` signed in on ``client``."""
    user = staff_in(role, **fields)
    sign_in(client, user)
    return user

"""Staff roles are groups with exact permissions: each role reaches its own pages and no one else's."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "people": "admin:clients_client_changelist",
    "calendar": "admin:bookings_appointment_calendar",
    "invoices": "admin:billing_invoice_changelist",
    "data requests": "admin:privacy_datarequest_changelist",
    "consent events": "admin:consents_consentevent_changelist",
    "organisation": "admin:register_organisation_change",
}
EXPECTED = {
    "Valmentaja (coach)": {"people", "calendar", "consent events"},
    "Kirjanpitäjä (bookkeeper)": {"people", "invoices", "calendar"},  # visits are what is invoiced
    "Tietosuojavastaava (privacy handler)": {"people", "data requests", "consent events"},
    "Omistaja (owner)": set(PAGES),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_reaches_exactly_its_pages(client, organisation, role):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    sign_in(client, user)
    reached = set()
    for page, name in PAGES.items():
        url = reverse(name, args=[1]) if name.endswith("_change") else reverse(name)
        status = client.get(url).status_code
        assert status in (200, 403), (page, status)
        if status == 200:
            reached.add(page)
    assert reached == EXPECTED[role]


def test_restricted_notes_and_health_information_are_in_no_role_but_the_owners():
    for role in EXPECTED:
        codenames = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        has_special = {"view_restricted_note", "view_health_data"} <= codenames
        assert has_special == (role == "Omistaja (owner)")

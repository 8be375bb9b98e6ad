"""The access log in the back office: the owner reads and exports it; nobody adds, changes or deletes an entry."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from privacy.models import AccessLogEntry
from tests.accesslog.helpers import BOOKKEEPER, COACH, OWNER, PRIVACY_HANDLER, signed_in
from tests.auth import sign_in
from tests.factories import AccessLogEntryFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:privacy_accesslogentry_changelist")
EXPORT_URL = reverse("admin:privacy_accesslogentry_export")


def sign_in_as(client, visitor):
    if visitor == "superuser":
        sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    elif visitor != "anonymous":
        signed_in(client, visitor)


@pytest.mark.parametrize(
    ("visitor", "status"),
    [("anonymous", 302), (COACH, 403), (BOOKKEEPER, 403), (PRIVACY_HANDLER, 403), (OWNER, 200), ("superuser", 200)],
)
def test_the_log_is_shown_to_the_owner_only(client, organisation, visitor, status):
    AccessLogEntryFactory(person=ClientFactory(last_name="Katsottu"))
    sign_in_as(client, visitor)
    response = client.get(LIST_URL)
    assert response.status_code == status
    assert (b"Katsottu" in response.content) == (status == 200)
    assert client.get(EXPORT_URL).status_code == status


def test_the_list_filters_by_action_role_and_user(client, organisation):
    signed_in(client, OWNER)
    viewer = AccessLogEntryFactory(person=ClientFactory(last_name="Katsottu"))
    AccessLogEntryFactory(
        person=ClientFactory(last_name="Muutettu"), action=AccessLogEntry.Action.CHANGED, roles=BOOKKEEPER
    )
    by_action = client.get(LIST_URL, {"action__exact": "changed"}).content
    assert b"Muutettu" in by_action and b"Katsottu" not in by_action
    by_role = client.get(LIST_URL, {"role": COACH}).content
    assert b"Katsottu" in by_role and b"Muutettu" not in by_role
    by_user = client.get(LIST_URL, {"user__id__exact": viewer.user_id}).content
    assert b"Katsottu" in by_user and b"Muutettu" not in by_user


@pytest.mark.parametrize("visitor", [OWNER, "superuser"])
def test_no_one_adds_changes_or_deletes_an_entry_in_the_back_office(client, organisation, visitor):
    entry = AccessLogEntryFactory()
    sign_in_as(client, visitor)
    assert client.get(reverse("admin:privacy_accesslogentry_add")).status_code == 403
    change_url = reverse("admin:privacy_accesslogentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200  # read-only
    assert b'name="_save"' not in page.content
    assert client.post(change_url, {"roles": "Omistaja (owner)"}).status_code == 403
    delete_url = reverse("admin:privacy_accesslogentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    response = client.post(LIST_URL, {"action": "delete_selected", "post": "yes", ACTION_CHECKBOX_NAME: [entry.pk]})
    assert response.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.roles == "Valmentaja (coach)"


def test_the_model_refuses_to_change_or_delete_an_entry():
    entry = AccessLogEntryFactory()
    entry.roles = "Omistaja (owner)"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).roles == "Valmentaja (coach)"


def test_the_csv_export_holds_the_filtered_rows_and_is_logged_itself(client, organisation):
    owner = signed_in(client, OWNER)
    AccessLogEntryFactory(person=ClientFactory(last_name="Katsottu"), ip_address="203.0.113.5")
    AccessLogEntryFactory(person=ClientFactory(last_name="Muutettu"), action=AccessLogEntry.Action.CHANGED)
    response = client.get(EXPORT_URL, {"action__exact": "viewed"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    assert "Katsottu" in rows[1][4] and "203.0.113.5" in rows[1] and "Valmentaja (coach)" in rows[1]
    exported = AccessLogEntry.objects.get(action=AccessLogEntry.Action.EXPORTED_ACCESS_LOG)
    assert (exported.user, exported.person) == (owner, None)
    assert "action__exact=viewed" in exported.object_label


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, organisation):
    signed_in(client, OWNER)
    AccessLogEntryFactory(object_label="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(b"".join(client.get(EXPORT_URL).streaming_content).decode())))
    assert "'=HYPERLINK(1)" in [row[8] for row in rows]


def test_the_list_makes_the_same_number_of_queries_for_5_and_50_entries(
    client, organisation, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, OWNER)
    AccessLogEntryFactory.create_batch(5)
    client.get(LIST_URL)  # the first load caches the organisation and content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST_URL).status_code == 200
    for _index in range(45):
        AccessLogEntryFactory(person=ClientFactory(restricted_at="2026-11-01T10:00:00Z", restriction_reason="Syy"))
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST_URL)
    assert response.content.count(b'class="action-select"') == 0  # no actions: nothing to do to entries
    assert response.content.count(b"field-username") == 50


def _filter_choices(client, parameter):
    response = client.get(LIST_URL)
    assert response.status_code == 200
    spec = next(
        spec
        for spec in response.context["cl"].filter_specs
        if parameter in (getattr(spec, "parameter_name", None), getattr(spec, "field_path", None))
    )
    return [str(label) for _value, label in spec.lookup_choices]


def test_the_role_filter_offers_a_group_added_or_renamed_at_once(client, organisation):
    from django.contrib.auth.models import Group

    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    group = Group.objects.create(name="Kirjanpitäjät")
    assert "Kirjanpitäjät" in _filter_choices(client, "role")
    group.name = "Tilitoimisto"
    group.save()
    roles = _filter_choices(client, "role")
    assert "Tilitoimisto" in roles and "Kirjanpitäjät" not in roles


def test_the_user_filter_offers_staff_accounts_only_renamed_at_once(client, organisation):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True, username="omistaja"))
    member = UserFactory(is_staff=True, username="valmentaja")
    UserFactory(is_staff=False, username="asiakastili")
    offered = _filter_choices(client, "user")
    assert "valmentaja" in offered and "omistaja" in offered and "asiakastili" not in offered
    member.username = "nimetty.uudelleen"
    member.save()
    offered = _filter_choices(client, "user")
    assert "nimetty.uudelleen" in offered and "valmentaja" not in offered

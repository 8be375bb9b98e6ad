"""The person page's selects of staff accounts (coach, informed by) are written from the cache, and offer
an account added, renamed or removed at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from tests.auth import sign_in
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))


def _load(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    staff_reads = [query["sql"] for query in captured if 'BY "auth_user"."username"' in query["sql"]]
    return _options(html, "coach"), _options(html, "informed_by"), len(staff_reads)


def test_staff_selects_are_read_once_and_offer_a_changed_account_at_once(client, organisation):
    owner = UserFactory(is_staff=True, is_superuser=True, username="omistaja")
    sign_in(client, owner)
    coach = UserFactory(is_staff=True, username="valmentaja")
    person = ClientFactory(coach=coach)
    url = reverse("admin:clients_client_change", args=[person.pk])

    coaches, informers, reads = _load(client, url)
    assert reads == 2 and "valmentaja" in coaches and "omistaja" in informers
    coaches_again, informers_again, reads = _load(client, url)
    assert reads == 0 and (coaches_again, informers_again) == (coaches, informers)

    newcomer = UserFactory(is_staff=True, username="uusi.valmentaja")
    coaches, informers, reads = _load(client, url)
    assert reads == 2 and "uusi.valmentaja" in coaches and "uusi.valmentaja" in informers
    newcomer.username = "nimetty.uudelleen"
    newcomer.save()
    coaches, _informers, _reads = _load(client, url)
    assert "nimetty.uudelleen" in coaches and "uusi.valmentaja" not in coaches
    newcomer.is_active = False  # the coach field offers active staff only
    newcomer.save()
    coaches, informers, _reads = _load(client, url)
    assert "nimetty.uudelleen" not in coaches and "nimetty.uudelleen" in informers
    newcomer.delete()
    assert "nimetty.uudelleen" not in _load(client, url)[1]


def test_the_chosen_coach_is_selected_and_a_posted_account_is_still_checked(client, organisation):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    coach = UserFactory(is_staff=True, username="valmentaja")
    outsider = UserFactory(is_staff=False, username="asiakastili")
    person = ClientFactory(coach=coach)
    url = reverse("admin:clients_client_change", args=[person.pk])
    client.get(url)
    html = client.get(url).content.decode()
    assert re.search(rf'<option value="{coach.pk}" selected>valmentaja</option>', html)
    assert "asiakastili" not in _options(html, "coach")

    # A forged post naming an account the select does not offer is refused by the field's own check.
    response = client.get(url)
    form = response.context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update({"coach": outsider.pk, "_save": "Save"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "coach" in response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.coach_id == coach.pk
    assert Client.objects.filter(coach=outsider).count() == 0


def _filter_choices(client, url, parameter):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    spec = next(
        spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", "") == parameter
    )
    return [label for _value, label in spec.lookup_choices], [query["sql"] for query in captured]


def test_the_invoice_years_are_read_once_and_a_new_years_sequence_is_offered_at_once(client, organisation):
    from billing.models import InvoiceSequence

    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    InvoiceSequence.objects.create(year=2025)
    url = reverse("admin:billing_invoice_changelist")
    years, queries = _filter_choices(client, url, "year")
    assert years == ["2025"] and any("billing_invoicesequence" in sql for sql in queries)
    years, queries = _filter_choices(client, url, "year")
    assert years == ["2025"] and not any("billing_invoicesequence" in sql for sql in queries)
    InvoiceSequence.objects.create(year=2026)
    assert _filter_choices(client, url, "year")[0] == ["2026", "2025"]


def test_the_roles_of_the_access_log_are_read_once_and_a_new_group_is_offered_at_once(client, organisation):
    from django.contrib.auth.models import Group

    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:privacy_accesslogentry_changelist")
    roles, _queries = _filter_choices(client, url, "role")
    again, queries = _filter_choices(client, url, "role")
    assert again == roles and not any('FROM "auth_group"' in sql for sql in queries)
    group = Group.objects.create(name="Kirjanpitäjät")
    assert "Kirjanpitäjät" in _filter_choices(client, url, "role")[0]
    group.name = "Tilitoimisto"
    group.save()
    roles = _filter_choices(client, url, "role")[0]
    assert "Tilitoimisto" in roles and "Kirjanpitäjät" not in roles

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

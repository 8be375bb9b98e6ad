"""The staff accounts offered on the person page (coach, informed by) and in the people list's coach
filter are always the current ones: an account added, renamed, deactivated or deleted shows at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from tests.auth import sign_in
from tests.factories import ClientFactory, CoachFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("admin:clients_client_changelist")


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))


def _person_page(client, person) -> tuple[list[str], list[str]]:
    response = client.get(reverse("admin:clients_client_change", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    return _options(html, "coach"), _options(html, "informed_by")


def _coach_filter(client) -> list[str]:
    response = client.get(LIST_URL)
    assert response.status_code == 200
    spec = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "coach")
    return [str(label) for _pk, label in spec.lookup_choices]


def test_a_staff_member_added_renamed_or_removed_shows_at_once_in_the_coach_select_and_filter(client, organisation):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True, username="omistaja"))
    person = ClientFactory(coach=CoachFactory(user__username="valmentaja").user)
    coaches, informers = _person_page(client, person)
    assert "valmentaja" in coaches and "omistaja" in informers
    assert "valmentaja" in _coach_filter(client)

    newcomer = UserFactory(is_staff=True, username="uusi.valmentaja")
    coaches, informers = _person_page(client, person)
    assert "uusi.valmentaja" in coaches and "uusi.valmentaja" in informers
    assert "uusi.valmentaja" in _coach_filter(client)

    newcomer.username = "nimetty.uudelleen"
    newcomer.save()
    coaches, informers = _person_page(client, person)
    assert "nimetty.uudelleen" in coaches and "uusi.valmentaja" not in coaches
    assert "nimetty.uudelleen" in informers and "uusi.valmentaja" not in informers
    offered = _coach_filter(client)
    assert "nimetty.uudelleen" in offered and "uusi.valmentaja" not in offered

    newcomer.is_active = False  # the coach field offers active staff only
    newcomer.save()
    coaches, informers = _person_page(client, person)
    assert "nimetty.uudelleen" not in coaches and "nimetty.uudelleen" in informers

    newcomer.delete()
    assert "nimetty.uudelleen" not in _person_page(client, person)[1]
    assert "nimetty.uudelleen" not in _coach_filter(client)


def test_the_chosen_coach_is_selected_and_a_posted_account_is_still_checked(client, organisation):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    coach = UserFactory(is_staff=True, username="valmentaja")
    outsider = UserFactory(is_staff=False, username="asiakastili")
    person = ClientFactory(coach=coach)
    url = reverse("admin:clients_client_change", args=[person.pk])
    response = client.get(url)
    html = response.content.decode()
    assert re.search(rf'<option value="{coach.pk}" selected>valmentaja</option>', html)
    assert "asiakastili" not in _options(html, "coach")

    # A forged post naming an account the select does not offer is refused by the field's own check.
    form = response.context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update({"coach": outsider.pk, "_save": "Save"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "coach" in response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.coach_id == coach.pk
    assert not Client.objects.filter(coach=outsider).exists()


def test_the_person_page_reads_the_staff_once_per_select_however_many_there_are(
    client, organisation, django_assert_max_num_queries
):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    person = ClientFactory(coach=UserFactory(is_staff=True))
    url = reverse("admin:clients_client_change", args=[person.pk])
    client.get(url)  # the first request of a session makes its own one-off queries
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    UserFactory.create_batch(30, is_staff=True)
    with django_assert_max_num_queries(len(few)):
        coaches, informers = _person_page(client, person)
    assert len(coaches) > 30 and len(informers) > 30

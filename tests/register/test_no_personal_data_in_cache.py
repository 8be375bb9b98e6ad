"""Nothing that names or identifies a person is kept in the cache, whatever page staff open.

The cache is shared by every process and kept outside the declared tables, so the personal-data
declarations (export, erasure, retention) cannot reach what lies there. The test gives a client and a
coach names nobody else has, opens the dashboard, the reports, every list of the back office and the
person's own page, and then reads every key and value written to the cache on the way.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from tests.auth import sign_in
from tests.factories import AppointmentFactory, ClientFactory, CoachFactory, InvoiceFactory, UserFactory
from tests.recording_cache import RECORDING, WRITES, start_recording
from tests.reports.conftest import role_group


def back_office_pages(person) -> list[str]:
    """Return the dashboard, the reports, every list of the back office and the person's page."""
    pages = [reverse("admin:index"), reverse("admin:reports_index")]
    for model in apps.get_models():
        if admin.site.is_registered(model):
            try:
                pages.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
            except NoReverseMatch:
                continue
    pages.append(reverse("admin:clients_client_change", args=[person.pk]))
    pages.append(reverse("admin:bookings_appointment_calendar"))
    return pages


@pytest.mark.django_db
@override_settings(CACHES=RECORDING)
def test_no_page_of_the_back_office_leaves_a_persons_name_email_or_phone_in_the_cache(client, organisation):
    start_recording()
    person = ClientFactory(
        first_name="Zyxwvonen", last_name="Qwertilä", email="zyxw.qwer@example.invalid", phone="+358401239876"
    )
    coach = CoachFactory(user__first_name="Ukkovaaja", user__last_name="Pölkkyranta")
    coach.user.groups.add(role_group("coach"))
    person.coach = coach.user
    person.save()
    AppointmentFactory(client=person, coach=coach.user)
    InvoiceFactory(client=person)
    # Fifty people sort before the person, who then begins the second page of the people list.
    ClientFactory.create_batch(50, last_name="Aaltonen")
    sign_in(client, UserFactory(username="owner", is_staff=True, is_superuser=True))

    for page in back_office_pages(person):
        assert client.get(page, follow=True).status_code == 200, page
        # The person's own page of the list, and a search for them: what either reads is not kept either.
        if page.endswith("/clients/client/"):
            assert "Zyxwvonen" in client.get(page, {"p": "2"}).content.decode()
            assert client.get(page, {"q": "Zyxwvonen"}).status_code == 200

    # A coach's own view of the dashboard and the calendar, too.
    sign_in(client, coach.user)
    for page in (reverse("admin:index"), reverse("admin:bookings_appointment_calendar")):
        assert client.get(page).status_code == 200

    assert WRITES, "the test meant to read what the pages cached, but nothing was written"
    identifying = ["Zyxwvonen", "Qwertilä", "zyxw.qwer", "1239876", "Ukkovaaja", "Pölkkyranta"]
    for key, value in WRITES:
        for text in identifying:
            assert text not in key, f"{text} in the cache key {key}"
            assert text.encode() not in value, f"{text} in the value cached under {key}"

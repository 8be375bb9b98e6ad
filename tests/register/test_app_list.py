"""The side bar's list of apps and models shows each staff member what their role may use, in the page's language."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _give(user, *codenames):
    for codename in codenames:
        app_label, codename = codename.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def _sidebar(response) -> str:
    content = response.content.decode()
    return content[content.index('id="nav-sidebar"') : content.index("</nav>", content.index('id="nav-sidebar"'))]


def test_a_new_permission_shows_in_the_side_bar_on_the_next_page(client):
    member = UserFactory(is_staff=True)
    _give(member, "register.view_all_people", "register.view_person_details", "clients.view_client")
    sign_in(client, member)
    page = reverse("admin:clients_client_changelist")
    before = _sidebar(client.get(page))
    assert reverse("admin:clients_client_changelist") in before
    assert reverse("admin:billing_invoice_changelist") not in before
    _give(member, "billing.view_invoice")
    after = _sidebar(client.get(page))
    assert reverse("admin:billing_invoice_changelist") in after


def test_each_staff_member_gets_their_own_side_bar(client):
    reader = UserFactory(is_staff=True)
    _give(reader, "register.view_all_people", "register.view_person_details", "clients.view_client")
    owner = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, owner)
    assert reverse("admin:billing_invoice_changelist") in _sidebar(
        client.get(reverse("admin:clients_client_changelist"))
    )
    client.logout()
    sign_in(client, reader)
    sidebar = _sidebar(client.get(reverse("admin:clients_client_changelist")))
    assert reverse("admin:billing_invoice_changelist") not in sidebar
    # Without the add permission the reader gets no add link, though the owner's list had one.
    assert reverse("admin:clients_client_add") not in sidebar


def test_the_side_bar_speaks_the_pages_language_and_marks_the_current_list(client):
    owner = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, owner)
    # The back office is in both languages' URL trees: /admin/ in Finnish, /en/admin/ in English.
    finnish = _sidebar(client.get(reverse("admin:clients_client_changelist")))
    with translation.override("en"):
        english = _sidebar(client.get(reverse("admin:billing_invoice_changelist")))
    assert "Henkilöt" in finnish and "People" not in finnish
    assert "People" in english
    assert 'class="model-client current-model"' in finnish and 'class="model-invoice current-model"' in english

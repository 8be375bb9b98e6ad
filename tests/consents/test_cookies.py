"""Cookie consent: no tracker before a choice, refusing as easy as accepting, the choice changeable."""

import pytest

from consents.models import CookieChoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def trackers(settings, organisation):
    settings.GOOGLE_TAG_ID = "G-TEST123"
    settings.META_PIXEL_ID = "999888777"


def test_no_tracker_before_a_choice_and_the_banner_offers_both_answers_on_the_first_layer(client, trackers):
    html = client.get("/").content.decode()
    assert "trackers.js" not in html and "G-TEST123" not in html
    assert 'data-testid="cookie-banner"' in html
    assert 'value="necessary"' in html and 'value="all"' in html


def test_accepting_all_loads_both_trackers_and_refusing_loads_none(client, trackers):
    client.post("/evasteet/", {"choice": "all", "next": "/"})
    html = client.get("/").content.decode()
    assert 'data-google-tag="G-TEST123"' in html and 'data-meta-pixel="999888777"' in html
    assert 'data-testid="cookie-banner"' not in html
    client.post("/evasteet/", {"choice": "necessary", "next": "/"})
    assert "trackers.js" not in client.get("/").content.decode()


def test_a_category_choice_loads_only_that_category_and_stores_no_personal_data(client, trackers):
    client.post("/evasteet/", {"choice": "selected", "analytics": "1", "next": "/en/"})
    html = client.get("/en/").content.decode()
    assert 'data-google-tag="G-TEST123"' in html and 'data-meta-pixel=""' in html
    (choice,) = CookieChoice.objects.all()
    assert (choice.analytics, choice.marketing) == (True, False)
    assert {f.name for f in CookieChoice._meta.fields} == {"id", "analytics", "marketing", "chosen_at"}


def test_the_return_address_cannot_lead_off_the_site(client, trackers):
    response = client.post("/evasteet/", {"choice": "all", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_without_configured_ids_nothing_is_loaded_even_after_accepting(client, organisation):
    client.post("/evasteet/", {"choice": "all"})
    assert "trackers.js" not in client.get("/").content.decode()

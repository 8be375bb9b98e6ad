"""The privacy notice as data: published versions, the article 13 check, the public pages, the record."""

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from privacy.models import NoticeItem, NoticeVersion
from privacy.notices import missing_items, new_version, publish_notice

pytestmark = pytest.mark.django_db


def test_the_first_version_is_published_and_complete(organisation):
    notice = NoticeVersion.objects.current()
    assert (notice.number, notice.status) == (1, "published")
    assert missing_items(notice) == []


@pytest.mark.parametrize(
    ("path", "texts"),
    [
        (
            "/tietosuojaseloste/",
            [
                "Versio 1, julkaistu 25.11.2026",
                "Rekisterinpitäjä ja yhteyshenkilö",
                "Sami Muhonen",
                "Oikeusperuste: sopimus (tietosuoja-asetus 6(1)(b))",
                "EU–US Data Privacy Framework",
                "tietosuojavaltuutetun",
                "Emme tee henkilötiedoillasi automaattisia päätöksiä",
            ],
        ),
        (
            "/en/privacy-notice/",
            [
                "Version 1, published 25.11.2026",
                "Controller and contact person",
                "Legal basis: legitimate interests (GDPR 6(1)(f))",
                "The legitimate interest",
                "Data Protection Ombudsman",
                "We make no automated decisions",
            ],
        ),
    ],
)
def test_the_public_notice_shows_every_article_13_item_in_its_language(client, organisation, path, texts):
    html = client.get(path).content.decode()
    for text in texts:
        assert text in html, text
    assert 'href="#retention"' in html


def test_retention_periods_come_from_the_apps_declarations(client, organisation):
    from register.declarations import declarations

    html = client.get("/en/privacy-notice/").content.decode()
    for declaration in declarations():
        assert str(declaration.retention.description).replace("'", "&#x27;") in html


def test_a_published_version_never_changes_and_a_change_is_a_new_version(organisation):
    first = NoticeVersion.objects.current()
    first.security_fi = "Muutettu"
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):
        NoticeItem(notice=first, kind="source", title_fi="x", title_en="x").save()
    draft = new_version(source=NoticeVersion.objects.get(pk=first.pk))
    assert (draft.number, draft.status, draft.items.count()) == (2, "draft", first.items.count())
    draft.security_en = "Changed wording."
    draft.save()
    publish_notice(notice=draft, on=date(2026, 12, 1))
    assert NoticeVersion.objects.current().number == 2


def test_an_incomplete_draft_lists_what_is_missing_and_publishes_only_when_confirmed(organisation):
    draft = new_version(source=NoticeVersion.objects.current())
    draft.automated_decisions_en = ""
    draft.save()
    draft.items.filter(kind="purpose").update(legal_basis="")
    missing = missing_items(draft)
    assert any("automaattinen päätöksenteko" in m or "automated decision" in m for m in missing)
    assert any("oikeusperuste" in m or "legal basis" in m for m in missing)
    with pytest.raises(ValidationError):
        publish_notice(notice=draft)
    assert publish_notice(notice=draft, confirm_incomplete=True).is_published


def test_earlier_versions_stay_at_their_address_and_drafts_are_not_public(client, organisation):
    draft = new_version(source=NoticeVersion.objects.current())
    assert client.get(f"/tietosuojaseloste/{draft.number}/").status_code == 404
    publish_notice(notice=draft)
    old = client.get("/tietosuojaseloste/1/").content.decode()
    assert "Tämä on aiempi versio." in old
    assert client.get("/en/privacy-notice/2/").status_code == 200


def test_the_record_of_processing_activities_has_a_row_per_purpose(client, visitors, organisation):
    visitors().log_in(client, "superuser")
    notice = NoticeVersion.objects.current()
    response = client.get(reverse("admin:privacy_processing_record", args=[notice.pk]), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == notice.items.filter(kind="purpose").count()
    assert rows[0]["controller"] == "Liikkuvat Puntit"
    assert "Mailchimp" in rows[0]["transfers"]
    assert client.get(reverse("admin:privacy_processing_record", args=[notice.pk])).status_code == 200


@pytest.mark.parametrize(
    ("visitor", "status"), [("anonymous", 302), ("staff", 403), ("permitted", 200), ("superuser", 200)]
)
def test_the_record_is_for_staff_who_may_see_the_notice(client, visitors, organisation, visitor, status):
    visitors(permissions=["privacy.view_noticeversion"]).log_in(client, visitor)
    notice = NoticeVersion.objects.current()
    assert client.get(reverse("admin:privacy_processing_record", args=[notice.pk])).status_code == status


def test_informing_a_person_records_the_notice_version_in_force(client, visitors, organisation):
    from clients.models import Client

    visitors().log_in(client, "superuser")
    data = {
        "first_name": "Uusi",
        "last_name": "Asiakas",
        "email": "uusi@example.fi",
        "country": "FI",
        "preferred_language": "fi",
        "role": "client",
        "role_since": "25.11.2026",
        "source": "self",
        "entered_at_0": "25.11.2026",
        "entered_at_1": "10:00",
        "informed_at_0": "25.11.2026",
        "informed_at_1": "10:05",
        "guardians-TOTAL_FORMS": 0,
        "guardians-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
        "collected_data-TOTAL_FORMS": 0,
        "collected_data-INITIAL_FORMS": 0,
    }
    with translation.override("fi"):
        assert client.post(reverse("admin:clients_client_add"), data).status_code == 302
    assert Client.objects.get(email="uusi@example.fi").informed_notice_version == 1

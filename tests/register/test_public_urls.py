"""The public URL contract of DESIGN.md: Finnish unprefixed, English under /en/, old links redirect."""

import pytest


@pytest.mark.parametrize(
    ("old", "new"),
    [("/rekisteriseloste/", "/tietosuojaseloste/"), ("/en/rekisteriseloste/", "/en/privacy-notice/")],
)
def test_the_old_notice_address_redirects_permanently_to_the_notice(client, organisation, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


@pytest.mark.parametrize(
    ("path", "heading", "lang"),
    [
        ("/", "Rekisterimme ja sinun tietosi", "fi"),
        ("/en/", "Our register and your data", "en"),
        ("/tietosuojaseloste/", "Tietosuojaseloste", "fi"),
        ("/en/privacy-notice/", "Privacy notice", "en"),
        ("/tietopyynto/", "Tietopyyntö", "fi"),
        ("/en/data-request/", "Data request", "en"),
    ],
)
def test_each_public_page_answers_in_its_language(client, organisation, path, heading, lang):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert f">{heading}</h1>" in html


def test_the_request_page_offers_every_kind_of_request_beside_a_short_summary_of_the_notice(client, organisation):
    html = client.get("/tietopyynto/").content.decode()
    for kind in ("access", "rectification", "erasure", "restriction", "portability", "objection", "withdraw_consent"):
        assert f'value="{kind}"' in html
    assert "Lyhyesti" in html
    assert 'href="/tietosuojaseloste/"' in html


def test_an_unprefixed_page_is_finnish_whatever_the_browser_prefers(client, organisation):
    response = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="fi">' in response.content.decode()


def test_an_unknown_page_is_404(client, organisation):
    assert client.get("/ei-ole/").status_code == 404


def test_the_redirect_keeps_the_query_string(client, organisation):
    response = client.get("/rekisteriseloste/?utm_source=lehti")
    assert response["Location"] == "/tietosuojaseloste/?utm_source=lehti"

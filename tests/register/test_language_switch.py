"""The fi/en switch in the header leads to the same page in the other language."""

import re

import pytest


def switch_links(html):
    return dict(re.findall(r'<a class="nav-link" href="([^"]+)" hreflang="(\w+)"', html))


@pytest.mark.parametrize(
    ("path", "other_language_path"),
    [
        ("/", "/en/"),
        ("/en/", "/"),
        ("/tietosuojaseloste/", "/en/privacy-notice/"),
        ("/en/privacy-notice/", "/tietosuojaseloste/"),
        ("/tietopyynto/", "/en/data-request/"),
        ("/en/data-request/", "/tietopyynto/"),
    ],
)
def test_the_switch_keeps_the_page(client, organisation, path, other_language_path):
    links = switch_links(client.get(path).content.decode())
    assert list(links) == [other_language_path]


def test_the_page_names_its_translations_for_search_engines(client, organisation):
    html = client.get("/tietosuojaseloste/").content.decode()
    assert '<link rel="alternate" hreflang="fi" href="/tietosuojaseloste/">' in html
    assert '<link rel="alternate" hreflang="en" href="/en/privacy-notice/">' in html


def test_the_footer_links_point_to_the_notice_and_the_form_in_the_current_language(client, organisation):
    english = client.get("/en/").content.decode()
    assert 'href="/en/privacy-notice/"' in english
    assert 'href="/en/data-request/"' in english
    finnish = client.get("/").content.decode()
    assert 'href="/tietosuojaseloste/"' in finnish
    assert 'href="/tietopyynto/"' in finnish

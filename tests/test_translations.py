"""The committed catalogues are complete and compiled, so no machine needs GNU gettext to show them."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def translations_of(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_every_finnish_string_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(LOCALE / "fi/LC_MESSAGES/django.po"))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_every_translation_keeps_the_placeholders_of_its_original():
    catalogue = polib.pofile(str(LOCALE / "fi/LC_MESSAGES/django.po"))
    mismatched = [
        e.msgid
        for e in catalogue
        for text in translations_of(e)
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert mismatched == []


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_compiled_catalogue_matches_its_source(language):
    source = polib.pofile(str(LOCALE / f"{language}/LC_MESSAGES/django.po"))
    compiled = polib.mofile(str(LOCALE / f"{language}/LC_MESSAGES/django.mo"))
    expected = {e.msgid: translations_of(e) for e in source.translated_entries()}
    actual = {e.msgid: translations_of(e) for e in compiled if e.msgid}
    assert actual == expected, "run `make messages`"


def test_django_uses_the_project_catalogue():
    with translation.override("fi"):
        assert translation.gettext("Our register and your data") == "Rekisterimme ja sinun tietosi"
    with translation.override("en"):
        assert translation.gettext("Our register and your data") == "Our register and your data"

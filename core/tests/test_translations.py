"""The catalogues: French complete and safe to format, Swahili present for translators.

A missing or broken French string shows English (or crashes a page) for the facilitators and
case managers who work in French, so the catalogue is checked like code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polib
import pytest

from core.i18n_build import LOCALE_DIR, build

FRENCH = LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po"
SWAHILI = LOCALE_DIR / "sw" / "LC_MESSAGES" / "django.po"

# %(name)s, %s / %d, and {{ var }} as a template would write it.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*[\w.]+\s*\}\}")


class _AnyValue(dict[str, Any]):
    """A mapping that answers every %(name)s, so formatting tests the string, not the data."""

    def __missing__(self, key: str) -> int:
        return 1


def _entries(path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs: French plural form 0 answers msgid, form 1 msgid_plural."""
    if entry.msgid_plural:
        return [
            (entry.msgid, entry.msgstr_plural.get(0, "")),
            (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
        ]
    return [(entry.msgid, entry.msgstr)]


def _placeholders(text: str) -> set[str]:
    return {re.sub(r"\s+", "", found) for found in PLACEHOLDER.findall(text)}


# (a) French is complete and every translation formats like its English source --------------


def test_french_catalogue_has_the_right_header():
    catalogue = polib.pofile(str(FRENCH))
    assert catalogue.metadata["Language"] == "fr"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]


def test_every_french_entry_is_translated_and_checked():
    entries = _entries(FRENCH)
    assert len(entries) > 1000
    untranslated = [e.msgid for e in entries if any(not t for _, t in _translations(e))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == [], "run `make messages` and translate these"
    assert fuzzy == [], "check these guesses by gettext, then remove the fuzzy flag"


def test_french_translations_keep_every_placeholder():
    mismatched = [
        (source, translation)
        for entry in _entries(FRENCH)
        for source, translation in _translations(entry)
        if _placeholders(source) != _placeholders(translation)
    ]
    assert mismatched == []


def test_french_translations_format_without_error():
    # A stray "%" (as in "50 %") or a misspelt %(name)s raises only when the page renders.
    broken = []
    for entry in _entries(FRENCH):
        if "python-format" not in entry.flags:
            continue
        for _, translation in _translations(entry):
            try:
                translation % _AnyValue()
            except (KeyError, ValueError, TypeError) as error:
                broken.append((translation, str(error)))
    assert broken == []


def test_the_placeholder_check_catches_a_lost_or_renamed_name():
    assert _placeholders("%(name)s saved.") != _placeholders("%(nom)s enregistré.")
    assert _placeholders("%(n)s sites") != _placeholders("sites")
    assert _placeholders("{{ n }} sites") == _placeholders("{{n}} sites")


# (b) Pages render in French --------------------------------------------------------------------


@pytest.fixture
def french(settings) -> None:
    """Compile the catalogues if a .po is newer than its .mo, and make Django reload them."""
    if build():
        # Re-setting LOCALE_PATHS fires setting_changed, which empties Django's catalogue cache.
        settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)


def _french_page(client, url: str) -> str:
    client.cookies["django_language"] = "fr"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_sign_in_page_is_in_french(french, client):
    page = _french_page(client, "/account/login/")
    assert '<html lang="fr">' in page
    assert "<h1>Se connecter</h1>" in page
    assert "Nom d\u2019utilisateur" in page  # with the typographic apostrophe
    assert "Mot de passe" in page
    assert "Username" not in page


def test_facilitator_home_is_in_french(french, world, client_for):
    page = _french_page(client_for(world.facilitator), "/")
    assert "Vos communautés" in page
    assert "Enregistrer une visite" in page
    assert "0 ménage dans vos communautés" in page  # French counts 0 in the singular
    assert "Your communities" not in page


def test_company_home_is_in_french(french, world, client_for):
    page = _french_page(client_for(world.company_member), "/")
    assert "Votre entreprise" in page
    assert "Your company" not in page


# (c) Swahili is ready for translators ----------------------------------------------------------


def test_swahili_catalogue_parses_and_lists_every_french_msgid():
    catalogue = polib.pofile(str(SWAHILI))
    assert catalogue.metadata["Language"] == "sw"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    swahili = {(e.msgid, e.msgid_plural) for e in catalogue if not e.obsolete}
    assert swahili == {(e.msgid, e.msgid_plural) for e in _entries(FRENCH)}

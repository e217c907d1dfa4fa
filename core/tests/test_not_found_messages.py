"""NotFound answers a whole translated sentence per kind of record."""

from __future__ import annotations

from django.utils import translation

from core.errors import NotFound


def test_not_found_is_translated_in_the_users_language():
    with translation.override("fr"):
        error = NotFound("household")
    # The French catalogue's sentence, typographic apostrophe included.
    assert error.message == "Ce ménage n\u2019existe pas."
    assert error.code == "not_found"
    with translation.override("en"):
        assert NotFound("household").message == "No such household."


def test_an_unlisted_kind_reads_as_a_record():
    with translation.override("en"):
        assert NotFound("gizmo").message == "No such record."
        assert NotFound().message == "No such record."

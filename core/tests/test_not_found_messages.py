"""NotFound answers a whole translated sentence per kind of record."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from core.errors import NotFound


@pytest.fixture
def french_household():
    catalog = trans_real.translation("fr")._catalog
    before = catalog.get("No such household.")
    catalog["No such household."] = "Ce ménage n’existe pas."
    yield
    catalog["No such household."] = before if before is not None else "No such household."


def test_not_found_is_translated_in_the_users_language(french_household):
    with translation.override("fr"):
        error = NotFound("household")
    assert error.message == "Ce ménage n’existe pas."
    assert error.code == "not_found"
    with translation.override("en"):
        assert NotFound("household").message == "No such household."


def test_an_unlisted_kind_reads_as_a_record():
    with translation.override("en"):
        assert NotFound("gizmo").message == "No such record."
        assert NotFound().message == "No such record."

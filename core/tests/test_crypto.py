from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from core import crypto


@pytest.fixture
def keys(settings):
    original = list(settings.ENCRYPTION_KEYS)
    yield settings
    settings.ENCRYPTION_KEYS = original
    crypto.reset_keys()


def test_round_trip_and_ciphertext_hides_the_name():
    token = crypto.encrypt("Mwamba Kapend")
    assert "Mwamba" not in token
    assert crypto.decrypt(token) == "Mwamba Kapend"


def test_old_key_still_reads_after_rotation_and_rotate_moves_to_new_key(keys):
    old_token = crypto.encrypt("Ilunga")
    new_key = Fernet.generate_key().decode()
    keys.ENCRYPTION_KEYS = [new_key, *keys.ENCRYPTION_KEYS]
    crypto.reset_keys()
    assert crypto.decrypt(old_token) == "Ilunga"
    rotated = crypto.rotate(old_token)
    keys.ENCRYPTION_KEYS = [new_key]
    crypto.reset_keys()
    assert crypto.decrypt(rotated) == "Ilunga"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old_token)


def test_names_are_normalised_before_hashing():
    assert crypto.normalise_name("  Mwámba   KAPEND-Ngoy ") == "mwamba kapend ngoy"
    assert crypto.keyed_hash("mwamba", "2012-01-01") == crypto.keyed_hash("mwamba", "2012-01-01")
    assert crypto.keyed_hash("mwamba", "2012-01-01") != crypto.keyed_hash("mwamba2012", "-01-01")


def test_keyed_hash_depends_on_the_key(settings):
    first = crypto.keyed_hash("kasongo")
    settings.HASH_KEY = "another-key"
    assert crypto.keyed_hash("kasongo") != first

"""PII encryption, key rotation and blind indexes."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from services.crypto import (
    PiiCipher,
    PiiDecryptionError,
    PiiKeyError,
    generate_key,
    normalize_phone_for_index,
    parse_keys,
)

PHONE = "+17855550100"


def test_round_trip() -> None:
    cipher = PiiCipher([generate_key()])
    token = cipher.encrypt("María José")
    assert isinstance(token, bytes)
    assert b"Mar" not in token
    assert cipher.decrypt(token) == "María José"


def test_each_encryption_differs() -> None:
    cipher = PiiCipher([generate_key()])
    assert cipher.encrypt(PHONE) != cipher.encrypt(PHONE)


def test_rotation_keeps_data_readable() -> None:
    old, new = generate_key(), generate_key()
    before = PiiCipher([old])
    token = before.encrypt(PHONE)
    stored_index = before.phone_index(PHONE)

    # A new key goes first; the old one stays until everything is re-encrypted.
    during = PiiCipher([new, old])
    assert during.decrypt(token) == PHONE
    assert stored_index in during.phone_indexes(PHONE)  # lookups still find old rows
    assert during.phone_index(PHONE) != stored_index  # new rows get the new index
    rotated = during.rotate(token)

    after = PiiCipher([new])
    assert after.decrypt(rotated) == PHONE
    with pytest.raises(PiiDecryptionError):
        after.decrypt(token)
    assert after.phone_index(PHONE) == during.phone_index(PHONE)


def test_blind_index_is_stable_and_keyed() -> None:
    key = generate_key()
    one, two = PiiCipher([key]), PiiCipher(key)
    assert one.blind_index(PHONE) == two.blind_index(PHONE)
    assert len(one.blind_index(PHONE)) == 64
    assert one.blind_index(PHONE) != one.blind_index("+17855550101")
    assert PiiCipher([generate_key()]).blind_index(PHONE) != one.blind_index(PHONE)
    assert one.blind_indexes(PHONE) == [one.blind_index(PHONE)]


def test_wrong_key_fails_loudly() -> None:
    token = PiiCipher([generate_key()]).encrypt(PHONE)
    with pytest.raises(PiiDecryptionError):
        PiiCipher([generate_key()]).decrypt(token)
    with pytest.raises(PiiDecryptionError):
        PiiCipher([generate_key()]).rotate(token)


def test_tampered_token_fails() -> None:
    cipher = PiiCipher([generate_key()])
    token = bytearray(cipher.encrypt(PHONE))
    token[-5] ^= 1
    with pytest.raises(PiiDecryptionError):
        cipher.decrypt(bytes(token))


@pytest.mark.parametrize("keys", [[], "", " , ", ["not-a-key"], "short"])
def test_bad_keys_are_refused(keys: object) -> None:
    with pytest.raises(PiiKeyError):
        PiiCipher(keys)  # type: ignore[arg-type]


def test_keys_from_a_comma_separated_string() -> None:
    a, b = generate_key(), generate_key()
    assert parse_keys(f" {a} ,{b},") == [a.encode(), b.encode()]
    assert PiiCipher(f"{a},{b}").key_count == 2
    Fernet(generate_key())  # a generated key is a valid Fernet key


@pytest.mark.parametrize("phone", ["7855550100", "(785) 555-0100", "+0123", "", "+1 785 555 0100"])
def test_phone_index_needs_e164(phone: str) -> None:
    with pytest.raises(ValueError, match=r"E\.164"):
        normalize_phone_for_index(phone)
    assert normalize_phone_for_index(f" {PHONE} ") == PHONE

"""Field encryption for personal data and keyed blind indexes for lookups.

Keys are Fernet keys, newest first. The newest encrypts; every key decrypts, so a new key can be
added in front before old data is re-encrypted (``flask pii reencrypt``) and the old key dropped.
This module knows nothing about Flask; ``services.pii`` builds the cipher from the app config.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

BLIND_INDEX_INFO = b"frontdoor blind index"

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class PiiKeyError(ValueError):
    """The configured keys are missing or malformed."""


class PiiDecryptionError(ValueError):
    """A value could not be decrypted with any configured key (wrong key or tampered data)."""


def generate_key() -> str:
    """Return a new random Fernet key as text."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(value: str | Iterable[str | bytes] | None) -> list[bytes]:
    """Turn a comma-separated string (``PII_KEYS``) or a list of keys into key bytes."""
    if value is None:
        return []
    items: Iterable[str | bytes] = value.split(",") if isinstance(value, str) else value
    keys: list[bytes] = []
    for item in items:
        key = item.strip()
        if key:
            keys.append(key.encode("ascii") if isinstance(key, str) else key)
    return keys


def _derive_index_key(fernet_key: bytes) -> bytes:
    raw = base64.urlsafe_b64decode(fernet_key)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=BLIND_INDEX_INFO)
    return hkdf.derive(raw)


def normalize_phone_for_index(phone: str) -> str:
    """Return ``phone`` ready for the blind index; it must already be E.164 (``+17855550100``)."""
    value = phone.strip()
    if not _E164.fullmatch(value):
        raise ValueError("phone number must be E.164, e.g. +17855550100")
    return value


class PiiCipher:
    """Encrypt, decrypt and rotate personal data; compute blind indexes."""

    def __init__(self, keys: str | Iterable[str | bytes]) -> None:
        key_bytes = parse_keys(keys)
        if not key_bytes:
            raise PiiKeyError("no PII keys configured (PII_KEYS)")
        try:
            fernets = [Fernet(key) for key in key_bytes]
        except ValueError as exc:  # wrong length or not url-safe base64
            raise PiiKeyError("a PII key is not a valid Fernet key") from exc
        self._multi = MultiFernet(fernets)
        self._index_keys = [_derive_index_key(key) for key in key_bytes]

    @property
    def key_count(self) -> int:
        """Return how many keys are configured."""
        return len(self._index_keys)

    def encrypt(self, value: str) -> bytes:
        """Encrypt ``value`` with the newest key."""
        return self._multi.encrypt(value.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """Decrypt ``token`` with whichever configured key made it; raise if none did."""
        try:
            return self._multi.decrypt(token).decode("utf-8")
        except InvalidToken as exc:
            raise PiiDecryptionError("cannot decrypt: no configured PII key matches") from exc

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt ``token`` with the newest key."""
        try:
            return self._multi.rotate(token)
        except InvalidToken as exc:
            raise PiiDecryptionError("cannot rotate: no configured PII key matches") from exc

    def blind_index(self, value: str) -> str:
        """Return the hex HMAC-SHA256 of ``value`` under the newest key (what to store)."""
        return self._hmac(self._index_keys[0], value)

    def blind_indexes(self, value: str) -> list[str]:
        """Return the index of ``value`` under every key, newest first (what to look up with IN)."""
        return [self._hmac(key, value) for key in self._index_keys]

    def phone_index(self, phone: str) -> str:
        """Return the blind index of an E.164 phone number."""
        return self.blind_index(normalize_phone_for_index(phone))

    def phone_indexes(self, phone: str) -> list[str]:
        """Return the blind indexes of an E.164 phone number under every key."""
        return self.blind_indexes(normalize_phone_for_index(phone))

    @staticmethod
    def _hmac(key: bytes, value: str) -> str:
        return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()

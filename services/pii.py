"""The application's PII cipher, built once per app from ``PII_KEYS``."""

from __future__ import annotations

from flask import current_app, request

from .crypto import PiiCipher

_EXTENSION_KEY = "frontdoor.pii_cipher"


def current_cipher() -> PiiCipher:
    """Return the cipher for ``current_app.config["PII_KEYS"]`` (rebuilt if the keys change)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    keys = app.config.get("PII_KEYS")
    cached = app.extensions.get(_EXTENSION_KEY)
    if cached is not None and cached[0] == keys:
        cipher: PiiCipher = cached[1]
        return cipher
    cipher = PiiCipher(keys if keys is not None else [])
    app.extensions[_EXTENSION_KEY] = (keys, cipher)
    return cipher


def address_key() -> str:
    """Rate-limit key of the client: a keyed hash of its address, so no store or log holds the address."""
    return current_cipher().blind_index(f"client:{request.remote_addr or ''}")

"""The SMS channel's name for the one GSM-7 and segment helper (``services.sms_text``)."""

from __future__ import annotations

from services.sms_text import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    MAX_CHARS,
    MAX_SEGMENTS,
    encoding,
    is_gsm7,
    plain,
    segments,
    units,
)

__all__ = ["GSM7_BASIC", "GSM7_EXTENSION", "MAX_CHARS", "MAX_SEGMENTS", "encoding", "is_gsm7", "plain",
           "segments", "units"]

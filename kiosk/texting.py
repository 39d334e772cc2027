"""Send the confirmation text ("Text me this") through the outbound SMS interface.

The SMS package owns outbound messages (``services.outbox``: queued, sent by ``flask outbox
work``, console backend in development). Until that module is present this falls back to the
console backend's behaviour: the message is written to the log with the number masked.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)


def mask(phone: str) -> str:
    """Show only the last two digits of a phone number (for logs)."""
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def _outbox() -> Any | None:
    if importlib.util.find_spec("services.outbox") is None:
        return None
    module = importlib.import_module("services.outbox")
    return module if callable(getattr(module, "enqueue", None)) else None


def send_text(session: Any, *, to: str, body: str, intake_id: int) -> str:
    """Queue (or, without an outbox, print) one text; return the backend that took it."""
    outbox = _outbox()
    if outbox is not None:
        outbox.enqueue(session, to=to, body=body, intake_id=intake_id, purpose="confirmation")
        return "outbox"
    backend = current_app.config.get("SMS_BACKEND", "console")
    log.warning("SMS (%s backend) to %s: %s", backend, mask(to), body)
    return "console"

"""Send one text message: Twilio in production, the console in development, memory in tests.

Everything that sends goes through ``services.outbox``; only ``deliver_pending`` calls a sender.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask
from twilio.base.exceptions import TwilioRestException  # type: ignore[import-untyped]
from twilio.http import HttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

#: Twilio's "the recipient has opted out" error (the number texted STOP).
OPTED_OUT_ERROR = "21610"

_EXTENSION_KEY = "frontdoor.sms_sender"


@dataclass(frozen=True)
class SendResult:
    """What the backend said: its message id, a status and, on failure, an error code."""

    sid: str | None
    status: str
    error_code: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether the backend accepted the message."""
        return self.error_code is None and self.status not in {"failed", "undelivered"}


class SmsSender(Protocol):
    """Anything that can send one text message."""

    def send(self, to: str, body: str, *, status_callback: str | None) -> SendResult:
        """Send ``body`` to the E.164 number ``to``."""
        ...


def redact_phone(phone: str) -> str:
    """Show only the last two digits of a phone number (for logs)."""
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


class TwilioSender:
    """Send through Twilio's REST API, from a number or a Messaging Service."""

    def __init__(self, account_sid: str, auth_token: str, *, from_number: str | None = None,
                 messaging_service_sid: str | None = None, http_client: HttpClient | None = None) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID to send texts")
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid

    def send(self, to: str, body: str, *, status_callback: str | None) -> SendResult:
        """Create the message at Twilio; a refusal comes back as an error code, not an exception."""
        kwargs: dict[str, Any] = {"to": to, "body": body}
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_number
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            code = str(exc.code) if exc.code is not None else str(exc.status)
            log.warning("Twilio refused a text to %s: error %s", redact_phone(to), code)
            return SendResult(sid=None, status="failed", error_code=code)
        error = str(message.error_code) if message.error_code else None
        return SendResult(sid=message.sid, status=str(message.status or "queued"), error_code=error)


class ConsoleSender:
    """Log each text with the number redacted (development): nothing leaves the machine."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def send(self, to: str, body: str, *, status_callback: str | None) -> SendResult:
        """Log one line saying a text would be sent; the body stays out of the log."""
        with self._lock:
            self._count += 1
            number = self._count
        sid = f"CONSOLE{number:026d}"
        log.info("SMS (console backend) to %s: %d characters, sid %s", redact_phone(to), len(body), sid)
        return SendResult(sid=sid, status="sent")


@dataclass
class SentMessage:
    """A text the fake backend took."""

    to: str
    body: str
    sid: str
    status_callback: str | None


@dataclass
class FakeSender:
    """Keep every text in memory (tests); numbers listed in ``opted_out`` fail with 21610."""

    sent: list[SentMessage] = field(default_factory=list)
    opted_out: set[str] = field(default_factory=set)
    failing: dict[str, str] = field(default_factory=dict)

    def send(self, to: str, body: str, *, status_callback: str | None) -> SendResult:
        """Record the text, or refuse it like Twilio would."""
        if to in self.opted_out:
            return SendResult(sid=None, status="failed", error_code=OPTED_OUT_ERROR)
        if to in self.failing:
            return SendResult(sid=None, status="failed", error_code=self.failing[to])
        sid = f"SM{len(self.sent) + 1:032d}"
        self.sent.append(SentMessage(to=to, body=body, sid=sid, status_callback=status_callback))
        return SendResult(sid=sid, status="queued")


def build_sender(config: Any) -> SmsSender:
    """Build the sender that SMS_BACKEND names: ``twilio``, ``console`` or ``fake``."""
    backend = config.get("SMS_BACKEND") or "console"
    if backend == "twilio":
        return TwilioSender(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            from_number=config.get("TWILIO_FROM_NUMBER"),
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
        )
    if backend == "console":
        return ConsoleSender()
    if backend == "fake":
        return FakeSender()
    raise ValueError(f"unknown SMS_BACKEND {backend!r}")


def get_sender(app: Flask) -> SmsSender:
    """Return this app's sender, built once from SMS_BACKEND (tests may put their own first)."""
    sender: SmsSender | None = app.extensions.get(_EXTENSION_KEY)
    if sender is None:
        sender = build_sender(app.config)
        app.extensions[_EXTENSION_KEY] = sender
    return sender


def set_sender(app: Flask, sender: SmsSender) -> None:
    """Use ``sender`` for this app from now on (tests and benchmarks)."""
    app.extensions[_EXTENSION_KEY] = sender

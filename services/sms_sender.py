"""Send one text message: Twilio in production, the console in development, a fake in tests.

Everything that sends goes through ``services.outbox``; only ``deliver_pending`` calls a sender.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
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
    """Anything that can send one text message.

    ``idempotency_key`` is the same for every attempt at one outbox message: a backend that can
    recognise a repeat answers it with the first attempt's result instead of sending again.
    """

    def send(self, to: str, body: str, *, status_callback: str | None,
             idempotency_key: str | None = None) -> SendResult:
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

    def send(self, to: str, body: str, *, status_callback: str | None,
             idempotency_key: str | None = None) -> SendResult:
        """Create the message at Twilio; a refusal comes back as an error code, not an exception.

        Twilio's Messages API takes no idempotency key, so ``idempotency_key`` is not sent: a
        message the worker resends after a crash between Twilio's answer and our commit (a window
        of milliseconds) can reach the phone twice. See docs/sms.md, "Outbox".
        """
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
    """Log each text, number masked, body shown (development): nothing leaves the machine."""

    def send(self, to: str, body: str, *, status_callback: str | None,
             idempotency_key: str | None = None) -> SendResult:
        """Log what would be sent; the id is random, so several workers never collide on it."""
        sid = f"CONSOLE{uuid.uuid4().hex}"
        log.info("SMS (console backend, not sent) to %s, sid %s:\n%s", redact_phone(to), sid, body)
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
    """Keep every text (tests); numbers listed in ``opted_out`` fail with 21610.

    With ``store`` (a file path) every accepted text is written to a SQLite file before the
    result is returned, so another process can count deliveries after this one was killed. A
    repeat of an ``idempotency_key`` already accepted returns the first sid and is not sent
    again; ``repeats`` counts those.
    """

    sent: list[SentMessage] = field(default_factory=list)
    opted_out: set[str] = field(default_factory=set)
    failing: dict[str, str] = field(default_factory=dict)
    store: str | None = None
    repeats: int = 0
    _by_key: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, to: str, body: str, *, status_callback: str | None,
             idempotency_key: str | None = None) -> SendResult:
        """Record the text, or refuse it like Twilio would."""
        if to in self.opted_out:
            return SendResult(sid=None, status="failed", error_code=OPTED_OUT_ERROR)
        if to in self.failing:
            return SendResult(sid=None, status="failed", error_code=self.failing[to])
        with self._lock:
            if idempotency_key is not None and idempotency_key in self._by_key:
                self.repeats += 1
                return SendResult(sid=self._by_key[idempotency_key], status="queued")
            sid = f"SM{uuid.uuid4().hex}"
            if self.store is not None:
                stored = record_fake_delivery(self.store, sid=sid, to=to, body=body, key=idempotency_key)
                if stored != sid:
                    self.repeats += 1
                    return SendResult(sid=stored, status="queued")
            if idempotency_key is not None:
                self._by_key[idempotency_key] = sid
            self.sent.append(SentMessage(to=to, body=body, sid=sid, status_callback=status_callback))
        return SendResult(sid=sid, status="queued")


_FAKE_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY, sid TEXT NOT NULL UNIQUE, idempotency_key TEXT UNIQUE,
    to_number TEXT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (id INTEGER PRIMARY KEY, idempotency_key TEXT);
"""


def _fake_store(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.executescript(_FAKE_SCHEMA)
    return connection


def record_fake_delivery(path: str, *, sid: str, to: str, body: str, key: str | None) -> str:
    """Store one accepted text durably and return its sid, or the sid of the same key."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = _fake_store(path)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO attempts (idempotency_key) VALUES (?)", (key,))
        if key is not None:
            row = connection.execute("SELECT sid FROM deliveries WHERE idempotency_key = ?", (key,)).fetchone()
            if row is not None:
                connection.execute("COMMIT")
                return str(row[0])
        connection.execute("INSERT INTO deliveries (sid, idempotency_key, to_number, body) VALUES (?, ?, ?, ?)",
                           (sid, key, to, body))
        connection.execute("COMMIT")
        return sid
    finally:
        connection.close()


def fake_deliveries(path: str) -> tuple[list[tuple[str | None, str, str]], int]:
    """Return the texts a durable fake backend accepted (key, to, body) and how many sends it got."""
    connection = _fake_store(path)
    try:
        rows = connection.execute("SELECT idempotency_key, to_number, body FROM deliveries ORDER BY id").fetchall()
        attempts = connection.execute("SELECT count(*) FROM attempts").fetchone()[0]
    finally:
        connection.close()
    return [(row[0], row[1], row[2]) for row in rows], int(attempts)


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
        return FakeSender(store=config.get("SMS_FAKE_STORE"))
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

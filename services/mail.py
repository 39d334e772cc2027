"""Send one e-mail: SMTP when MAIL_URL is set, the console otherwise.

Like ``services.sms_sender``: everything that sends goes through ``services.outbox``; only
``deliver_pending`` calls a mail sender. ``MAIL_URL`` takes three shapes:

- ``smtp://user:password@host:587``: STARTTLS, then sign in (a password never crosses in clear);
- ``smtps://user:password@host:465``: TLS from the first byte;
- ``smtp://host:port`` without a user: STARTTLS when the server offers it, plain otherwise
  (a relay on the same host, a test server).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask

from .sms_sender import SendResult

log = logging.getLogger(__name__)

_EXTENSION_KEY = "frontdoor.mail_sender"
DEFAULT_FROM = "Front Door <no-reply@localhost>"
#: Seconds to wait for the mail server before the attempt counts as failed (the outbox retries).
TIMEOUT_SECONDS = 20


class MailError(ValueError):
    """MAIL_URL cannot be read."""


class MailSender(Protocol):
    """Anything that can send one plain-text e-mail.

    ``idempotency_key`` is the same for every attempt at one outbox message; it becomes the
    Message-ID, so a mail system that sees a resend after a crash can tell it is the same message.
    """

    def send(self, to: str, subject: str, body: str, *, idempotency_key: str | None = None) -> SendResult:
        """Send ``body`` under ``subject`` to the address ``to``."""
        ...


def redact_email(address: str) -> str:
    """Show only the first letter of the mailbox and the domain (for logs): ``a***@example.org``."""
    local, at, domain = address.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def message_id(idempotency_key: str | None, sender: str) -> str:
    """Return the Message-ID header: fixed per outbox message, random without a key."""
    domain = sender.rpartition("@")[2].strip(">").strip() or "localhost"
    return f"<{idempotency_key or uuid.uuid4().hex}@{domain}>"


def build_message(sender: str, to: str, subject: str, body: str, idempotency_key: str | None) -> EmailMessage:
    """Return the e-mail as it goes on the wire (plain text, UTF-8)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(idempotency_key, sender)
    message.set_content(body)
    return message


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the mail server, read from MAIL_URL."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Read ``smtp://`` or ``smtps://`` URLs; raise MailError for anything else."""
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise MailError("MAIL_URL must look like smtp://user:password@host:587 or smtps://host:465")
        try:
            port = parts.port
        except ValueError:
            raise MailError("MAIL_URL has a port that is not a number") from None
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=port or (465 if implicit else 587),
            implicit_tls=implicit,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpSender:
    """Send through an SMTP server, one connection per message (alerts are few)."""

    def __init__(self, settings: SmtpSettings, *, sender: str = DEFAULT_FROM,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.sender = sender
        self.tls_context = tls_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.implicit_tls:
            return smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS, context=self.tls_context)
        smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=self.tls_context)
            smtp.ehlo()
        elif s.username:
            smtp.quit()
            raise smtplib.SMTPNotSupportedError("the server offers no STARTTLS; not signing in over plain text")
        return smtp

    def send(self, to: str, subject: str, body: str, *, idempotency_key: str | None = None) -> SendResult:
        """Hand the message to the server; a refusal comes back as an error code, not an exception."""
        message = build_message(self.sender, to, subject, body, idempotency_key)
        try:
            with self._connect() as smtp:
                if self.settings.username:
                    smtp.login(self.settings.username, self.settings.password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
            log.warning("the mail server refused %s: %s", redact_email(to), code)
            return SendResult(sid=None, status="failed", error_code=str(code))
        except smtplib.SMTPResponseException as exc:
            log.warning("the mail server answered %s for a message to %s", exc.smtp_code, redact_email(to))
            return SendResult(sid=None, status="failed", error_code=str(exc.smtp_code))
        if refused:
            return SendResult(sid=None, status="failed", error_code=str(next(iter(refused.values()))[0]))
        return SendResult(sid=str(message["Message-ID"]), status="sent")


class ConsoleMailSender:
    """Log each e-mail, recipient masked, subject and body shown (development): nothing leaves."""

    def send(self, to: str, subject: str, body: str, *, idempotency_key: str | None = None) -> SendResult:
        """Log what would be sent."""
        mid = message_id(idempotency_key, DEFAULT_FROM)
        log.info("E-mail (console backend, not sent) to %s, %s\nSubject: %s\n\n%s",
                 redact_email(to), mid, subject, body)
        return SendResult(sid=mid, status="sent")


def build_mail_sender(config: Any) -> MailSender:
    """Build the SMTP sender when MAIL_URL is set, the console sender otherwise."""
    url = config.get("MAIL_URL")
    if not url or url == "console://":
        return ConsoleMailSender()
    return SmtpSender(SmtpSettings.from_url(str(url)), sender=config.get("MAIL_FROM") or DEFAULT_FROM)


def get_mail_sender(app: Flask) -> MailSender:
    """Return this app's mail sender, built once from MAIL_URL (tests may put their own first)."""
    sender: MailSender | None = app.extensions.get(_EXTENSION_KEY)
    if sender is None:
        sender = build_mail_sender(app.config)
        app.extensions[_EXTENSION_KEY] = sender
    return sender


def set_mail_sender(app: Flask, sender: MailSender) -> None:
    """Use ``sender`` for this app from now on (tests)."""
    app.extensions[_EXTENSION_KEY] = sender

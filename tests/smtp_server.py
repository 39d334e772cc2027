"""A real SMTP server for tests (aiosmtpd), keeping every message it receives."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    """One message the server accepted: the envelope and the parsed e-mail."""

    mail_from: str
    rcpt_tos: list[str]
    message: Message

    @property
    def text(self) -> str:
        """Return the headers and decoded body, for searching."""
        payload = self.message.get_payload(decode=True)
        body = payload.decode("utf-8") if isinstance(payload, bytes) else str(payload)
        return f"{self.message['Subject']}\n{body}"


@dataclass
class Inbox:
    """What the test server accepted; ``refuse`` names recipients to refuse with 550."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def texts(self) -> list[str]:
        """Return every received message as searchable text."""
        with self._lock:
            return [r.text for r in self.received]


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(*, user: str | None = None, password: str | None = None,
                tls_context: Any = None, port: int | None = None) -> Iterator[tuple[Inbox, int]]:
    """Run an SMTP server on 127.0.0.1 (on ``port``, else a free one) for the block; yield its inbox and port.

    With ``user`` it requires AUTH (offered only after STARTTLS when ``tls_context`` is given).
    """
    inbox = Inbox()
    port = port or free_port()
    kwargs: dict[str, Any] = {}
    if user is not None:
        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
            if ok:
                inbox.logins.append(user)
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticate, auth_required=True,
                      auth_require_tls=tls_context is not None)
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()

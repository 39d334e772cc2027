"""A pretend phone: signs each text like Twilio does and posts it to /sms/inbound."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from config import TEST_TWILIO_AUTH_TOKEN
from extensions import db
from services.demo import load_demo

_sids = itertools.count(1)
LINE_NUMBER = "+15005550006"


def signed_post(client: FlaskClient, path: str, params: dict[str, str], *,
                url: str | None = None, token: str = TEST_TWILIO_AUTH_TOKEN) -> TestResponse:
    """POST form ``params`` to ``path`` with a real X-Twilio-Signature for ``url``.

    The response is read and closed, as a WSGI server does once it has written the reply.
    """
    signature = RequestValidator(token).compute_signature(url or f"http://localhost{path}", params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    response.get_data()
    response.close()
    return response


def messages(response: TestResponse) -> list[str]:
    """Return the <Message> texts of a TwiML reply."""
    root = ElementTree.fromstring(response.get_data(as_text=True))  # noqa: S314 (our own reply)
    return [m.text or "" for m in root.iter("Message")]


def new_sid() -> str:
    return f"SM{next(_sids):032d}"


@dataclass
class Phone:
    """One person texting the line from ``number``."""

    client: FlaskClient
    number: str
    replies: list[list[str]] = field(default_factory=list)

    def send(self, body: str, *, sid: str | None = None) -> TestResponse:
        params = {"From": self.number, "To": LINE_NUMBER, "Body": body, "MessageSid": sid or new_sid(),
                  "NumMedia": "0", "AccountSid": "AC" + "0" * 32}
        return signed_post(self.client, "/sms/inbound", params)

    def text(self, body: str, *, sid: str | None = None) -> list[str]:
        """Send ``body`` and return the texts the line sent back."""
        response = self.send(body, sid=sid)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/xml"
        got = messages(response)
        self.replies.append(got)
        return got

    def last(self) -> str:
        return "\n".join(self.replies[-1]) if self.replies else ""


@pytest.fixture
def demo(make_app: Callable[..., Flask]) -> Flask:
    """The app with the Kansas reference data and SAMPLE access points loaded (generous rate limit)."""
    app = make_app(SMS_RATE_LIMIT="10000 per minute")
    with app.app_context():
        load_demo(db.session, users=False)
    return app


@pytest.fixture
def phone(demo: Flask) -> Callable[[str], Phone]:
    """Return ``phone(number)``: a pretend phone texting the demo app."""
    client = demo.test_client()

    def make(number: str = "+17855550142") -> Phone:
        return Phone(client, number)

    return make

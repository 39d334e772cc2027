"""A phone that calls the access line: real signed Twilio requests through the test client."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from extensions import db
from services.demo import load_demo

CALLER = "+17855550142"


class Phone:
    """One call: posts what Twilio would post, signed for the exact URL the app sees."""

    def __init__(self, app: Flask, client: FlaskClient, caller: str | None = CALLER) -> None:
        self.app = app
        self.client = client
        self.caller = caller
        self.call_sid = "CA" + uuid.uuid4().hex
        self.twiml: ET.Element | None = None

    def post(self, path: str, params: dict[str, str], *, signature: str | None = None) -> TestResponse:
        form = {"CallSid": self.call_sid, "AccountSid": "AC" + "0" * 32, "To": "+17855550199",
                **({"From": self.caller} if self.caller else {"From": "anonymous"}), **params}
        if signature is None:
            validator = RequestValidator(self.app.config["TWILIO_AUTH_TOKEN"])
            signature = validator.compute_signature(f"http://localhost{path}", form)
        return self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})

    def _xml(self, response: TestResponse) -> ET.Element:
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/xml"
        # Our own TwiML, made by the app under test: not untrusted input.
        self.twiml = ET.fromstring(response.get_data())  # noqa: S314
        return self.twiml

    def dial(self) -> ET.Element:
        return self._xml(self.post("/voice/inbound", {"CallStatus": "ringing"}))

    @property
    def gather(self) -> ET.Element:
        assert self.twiml is not None
        found = self.twiml.find("Gather")
        assert found is not None, ET.tostring(self.twiml, encoding="unicode")
        return found

    @property
    def action(self) -> str:
        return self.gather.attrib["action"]

    def press(self, digits: str) -> ET.Element:
        return self._xml(self.post(self.action, {"Digits": digits}))

    def say(self, words: str) -> ET.Element:
        return self._xml(self.post(self.action, {"SpeechResult": words, "Confidence": "0.9"}))

    def silence(self) -> ET.Element:
        return self._xml(self.post(self.action, {}))

    def hang_up(self) -> TestResponse:
        return self.post("/voice/status", {"CallStatus": "completed", "CallDuration": "40"})

    def spoken(self) -> str:
        """Everything the last response says, in order."""
        assert self.twiml is not None
        return " ".join("".join(s.itertext()) for s in self.twiml.iter("Say"))

    def prompt(self) -> str:
        return " ".join("".join(s.itertext()) for s in self.gather.iter("Say"))


@pytest.fixture
def phone(app: Flask, client: FlaskClient) -> Callable[..., Phone]:
    """Return ``phone(caller=...)``: a new call to the access line."""

    def make(caller: str | None = CALLER) -> Phone:
        return Phone(app, client, caller)

    return make


@pytest.fixture
def demo(app: Flask) -> None:
    """Load the reference and SAMPLE demo data (counties, access points)."""
    with app.app_context():
        load_demo(db.session)
        db.session.remove()

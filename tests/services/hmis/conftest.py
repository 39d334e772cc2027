"""A day of intakes through the real channels (kiosk pages, signed SMS and voice webhooks) and
``services.intake`` for the rest, for the HMIS export tests."""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from extensions import db
from intake_forms import ParseResult
from kiosk import device
from models import Channel, Intake, Kiosk, VoiceCall
from services import intake as intake_service
from services.demo import KIOSK_LABEL, load_demo
from services.pii import current_cipher

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
IMPLEMENTATION_ID = "ks-507-frontdoor-test"

#: The answers a household gives, by question key, as typed or tapped (None: skip the question).
HOUSEHOLD: dict[str, Any] = {
    "start_choice": "questions", "safe_now": "1", "fleeing_violence": "0", "slept_last_night": "outside",
    "adults": "1", "children": "2", "pregnant": "0", "age_band": "25_54", "veteran": "0",
    "health_barrier": "0", "safe_place_tonight": "0", "could_stay_with": "maybe", "help_needed": ["money"],
    "location": "67601", "contact_method": "call", "phone": "785-555-0111", "safe_to_text": "1",
    "safe_to_voicemail": "1", "best_time": "any", "contact_name": "Kim", "legal_name": "Kim Kiosk-Walker",
    "dob": "03/25/1980", "interpreter": "0", "consent_share": "1",
}


def csv_files(data: bytes) -> dict[str, str]:
    """Return the files of an export zip as name -> text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def rows(data: bytes, name: str) -> list[dict[str, str]]:
    """Return one file's rows as dicts (quotes removed)."""
    import csv

    return list(csv.DictReader(io.StringIO(csv_files(data)[name])))


@dataclass
class Day:
    """The intakes of a day: which may leave, which must not, and the personal data of each."""

    app: Flask
    exported: dict[str, str] = field(default_factory=dict)  # label -> public id
    kept: dict[str, str] = field(default_factory=dict)  # label -> public id (never exported)
    secrets: dict[str, list[str]] = field(default_factory=dict)  # label -> names, phones, dates

    @property
    def zone(self) -> Any:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.app.config["HMIS_TIMEZONE"])

    def intake(self, label: str) -> Intake:
        public_id = self.exported.get(label) or self.kept[label]
        found = db.session.scalar(select(Intake).where(Intake.public_id == public_id))
        assert found is not None
        return found


# -- channels ----------------------------------------------------------------------------------


def _token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no csrf token on the page"
    return found.group(1)


def kiosk_intake(app: Flask, answers: dict[str, Any]) -> str:
    """Pair the demo kiosk and walk its pages like a person; return the intake's public id."""
    client = app.test_client()
    with app.app_context():
        kiosk = db.session.scalar(select(Kiosk).where(Kiosk.label == KIOSK_LABEL))
        assert kiosk is not None
        code = device.start_pairing(db.session, kiosk).code
    page = client.get(f"/kiosk/pair/{code}")
    paired = client.post(f"/kiosk/pair/{code}", data={"csrf_token": _token(page.get_data(as_text=True))})
    assert paired.status_code == 302
    start = client.get("/kiosk/")
    location = client.post("/kiosk/start", data={"lang": "en", "csrf_token": _token(start.get_data(as_text=True))}
                           ).headers["Location"]
    for _ in range(60):
        if "/q/" not in location:
            break
        key = location.rsplit("/", 1)[-1]
        value = answers.get(key)
        page = client.get(location)
        data: dict[str, Any] = {"csrf_token": _token(page.get_data(as_text=True))}
        if value is None:
            data["action"] = "skip"
        else:
            data.update(action="next", answer=value)
        response = client.post(location, data=data)
        assert response.status_code == 302, (key, response.status_code, response.get_data(as_text=True)[:300])
        location = response.headers["Location"]
    review = client.get("/kiosk/review")
    assert review.status_code == 200, location
    assert client.post("/kiosk/submit", data={"csrf_token": _token(review.get_data(as_text=True))}).status_code == 302
    return _latest(app, Channel.KIOSK)


def _latest(app: Flask, channel: Channel) -> str:
    with app.app_context():
        found = db.session.scalars(select(Intake).where(Intake.channel == channel).order_by(Intake.id.desc())).first()
        assert found is not None
        return found.public_id


def _signed(client: FlaskClient, app: Flask, path: str, params: dict[str, str]) -> Any:
    signature = RequestValidator(app.config["TWILIO_AUTH_TOKEN"]).compute_signature(f"http://localhost{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def sms_intake(app: Flask, number: str, answers: dict[str, str]) -> str:
    """Text the line from ``number`` with real signed Twilio requests until the intake is submitted."""
    from models import SmsConversation

    client = app.test_client()
    with app.app_context():
        index = current_cipher().phone_index(number)

    def text(body: str) -> None:
        params = {"From": number, "To": "+15005550006", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex,
                  "NumMedia": "0", "AccountSid": "AC" + "0" * 32}
        response = _signed(client, app, "/sms/inbound", params)
        assert response.status_code == 200, response.get_data(as_text=True)
        response.close()  # as a server does once the reply is written (the resent-text check waits for it)

    text("Hi")
    text("1")
    for _ in range(60):
        with app.app_context():
            conv = db.session.scalar(select(SmsConversation).where(SmsConversation.phone_index == index))
            assert conv is not None and conv.intake is not None
            q = intake_service.current_question(conv.intake)
            public_id = conv.intake.public_id
        if q is None:
            return public_id
        text(answers[q.key])
    raise AssertionError("the text conversation never ended")


def voice_intake(app: Flask, caller: str, keys: dict[str, str]) -> str:
    """Call the line with real signed Twilio requests and answer each question by keypad."""
    client = app.test_client()
    call_sid = "CA" + uuid.uuid4().hex
    action = "/voice/inbound"

    def post(path: str, params: dict[str, str]) -> ET.Element:
        form = {"CallSid": call_sid, "AccountSid": "AC" + "0" * 32, "To": "+17855550199", "From": caller, **params}
        response = _signed(client, app, path, form)
        assert response.status_code == 200, response.get_data(as_text=True)
        return ET.fromstring(response.get_data())  # noqa: S314  # our own TwiML

    twiml = post(action, {"CallStatus": "ringing"})
    twiml = post(twiml.find("Gather").attrib["action"], {"Digits": "1"})  # type: ignore[union-attr]
    for _ in range(60):
        gather = twiml.find("Gather")
        if gather is None:
            break
        with app.app_context():
            call = db.session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))
            assert call is not None
            key = call.question_key
        twiml = post(gather.attrib["action"], {"Digits": keys[str(key)]})
    with app.app_context():
        call = db.session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))
        assert call is not None and call.intake_id is not None
        found = db.session.get(Intake, call.intake_id)
        assert found is not None
        return found.public_id


def service_intake(app: Flask, channel: Channel, replies: dict[str, str], *, submit: bool = True) -> str:
    """Answer through services.intake (the verbs every channel calls); skip what ``replies`` lacks."""
    with app.app_context():
        s = db.session
        intake = intake_service.start_intake(s, channel=channel, language="en")
        for _ in range(80):
            q = intake_service.current_question(intake)
            if q is None:
                break
            if q.key in replies:
                step = intake_service.answer(s, intake, q.key, replies[q.key])
                assert step.ok, (q.key, step.error)
            else:
                intake_service.record(s, intake, q.key, ParseResult(ok=True, code=q.skip_code))
        if submit:
            intake_service.submit(s, intake)
        return intake.public_id


# -- the day -------------------------------------------------------------------------------------

SMS_ANSWERS = {
    "start_choice": "1", "safe_now": "yes", "fleeing_violence": "no", "slept_last_night": "somewhere else",
    "leave_by": "tomorrow", "could_return": "maybe", "adults": "2", "children": "0", "pregnant": "no",
    "age_band": "2", "veteran": "not sure", "health_barrier": "yes", "safe_place_tonight": "yes",
    "could_stay_with": "yes", "help_needed": "money", "location": "67601", "contact_method": "text",
    "phone": "yes", "safe_to_text": "yes", "safe_to_voicemail": "no", "best_time": "evening",
    "contact_name": "Sol", "legal_name": "Sol Texter", "dob": "07/04/1999", "consent_share": "yes",
}
VOICE_KEYS = {
    "start_choice": "1", "safe_now": "1", "fleeing_violence": "2", "slept_last_night": "8#", "adults": "1",
    "children": "0", "pregnant": "2", "age_band": "5", "veteran": "1", "health_barrier": "1",
    "safe_place_tonight": "2", "institution_short_stay": "3", "leave_by": "6", "could_return": "3",
    "could_stay_with": "3", "help_needed": "7#", "location": "67601", "contact_method": "2", "phone": "1",
    "safe_to_text": "1", "safe_to_voicemail": "1", "best_time": "1", "consent_share": "1",
}


@pytest.fixture
def demo(make_app: Callable[..., Flask]) -> Flask:
    """The app with Kansas reference data and SAMPLE access points (no demo accounts)."""
    app = make_app(SMS_RATE_LIMIT="10000 per minute", HMIS_IMPLEMENTATION_ID=IMPLEMENTATION_ID)
    with app.app_context():
        load_demo(db.session, users=False)
    return app


@pytest.fixture
def day(demo: Flask) -> Day:
    """Kiosk, text and voice households, bulk ones, and every kind that must never leave."""
    d = Day(demo)
    d.exported["kiosk"] = kiosk_intake(demo, HOUSEHOLD)
    d.secrets["kiosk"] = ["Kim Kiosk-Walker", "Kiosk-Walker", "+17855550111", "1980-03-25"]
    d.exported["sms"] = sms_intake(demo, "+17855550122", SMS_ANSWERS)
    d.secrets["sms"] = ["Sol Texter", "Texter", "+17855550122", "1999-07-04"]
    d.exported["voice"] = voice_intake(demo, "+17855550133", VOICE_KEYS)
    d.secrets["voice"] = ["+17855550133"]
    d.exported["web"] = service_intake(demo, Channel.WEB, {
        **{k: v for k, v in SMS_ANSWERS.items() if k not in ("leave_by", "could_return")},
        "slept_last_night": "jail", "institution_short_stay": "not sure", "leave_by": "21 days",
        "could_return": "no", "contact_method": "email", "email": "ana@example.org",
        "legal_name": "Ana María López Jr.", "dob": "12/01/1970", "location": "66044", "consent_share": "yes"})
    d.secrets["web"] = ["ana@example.org"]

    survivor = {**SMS_ANSWERS, "fleeing_violence": "yes", "phone": "785-555-0144", "contact_method": "call",
                "contact_name": "Dana Hidden", "legal_name": "Dana Hidden", "dob": "01/02/1985"}
    # Both confidential paths, through the channels: an advocate's call (kiosk), going on without a name (text).
    d.kept["survivor_advocate"] = kiosk_intake(demo, {**HOUSEHOLD, "fleeing_violence": "1", "dv_choice": "advocate",
                                                      "phone": "785-555-0144", "contact_name": "Dana Hidden"})
    d.kept["survivor_anonymous"] = sms_intake(demo, "+17855550155", {**survivor, "dv_choice": "keep going",
                                                                      "phone": "yes"})
    d.secrets["survivor_advocate"] = ["Dana Hidden", "+17855550144", "1985-01-02"]
    d.secrets["survivor_anonymous"] = ["Dana Hidden", "+17855550155"]
    private = {**SMS_ANSWERS, "phone": "785-555-0166", "contact_method": "call", "contact_name": "Pat Private",
               "legal_name": "Pat Private", "dob": "05/05/1965", "consent_share": "no"}
    d.kept["declined_share"] = service_intake(demo, Channel.WEB, private)
    d.secrets["declined_share"] = ["Pat Private", "+17855550166", "1965-05-05"]
    unfinished = {**SMS_ANSWERS, "contact_method": "call", "phone": "785-555-0177", "legal_name": "Una Finished",
                  "contact_name": "Una Finished", "dob": "06/06/1966"}
    d.kept["in_progress"] = service_intake(demo, Channel.WEB, {k: unfinished[k] for k in list(unfinished)[:22]},
                                           submit=False)
    d.kept["abandoned"] = service_intake(demo, Channel.KIOSK, {k: unfinished[k] for k in list(unfinished)[:22]},
                                         submit=False)
    with demo.app_context():
        intake_service.abandon(db.session, d.intake("abandoned"))
    d.secrets["in_progress"] = d.secrets["abandoned"] = ["Una Finished", "+17855550177", "1966-06-06"]
    d.kept["withdrawn"] = service_intake(demo, Channel.SMS, {"start_choice": "1", "safe_now": "yes",
                                                             "fleeing_violence": "yes", "dv_choice": "stop"})
    d.secrets["withdrawn"] = []
    return d

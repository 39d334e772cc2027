"""The same answers by phone call and on the kiosk store the same codes and reach the same outcome."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from models import Channel, Intake
from services import intake as intakes

from .conftest import CALLER, Phone
from .test_calls import ENGLISH_CODES, ENGLISH_KEYS

OUTCOME_FIELDS = ("status", "homeless_category", "track", "priority", "priority_reasons",
                  "diversion_candidate", "confidential", "out_of_area", "callback_requested",
                  "routed_access_point_id", "county_fips")


def outcome(intake: Intake) -> dict[str, object]:
    return {name: getattr(intake, name) for name in OUTCOME_FIELDS}


def test_a_call_and_the_kiosk_store_the_same_codes_and_outcomes(app: Flask, phone: Callable[..., Phone],
                                                                 demo: None) -> None:
    call = phone()
    call.dial()
    for keys, _ in ENGLISH_KEYS:
        call.press(keys)
    call.press("1")

    with app.app_context():
        by_phone = db.session.scalars(select(Intake).where(Intake.channel == Channel.VOICE)).one()
        kiosk = intakes.start_intake(db.session, channel=Channel.KIOSK, language="en")
        asked = []
        while (q := intakes.current_question(kiosk)) is not None:
            asked.append(q.key)
            value = CALLER if q.key == "phone" else None
            result = intakes.set_code(db.session, kiosk, q.key, ENGLISH_CODES[q.key], value)
            assert result.ok, q.key
        intakes.submit(db.session, kiosk)

        assert asked == [k for k in ENGLISH_CODES if k != "language"]
        assert intakes.codes(kiosk) == intakes.codes(by_phone) == ENGLISH_CODES
        assert intakes.personal_values(kiosk) == intakes.personal_values(by_phone)
        assert outcome(kiosk) == outcome(by_phone)
        assert by_phone.priority_reasons  # a real outcome, not two empty ones


@pytest.mark.parametrize("base", ["https://frontdoor.example.org", "https://frontdoor.example.org/"])
def test_behind_a_proxy_the_public_url_is_what_is_signed(make_app: Callable[..., Flask], base: str) -> None:
    app = make_app(PUBLIC_BASE_URL=base.rstrip("/"))
    call = Phone(app, app.test_client())
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
    form = {"CallSid": call.call_sid, "From": CALLER}
    public = validator.compute_signature("https://frontdoor.example.org/voice/inbound", form)
    local = validator.compute_signature("http://localhost/voice/inbound", form)
    client = app.test_client()
    assert client.post("/voice/inbound", data=form, headers={"X-Twilio-Signature": public}).status_code == 200
    assert client.post("/voice/inbound", data=form, headers={"X-Twilio-Signature": local}).status_code == 403

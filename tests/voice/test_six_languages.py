"""A whole call by keypad in every language the line speaks; the keypad-only ones are in
test_interpreter.py (their menu key leads to a callback with an interpreter)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from extensions import db
from intake_forms import QUESTIONS, languages
from intake_forms.definition import Kind, Question
from models import Intake, IntakeStatus, VoiceCall
from models.voice import CallStatus
from services import intake as intakes
from tests.walks import walk_reply
from voice import speech

from .conftest import CALLER, Phone

Dial = Callable[..., Phone]
BY_KEY = {q.key: q for q in QUESTIONS}
#: The languages the line speaks in their own voice, other than the two bridge languages already
#: walked whole in test_calls.py (English by keypad, Spanish by speech).
VOICED = [code for code in languages.CODES if not languages.language(code).keypad_only and code not in ("en", "es")]


def asked_first(q: Question) -> str:
    """The first thing the line says to ask ``q`` (the phone question offers the number calling)."""
    lines = speech.phone_confirm_lines(CALLER[-4:]) if q.kind is Kind.PHONE else speech.question_lines(q)
    return lines[0].text


def question_key(app: Flask) -> str | None:
    with app.app_context():
        return db.session.scalars(select(VoiceCall)).one().question_key


@pytest.mark.parametrize("code", VOICED)
def test_a_whole_call_by_keypad_in_each_voiced_language(app: Flask, phone: Dial, demo: None, code: str) -> None:
    voice = languages.language(code).voice
    assert voice is not None
    keys = speech.menu_keys()
    call = phone()
    call.dial()
    assert keys.spoken[str(languages.menu_number(code))] == code
    call.press(str(languages.menu_number(code)))

    asked: list[str] = []
    for _ in range(60):
        twiml = call.twiml
        assert twiml is not None
        says = list(twiml.iter("Say"))
        assert says
        for say in says:
            assert (say.attrib["language"], say.attrib["voice"]) == (voice.language, voice.voice), say.text
        if twiml.find("Gather") is None:
            break
        assert call.gather.attrib["language"] == voice.listens_in
        key = question_key(app)
        assert key is not None
        q = BY_KEY[key]
        with app.test_request_context():
            with force_locale(code):
                prompt = asked_first(q)
            with force_locale("en"):
                english = asked_first(q)
        assert prompt != english and prompt in call.prompt(), (key, call.prompt())
        assert english not in call.spoken(), key
        asked.append(key)
        call.press(walk_reply(q, identifying="1"))
    else:
        raise AssertionError(f"the call never ended: {asked}")
    assert call.twiml is not None and call.twiml.find("Hangup") is not None
    assert {"adults", "children", "help_needed", "location", "contact_method", "phone",
            "consent_share"} <= set(asked), asked

    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status is IntakeStatus.SUBMITTED and intake.language == code
        assert intake.channel == "voice" and not intake.callback_requested
        assert intakes.codes(intake)["location"] == "zip:67601"
        assert intakes.personal_values(intake) == {"phone": CALLER}
        assert db.session.scalars(select(VoiceCall)).one().status is CallStatus.SUBMITTED
        reference = intake.reference_code
    assert reference is not None
    slow = f"{reference[0]}, {reference[1]}, {reference[2]}. {reference[4]}, {reference[5]}, {reference[6]}"
    assert slow in call.spoken()

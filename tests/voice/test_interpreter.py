"""By phone, for a language the line cannot speak: a callback with an interpreter, by keypad."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from intake_forms import interpreter, languages
from models import Intake, IntakeStatus, VoiceCall
from models.voice import CallStatus
from services import intake as intakes
from services import interpreter as interpreter_service
from voice import speech

from .conftest import CALLER, Phone

Dial = Callable[..., Phone]


def _only(app: Flask) -> tuple[Intake, dict[str, str], dict[str, str], str | None]:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        return intake, intakes.codes(intake), intakes.personal_values(intake), interpreter_service.label(intake)


def test_the_menu_offers_another_language_last_on_zero(app: Flask, phone: Dial) -> None:
    call = phone()
    call.dial()
    menu = call.prompt()
    assert menu.endswith("For another language, press 0. Para otro idioma, oprima 0.")
    assert "For English press 1." in menu and "To check on a request you already made, press 7." in menu


def test_another_language_said_then_the_caller_id_confirmed(app: Flask, phone: Dial, demo: None) -> None:
    call = phone()
    call.dial()
    call.press("0")
    assert "say the name of your language" in call.prompt()
    assert "Swahili" in call.gather.attrib["hints"] and call.gather.attrib["finishOnKey"] == "#"
    call.say("Swahili")
    assert "We will call you back with an interpreter." in call.spoken()
    assert "number you are calling from, ending in 0, 1, 4, 2" in call.prompt()
    call.press("1")
    assert "Staff will call you back." in call.spoken()
    intake, codes, values, label = _only(app)
    assert intake.status is IntakeStatus.SUBMITTED and intake.callback_requested
    assert intake.language == "en" and intake.interpreter_language == "sw" and label == "Swahili (Kiswahili)"
    assert codes["start_choice"] == "talk" and values["phone"] == CALLER
    assert call.twiml.find("Hangup") is not None


def test_another_language_by_keypad_only_with_another_number(app: Flask, phone: Dial, demo: None) -> None:
    call = phone()
    call.dial()
    call.press("0")
    call.press("#")  # no words: go on
    call.press("2")  # not this number
    call.press("7855550123")
    intake, _codes, values, label = _only(app)
    assert intake.callback_requested and intake.interpreter_language == "other"
    assert values["phone"] == "+17855550123" and label == "a language not given"


KEYPAD_ONLY = [code for code in languages.CODES if languages.language(code).keypad_only]
#: The voices the line may use for a language it cannot speak: the bridge languages' own.
BRIDGE_VOICES = {(v.language, v.voice) for code in interpreter.BRIDGE
                 if (v := languages.language(code).voice) is not None}


def test_each_keypad_only_language_has_its_menu_number_as_its_key() -> None:
    keys = speech.menu_keys()
    assert keys.keypad == {str(languages.menu_number(code)): code for code in KEYPAD_ONLY}
    assert {"so", "my"} <= set(KEYPAD_ONLY) and keys.other == "0"
    assert {("en-US", "Polly.Joanna"), ("es-US", "Polly.Lupe")} == BRIDGE_VOICES


@pytest.mark.parametrize("code", KEYPAD_ONLY)
def test_a_keypad_only_language_is_offered_in_english_and_takes_the_interpreter_path(
        app: Flask, phone: Dial, demo: None, code: str) -> None:
    """A language with no Twilio voice: offered in English words, its key takes the interpreter path."""
    lang = languages.language(code)
    key = str(languages.menu_number(code))
    assert speech.menu_keys().keypad[key] == code
    call = phone()
    call.dial()
    assert f"For {lang.name}, press {key}." in call.prompt()
    call.press(key)
    assert "We will call you back with an interpreter." in call.spoken()
    for say in call.twiml.iter("Say"):
        # Never a voice for a language it cannot speak.
        assert (say.attrib["language"], say.attrib["voice"]) in BRIDGE_VOICES
    call.press("1")
    for say in call.twiml.iter("Say"):
        assert (say.attrib["language"], say.attrib["voice"]) in BRIDGE_VOICES
    assert call.twiml.find("Hangup") is not None
    intake, codes, values, label = _only(app)
    assert intake.status is IntakeStatus.SUBMITTED and intake.reference_code
    assert intake.language == code and intake.interpreter_language == code
    assert label == f"{lang.name} ({lang.native_name})"
    assert intake.callback_requested and values["phone"] == CALLER and codes["start_choice"] == "talk"
    with app.app_context():
        assert db.session.scalars(select(VoiceCall)).one().status is CallStatus.SUBMITTED


def test_the_menu_keys_for_six_languages(app: Flask) -> None:
    """A test-only list shaped like en, es, vi, so, ar, my: each language its registry number, the
    keypad-only ones said in English, one status key when 1-9 cannot give each spoken language its
    own, another language on 0."""
    en, es = languages.ENGLISH, languages.SPANISH
    six = (en, es, dataclasses.replace(en, code="vi", name="Vietnamese"),
           dataclasses.replace(en, code="so", name="Somali", voice=None),
           dataclasses.replace(en, code="ar", name="Arabic"),
           dataclasses.replace(en, code="my", name="Burmese", voice=None))
    keys = speech.menu_keys(six)
    assert keys.spoken == {"1": "en", "2": "es", "3": "vi", "5": "ar"}
    assert keys.keypad == {"4": "so", "6": "my"}
    # Keys 7-9 are too few for a status key per spoken language (4): one key for all.
    assert keys.status == {} and keys.status_any == "7" and keys.other == "0"
    with app.test_request_context():
        lines = [line.text for line in speech.language_menu(six)]
    assert "For Somali, press 4." in lines and "For Burmese, press 6." in lines
    assert lines[-2:] == ["For another language, press 0.", "Para otro idioma, oprima 0."]


def test_a_status_key_for_each_language_while_the_keys_last() -> None:
    en, es = languages.ENGLISH, languages.SPANISH
    three = (en, es, dataclasses.replace(en, code="so", name="Somali", voice=None))
    keys = speech.menu_keys(three)
    assert keys.status == {"4": "en", "5": "es"} and keys.status_any is None

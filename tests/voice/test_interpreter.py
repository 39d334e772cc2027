"""By phone, for a language the line cannot speak: a callback with an interpreter, by keypad."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from intake_forms import languages
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
    assert "For English press 1." in menu and "To check on a request you already made, press 3." in menu


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


def test_a_keypad_only_language_is_offered_in_english_and_takes_the_interpreter_path(
        app: Flask, phone: Dial, demo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test-only registry entry (a copy of English with no voice, as Somali will be): the real
    REGISTRY is untouched; monkeypatch puts it back after the test."""
    somali = dataclasses.replace(languages.ENGLISH, code="so", native_name="Soomaali", name="Somali", voice=None)
    registry = (*languages.REGISTRY, somali)
    monkeypatch.setattr(languages, "REGISTRY", registry)
    monkeypatch.setattr(languages, "_BY_CODE", {lang.code: lang for lang in registry})
    keys = speech.menu_keys()
    assert keys.keypad == {"3": "so"} and keys.status == {"4": "en", "5": "es"} and keys.other == "0"
    call = phone()
    call.dial()
    menu = call.prompt()
    assert "For Somali, press 3." in menu and "press 4." in menu and "oprima 5." in menu
    call.press("3")
    assert "We will call you back with an interpreter." in call.spoken()
    for say in call.twiml.iter("Say"):
        assert say.attrib["language"] in ("en-US", "es-US")  # never a voice for a language it cannot speak
    call.press("1")
    intake, _codes, values, label = _only(app)
    assert intake.language == "so" and intake.interpreter_language == "so" and label == "Somali (Soomaali)"
    assert intake.callback_requested and values["phone"] == CALLER
    with app.app_context():
        assert db.session.scalars(select(VoiceCall)).one().status is CallStatus.SUBMITTED


def test_the_menu_keys_for_six_languages(app: Flask) -> None:
    """A test-only list shaped like en, es, vi, so, ar, my: each language its registry number, the
    keypad-only ones said in English, status keys while 1-9 last, another language on 0."""
    en, es = languages.ENGLISH, languages.SPANISH
    six = (en, es, dataclasses.replace(en, code="vi", name="Vietnamese"),
           dataclasses.replace(en, code="so", name="Somali", voice=None),
           dataclasses.replace(en, code="ar", name="Arabic"),
           dataclasses.replace(en, code="my", name="Burmese", voice=None))
    keys = speech.menu_keys(six)
    assert keys.spoken == {"1": "en", "2": "es", "3": "vi", "5": "ar"}
    assert keys.keypad == {"4": "so", "6": "my"}
    assert keys.status == {"7": "en", "8": "es", "9": "vi"} and keys.other == "0"
    with app.test_request_context():
        lines = [line.text for line in speech.language_menu(six)]
    assert "For Somali, press 4." in lines and "For Burmese, press 6." in lines
    assert lines[-2:] == ["For another language, press 0.", "Para otro idioma, oprima 0."]

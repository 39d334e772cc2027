"""Status by phone: the status key on the opening menu (then the lookup's language when one key
serves every language), the code on the keypad, then the check."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask

from extensions import db
from intake_forms import languages
from models import Intake
from services import intake as intakes
from services.hotlines import hotline
from tests.services.test_status import submitted
from voice import speech
from voice.speech import say_number, say_numbers

from .conftest import Phone

NOT_FOUND = "We could not find a request with that code and check."


def make(app: Flask, **changes: str) -> tuple[str, str, str]:
    """Submit an intake; return (code, its keypad digits, its access point name)."""
    with app.test_request_context():
        intake = submitted(db.session, **changes)
        code = intake.reference_code or ""
        place = intake.routed_access_point.name if intake.routed_access_point else ""
        assert intake.reference_keypad == intakes.keypad_digits(code)
        return code, intake.reference_keypad or "", place


def ask_status(call: Phone, language: str = "en") -> None:
    """Press the status key for ``language`` as the menu lays it out: its own key, or the shared
    key and then the language's menu number."""
    keys = speech.menu_keys()
    if keys.status_any is None:
        call.press(next(key for key, code in keys.status.items() if code == language))
        return
    call.press(keys.status_any)
    assert "For English press 1." in call.prompt() and "Para español oprima 2." in call.prompt()
    call.press(str(languages.menu_number(language)))


def test_keypad_digits_follow_the_letters_on_the_keys() -> None:
    assert intakes.keypad_digits("7KQ-2MD") == "757263"
    assert intakes.keypad_digits("ABC-XYZ") == "222999"
    assert intakes.keypad_digits("0HJ-VW1") == "045891"


def test_the_menu_offers_status_in_every_spoken_language(app: Flask, phone: Callable[..., Phone]) -> None:
    call = phone()
    call.dial()
    # Six languages leave keys 7-9: one status key for all, said in each language with a voice.
    assert "To check on a request you already made, press 7." in call.prompt()
    assert "Para saber de una solicitud que ya hizo, oprima 7." in call.prompt()
    call.press("7")
    assert [say.attrib["language"] for say in call.gather.iter("Say")] == ["en-US", "es-US", "vi-VN", "arb"]
    call.press("9")  # no such language: asked again
    assert "For English press 1." in call.prompt()


def test_right_code_and_last_four(app: Flask, phone: Callable[..., Phone], demo: None) -> None:
    _code, keys, place = make(app)
    call = phone("+13165550100")  # any phone: the check is the number given on the intake
    call.dial()
    ask_status(call)
    assert "key in your reference code" in call.prompt()
    assert call.gather.attrib["finishOnKey"] == "#"
    call.press(keys)
    assert "last 4 digits" in call.prompt()
    final = call.press("0142")
    assert final.find("Gather") is None and final.find("Hangup") is not None
    spoken = call.spoken()
    assert "We received your request." in spoken and place in spoken
    assert re.search(r"Open now, until|Closed now\. Opens", spoken) and "911" in spoken
    # Phone numbers are read digit by digit, never as "seven hundred eighty-five".
    assert not re.search(r"\d{3}\)?[ .-]\d{3}-\d{4}", spoken)
    assert re.search(r"\d \d \d, \d \d \d, \d \d \d \d", spoken)
    with app.app_context():  # a status call starts no intake
        assert db.session.query(Intake).count() == 1


def test_spanish_key_and_birth_date_when_no_phone(app: Flask, phone: Callable[..., Phone], demo: None) -> None:
    _code, keys, _place = make(app, contact_method="skip", phone="skip", dob="03/25/1980")
    call = phone()
    call.dial()
    ask_status(call, "es")
    assert "código de referencia" in call.prompt()
    call.press(keys)
    call.press("25031980")  # day, month, year: the order the Spanish prompt asks for
    # The answer comes in the household's language (this intake was made in English).
    assert "We received your request." in call.spoken()


def test_wrong_code_and_wrong_check_sound_the_same(app: Flask, phone: Callable[..., Phone], demo: None) -> None:
    _code, keys, _place = make(app)
    wrong_code = phone()
    wrong_code.dial()
    ask_status(wrong_code)
    wrong_code.press("000000")
    wrong_code.press("0142")
    wrong_check = phone()
    wrong_check.dial()
    ask_status(wrong_check)
    wrong_check.press(keys)
    wrong_check.press("9999")
    assert wrong_code.spoken() == wrong_check.spoken()
    assert NOT_FOUND in wrong_code.spoken() and "key in your reference code" in wrong_code.prompt()


def test_confidential_says_received_and_the_advocate_line(app: Flask, phone: Callable[..., Phone],
                                                          demo: None) -> None:
    _code, keys, place = make(app, fleeing_violence="yes", safe_now="yes", dv_next="advocate")
    call = phone()
    call.dial()
    ask_status(call)
    call.press(keys)
    call.press("0142")
    spoken = call.spoken()
    assert "We received your request." in spoken and say_number(hotline("ks_crisis").phone) in spoken
    assert place not in spoken and "Open now" not in spoken and "Closed now" not in spoken


@pytest.fixture
def strict(make_app: Callable[..., Flask]) -> Flask:
    return make_app(STATUS_RATE_LIMIT="2 per 15 minutes")


def test_wrong_tries_are_throttled(strict: Flask) -> None:
    from services.demo import load_demo

    with strict.app_context():
        load_demo(db.session, users=False)
    _code, keys, _place = make(strict)
    client = strict.test_client()
    call = Phone(strict, client, "+17855550999")
    call.dial()
    ask_status(call)
    for guess in ("111111", "222222"):
        call.press(guess)
        call.press("0142")
        assert NOT_FOUND in call.spoken()
    call.press(keys)
    call.press("0142")  # the right pair, but this caller has used up its tries
    assert "Too many tries" in call.spoken() and call.twiml is not None and call.twiml.find("Hangup") is not None


def test_phone_numbers_in_a_sentence_are_read_digit_by_digit() -> None:
    assert say_numbers("Salina Rescue Mission, 785-555-0100.") == "Salina Rescue Mission, 7 8 5, 5 5 5, 0 1 0 0."
    assert say_numbers("Call (785) 555-0100 or +1 785 555 0100.") == (
        "Call 7 8 5, 5 5 5, 0 1 0 0 or 1, 7 8 5, 5 5 5, 0 1 0 0.")
    # Short numbers, codes, dates and times are left alone.
    kept = "Emergency: 911. Request 7KQ-2MD, December 8, 2026 at 2:30 PM."
    assert say_numbers(kept) == kept


def test_a_keypad_only_language_is_answered_in_the_callers_language(app: Flask, phone: Callable[..., Phone],
                                                                      demo: None) -> None:
    """An intake made in Somali (no Twilio voice) asked about by phone: read in the language the
    caller picked on the menu, never Somali words in another language's voice."""
    _code, keys, _place = make(app)
    with app.app_context():
        db.session.query(Intake).update({"language": "so"})
        db.session.commit()
    call = phone()
    call.dial()
    ask_status(call)
    call.press(keys)
    final = call.press("0142")
    assert final.find("Hangup") is not None
    assert "We received your request." in call.spoken()
    assert {say.attrib["voice"] for say in final.iter("Say")} == {"Polly.Joanna"}
    assert speech.speakable("so", "en") == "en" and speech.speakable("vi", "en") == "vi"

"""Another language by text: any language is taken, the household is called back with an interpreter."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from extensions import db
from intake_forms import interpreter, languages
from intake_forms.languages import SmsEncoding
from models import Intake, IntakeStatus
from services import interpreter as interpreter_service
from sms import render
from sms.segments import encoding, segments

from .conftest import Phone


def _intake() -> Intake:
    return db.session.scalars(select(Intake)).one()


def test_other_language_by_text_queues_a_callback_with_an_interpreter(
        demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550181")
    menu = p.text("hi")
    assert "0 Other language / Otro idioma" in menu[0]
    asked = p.text("0")
    assert asked == [render_in(demo, render.interpreter_ask_language)]
    assert "What language do you speak?" in asked[0] and "¿Qué idioma habla?" in asked[0]
    confirm = p.text("Kiswahili")
    assert "Reply YES for this number" in confirm[0] and "Responda SI" in confirm[0]
    done = p.text("yes")
    assert "We will call you with an interpreter" in done[0] and "Lo vamos a llamar con un intérprete" in done[0]
    with demo.app_context():
        intake = _intake()
        assert intake.status is IntakeStatus.SUBMITTED and intake.callback_requested
        assert intake.language == "en" and intake.interpreter_language == "sw"
        assert intake.reference_code and intake.reference_code in done[0]
        assert interpreter_service.label(intake) == "Swahili (Kiswahili)"
        values = {a.key: a.code for a in intake.answers}
        assert values["phone"] == "given" and values["start_choice"] == "talk"
    # Each text one GSM-7 segment, but the menu's second text (the names in their own scripts).
    assert segments(p.replies[0][0]) == 1
    assert all(segments(text) == 1 for reply in p.replies[1:] for text in reply)


def render_in(app: Flask, fn: Callable[[], str]) -> str:
    with app.test_request_context():
        return fn()


def test_any_words_in_any_script_are_kept_safely(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550182")
    p.text("hello")
    p.text("Otro idioma")
    p.text("Ikinyarwanda\x00 cyangwa 🙂 " + "x" * 100)
    p.text("785-555-0199")
    with demo.app_context():
        intake = _intake()
        assert intake.status is IntakeStatus.SUBMITTED
        assert intake.interpreter_language == interpreter.UNLISTED
        said = interpreter_service.label(intake)
        assert said is not None and said.startswith("Ikinyarwanda cyangwa x") and len(said) == interpreter.MAX_SAID
        assert "\x00" not in said and "🙂" not in said


def test_a_language_named_on_the_menu_goes_straight_to_the_number(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550183")
    p.text("hi")
    assert "Reply YES" in p.text("አማርኛ")[0]
    assert "Please send a 10-digit phone number" in p.text("tomorrow")[0]
    p.text("si")
    with demo.app_context():
        intake = _intake()
        assert intake.interpreter_language == "am" and intake.callback_requested


def _six() -> tuple[languages.Language, ...]:
    """A test-only registry of six, shaped like en, es, vi, so, ar, my (the real one is not touched)."""
    en, es = languages.ENGLISH, languages.SPANISH
    ucs2 = {"sms_encoding": SmsEncoding.UCS2, "voice": None}
    return (
        en, es,
        dataclasses.replace(en, code="vi", native_name="Tiếng Việt", name="Vietnamese", sms_encoding=SmsEncoding.UCS2,
                            sms_crisis="Khẩn cấp 911. Đường dây khủng hoảng: nhắn {word}."),
        dataclasses.replace(en, code="so", native_name="Soomaali", name="Somali", voice=None,
                            sms_title="Khadka caawimada guriyeynta.",
                            sms_crisis="Xaalad degdeg ah 911. Khadadka xiisadda: dir {word}."),
        dataclasses.replace(en, code="ar", native_name="العربية", name="Arabic", sms_encoding=SmsEncoding.UCS2,
                            sms_crisis="الطوارئ 911. خطوط الأزمات: أرسل {word}."),
        dataclasses.replace(en, code="my", native_name="မြန်မာ", name="Burmese", **ucs2,
                            sms_crisis="အရေးပေါ် 911"),
    )


def test_the_menu_fits_two_languages_in_one_gsm7_segment(demo: Flask) -> None:
    two = (languages.ENGLISH, languages.SPANISH)
    with demo.test_request_context():
        menu = render.language_menu(two)
    assert len(menu) == 1 and encoding(menu[0]) == "GSM-7" and segments(menu[0]) == 1
    for n, lang in enumerate(two, start=1):
        assert f"{n} {lang.native_name}" in menu[0]
    assert "Crisis lines: text HELP." in menu[0] and "Lineas de crisis: envie AYUDA." in menu[0]


def test_the_menu_fits_six_languages_one_gsm7_segment_then_the_other_scripts(demo: Flask) -> None:
    six = _six()
    with demo.test_request_context():
        menu = render.language_menu(six)
    assert len(menu) == 2
    first, second = menu
    assert encoding(first) == "GSM-7" and segments(first) == 1
    assert first.splitlines()[1:8] == ["1 English", "2 Español", "3 Tieng Viet", "4 Soomaali", "5 Arabic",
                                       "6 Burmese", "0 Other language / Otro idioma"]
    assert "911" in first and "text HELP" in first
    assert segments(second) <= 2
    for line in ("3 Tiếng Việt", "5 العربية", "6 မြန်မာ", "Lineas de crisis: envie AYUDA."):
        assert line in second
    # A registry of one still says where crisis lines are, and offers another language.
    with demo.test_request_context():
        (alone,) = render.language_menu(six[:1])
    assert alone.startswith("Housing help line.") and "0 Other language" in alone and segments(alone) == 1

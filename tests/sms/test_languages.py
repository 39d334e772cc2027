"""Every reply reaches a household in its own language: the rate limit, a failure, the first help, the menu."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from intake_forms import languages
from models import Intake
from services.demo import load_demo
from sms import conversation as conversation_module
from sms import render

from .conftest import Phone


def test_the_rate_limit_answers_in_the_conversations_language(make_app: Callable[..., Flask]) -> None:
    """A Spanish conversation sending "1" too fast: the digit tells nothing, the conversation does."""
    app = make_app(SMS_RATE_LIMIT="3 per minute")
    with app.app_context():
        load_demo(db.session, users=False)
    p = Phone(app.test_client(), "+17855550170")
    p.text("hola")
    p.text("1")
    p.text("1")
    reply = p.text("1")
    assert len(reply) == 1 and reply[0].startswith("Esta enviando mensajes muy rapido") and "911" in reply[0]
    stranger = Phone(app.test_client(), "+17855550171")
    for _ in range(3):
        stranger.text("1")
    assert stranger.text("1")[0].startswith("You are sending texts very fast")


def test_a_failure_on_our_side_answers_in_the_conversations_language(
        demo: Flask, phone: Callable[[str], Phone], monkeypatch: pytest.MonkeyPatch) -> None:
    p = phone("+17855550172")
    p.text("hola")

    def broken(self: object, *args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(conversation_module.Conversation, "_handle", broken)
    reply = p.text("1")
    assert reply[0].startswith("Lo sentimos, tuvimos un problema.") and "911" in reply[0]
    english = phone("+17855550173")
    assert english.text("hello")[0].startswith("Sorry, something went wrong on our side.")


@pytest.mark.parametrize("word", ["INFORMACION", "Información", "ayuda"])
def test_a_spanish_help_word_as_first_text_helps_in_spanish(demo: Flask, phone: Callable[[str], Phone],
                                                            word: str) -> None:
    reply = phone("+17855550174").text(word)
    assert reply[0].startswith("Linea de ayuda de vivienda") and "911" in reply[0]
    assert "English" not in " ".join(reply)
    with demo.app_context():
        assert db.session.scalars(select(Intake)).one().language == "es"


def test_info_as_first_text_helps_in_english_and_shows_the_menu(demo: Flask, phone: Callable[[str], Phone]) -> None:
    reply = phone("+17855550175").text("info")
    assert reply[0].startswith("Housing help line for people in Kansas")
    assert "1 English" in reply[1]


def test_an_unreadable_reply_to_the_language_menu_is_explained_in_every_language(
        demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550176")
    p.text("zzz")
    reply = "\n".join(p.text("qqq"))
    assert "Sorry, we could not read that. Reply 1 for English." in reply
    assert "No pudimos leer eso. Responda 2 para español." in reply
    for lang in languages.REGISTRY:
        assert f"{languages.menu_number(lang.code)} {lang.native_name}" in reply


def test_the_language_menu_names_every_language_first_in_one_gsm7_segment(demo: Flask) -> None:
    from sms.segments import encoding, segments

    with demo.app_context():
        first, *rest = render.language_menu()
    assert segments(first) == 1 and encoding(first) == "GSM-7"
    assert "1 English" in first and "2 Español" in first and "5 Arabic" in first
    assert "Crisis lines: text HELP." in first
    # The names GSM-7 cannot show, and the other crisis lines, follow in a second text.
    assert rest and "5 العربية" in rest[0] and "Lineas de crisis: envie AYUDA." in rest[0]
    assert segments(rest[0]) <= 2


@pytest.mark.parametrize("language", languages.CODES)
def test_a_hint_never_makes_the_question_cost_more_than_it_does_alone(demo: Flask, language: str) -> None:
    """After an unreadable reply the hint and the question go as one text only when that is one segment."""
    from flask_babel import force_locale

    from intake_forms import ERRORS, QUESTIONS
    from sms.segments import segments

    with demo.test_request_context(), force_locale(language):
        for q in QUESTIONS:
            asked = render.question_text(q, offered_phone="+17855550142")
            for error in ERRORS:
                sent = conversation_module._combine(render.hint_text(q, error), asked)
                if len(sent) == 1:
                    assert segments(sent[0]) == 1, (q.key, error)
                else:
                    assert sent[-1] == asked


def test_an_unreadable_reply_gets_the_hint_and_then_the_question_alone(demo: Flask,
                                                                     phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550177")
    p.text("1")  # English: "How do you want to start?"
    p.text("1")  # answer the questions: "Are you safe right now?"
    p.text("1")  # yes: the next question
    reply = p.text("purple elephant")
    assert reply[0].startswith("Sorry, we could not read that answer.")
    assert reply[-1].startswith("Is someone hurting you")


def test_texts_are_folded_only_for_languages_whose_policy_folds(demo: Flask) -> None:
    """Spanish folds to GSM-7 (one segment holds 160); a UCS-2 language keeps its marks (70 a segment)."""
    from dataclasses import replace

    from flask_babel import force_locale

    from sms.segments import encoding, segments

    with demo.test_request_context(), force_locale("es"):
        assert render.plain("¿Dónde durmió?") == "¿Donde durmio?"
    tones = replace(languages.SPANISH, sms_encoding=languages.SmsEncoding.UCS2)
    text = "Bạn ngủ ở đâu tối qua?"
    assert render._fold(tones, text) == text and encoding(text) == "UCS-2"
    assert tones.segment_chars == 70 and segments("ạ" * 70) == 1 and segments("ạ" * 71) == 2

"""A whole intake by text in every registered language: the household picks its language by its menu
number, answers every question, and every reply after the pick is in that language, folded only
when the language's policy folds it, and within the segment budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select

from extensions import db
from intake_forms import QUESTIONS, languages
from intake_forms.definition import Question
from models import Intake, IntakeStatus
from services import intake as intakes
from services.sms_text import MAX_SEGMENTS, is_gsm7, segments
from sms import render
from tests.walks import walk_reply

from .conftest import Phone
from .test_conversation import CODE, current_key

BY_KEY = {q.key: q for q in QUESTIONS}
#: A character in every Vietnamese text that a fold would strip (the tones): "ế" folds to "e".
TONED = re.compile("[\u1ea0-\u1ef9]")


def expected(app: Flask, code: str, q: Question, number: str) -> tuple[str, str]:
    """The question as the line asks it in ``code``, and as it would in English."""
    with app.test_request_context():
        with force_locale(code):
            asked = render.question_text(q, offered_phone=number)
        with force_locale("en"):
            english = render.question_text(q, offered_phone=number)
    return asked, english


@pytest.mark.parametrize("code", languages.CODES)
def test_a_whole_intake_by_text_in_each_language(demo: Flask, phone: Callable[[str], Phone], code: str) -> None:
    lang = languages.language(code)
    number = f"+1785555{languages.menu_number(code):04d}"
    p = phone(number)
    menu = p.text("hi")
    assert f"{languages.menu_number(code)} " in menu[0]
    picked = p.text(str(languages.menu_number(code)))
    with demo.test_request_context():
        with force_locale(code):
            welcome = render.welcome()
        with force_locale("en"):
            english_welcome = render.welcome()
    assert picked[0] == welcome
    if code != "en":
        assert welcome != english_welcome

    asked: list[str] = []
    for _ in range(60):
        key = current_key(demo, p.number)
        if key is None:
            break
        q = BY_KEY[key]
        text, english = expected(demo, code, q, number)
        # The question is the last text of the reply that asked it (a notice or the welcome may come first).
        assert p.replies[-1][-1] == text, (key, p.replies[-1])
        if code != "en":
            assert text != english, key
        asked.append(key)
        p.text(walk_reply(q, identifying="SKIP"))
    else:
        raise AssertionError(f"the conversation never ended: {asked}")
    assert {"adults", "children", "help_needed", "location", "contact_method", "phone", "dob",
            "consent_share"} <= set(asked), asked

    final = p.last()
    reference = CODE.search(final)
    assert reference, final
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status is IntakeStatus.SUBMITTED and intake.reference_code == reference.group()
        assert intake.language == code and intake.channel.value == "sms"
        assert intakes.codes(intake)["location"]
        with demo.test_request_context(), force_locale(code):
            thanks = render.plain(gettext("Thank you. Your reference code is %(code)s.",
                                          code=intake.reference_code))
    assert thanks in final

    after_pick = [text for reply in p.replies[1:] for text in reply]
    english_welcome_sentence = "We will ask a few questions to connect you with housing help."
    assert english_welcome_sentence in english_welcome
    if code != "en":
        assert all(english_welcome_sentence not in text for text in after_pick)
    for text in after_pick:
        assert segments(text) <= MAX_SEGMENTS, (segments(text), text)
        if lang.folds:
            assert is_gsm7(text), text
    if code == "vi":
        assert all(TONED.search(text) for text in after_pick), [t for t in after_pick if not TONED.search(t)]
    elif not lang.folds:
        assert all(not is_gsm7(text) for text in after_pick), after_pick

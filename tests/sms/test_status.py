"""STATUS / ESTADO by text: only from the number given on the intake, throttled, confidential kept quiet."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from models import Intake, IntakeStatus
from services.demo import load_demo
from services.hotlines import hotline

from .conftest import Phone
from .test_conversation import CODE, ENGLISH, SPANISH, walk

HOURS = re.compile(r"Open now, until|Closed now\. Opens")


def submit_by_text(app: Flask, p: Phone, language: str = "1", answers: dict[str, str] = ENGLISH) -> str:
    p.text("Hi")
    p.text(language)
    walk(app, p, answers)
    found = CODE.search(p.last())
    assert found, p.last()
    return found.group()


def test_status_from_the_number_given_says_received_where_and_hours(demo: Flask,
                                                                    phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550301")
    code = submit_by_text(demo, p)
    reply = p.text(f"status {code.lower().replace('-', '')}")
    assert len(reply) == 1
    text = reply[0]
    assert text.startswith("We received your request.")
    assert "Sample: Hays Community Resource Center" in text and "785-555-0100" in text
    assert HOURS.search(text), text
    assert "911" in text
    assert not re.search(r"\bSam\b", text) and "67601" not in text  # nothing else: no answers, no names
    with demo.app_context():  # a status text is not a message for staff
        intake = db.session.scalars(select(Intake)).one()
        assert intake.new_message_at is None and intake.messages == []


def test_estado_answers_in_the_household_language(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550302")
    code = submit_by_text(demo, p, "2", SPANISH)
    # SPANISH gives another number (785-555-0187): the lookup is bound to the number given.
    assert p.text(f"ESTADO {code}")[0].startswith("No encontramos")
    other = phone("+17855550187")
    reply = other.text(f"ESTADO {code}")[0]
    assert reply.startswith("Recibimos su solicitud."), reply
    assert re.search(r"Abierto ahora|Cerrado ahora", reply), reply


def test_wrong_code_and_wrong_number_get_the_same_answer(demo: Flask, phone: Callable[[str], Phone]) -> None:
    owner = phone("+17855550303")
    code = submit_by_text(demo, owner)
    stranger = phone("+17855550304")
    wrong_number = stranger.text(f"STATUS {code}")
    wrong_code = owner.text("STATUS 000-000")
    assert wrong_number == wrong_code
    assert "could not find" in wrong_number[0] and "Hays" not in wrong_number[0]


def test_status_without_a_code_says_how(demo: Flask, phone: Callable[[str], Phone]) -> None:
    assert "STATUS 7KQ-2MD" in phone("+17855550305").text("status")[0]


@pytest.fixture
def strict(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(SMS_RATE_LIMIT="10000 per minute", STATUS_RATE_LIMIT="2 per 15 minutes")
    with app.app_context():
        load_demo(db.session, users=False)
    return app


def test_wrong_tries_are_throttled_per_number_and_per_code(strict: Flask) -> None:
    client = strict.test_client()
    owner = Phone(client, "+17855550306")
    code = submit_by_text(strict, owner)
    guesser = Phone(client, "+17855550307")
    for guess in ("111-111", "222-222"):
        assert "could not find" in guesser.text(f"STATUS {guess}")[0]
    assert "Too many tries" in guesser.text("STATUS 333-333")[0]  # per number
    # Two wrong tries at the owner's code from other numbers use up that code's tries too.
    for number in ("+17855550308", "+17855550309"):
        assert "could not find" in Phone(client, number).text(f"STATUS {code}")[0]
    assert "Too many tries" in owner.text(f"STATUS {code}")[0]
    # A right answer is not counted: another intake's owner still gets through.
    second = Phone(client, "+17855550310")
    other_code = submit_by_text(strict, second)
    for _ in range(3):
        assert second.text(f"STATUS {other_code}")[0].startswith("We received your request.")


def test_a_confidential_intake_answers_received_and_the_advocate_line(demo: Flask,
                                                                      phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550311")
    for text in ["English", "1", "yes", "yes", "advocate", "call", "yes", "yes", "no", "any time", "skip"]:
        p.text(text)
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.confidential and intake.status is IntakeStatus.SUBMITTED
        ap = intake.routed_access_point
        assert ap is not None
        code, name, ap_phone = intake.reference_code, ap.name, ap.phone
    reply = p.text(f"STATUS {code}")[0]
    assert reply.startswith("We received your request.")
    assert hotline("ks_crisis").phone in reply and "911" in reply
    assert name not in reply and (ap_phone or "no phone") not in reply and "Open now" not in reply


def test_stop_wins_over_status(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550312")
    code = submit_by_text(demo, p)
    assert p.text("STOP") == []
    assert p.text(f"STATUS {code}") == []

"""Texts sent after submitting belong to the intake: kept encrypted, marked new, answered kindly."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select, text

from extensions import db
from models import HouseholdMessage, Intake
from services.pii import current_cipher

from .conftest import Phone
from .test_conversation import CODE, ENGLISH, SPANISH, start, walk

LONG = ("call me after 5pm, I work mornings at the diner on Main and cannot pick up. " * 17)[:1254]


def submitted(demo: Flask, p: Phone, answers: dict[str, str] = ENGLISH, language: str = "1") -> str:
    start(p, language)
    walk(demo, p, answers)
    code = CODE.search(p.last())
    assert code
    return code.group()


def test_a_long_text_after_submitting_is_kept_and_answered(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    code = submitted(demo, p)
    assert len(LONG) == 1254
    reply = p.text(LONG)
    assert len(reply) == 1
    assert "We added your message to your request" in reply[0] and code in reply[0]
    assert "Sample: Hays" in reply[0] and "will see it" in reply[0] and "text NEW" in reply[0]
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        stored = db.session.scalars(select(HouseholdMessage)).one()
        assert stored.intake_id == intake.id and current_cipher().decrypt(stored.body_enc) == LONG.strip()
        assert intake.new_message_at is not None
        # Encrypted: the words are nowhere in the table in clear.
        raw = db.session.execute(text("SELECT body_enc FROM household_messages")).scalar_one()
        assert b"diner" not in bytes(raw)


def test_the_reply_is_in_the_household_language(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    code = submitted(demo, p, SPANISH, "2")
    reply = p.text("llámenme después de las 5")
    assert code in reply[0] and "Agregamos su mensaje" in reply[0]


def test_keywords_still_work_after_submitting(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    submitted(demo, p)
    assert "911" in p.text("HELP")[0]
    assert p.text("STOP") == []
    with demo.app_context():
        assert db.session.scalars(select(HouseholdMessage)).all() == []
    # Opted out: nothing is sent back, but what they write is still kept for staff.
    assert p.text("please call my sister instead") == []
    with demo.app_context():
        assert len(db.session.scalars(select(HouseholdMessage)).all()) == 1
    assert p.text("START")
    assert p.text("NEW")[0].startswith("Welcome.")
    with demo.app_context():
        assert len(db.session.scalars(select(HouseholdMessage)).all()) == 1

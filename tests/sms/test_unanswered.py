"""Texts whose reply never went out, and texts from one number at the same moment."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode
from xml.etree import ElementTree

from flask import Flask
from sqlalchemy import select, update
from twilio.request_validator import RequestValidator

from config import TEST_TWILIO_AUTH_TOKEN
from extensions import db
from models import Intake
from models.base import utcnow
from models.sms import SmsConversation
from services import intake as intakes
from services.demo import load_demo

from .conftest import LINE_NUMBER, Phone, messages, new_sid

SAFE_NOW = "Are you safe right now?"


def _current(app: Flask) -> str | None:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        q = intakes.current_question(intake)
        return q.key if q else None


def test_a_resent_text_whose_reply_came_too_late_gets_the_question_again(
    demo: Flask, phone: Callable[[str], Phone]
) -> None:
    p = phone()
    p.text("hello")
    p.text("1")  # English; now at start_choice
    # "1" (answer questions) is saved, but the reply took longer than Twilio waits: the person
    # saw nothing, so they send "1" again, with a new MessageSid.
    demo.config["SMS_SLOW_REPLY_SECONDS"] = -1  # every reply counts as too slow
    p.text("1")
    demo.config["SMS_SLOW_REPLY_SECONDS"] = 10
    assert _current(demo) == "safe_now"
    again = p.text("1")
    assert again and SAFE_NOW in again[-1]
    assert _current(demo) == "safe_now", "the repeat did not answer a question they never saw"
    # The question went out in time now, so "1" again is an answer ("Yes, safe").
    p.text("1")
    assert _current(demo) != "safe_now"


def test_a_fast_reply_keeps_nothing_of_the_text(demo: Flask, phone: Callable[[str], Phone]) -> None:
    """Answered in time, a text leaves no hash of its words on the conversation."""
    p = phone()
    p.text("hello")
    p.text("1")
    p.text("1")
    with demo.app_context():
        conversation = db.session.scalars(select(SmsConversation)).one()
        assert conversation.last_body_index is None


def test_the_same_answer_twice_is_two_answers_when_the_replies_went_out(
    demo: Flask, phone: Callable[[str], Phone]
) -> None:
    p = phone()
    p.text("hello")
    p.text("1")
    p.text("1")  # answer questions
    assert _current(demo) == "safe_now"
    p.text("1")  # yes, safe
    assert _current(demo) != "safe_now"


def test_a_repeat_after_the_window_is_a_new_answer(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    p.text("hello")
    p.text("1")
    demo.config["SMS_SLOW_REPLY_SECONDS"] = -1
    p.text("1")  # too slow: kept
    demo.config["SMS_SLOW_REPLY_SECONDS"] = 10
    with demo.app_context():
        db.session.execute(update(SmsConversation).values(last_body_at=utcnow() - timedelta(minutes=3)))
        db.session.commit()
    p.text("1")
    assert _current(demo) != "safe_now"


def test_six_texts_from_one_number_at_once_are_each_answered(app: Flask, live_server: object) -> None:
    """On PostgreSQL (TEST_DATABASE_URL) a row lock serializes them; on SQLite a collision is retried."""
    with app.app_context():
        load_demo(db.session, users=False)
        db.session.commit()
    port = live_server.server.server_port  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}/sms/inbound"
    validator = RequestValidator(TEST_TWILIO_AUTH_TOKEN)
    number = "+17855550177"

    def send(body: str) -> tuple[int, list[str]]:
        params = {"From": number, "To": LINE_NUMBER, "Body": body, "MessageSid": new_sid(), "NumMedia": "0"}
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(url, params)}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST", "/sms/inbound", body=urlencode(params), headers=headers)
            response = connection.getresponse()
            xml = response.read().decode()
        finally:
            connection.close()
        root = ElementTree.fromstring(xml)  # noqa: S314 (our own reply)
        return response.status, [m.text or "" for m in root.iter("Message")]

    send("hello")
    send("1")
    results: list[tuple[int, list[str]]] = []
    barrier = threading.Barrier(6)

    def one(body: str) -> None:
        barrier.wait()
        results.append(send(body))

    threads = [threading.Thread(target=one, args=(body,)) for body in ("1", "yes", "2", "no", "3", "help")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 6
    assert all(status == 200 for status, _ in results)
    troubles = [texts for _, texts in results if any("went wrong" in t for t in texts)]
    assert troubles == []
    assert all(texts for _, texts in results), results
    assert messages  # the helper module is the same one the other SMS tests use

"""The webhooks: signatures, status callbacks, the per-number rate limit, in-process delivery, the chat CLI."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from extensions import db
from models import Intake
from models.sms import InboundMessage, OutboxMessage, OutboxStatus, SmsOptOut
from services import outbox
from services.sms_sender import FakeSender, set_sender

from .conftest import LINE_NUMBER, Phone, messages, new_sid, signed_post

PARAMS = {"From": "+17855550142", "To": LINE_NUMBER, "Body": "hola", "MessageSid": "SM" + "a" * 32}


@pytest.mark.parametrize("path", ["/sms/inbound", "/sms/status"])
def test_missing_or_forged_signature_is_refused(app: Flask, path: str) -> None:
    client = app.test_client()
    assert client.post(path, data=PARAMS).status_code == 403
    assert client.post(path, data=PARAMS, headers={"X-Twilio-Signature": "Zm9yZ2Vk"}).status_code == 403
    assert signed_post(client, path, PARAMS, token="not-the-token").status_code == 403
    # Signed for another URL, or the body changed after signing.
    assert signed_post(client, path, PARAMS, url="http://localhost/elsewhere").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 0


def test_tampered_body_is_refused(app: Flask) -> None:
    from twilio.request_validator import RequestValidator

    from config import TEST_TWILIO_AUTH_TOKEN

    signature = RequestValidator(TEST_TWILIO_AUTH_TOKEN).compute_signature("http://localhost/sms/inbound", PARAMS)
    response = app.test_client().post("/sms/inbound", data={**PARAMS, "Body": "STOP"},
                                      headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_public_base_url_is_what_twilio_signed(make_app: Callable[..., Flask]) -> None:
    app = make_app(PUBLIC_BASE_URL="https://frontdoor.example.org")
    client = app.test_client()
    assert signed_post(client, "/sms/inbound", PARAMS).status_code == 403
    ok = signed_post(client, "/sms/inbound", PARAMS, url="https://frontdoor.example.org/sms/inbound")
    assert ok.status_code == 200


def test_webhooks_need_no_csrf_token_and_answer_twiml(app: Flask) -> None:
    response = signed_post(app.test_client(), "/sms/inbound", PARAMS)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    assert response.get_data(as_text=True).startswith("<?xml")


def test_rate_limit_per_number_replies_kindly(make_app: Callable[..., Flask]) -> None:
    app = make_app(SMS_RATE_LIMIT="3 per minute")
    client = app.test_client()
    fast, other = Phone(client, "+17855550160"), Phone(client, "+17855550161")
    for _ in range(3):
        fast.text("hi")
    reply = fast.text("hi")
    assert reply == ["You are sending texts very fast. Please wait a minute, then send your answer again. "
                     "In an emergency call 911."]
    assert "1 English" in other.text("hi")[0]


def test_the_limit_reply_is_in_the_conversations_language_and_changes_nothing(make_app: Callable[..., Flask]) -> None:
    app = make_app(SMS_RATE_LIMIT="1 per minute")
    phone = Phone(app.test_client(), "+17855550162")
    first = phone.text("hola")
    assert first and "muy rapido" not in " ".join(first)
    assert phone.text("hola") == ["Esta enviando mensajes muy rapido. Espere un minuto y envie su respuesta "
                                  "otra vez. En una emergencia llame al 911."]
    with app.app_context():
        assert db.session.scalar(select(func.count(InboundMessage.id))) == 1, "the text over the limit is not kept"


def test_every_limit_counts_in_its_own_window(app: Flask) -> None:
    from datetime import UTC, datetime, timedelta

    from limits import parse_many

    from models import SmsSenderCount
    from services.conversation_store import count_text

    limits = parse_many("2 per minute;4 per day")
    start = datetime(2026, 11, 30, 10, 0, 5, tzinfo=UTC)
    with app.app_context():
        counted = []
        for now in (start, start, start, start + timedelta(minutes=1), start + timedelta(minutes=1)):
            counted.append(count_text(db.session, "sender-a", limits, now))
            db.session.commit()
        # A new minute starts again at 1; the day keeps counting, texts over a limit included.
        assert counted == [True, True, False, True, False]
        assert count_text(db.session, "sender-b", limits, start + timedelta(minutes=1)), "one count per number"
        db.session.commit()
        assert count_text(db.session, "sender-a", limits, start + timedelta(days=1))
        rows = db.session.execute(select(SmsSenderCount.sender_key, SmsSenderCount.window, SmsSenderCount.hits)
                                  .order_by(SmsSenderCount.sender_key, SmsSenderCount.window)).all()
        assert [tuple(row) for row in rows] == [("sender-a", "2/60", 1), ("sender-a", "4/86400", 1),
                                                ("sender-b", "2/60", 1), ("sender-b", "4/86400", 1)]


def test_status_callback_is_recorded(app: Flask) -> None:
    fake = FakeSender()
    set_sender(app, fake)
    with app.app_context():
        outbox.enqueue_sms(db.session, to="+17855550142", body="Your code is 7KQ-2MD.",
                           language="en", purpose="confirmation")
        db.session.commit()
        outbox.deliver_pending(db.session, fake)
    sid = fake.sent[0].sid
    client = app.test_client()
    response = signed_post(client, "/sms/status", {"MessageSid": sid, "MessageStatus": "delivered",
                                                   "AccountSid": "AC" + "0" * 32})
    assert response.status_code == 204
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.status)).one() == OutboxStatus.DELIVERED
    signed_post(client, "/sms/status", {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "21610"})
    with app.app_context():
        assert db.session.scalar(select(func.count(SmsOptOut.id))) == 1
    assert signed_post(client, "/sms/status", {"MessageSid": "SMnope", "MessageStatus": "sent"}).status_code == 204


def test_in_process_delivery_after_the_request(make_app: Callable[..., Flask]) -> None:
    app = make_app(SMS_DELIVER_IN_PROCESS=True)
    fake = FakeSender()
    set_sender(app, fake)

    @app.get("/_test/queue")
    def queue() -> str:
        outbox.enqueue_sms(db.session, to="+17855550142", body="hello", language="en", purpose="test")
        db.session.commit()
        return "ok"

    assert app.test_client().get("/_test/queue").status_code == 200
    assert [m.body for m in fake.sent] == ["hello"]


def test_flask_sms_chat_goes_through_the_signed_webhook(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["sms", "chat", "--phone", "+17855550199"],
                                          input="hola\nhelp\nstop\nhi\n")
    assert result.exit_code == 0, result.output
    assert "Bienvenido." in result.output or "Welcome" in result.output
    assert "911" in result.output and "(no reply)" in result.output


def test_a_message_sid_seen_twice_gets_the_same_question_and_is_stored_once(app: Flask) -> None:


    client = app.test_client()
    params = {**PARAMS, "MessageSid": new_sid()}
    first = messages(signed_post(client, "/sms/inbound", params))
    assert first
    # The question they are on, again (without the welcome).
    assert messages(signed_post(client, "/sms/inbound", params)) == first[-1:]
    with app.app_context():
        assert db.session.scalar(select(func.count(InboundMessage.id))) == 1


def test_webhooks_open_no_session_and_skip_the_limiter(app: Flask) -> None:
    """Twilio keeps no cookie and texts are counted in the database: a webhook gets the null
    session (never written: no Set-Cookie, even with a cookie sent) and Flask-Limiter leaves it
    alone, while a page still gets its session."""
    from flask import session
    from flask.sessions import NullSession

    from extensions import limiter

    client = app.test_client()
    client.set_cookie("session", "a-cookie-twilio-never-sends")
    params = {"From": "+17855550142", "To": LINE_NUMBER, "Body": "hi", "MessageSid": new_sid(), "NumMedia": "0"}
    response = signed_post(client, "/sms/inbound", params)
    assert response.status_code == 200 and messages(response)
    assert "Set-Cookie" not in response.headers
    with app.test_request_context("/sms/inbound", method="POST"):
        app.preprocess_request()
        assert isinstance(session, NullSession)
        assert any(skip() for skip in limiter._request_filters)
    with app.test_request_context("/voice/incoming", method="POST"):
        assert isinstance(session, NullSession)
    with app.test_request_context("/"):
        assert not isinstance(session, NullSession)
        assert not any(skip() for skip in limiter._request_filters)
    page = app.test_client().get("/staff/login")
    assert page.status_code == 200 and "Set-Cookie" in page.headers  # the form's CSRF token lives there


@pytest.mark.postgres
def test_a_text_on_a_dropped_connection_is_taken_again_on_a_fresh_one(pg_url: str) -> None:
    """No ping per request: when PostgreSQL dropped the pooled connection (a restart), the text's
    first statement fails, and the text is taken again, whole, on a new connection: answered and
    stored once, not met with the "something went wrong" reply."""
    import psycopg
    from flask_migrate import upgrade

    from app import create_app
    from config import engine_options
    from services.demo import load_demo
    from tests.conftest import MIGRATIONS

    app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": pg_url,
                      "SQLALCHEMY_ENGINE_OPTIONS": engine_options(pg_url)})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        load_demo(db.session, users=False)
        db.session.commit()
    phone = Phone(app.test_client(), "+17855550188")
    phone.text("hi")
    phone.text("1")  # English: now at "answer questions or talk to someone"
    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        dropped = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()
    assert dropped is not None and dropped[0] >= 1  # the app's pooled connection is gone
    import logging

    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("sms.conversation").addHandler(handler)  # the migrations reset the root's
    try:
        reply = phone.text("1")  # "the questions"
    finally:
        logging.getLogger("sms.conversation").removeHandler(handler)
    assert any("a database connection was dropped" in m for m in seen)
    assert "Are you safe right now?" in reply[-1]
    with app.app_context():
        assert db.session.scalar(select(func.count(InboundMessage.id))) == 3
        db.session.remove()
        db.engine.dispose()

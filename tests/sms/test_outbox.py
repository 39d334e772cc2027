"""The outbox: queued in the caller's transaction, sent by a worker, status recorded, opt-outs kept."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select, update
from twilio.http import HttpClient
from twilio.http.response import Response

from extensions import db
from models.base import utcnow
from models.sms import OutboxMessage, OutboxStatus, SmsOptOut
from services import outbox
from services.pii import current_cipher
from services.sms_sender import (
    ConsoleSender,
    FakeSender,
    TwilioSender,
    build_sender,
    get_sender,
    set_sender,
)

PHONE = "+17855550142"


def test_enqueue_adds_in_the_callers_transaction_and_encrypts(app: Flask) -> None:
    with app.app_context():
        message = outbox.enqueue_sms(db.session, to=PHONE, body="Your code is 7KQ-2MD.",
                                     language="en", purpose="confirmation")
        assert message is not None
        db.session.rollback()
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0

        outbox.enqueue_sms(db.session, to=PHONE, body="Your code is 7KQ-2MD.", language="en", purpose="confirmation")
        db.session.commit()
        stored = db.session.scalars(select(OutboxMessage)).one()
        assert PHONE.encode() not in stored.to_enc
        assert b"7KQ-2MD" not in stored.body_enc
        assert stored.to_index == current_cipher().phone_index(PHONE)
        assert stored.status == OutboxStatus.QUEUED


def test_deliver_pending_sends_once_and_records_the_sid(app: Flask) -> None:
    sender = FakeSender()
    with app.app_context():
        outbox.enqueue_sms(db.session, to=PHONE, body="one", language="en", purpose="test")
        outbox.enqueue_sms(db.session, to=PHONE, body="two", language="en", purpose="test")
        db.session.commit()
        assert outbox.deliver_pending(db.session, sender, status_callback="https://x.example/sms/status") == 2
        assert outbox.deliver_pending(db.session, sender) == 0
        assert [m.body for m in sender.sent] == ["one", "two"]
        assert sender.sent[0].status_callback == "https://x.example/sms/status"
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [r.twilio_sid for r in rows] == [m.sid for m in sender.sent]
        assert all(r.attempts == 1 and r.sent_at is not None for r in rows)


def test_status_callback_updates_and_never_goes_backwards(app: Flask) -> None:
    sender = FakeSender()
    with app.app_context():
        outbox.enqueue_sms(db.session, to=PHONE, body="hello", language="en", purpose="test")
        db.session.commit()
        outbox.deliver_pending(db.session, sender)
        sid = sender.sent[0].sid
        assert outbox.record_status(db.session, sid, "delivered", None)
        assert outbox.record_status(db.session, sid, "sent", None)
        assert db.session.scalars(select(OutboxMessage)).one().status == OutboxStatus.DELIVERED
        assert not outbox.record_status(db.session, "SM-unknown", "delivered", None)


def test_opted_out_numbers_get_nothing(app: Flask) -> None:
    with app.app_context():
        outbox.opt_out(db.session, PHONE)
        db.session.commit()
        assert outbox.enqueue_sms(db.session, to=PHONE, body="x", language="en", purpose="test") is None
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
        assert outbox.opt_in(db.session, PHONE)
        db.session.commit()
        assert outbox.enqueue_sms(db.session, to=PHONE, body="x", language="en", purpose="test") is not None


def test_error_21610_marks_the_number_opted_out(app: Flask) -> None:
    sender = FakeSender(opted_out={PHONE})
    with app.app_context():
        outbox.enqueue_sms(db.session, to=PHONE, body="x", language="en", purpose="test")
        outbox.enqueue_sms(db.session, to=PHONE, body="y", language="en", purpose="test")
        db.session.commit()
        assert outbox.deliver_pending(db.session, sender, limit=1) == 0
        assert db.session.scalar(select(SmsOptOut.source)) == "carrier"
        statuses = db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()
        assert statuses == [OutboxStatus.OPTED_OUT, OutboxStatus.OPTED_OUT]


def test_21610_in_a_status_callback_marks_opted_out(app: Flask) -> None:
    sender = FakeSender()
    with app.app_context():
        outbox.enqueue_sms(db.session, to=PHONE, body="x", language="en", purpose="test")
        db.session.commit()
        outbox.deliver_pending(db.session, sender)
        outbox.record_status(db.session, sender.sent[0].sid, "failed", "21610")
        assert outbox.is_opted_out(db.session, PHONE)


def test_failures_are_retried_with_back_off_then_given_up(app: Flask) -> None:
    sender = FakeSender(failing={PHONE: "30003"})
    backoff = outbox.Backoff(base=timedelta(minutes=1), cap=timedelta(minutes=5))
    now = utcnow()
    with app.app_context():
        outbox.enqueue_sms(db.session, to=PHONE, body="x", language="en", purpose="test")
        db.session.commit()
        waits = []
        for _ in range(outbox.MAX_ATTEMPTS + 2):
            outbox.deliver_pending(db.session, sender, backoff=backoff, now=now)
            row = db.session.scalars(select(OutboxMessage)).one()
            if row.next_attempt_at is None:
                break
            next_at = row.next_attempt_at if row.next_attempt_at.tzinfo else row.next_attempt_at.replace(tzinfo=UTC)
            waits.append(next_at - now)
            # Not before its time: a look a second early sends nothing.
            outbox.deliver_pending(db.session, sender, backoff=backoff, now=next_at - timedelta(seconds=1))
            assert db.session.scalars(select(OutboxMessage)).one().attempts == len(waits)
            now = next_at
        assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 5)]  # doubling, capped
        row = db.session.scalars(select(OutboxMessage)).one()
        assert row.status == OutboxStatus.FAILED
        assert row.attempts == outbox.MAX_ATTEMPTS
        assert row.error_code == "30003"


class RecordingHttp(HttpClient):
    """Twilio's HTTP edge, answered locally: records each request, returns a canned 201."""

    def __init__(self) -> None:
        super().__init__(logger=None, is_async=False)
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, method: str, url: str, params: Any = None, data: Any = None, headers: Any = None,
                auth: Any = None, timeout: Any = None, allow_redirects: bool = False) -> Response:
        self.sent.append((method, url, dict(data or {})))
        if data["To"] == "+17855550199":
            body = {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}
            return Response(400, json.dumps(body))
        return Response(201, json.dumps({"sid": "SM" + "1" * 32, "status": "queued", "to": data["To"]}))


def test_twilio_sender_through_the_rest_client() -> None:
    http = RecordingHttp()
    sender = TwilioSender("AC" + "0" * 32, "token", from_number="+15005550006", http_client=http)
    result = sender.send(PHONE, "hello", status_callback="https://x.example/sms/status")
    assert result.sid == "SM" + "1" * 32 and result.ok
    method, url, data = http.sent[0]
    assert method == "POST" and url.endswith("/Messages.json")
    assert data["To"] == PHONE and data["From"] == "+15005550006"
    assert data["StatusCallback"] == "https://x.example/sms/status"
    refused = sender.send("+17855550199", "hello", status_callback=None)
    assert refused.error_code == "21610" and not refused.ok


def test_backend_is_chosen_by_config(app: Flask) -> None:
    assert isinstance(build_sender({"SMS_BACKEND": "console"}), ConsoleSender)
    assert isinstance(build_sender({"SMS_BACKEND": "fake"}), FakeSender)
    twilio = build_sender({"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
                           "TWILIO_AUTH_TOKEN": "t", "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32})
    assert isinstance(twilio, TwilioSender)
    assert isinstance(get_sender(app), ConsoleSender)
    fake = FakeSender()
    set_sender(app, fake)
    assert get_sender(app) is fake


def test_console_sender_masks_the_number_shows_the_body_and_never_repeats_an_id(caplog: Any) -> None:
    caplog.set_level("INFO")
    # Two workers are two processes, each with its own sender: their ids must still differ.
    first, second = ConsoleSender(), ConsoleSender()
    sids = {first.send(PHONE, "Your code is 7KQ-2MD.", status_callback=None).sid,
            second.send(PHONE, "Your code is 7KQ-2MD.", status_callback=None).sid}
    assert len(sids) == 2
    assert PHONE not in caplog.text and "**********42" in caplog.text
    assert "Your code is 7KQ-2MD." in caplog.text


def test_a_second_console_worker_does_not_strand_its_texts(make_app: Any) -> None:
    first, second = make_app(SMS_BACKEND="console"), make_app(SMS_BACKEND="console")
    with first.app_context():
        outbox.enqueue_sms(db.session, to=PHONE, body="one", language="en", purpose="test")
        db.session.commit()
        assert outbox.deliver_pending(db.session, ConsoleSender()) == 1
        outbox.enqueue_sms(db.session, to=PHONE, body="two", language="en", purpose="test")
        db.session.commit()
    with second.app_context():
        assert outbox.deliver_pending(db.session, ConsoleSender()) == 1
        statuses = db.session.scalars(select(OutboxMessage.status)).all()
        assert statuses == [OutboxStatus.SENT, OutboxStatus.SENT]


def _strand(message_id: int, minutes: int) -> None:
    """Leave a row as a worker killed between claiming and recording the send would."""
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id)
        .values(status=OutboxStatus.SENDING, attempts=1, last_attempt_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def test_a_row_stranded_in_sending_is_recovered_and_sent_once(app: Flask) -> None:
    sender = FakeSender()
    with app.app_context():
        sent_before_crash = outbox.enqueue_sms(db.session, to=PHONE, body="accepted, then the worker died",
                                               language="en", purpose="test")
        never_sent = outbox.enqueue_sms(db.session, to=PHONE, body="claimed, then the worker died",
                                        language="en", purpose="test")
        fresh = outbox.enqueue_sms(db.session, to=PHONE, body="being sent right now", language="en", purpose="test")
        db.session.commit()
        assert sent_before_crash and never_sent and fresh
        # The first reached the backend before the crash (same key as the worker would use).
        sender.send(PHONE, "accepted, then the worker died", status_callback=None,
                    idempotency_key=outbox.idempotency_key(sent_before_crash.id))
        for row in (sent_before_crash, never_sent):
            _strand(row.id, minutes=10)
        _strand(fresh.id, minutes=0)  # another worker is sending it: not stale yet

        assert outbox.deliver_pending(db.session, sender) == 2
        assert sorted(m.body for m in sender.sent) == ["accepted, then the worker died",
                                                        "claimed, then the worker died"]
        assert sender.repeats == 1
        rows = {r.id: r for r in db.session.scalars(select(OutboxMessage))}
        assert rows[sent_before_crash.id].status == OutboxStatus.SENDING  # Twilio's "queued"
        assert rows[sent_before_crash.id].twilio_sid is not None
        assert rows[never_sent.id].twilio_sid is not None
        assert rows[fresh.id].twilio_sid is None and rows[fresh.id].status == OutboxStatus.SENDING


def test_a_stranded_row_out_of_attempts_is_marked_failed(app: Flask) -> None:
    with app.app_context():
        row = outbox.enqueue_sms(db.session, to=PHONE, body="x", language="en", purpose="test")
        db.session.commit()
        assert row is not None
        _strand(row.id, minutes=10)
        db.session.execute(update(OutboxMessage).values(attempts=outbox.MAX_ATTEMPTS))
        db.session.commit()
        assert outbox.recover_stale(db.session) == 1
        assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.FAILED


def test_outbox_work_command(app: Flask) -> None:
    fake = FakeSender()
    set_sender(app, fake)
    with app.app_context():
        outbox.enqueue_sms(db.session, to=PHONE, body="queued", language="en", purpose="test")
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    assert [m.body for m in fake.sent] == ["queued"]


def test_purge_clears_old_sms_history_and_keeps_what_is_still_needed(app: Flask) -> None:
    from models.sms import ConversationState, InboundMessage, SmsConversation, SmsSenderCount

    old = utcnow() - timedelta(days=30)
    day = 86400
    with app.app_context():
        cipher = current_cipher()
        for n, state in enumerate((ConversationState.DONE, ConversationState.NEW, ConversationState.ACTIVE)):
            db.session.add(SmsConversation(phone_index=cipher.blind_index(f"old{n}"), state=state,
                                           last_inbound_at=old))
        db.session.add(SmsConversation(phone_index=cipher.blind_index("recent"), state=ConversationState.DONE))
        db.session.add(InboundMessage(message_sid="SM-old", phone_index="x", received_at=old))
        db.session.add(InboundMessage(message_sid="SM-new", phone_index="x"))
        # Per-number text counts: a day's window that ended weeks ago goes; today's stays.
        today = int(utcnow().timestamp()) // day * day
        db.session.add(SmsSenderCount(sender_key="old", window=f"300/{day}", window_start=today - 30 * day, hits=4))
        db.session.add(SmsSenderCount(sender_key="now", window=f"300/{day}", window_start=today, hits=2))
        sent = outbox.enqueue_sms(db.session, to=PHONE, body="sent long ago", language="en", purpose="test")
        queued = outbox.enqueue_sms(db.session, to=PHONE, body="still waiting", language="en", purpose="test")
        db.session.commit()
        assert sent and queued
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == sent.id)
                           .values(status=OutboxStatus.DELIVERED, updated_at=old))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == queued.id).values(updated_at=old))
        db.session.commit()
        queued_id = queued.id

    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1 inbound text id(s) and 1 finished outbound text(s)" in result.output
    assert "2 finished text conversation(s)" in result.output
    with app.app_context():
        assert db.session.scalars(select(InboundMessage.message_sid)).all() == ["SM-new"]
        assert db.session.scalars(select(OutboxMessage.id)).all() == [queued_id]
        states = sorted(str(s) for s in db.session.scalars(select(SmsConversation.state)))
        assert states == ["active", "done"]  # in progress (its intake decides), and the recent one
        assert db.session.scalars(select(SmsSenderCount.sender_key)).all() == ["now"]


def test_the_outbox_worker_runs_the_purge_on_its_schedule(app: Flask, monkeypatch: Any) -> None:
    import sms.cli as worker

    calls: list[int] = []
    monkeypatch.setattr(worker, "purge_everything", lambda session, config: calls.append(1) or
                        __import__("services.cli", fromlist=["PurgeResult"]).PurgeResult(72, 0, 0, {}))

    class Stop(Exception):
        pass

    def stop_after_one_look(*args: Any, **kwargs: Any) -> int:
        raise Stop

    monkeypatch.setattr(worker, "deliver_pending", stop_after_one_look)
    result = app.test_cli_runner().invoke(args=["outbox", "work"])
    assert isinstance(result.exception, Stop)
    assert calls == [1]
    app.config["PURGE_EVERY_MINUTES"] = 0
    calls.clear()
    app.test_cli_runner().invoke(args=["outbox", "work"])
    assert calls == []

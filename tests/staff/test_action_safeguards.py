"""Safeguards on staff actions: a voice message against the household's wish, an assessment in
the past, the same text twice; and the history shows times in the access point's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from extensions import db
from models import EventKind, IntakeEvent
from models.base import utcnow
from models.sms import OutboxMessage

from .conftest import World, csrf_from, make_intake


def _post(client: FlaskClient, path: str, **data: str):
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=True)


def _kinds(intake_id: int) -> list[tuple[str, dict]]:
    return [(str(e.kind), dict(e.data)) for e in db.session.scalars(
        select(IntakeEvent).where(IntakeEvent.intake_id == intake_id).order_by(IntakeEvent.id))]


def _claimed(client: FlaskClient, world: World, signed_in, **intake_args: str) -> tuple[str, int]:
    with client.application.app_context():
        intake = make_intake(db.session, db.session.merge(world.aps["A"]), phone="+17855550166", **intake_args)
        db.session.commit()
        public_id, intake_id = intake.public_id, intake.id
    signed_in("staff")
    base = f"/staff/intakes/{public_id}"
    _post(client, f"{base}/claim")
    return base, intake_id


def test_a_voice_message_against_the_households_wish_needs_confirmation(client: FlaskClient, world: World,
                                                                       signed_in) -> None:
    base, intake_id = _claimed(client, world, signed_in, safe_to_voicemail="0")
    page = _post(client, f"{base}/contact", method="phone", result="left_voicemail").get_data(as_text=True)
    assert "The household said a voice message is not safe. Nothing was recorded." in page
    with client.application.app_context():
        assert [k for k, _ in _kinds(intake_id)] == ["claimed"]
    page = _post(client, f"{base}/contact", method="phone", result="left_voicemail",
                 confirm_voicemail="y").get_data(as_text=True)
    assert "The contact attempt has been logged." in page
    assert "against the household" in page and "wish: no voice messages" in page
    with client.application.app_context():
        assert _kinds(intake_id)[-1] == ("contact_attempt", {"method": "phone", "result": "left_voicemail",
                                                             "against_preference": True})


def test_a_voice_message_where_allowed_needs_nothing_more(client: FlaskClient, world: World, signed_in) -> None:
    base, _ = _claimed(client, world, signed_in, safe_to_voicemail="1")
    page = _post(client, f"{base}/contact", method="phone", result="left_voicemail").get_data(as_text=True)
    assert "The contact attempt has been logged." in page and "record it anyway" not in page


def test_an_assessment_in_the_past_is_refused_kindly(client: FlaskClient, world: World, signed_in) -> None:
    base, intake_id = _claimed(client, world, signed_in)
    page = _post(client, f"{base}/schedule", at="2020-01-02T10:00", where="Front desk").get_data(as_text=True)
    assert "That time has already passed." in page
    with client.application.app_context():
        assert [k for k, _ in _kinds(intake_id)] == ["claimed"]


def test_the_scheduled_time_is_shown_in_the_access_point_time_zone(client: FlaskClient, world: World,
                                                                   signed_in) -> None:
    base, intake_id = _claimed(client, world, signed_in)
    when = (utcnow() + timedelta(days=30)).astimezone().replace(hour=10, minute=0, second=0, microsecond=0)
    local = when.strftime("%Y-%m-%dT10:00")
    page = _post(client, f"{base}/schedule", at=local, where="Front desk").get_data(as_text=True)
    assert "The assessment has been scheduled." in page
    with client.application.app_context():
        stored = _kinds(intake_id)[-1][1]["at"]
    assert datetime.fromisoformat(stored).hour in (15, 16)  # 10:00 in Kansas is 15:00 or 16:00 UTC
    history = page[page.index("scheduled the assessment for"):]
    assert "10:00" in history[:80] and stored not in page and "+00:00" not in history[:80]


def test_the_same_text_twice_needs_confirmation(client: FlaskClient, world: World, signed_in) -> None:
    base, intake_id = _claimed(client, world, signed_in)
    assert "The text message is queued." in _post(client, f"{base}/sms", template="will_call").get_data(as_text=True)
    page = _post(client, f"{base}/sms", template="will_call").get_data(as_text=True)
    assert "This exact message was already sent to this household on" in page
    with client.application.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1
    assert "The text message is queued." in _post(client, f"{base}/sms", template="missed_call").get_data(as_text=True)
    page = _post(client, f"{base}/sms", template="will_call", confirm_again="y").get_data(as_text=True)
    assert "The text message is queued." in page
    with client.application.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 3
        assert [d["template"] for k, d in _kinds(intake_id) if k == EventKind.SMS_SENT] == [
            "will_call", "missed_call", "will_call"]

"""Check-ins: "Do you still need help?" to an intake still open after CHECKIN_AFTER_DAYS, answered by a
real signed text to /sms/inbound, recorded for staff; at most one per period; STOP always wins."""

from __future__ import annotations

import itertools
import os
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from config import TEST_TWILIO_AUTH_TOKEN
from extensions import db
from models import AccessPoint, CheckIn, EventKind, HouseholdMessage, Intake, IntakeEvent, OutboxMessage
from models.base import utcnow
from services import checkins, outbox
from services.intake import personal_values
from services.pii import current_cipher
from services.sms_text import is_gsm7
from tests.conftest import at_once

from .conftest import World, csrf_from, make_intake

_sids = itertools.count(1)
OWN = "+17855550111"


def text(client: FlaskClient, number: str, body: str) -> list[str]:
    """Send ``body`` from ``number`` as Twilio does (signed) and return the texts sent back."""
    params = {"From": number, "To": "+15005550006", "Body": body, "MessageSid": f"SM{next(_sids):032d}",
              "NumMedia": "0", "AccountSid": "AC" + "0" * 32}
    signature = RequestValidator(TEST_TWILIO_AUTH_TOKEN).compute_signature("http://localhost/sms/inbound", params)
    response = client.post("/sms/inbound", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.get_data(as_text=True)
    root = ElementTree.fromstring(response.get_data(as_text=True))  # noqa: S314 (our own reply)
    response.close()
    return [m.text or "" for m in root.iter("Message")]


def age(app: Flask, world: World, key: str, days: float) -> None:
    """Make the intake look submitted ``days`` ago."""
    with app.app_context():
        intake = db.session.get(Intake, world.intakes[key].id)
        assert intake is not None
        intake.submitted_at = utcnow() - timedelta(days=days)
        db.session.commit()


def run(app: Flask, now: datetime | None = None) -> checkins.CheckInRun:
    with app.app_context():
        return checkins.run_checkins(db.session, now or utcnow(), app.config, current_cipher())


def sent(app: Flask) -> list[str]:
    with app.app_context():
        cipher = current_cipher()
        return [cipher.decrypt(m.body_enc) for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose == "check_in").order_by(OutboxMessage.id))]


def answers(app: Flask, world: World, key: str = "own") -> list[str]:
    with app.app_context():
        return [e.data["answer"] for e in db.session.scalars(
            select(IntakeEvent).where(IntakeEvent.intake_id == world.intakes[key].id,
                                      IntakeEvent.kind == EventKind.CHECK_IN_REPLY).order_by(IntakeEvent.id))]


@pytest.fixture
def waiting(app: Flask, world: World) -> World:
    """The intake "own" (phone OWN) submitted 15 days ago and sent its check-in."""
    age(app, world, "own", 15)
    assert run(app).sent == 1
    return world


def test_an_intake_open_14_days_gets_one_check_in_per_period(app: Flask, world: World) -> None:
    age(app, world, "own", 13)
    assert run(app).sent == 0
    age(app, world, "own", 14.1)
    assert run(app).sent == 1
    assert run(app).sent == 0  # not twice in one period
    assert run(app, utcnow() + timedelta(days=13)).sent == 0
    [question] = sent(app)
    assert question.startswith("Front Door, request") and "Reply 1 yes, 2 no, 3 my number changed" in question
    assert is_gsm7(question)
    later = utcnow() + timedelta(days=14, hours=1)
    # The next period of "own", and the first of "other" (submitted today); never the confidential one.
    assert run(app, later).sent == 2
    with app.app_context():
        rows = db.session.execute(select(CheckIn.intake_id, CheckIn.period).order_by(CheckIn.id)).all()
    assert [tuple(r) for r in rows] == [(world.intakes["own"].id, 1), (world.intakes["own"].id, 2),
                                        (world.intakes["other"].id, 1)]


def test_a_confidential_intake_never_gets_a_check_in(app: Flask, world: World) -> None:
    age(app, world, "confidential", 20)
    assert run(app).sent == 0
    assert sent(app) == []


def test_an_opted_out_number_gets_no_check_in_and_staff_see_why(app: Flask, world: World, client: FlaskClient,
                                                                signed_in) -> None:
    with app.app_context():
        outbox.opt_out(db.session, OWN)
        db.session.commit()
    age(app, world, "own", 15)
    result = run(app)
    assert (result.sent, result.skipped) == (0, 1)
    assert sent(app) == []
    assert run(app).skipped == 0  # looked at once per period
    signed_in("staff")
    page = client.get(f"/staff/intakes/{world.intakes['own'].public_id}").get_data(as_text=True)
    assert "No check-in was sent on" in page and "the number opted out of texts (STOP)" in page


def test_reply_1_still_needs_help(app: Flask, waiting: World, client: FlaskClient, signed_in) -> None:
    [reply] = text(client, OWN, "1")
    assert "stays open" in reply and waiting.intakes["own"].reference_code in reply
    assert answers(app, waiting) == ["yes"]
    assert text(client, OWN, "1") != [reply]  # answered: the next "1" is an ordinary message again
    signed_in("staff")
    page = client.get(f"/staff/intakes/{waiting.intakes['own'].public_id}").get_data(as_text=True)
    assert "Answered on" in page and "still needs help" in page


def test_reply_2_shows_staff_no_longer_needs_help_and_they_close(app: Flask, waiting: World,
                                                                 client: FlaskClient, signed_in) -> None:
    [reply] = text(client, OWN, "2")
    assert "Staff will close your request" in reply
    assert answers(app, waiting) == ["no"]
    token = signed_in("staff")
    public_id = waiting.intakes["own"].public_id
    page = client.get(f"/staff/intakes/{public_id}").get_data(as_text=True)
    assert "they no longer need help" in page and "Claim the intake to close it." in page
    client.post(f"/staff/intakes/{public_id}/claim", data={"csrf_token": token})
    page = client.get(f"/staff/intakes/{public_id}").get_data(as_text=True)
    start = page.index('id="no-longer-needs-help"')
    form = page[start:page.index("</form>", start)]
    assert "Confirm and close: no longer needs help" in form
    response = client.post(f"/staff/intakes/{public_id}/outcome", data={
        "csrf_token": csrf_from(form), "outcome": "declined", "diversion_result": "99",
        "note": "No longer needs help (their answer to the check-in text)."})
    assert response.status_code == 303
    with app.app_context():
        intake = db.session.get(Intake, waiting.intakes["own"].id)
        assert intake is not None and intake.closed_at is not None and intake.outcome == "declined"
    assert 'id="no-longer-needs-help"' not in client.get(f"/staff/intakes/{public_id}").get_data(as_text=True)


def test_reply_3_asks_for_the_new_number_and_keeps_it_encrypted(app: Flask, waiting: World,
                                                                client: FlaskClient) -> None:
    [ask] = text(client, OWN, "3")
    assert "new phone number" in ask
    [again] = text(client, OWN, "my new one is soon")
    assert "could not read that as a phone number" in again
    [saved] = text(client, OWN, "(785) 555-0199")
    assert "We saved your new number" in saved
    assert answers(app, waiting) == ["number_changed", "new_number"]
    with app.app_context():
        intake = db.session.get(Intake, waiting.intakes["own"].id)
        assert intake is not None
        cipher = current_cipher()
        assert personal_values(intake, cipher)["phone"] == "+17855550199"
        assert intake.contact_phone_index == cipher.phone_index("+17855550199")
        stored = next(a for a in intake.answers if a.key == "phone")
        assert b"5550199" not in (stored.value_enc or b"")
        # The text that was not a number is kept for staff, not lost.
        kept = db.session.scalars(select(HouseholdMessage).where(HouseholdMessage.intake_id == intake.id)).all()
        assert [cipher.decrypt(m.body_enc) for m in kept] == ["my new one is soon"]


def test_an_unexpected_reply_gets_a_kind_answer_and_is_kept(app: Flask, waiting: World,
                                                            client: FlaskClient) -> None:
    [reply] = text(client, OWN, "who is this? I am at the shelter on 5th")
    assert "we kept your message for staff" in reply and "Reply 1 yes, 2 no, 3 my number changed" in reply
    assert answers(app, waiting) == []
    with app.app_context():
        kept = db.session.scalars(select(HouseholdMessage)).all()
        assert [current_cipher().decrypt(m.body_enc) for m in kept] == ["who is this? I am at the shelter on 5th"]
    [reply] = text(client, OWN, "1")  # still waiting: the answer still counts
    assert "stays open" in reply


def test_status_still_works_while_a_check_in_waits(app: Flask, waiting: World, client: FlaskClient) -> None:
    [reply] = text(client, OWN, f"STATUS {waiting.intakes['own'].reference_code}")
    assert "Do you still need help" not in reply and "we kept your message" not in reply
    assert answers(app, waiting) == []


def test_stop_wins_over_a_waiting_check_in(app: Flask, waiting: World, client: FlaskClient) -> None:
    assert text(client, OWN, "STOP") == []
    assert answers(app, waiting) == ["stop"]
    assert text(client, OWN, "1") == []  # opted out: nothing goes back, and it is not an answer
    assert answers(app, waiting) == ["stop"]
    with app.app_context():
        assert db.session.scalar(select(CheckIn.state)) == "stopped"
    run(app, utcnow() + timedelta(days=15))  # next period: "own" is skipped, opted out
    with app.app_context():
        rows = db.session.execute(select(CheckIn.state, CheckIn.reason).where(
            CheckIn.intake_id == waiting.intakes["own"].id).order_by(CheckIn.id)).all()
    assert [tuple(r) for r in rows] == [("stopped", None), ("skipped", "opted_out")]


def test_spanish_household_gets_the_check_in_in_spanish(app: Flask, world: World, client: FlaskClient) -> None:
    with app.app_context():
        ap = db.session.get(AccessPoint, world.aps["A"].id)
        assert ap is not None
        intake = make_intake(db.session, ap, phone="+17855550155", language="es",
                             submitted_at=utcnow() - timedelta(days=20))
        db.session.commit()
        code = intake.reference_code
    assert run(app).sent == 1
    [question] = sent(app)
    assert "necesita ayuda" in question and code in question and is_gsm7(question)
    [reply] = text(client, "+17855550155", "si")
    assert "sigue abierta" in reply


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="two workers need PostgreSQL")
def test_two_workers_send_each_check_in_exactly_once(app: Flask, world: World) -> None:
    count = 40
    with app.app_context():
        ap = db.session.get(AccessPoint, world.aps["A"].id)
        assert ap is not None
        for n in range(count):
            make_intake(db.session, ap, phone=f"+1785556{n:04d}", submitted_at=utcnow() - timedelta(days=15))
        db.session.commit()
    runs = at_once(app, lambda session: checkins.run_checkins(session, utcnow(), app.config, current_cipher(),
                                                               batch=7))
    assert sum(r.sent for r in runs) == count
    with app.app_context():
        per_intake = db.session.execute(select(OutboxMessage.intake_id, func.count())
                                        .where(OutboxMessage.purpose == "check_in")
                                        .group_by(OutboxMessage.intake_id)).all()
    assert len(per_intake) == count and {n for _, n in per_intake} == {1}


@pytest.mark.parametrize(("text", "meaning"), [
    ("1", "yes"), ("1 yes", "yes"), ("yeah", "yes"), ("si", "yes"), ("2", "no"), ("nope", "no"),
    ("3", "number_changed"), ("My number changed", "number_changed"), ("nuevo número", "number_changed"),
    ("maybe later", None), ("12", None),
])
def test_check_in_replies_are_read_from_the_one_intake_definition(text: str, meaning: str | None) -> None:
    from intake_forms import normalize
    from services.household_texts import CHECKIN_NO, CHECKIN_NUMBER, CHECKIN_YES

    expected = {"yes": CHECKIN_YES, "no": CHECKIN_NO, "number_changed": CHECKIN_NUMBER, None: None}[meaning]
    assert checkins.answer_of(normalize(text)) == expected

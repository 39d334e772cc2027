"""Key rotation: every encrypted column and blind index is found by its type and rotated.

The end-to-end test fills a database with every kind of row the app writes (an intake with
answers and staff notes, a STOP, a text conversation half-way, a call half-way, queued texts),
rotates twice, drops the old keys, and then uses the app as people would.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import LargeBinary, String, func, select, update

from extensions import db
from models import (
    AccessPoint,
    Answer,
    Base,
    Intake,
    IntakeEvent,
    OutboxMessage,
    Role,
    SmsConversation,
    SmsOptOut,
    VoiceCall,
)
from models.base import BlindIndex, Encrypted
from services import audit, outbox, queue, staff_actions
from services.crypto import PiiCipher, PiiDecryptionError, generate_key
from services.demo import load_demo
from services.pii import current_cipher
from services.rekey import DERIVED, RekeyError, check_registry, reencrypt_all
from services.sms_sender import FakeSender

from ..sms.conftest import Phone as TextingPhone
from ..staff.conftest import PASSWORD, add_user, csrf_from, make_intake
from ..voice.conftest import Phone as CallingPhone

STOPPED = "+17855550161"
TEXTER = "+17855550162"
CALLER = "+17855550163"
HOUSEHOLD = "+17855550164"
QUEUED_TO = "+17855550165"
NOTE = "Rang twice, left no message"


# -- the registry --------------------------------------------------------------------------------


def test_every_binary_column_is_declared_encrypted() -> None:
    """A new bytes column must be ``Encrypted`` (then rotation finds it) — not plain LargeBinary."""
    plain = [f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
             if isinstance(c.type, LargeBinary) and not isinstance(c.type, Encrypted)]
    assert plain == [], f"declare these with models.base.Encrypted: {plain}"
    assert len([c for t in Base.metadata.sorted_tables for c in t.columns if isinstance(c.type, Encrypted)]) >= 7


def test_every_index_column_is_a_declared_blind_index() -> None:
    """A 64-character ``*_index`` column is a keyed hash: it must be a ``BlindIndex`` rotation knows."""
    undeclared = [f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
                  if c.name.endswith("_index") and isinstance(c.type, String)
                  and not isinstance(c.type, BlindIndex)]
    assert undeclared == [], f"declare these with models.base.BlindIndex: {undeclared}"
    check_registry()


def test_a_blind_index_without_a_source_or_deriver_stops_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(DERIVED, "intakes.contact_phone_index")
    with pytest.raises(RekeyError, match=r"intakes\.contact_phone_index"):
        check_registry()


# -- end to end ----------------------------------------------------------------------------------


def _rotate(app: Flask) -> None:
    """Put a new key first, re-encrypt with the CLI, then drop every older key."""
    old = app.config["PII_KEYS"]
    new = generate_key()
    app.config["PII_KEYS"] = [new, *old]
    result = app.test_cli_runner().invoke(args=["pii", "reencrypt", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    app.config["PII_KEYS"] = [new]


def _stored_tokens(app: Flask) -> list[bytes]:
    tokens: list[bytes] = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, Encrypted):
                    tokens += [v for v in db.session.scalars(select(column)) if v is not None]
    return tokens


def test_rotating_twice_keeps_every_channel_working(make_app: Callable[..., Flask]) -> None:
    app = make_app(SMS_RATE_LIMIT="10000 per minute", PII_KEYS=[generate_key()])
    first_key = app.config["PII_KEYS"][0]
    client = app.test_client()
    with app.app_context():
        load_demo(db.session, users=False)
        ap = db.session.scalars(select(AccessPoint).order_by(AccessPoint.id)).first()
        assert ap is not None
        staff = add_user(db.session, "rotate@example.org", Role.STAFF, [ap], name="Rita Rotate")
        household = make_intake(db.session, ap, phone=HOUSEHOLD, name="Dana Household", dob="1984-02-29")
        db.session.commit()
        public_id, household_id = household.public_id, household.id
        assert queue.claim(db.session, household, staff)
        staff_actions.log_contact(db.session, household, staff, method="phone", result="no_answer",
                                  note=NOTE, cipher=current_cipher())
        # Fill the duplicate-match index too (it is a blind index of name and date of birth).
        assert queue.possible_duplicates(db.session, staff, household, current_cipher()) == []
        assert outbox.enqueue_sms(db.session, to=QUEUED_TO, body="Your code is 7KQ-2MD.", language="en", purpose="test")
        db.session.commit()

    stopped = TextingPhone(client, STOPPED)
    assert stopped.text("STOP") == []
    texter = TextingPhone(client, TEXTER)
    texter.text("hello")
    texter.text("English")  # -> how do you want to start
    texter.text("1")  # answer the questions -> are you safe now
    caller = CallingPhone(app, client, CALLER)
    caller.dial()
    for keys in ["1", "1", "1", "2", "1", "1", "0", "2", "3", "1", "2", "2", "3", "13", "67601", "2"]:
        caller.press(keys)  # up to "can staff call you at the number you are calling from?"
    assert "calling from" in caller.prompt()
    with app.app_context():
        answers_before = db.session.scalar(select(func.count()).select_from(Answer))

    _rotate(app)
    _rotate(app)
    # The audit trail (the staff note's event is in it) is sealed again with the newest key.
    with app.app_context():
        checked, findings = audit.verify(db.session)
        assert checked > 0 and findings == []
    # Nothing is left under the first key, or under any key but the newest.
    for token in _stored_tokens(app):
        with pytest.raises(PiiDecryptionError):
            PiiCipher([first_key]).decrypt(token)

    # The intake page with its staff note opens.
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    signed_in = client.post("/staff/login", data={"email": "rotate@example.org", "password": PASSWORD,
                                                  "csrf_token": token})
    assert signed_in.status_code == 303
    page = client.get(f"/staff/intakes/{public_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert NOTE in body and "Dana Household" in body

    # A number that said STOP still gets nothing, by text or from the outbox.
    assert stopped.text("hello") == []
    with app.app_context():
        assert outbox.is_opted_out(db.session, STOPPED)
        assert outbox.enqueue_sms(db.session, to=STOPPED, body="hi", language="en", purpose="test") is None
        db.session.rollback()

    # The text conversation carries on where it was: "yes" answers "are you safe now?".
    reply = texter.text("yes")
    assert reply and "English" not in " ".join(reply) and "Welcome" not in " ".join(reply)
    with app.app_context():
        conversation = db.session.scalars(select(SmsConversation)
                                          .where(SmsConversation.phone_index == current_cipher().phone_index(TEXTER))
                                          ).one()
        assert conversation.intake is not None
        codes = {a.key: a.code for a in conversation.intake.answers}
        assert codes.get("safe_now") == "1"

    # The call carries on: "1" means "yes, the number I am calling from".
    caller.press("1")
    assert "text" in caller.prompt().lower()
    with app.app_context():
        call = db.session.scalars(select(VoiceCall).where(VoiceCall.call_sid == caller.call_sid)).one()
        assert call.caller_index == current_cipher().phone_index(CALLER)
        assert db.session.scalar(select(func.count()).select_from(Answer)) > answers_before
        phone = db.session.scalars(select(Answer).where(Answer.intake_id == call.intake_id,
                                                        Answer.key == "phone")).one()
        assert phone.value_enc is not None and current_cipher().decrypt(phone.value_enc) == CALLER

    # The outbox worker delivers what was queued before the rotations.
    with app.app_context():
        sender = FakeSender()
        assert outbox.deliver_pending(db.session, sender) >= 1
        assert (QUEUED_TO, "Your code is 7KQ-2MD.") in [(m.to, m.body) for m in sender.sent]
        assert all(m.to != STOPPED for m in sender.sent)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status == "queued")) == 0
        opt_out = db.session.scalars(select(SmsOptOut)).one()
        assert opt_out.phone_index == current_cipher().phone_index(STOPPED)
        assert db.session.get(Intake, household_id) is not None


def test_rows_without_a_stored_value_are_reported_not_lost(app: Flask) -> None:
    """An opt-out from before numbers were kept encrypted cannot be re-keyed: say so, fail."""
    old = generate_key()
    app.config["PII_KEYS"] = [old]
    with app.app_context():
        db.session.add(SmsOptOut(phone_index=current_cipher().phone_index(STOPPED), source="keyword"))
        db.session.commit()
    app.config["PII_KEYS"] = [generate_key(), old]
    result = app.test_cli_runner().invoke(args=["pii", "reencrypt"])
    assert result.exit_code == 1
    assert "sms_opt_outs.phone_index: 1 row(s) kept under an old key" in result.output
    with app.app_context():
        assert outbox.is_opted_out(db.session, STOPPED)  # still found while the old key is there
        result_direct = reencrypt_all(db.session, current_cipher())
        assert result_direct.stranded == {"sms_opt_outs.phone_index": 1}


def test_a_tampered_audit_trail_stops_rotation(make_app: Callable[..., Flask]) -> None:
    """Resealing the chain would hide a change made with plain SQL: rotation refuses until it is looked at."""
    app = make_app(PII_KEYS=[generate_key()])
    with app.app_context():
        load_demo(db.session, users=False)
        ap = db.session.scalars(select(AccessPoint).order_by(AccessPoint.id)).first()
        assert ap is not None
        staff = add_user(db.session, "chain@example.org", Role.STAFF, [ap], name="Chris Chain")
        household = make_intake(db.session, ap, phone=HOUSEHOLD, name="Dana Household", dob="1984-02-29")
        db.session.commit()
        assert queue.claim(db.session, household, staff)
        staff_actions.log_contact(db.session, household, staff, method="phone", result="no_answer",
                                  note=NOTE, cipher=current_cipher())
        db.session.commit()
        db.session.execute(update(IntakeEvent).values(data={"method": "in_person", "result": "reached"})
                           .execution_options(synchronize_session=False))
        db.session.commit()
        app.config["PII_KEYS"] = [generate_key(), *app.config["PII_KEYS"]]
        with pytest.raises(RekeyError, match="audit trail does not verify"):
            reencrypt_all(db.session, current_cipher())

"""Actions on an intake: each one an append-only event; SMS only when safe; audit of views."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from extensions import db
from intake_forms import DECLINE, DONT_KNOW
from models import Answer, AppendOnlyError, EventKind, Intake, IntakeEvent, IntakeView, User
from models.base import utcnow
from models.sms import OutboxMessage
from services import queue, staff_actions
from services.outbox import opt_out
from services.pii import current_cipher

from .conftest import World, csrf_from, make_intake


def _events(intake_id: int) -> list[IntakeEvent]:
    return list(db.session.scalars(select(IntakeEvent).where(IntakeEvent.intake_id == intake_id)
                                   .order_by(IntakeEvent.id)))


def _post(client: FlaskClient, path: str, **data: str):
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_every_intake_page_view_is_audited(client: FlaskClient, world: World, signed_in) -> None:
    signed_in("coordinator")
    for key in ("own", "confidential", "own"):
        assert client.get(f"/staff/intakes/{world.intakes[key].public_id}").status_code == 200
    assert client.get(f"/staff/intakes/{world.intakes['other'].public_id}").status_code == 404
    with client.application.app_context():
        views = list(db.session.scalars(select(IntakeView).order_by(IntakeView.id)))
        assert [(v.intake_id, v.user_id, v.identity_shown) for v in views] == [
            (world.intakes["own"].id, world.user_id("coordinator"), True),
            (world.intakes["confidential"].id, world.user_id("coordinator"), False),
            (world.intakes["own"].id, world.user_id("coordinator"), True),
        ]


def test_actions_need_a_claim_and_become_events(client: FlaskClient, world: World, signed_in) -> None:
    signed_in("staff")
    intake = world.intakes["own"]
    base = f"/staff/intakes/{intake.public_id}"
    _post(client, f"{base}/contact", method="phone", result="no_answer", note="Rang twice")
    with client.application.app_context():
        assert _events(intake.id) == []
    assert _post(client, f"{base}/claim").status_code == 303
    _post(client, f"{base}/contact", method="phone", result="no_answer", note="Rang twice")
    _post(client, f"{base}/schedule", at="2030-01-02T10:00", where="Front desk", note="Bring ID")
    _post(client, f"{base}/outcome", outcome="diverted", diversion_result="1", note="Staying with sister")
    page = client.get(base).get_data(as_text=True)
    assert "Rang twice" in page and "Front desk" in page and "Resolved by diversion" in page
    with client.application.app_context():
        events = _events(intake.id)
        assert [e.kind for e in events] == [EventKind.CLAIMED, EventKind.CONTACT_ATTEMPT,
                                            EventKind.ASSESSMENT_SCHEDULED, EventKind.OUTCOME]
        assert all(e.actor_id == world.user_id("staff") for e in events)
        contact, scheduled, outcome = events[1:]
        assert contact.data == {"method": "phone", "result": "no_answer"}
        # Notes never sit in plain text: data holds codes, the note is encrypted.
        assert b"Rang twice" not in (contact.private_enc or b"")
        assert json.loads(current_cipher().decrypt(contact.private_enc or b""))["note"] == "Rang twice"
        assert scheduled.data["at"] == "2030-01-02T16:00:00+00:00"  # 10:00 in Kansas (CST)
        assert outcome.data == {"outcome": "diverted", "hmis_event": 2, "prob_sol_div_rr_result": 1}
        closed = db.session.get(Intake, intake.id)
        assert closed is not None and closed.closed_at is not None and closed.outcome == "diverted"
        # Append-only.
        contact.data = {"method": "email", "result": "reached"}
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(AppendOnlyError):
            db.session.delete(events[0])
            db.session.flush()
        db.session.rollback()


def test_assessed_in_hmis_keeps_the_client_id_encrypted(app: Flask, world: World) -> None:
    with app.app_context():
        staff = db.session.get(User, world.user_id("staff"))
        assert staff is not None
        intake = queue.find_intake(db.session, staff, world.intakes["own"].public_id)
        assert intake is not None and queue.claim(db.session, intake, staff)
        ev = staff_actions.record_outcome(db.session, intake, staff, outcome="assessed_in_hmis",
                                          hmis_client_id="CL-99812", cipher=current_cipher())
        assert "CL-99812" not in json.dumps(ev.data)
        assert json.loads(current_cipher().decrypt(ev.private_enc or b""))["hmis_client_id"] == "CL-99812"
        with pytest.raises(staff_actions.ActionError):
            staff_actions.record_outcome(db.session, intake, staff, outcome="declined", cipher=current_cipher())


def test_duplicate_outcome_names_the_other_intake(app: Flask, world: World) -> None:
    with app.app_context():
        staff = db.session.get(User, world.user_id("staff"))
        assert staff is not None
        other = make_intake(db.session, db.session.merge(world.aps["A"]))
        db.session.commit()
        intake = queue.find_intake(db.session, staff, world.intakes["own"].public_id)
        assert intake is not None and queue.claim(db.session, intake, staff)
        with pytest.raises(staff_actions.ActionError):  # out of scope: not found
            staff_actions.record_outcome(db.session, intake, staff, outcome="duplicate",
                                         duplicate_of=world.intakes["other"].reference_code, cipher=current_cipher())
        ev = staff_actions.record_outcome(db.session, intake, staff, outcome="duplicate",
                                          duplicate_of=other.reference_code, cipher=current_cipher())
        assert ev.data["duplicate_of_intake_id"] == other.id


def test_sms_goes_through_the_outbox_in_the_household_language(client: FlaskClient, world: World,
                                                                 signed_in) -> None:
    with client.application.app_context():
        spanish = make_intake(db.session, db.session.merge(world.aps["A"]), language="es", phone="+17855550144")
        db.session.commit()
        public_id, intake_id = spanish.public_id, spanish.id
    signed_in("staff")
    base = f"/staff/intakes/{public_id}"
    _post(client, f"{base}/claim")
    _post(client, f"{base}/sms", template="will_call")
    with client.application.app_context():
        messages = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.intake_id == intake_id)))
        assert len(messages) == 1
        body = current_cipher().decrypt(messages[0].body_enc)
        assert "Access point Alpha" in body and "STOP" not in body.split(".")[0]
        assert current_cipher().decrypt(messages[0].to_enc) == "+17855550144"
        sent = [e for e in _events(intake_id) if e.kind == EventKind.SMS_SENT]
        assert sent[0].data["template"] == "will_call" and sent[0].data["language"] == "es"
        assert sent[0].data["outbox_id"] == messages[0].id
    return_body = body
    assert return_body != staff_english_will_call(client.application)


def staff_english_will_call(app: Flask) -> str:
    from staff.views import render_sms

    with app.test_request_context():
        intake = db.session.scalar(select(Intake).where(Intake.language == "es"))
        assert intake is not None
        intake.language = "en"
        english = render_sms("will_call", intake)
        db.session.rollback()
        return english


@pytest.mark.parametrize("safe_to_text", ["0", DONT_KNOW, DECLINE])
def test_no_sms_when_texting_is_not_safe(client: FlaskClient, world: World, signed_in, safe_to_text: str) -> None:
    with client.application.app_context():
        unsafe = make_intake(db.session, db.session.merge(world.aps["A"]), phone="+17855550155",
                             safe_to_text=safe_to_text, safe_to_voicemail="0")
        db.session.commit()
        public_id, intake_id = unsafe.public_id, unsafe.id
    signed_in("staff")
    base = f"/staff/intakes/{public_id}"
    _post(client, f"{base}/claim")
    page = client.get(base).get_data(as_text=True)
    assert "DO NOT TEXT" in page and "DO NOT LEAVE A VOICE MESSAGE" in page and 'role="alert"' in page
    assert f"{base}/sms" not in page
    response = _post(client, f"{base}/sms", template="will_call")
    assert response.status_code == 303
    with client.application.app_context():
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.intake_id == intake_id)) is None
        assert [e.kind for e in _events(intake_id)] == [EventKind.CLAIMED]


def test_no_sms_to_a_number_that_opted_out(client: FlaskClient, world: World, signed_in) -> None:
    with client.application.app_context():
        opt_out(db.session, "+17855550111")
        db.session.commit()
    signed_in("staff")
    base = f"/staff/intakes/{world.intakes['own'].public_id}"
    _post(client, f"{base}/claim")
    response = _post(client, f"{base}/sms", template="will_call")
    assert "opted out" in client.get(response.headers["Location"]).get_data(as_text=True)
    with client.application.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None


def test_claim_release_reassign_and_transfer(client: FlaskClient, world: World, signed_in) -> None:
    intake = world.intakes["own"]
    base = f"/staff/intakes/{intake.public_id}"
    signed_in("staff")
    _post(client, f"{base}/claim")
    page = client.get(base).get_data(as_text=True)
    assert "Claimed by Sam Staff" in page
    client.post("/staff/logout", data={"csrf_token": csrf_from(page)})
    signed_in("staff2")
    response = _post(client, f"{base}/claim")
    assert "already claimed" in client.get(response.headers["Location"]).get_data(as_text=True)
    _post(client, f"{base}/release")  # not theirs: refused
    with client.application.app_context():
        assert db.session.get(Intake, intake.id).claimed_by_id == world.user_id("staff")  # type: ignore[union-attr]
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/staff/").get_data(as_text=True))})
    signed_in("coordinator")
    _post(client, f"{base}/reassign", user=str(world.user_id("staff2")))
    _post(client, f"{base}/transfer", access_point=str(world.aps["B"].id), note="Closer to family")
    with client.application.app_context():
        moved = db.session.get(Intake, intake.id)
        assert moved is not None and moved.routed_access_point_id == world.aps["B"].id
        assert moved.claimed_by_id is None
        kinds = [e.kind for e in _events(intake.id)]
        assert kinds == [EventKind.CLAIMED, EventKind.REASSIGNED, EventKind.TRANSFERRED]
        transfer = _events(intake.id)[-1]
        assert transfer.data == {"from_access_point_id": world.aps["A"].id, "to_access_point_id": world.aps["B"].id}
    # Now out of the coordinator's region and out of staff A's queue.
    assert client.get(base).status_code == 404


def test_confidential_intakes_only_move_between_victim_service_providers(app: Flask, world: World) -> None:
    with app.app_context():
        intake = db.session.get(Intake, world.intakes["confidential"].id)
        assert intake is not None
        assert staff_actions.transfer_targets(db.session, intake) == []
        own = db.session.get(Intake, world.intakes["own"].id)
        assert own is not None
        assert world.aps["V"].id not in {ap.id for ap in staff_actions.transfer_targets(db.session, own)}


@pytest.mark.parametrize(("code", "shown"), [("zip:67601", "67601 (Hays, Ellis County, KS)"),
                                             ("county:ellis", "Ellis County"), ("here", "Here")])
def test_location_is_shown_as_a_place(client: FlaskClient, world: World, signed_in, code: str, shown: str) -> None:
    from models import Answer

    with client.application.app_context():
        intake = db.session.get(Intake, world.intakes["own"].id)
        intake.answers.append(Answer(key="location", code=code))
        db.session.commit()
    signed_in("staff")
    page = client.get(f"/staff/intakes/{world.intakes['own'].public_id}").get_data(as_text=True)
    # A value from the household is isolated (it may be in another script); a label is not.
    assert (f'<dd data-key="location"><bdi dir="auto">{shown}</bdi></dd>' in page
            or f'<dd data-key="location">{shown}</dd>' in page)
    if ":" in code:  # the raw code is nowhere on the page
        assert code not in page


def test_consent_says_how_it_was_given_in_words(client: FlaskClient, world: World, signed_in) -> None:
    signed_in("staff")
    page = client.get(f"/staff/intakes/{world.intakes['own'].public_id}").get_data(as_text=True)
    assert "given by tapping on a screen through Kiosk" in page
    assert "given by tap " not in page


@pytest.mark.parametrize(("answers", "shown"), [
    ({"start_choice": "talk", "contact_method": DECLINE, "phone": DECLINE},
     "Cannot be reached: they asked to be contacted but gave no phone number or email. "
     "They were told to call 785-555-0100."),
    ({"start_choice": "talk", "contact_method": "come_back"}, "They will come back in person"),
    ({"start_choice": "talk", "contact_method": DECLINE, "phone": "given"}, "By phone (see the answers)"),
])
def test_the_intake_page_says_how_the_household_can_be_reached(client: FlaskClient, world: World, signed_in,
                                                              answers: dict[str, str], shown: str) -> None:
    with client.application.app_context():
        ap = db.session.merge(world.aps["A"])
        ap.phone = "785-555-0100"
        intake = make_intake(db.session, ap, callback=True)
        for a in list(intake.answers):
            if a.key in ("slept_last_night", "adults", "children", "veteran"):
                intake.answers.remove(a)
        db.session.flush()
        for key, code in answers.items():
            value = current_cipher().encrypt("+17855550166") if code == "given" else None
            intake.answers.append(Answer(key=key, code=code, value_enc=value))
        db.session.commit()
        public_id = intake.public_id
    signed_in("staff")
    page = client.get(f"/staff/intakes/{public_id}").get_data(as_text=True)
    reach = re.search(r'<dd id="reach">(.*?)</dd>', page, re.S)
    assert reach is not None
    assert shown in re.sub(r"<[^>]+>", "", reach.group(1)).strip()


def test_staff_see_the_real_state_of_a_text_not_a_promise(client: FlaskClient, world: World, signed_in) -> None:
    from services import outbox
    from services.sms_sender import FakeSender

    public_id = world.intakes["own"].public_id
    signed_in("staff")
    _post(client, f"/staff/intakes/{public_id}/claim")
    response = _post(client, f"/staff/intakes/{public_id}/sms", template="will_call")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "on its way" not in page
    assert "waiting to be sent" in page
    failing = FakeSender(failing={"+17855550111": "30003"})
    with client.application.app_context():
        for n in range(outbox.MAX_ATTEMPTS):
            # Each attempt after the back-off of the one before (at most an hour).
            outbox.deliver_pending(db.session, failing, now=utcnow() + timedelta(hours=2 * n))
    page = client.get(f"/staff/intakes/{public_id}").get_data(as_text=True)
    assert "could not be sent" in page and "waiting to be sent" not in page


def test_an_appointment_text_gives_the_day_in_words_in_the_households_language(client: FlaskClient,
                                                                                world: World) -> None:
    from datetime import UTC, datetime

    from staff.views import render_sms

    with client.application.test_request_context():
        intake = make_intake(db.session, db.session.merge(world.aps["A"]), phone="+17855550156")
        when = datetime(2026, 12, 1, 20, 30, tzinfo=UTC)  # 2:30 PM on a Tuesday in Kansas
        intake.language = "es"
        spanish = render_sms("appointment", intake, when, "la oficina")
        intake.language = "en"
        english = render_sms("appointment", intake, when, "the front desk")
        db.session.rollback()
    assert "es el martes 1 de diciembre a las 14:30 en la oficina" in spanish
    assert "is on Tuesday, December 1 at 2:30" in english and "12/1/26" not in english

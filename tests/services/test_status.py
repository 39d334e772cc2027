"""services.status: the stages a household is told, the second check, the throttle and the hours line."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select

from extensions import db
from models import AccessPoint, Intake, User
from models.intake import Channel
from services import intake as intakes
from services import queue, staff_actions
from services import status as status_service
from services.demo import load_demo
from services.pii import current_cipher

#: A person on the web with a phone number, not in danger (keys the flow does not ask are ignored).
WITH_PHONE = {
    "start_choice": "1", "safe_now": "yes", "fleeing_violence": "no", "slept_last_night": "outside",
    "adults": "1", "children": "0", "pregnant": "no", "age_band": "3", "veteran": "no", "health_barrier": "no",
    "safe_place_tonight": "no", "could_stay_with": "maybe", "help_needed": "1,3", "location": "67601",
    "contact_method": "text", "phone": "785-555-0142", "safe_to_text": "yes", "safe_to_voicemail": "no",
    "best_time": "any time", "contact_name": "Sam", "legal_name": "skip", "dob": "skip", "consent_share": "1",
}


def submitted(session: Any, answers: Mapping[str, str] = WITH_PHONE, *, channel: Channel = Channel.WEB,
              **changes: str) -> Intake:
    """Answer whatever the flow asks from ``answers`` (with ``changes``), then submit."""
    intake = intakes.start_intake(session, channel=channel, language="en")
    given = {**answers, **changes}
    for _ in range(80):
        q = intakes.current_question(intake)
        if q is None:
            break
        step = intakes.answer(session, intake, q.key, given.get(q.key, "skip"))
        assert step.ok, (q.key, step.error)
    intakes.submit(session, intake)
    assert intake.reference_code
    return intake


@pytest.fixture
def demo(app: Flask) -> Flask:
    with app.app_context():
        load_demo(db.session)
    return app


def test_stages_received_working_appointment_closed(demo: Flask) -> None:
    with demo.test_request_context():
        cipher = current_cipher()
        intake = submitted(db.session)
        ap = intake.routed_access_point
        assert ap is not None
        found = status_service.lookup(db.session, intake.reference_code or "", cipher, phone_last4="0142")
        assert found is not None and found.stage is status_service.Stage.RECEIVED and found.place == ap

        staff = db.session.scalars(select(User).where(User.email.like("staff@%"))).one()
        assert queue.claim(db.session, intake, staff)
        assert status_service.status_of(db.session, intake, cipher).stage is status_service.Stage.WORKING

        at = datetime.now(UTC) + timedelta(days=2)
        staff_actions.schedule_assessment(db.session, intake, staff, at=at, where="Front desk, room 2",
                                          note="bring ID", cipher=cipher)
        booked = status_service.status_of(db.session, intake, cipher)
        assert booked.stage is status_service.Stage.APPOINTMENT
        assert booked.appointment_where == "Front desk, room 2"
        assert booked.appointment_at is not None and str(booked.appointment_at.tzinfo) == ap.timezone
        with force_locale("en"):
            said = " ".join(status_service.sentences(booked))
        assert "An appointment is set" in said and "Front desk, room 2" in said and "bring ID" not in said

        staff_actions.record_outcome(db.session, intake, staff, outcome="declined", cipher=cipher)
        assert status_service.status_of(db.session, intake, cipher).stage is status_service.Stage.CLOSED


def test_the_check_is_the_phone_else_the_date_of_birth(demo: Flask) -> None:
    with demo.test_request_context():
        cipher = current_cipher()
        with_phone = submitted(db.session, dob="03/25/1980")
        no_phone = submitted(db.session, contact_method="skip", phone="skip", dob="03/25/1980")
        assert intakes.codes(no_phone).get("phone") != "given"
        code, other = with_phone.reference_code or "", no_phone.reference_code or ""
        assert status_service.lookup(db.session, code, cipher, phone_last4="0142") is not None
        assert status_service.lookup(db.session, code, cipher, phone_last4="0143") is None
        # With a phone number given, the birth date is not the check.
        assert status_service.lookup(db.session, code, cipher, dob="03/25/1980") is None
        assert status_service.lookup(db.session, other, cipher, dob="1980-03-25") is not None
        assert status_service.lookup(db.session, other, cipher, dob="03/26/1980") is None
        assert status_service.lookup(db.session, other, cipher, phone_last4="0142") is None
        assert status_service.lookup(db.session, "not a code", cipher, phone_last4="0142") is None


def test_an_unfinished_intake_has_no_status(demo: Flask) -> None:
    with demo.test_request_context():
        intake = intakes.start_intake(db.session, channel=Channel.WEB)
        intake.reference_code = "7KQ-2MD"
        db.session.commit()
        assert status_service.lookup(db.session, "7KQ-2MD", current_cipher(), phone_last4="0142") is None


def test_throttle_counts_per_code_and_per_client(demo: Flask) -> None:
    with demo.app_context():
        throttle = status_service.Throttle(FixedWindowRateLimiter(MemoryStorage()), "2 per minute", current_cipher())
        throttle.miss("7KQ-2MD", "a")
        assert not throttle.blocked("7kq2md", "b")
        throttle.miss("7kq 2md", "b")  # the same code however it is typed
        assert throttle.blocked("7KQ-2MD", "c")
        assert not throttle.blocked("ABC-DEF", "c")
        throttle.miss("ABC-DEF", "c")
        throttle.miss("XYZ-123", "c")
        assert throttle.blocked("NEW-000", "c")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 12, 1, 16, 0, tzinfo=UTC), "Open now, until 12:00\u202fPM."),  # Tuesday 10:00 CST
        (datetime(2026, 12, 1, 18, 30, tzinfo=UTC), "Closed now. Opens today at 1:00\u202fPM."),  # lunch
        (datetime(2026, 12, 5, 18, 0, tzinfo=UTC), "Closed now. Opens Monday, December 7 at 9:00\u202fAM."),
        (datetime(2026, 12, 24, 16, 0, tzinfo=UTC), "Closed now. Opens Monday, December 28 at 9:00\u202fAM."),
    ],
)
def test_hours_line_today_or_next_opening(app: Flask, now: datetime, expected: str) -> None:
    place = AccessPoint(name="P", hours={d: [["09:00", "12:00"], ["13:00", "17:00"]]
                                         for d in ("mon", "tue", "wed", "thu", "fri")},
                        closed_dates=["2026-12-24", "2026-12-25"], timezone="America/Chicago")
    with app.test_request_context(), force_locale("en"):
        assert status_service.hours_line(place, now) == expected
    with app.test_request_context(), force_locale("es"):
        assert (status_service.hours_line(place, now) or "").startswith(("Abierto", "Cerrado"))


def test_status_request_reads_both_keywords() -> None:
    assert status_service.status_request("STATUS 7kq-2md") == ("en", "7kq-2md")
    assert status_service.status_request("Estado: 7KQ2MD") == ("es", "7kq2md")
    assert status_service.status_request("status") == ("en", "")
    assert status_service.status_request("statuses 7KQ-2MD") is None
    assert status_service.status_request("my status is bad") is None
    assert status_service.status_request("Tình trạng 7KQ-2MD") == ("vi", "7kq-2md")  # a two-word keyword
    assert status_service.status_request("الحالة 7KQ-2MD") == ("ar", "7kq-2md")
    assert status_service.status_request("tinh") is None

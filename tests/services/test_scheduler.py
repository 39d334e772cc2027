"""Response timers and escalation in business hours, with a frozen clock; two workers send each alert once."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from extensions import db
from models import AccessPoint, AlertPreference, ContinuumOfCare, Intake, Region, Role, User
from models.intake import Channel, IntakeStatus, Track
from models.sms import OutboxMessage
from services import notify, queue, scheduler, timers
from services.accounts import hash_password
from services.pii import current_cipher
from tests.conftest import at_once

CHICAGO = ZoneInfo("America/Chicago")
WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


def build(app: Flask) -> dict[str, int]:
    """Region 1 with access point Alpha (weekdays 9 to 5), a staff member and a coordinator."""
    with app.app_context():
        s = db.session
        coc = ContinuumOfCare(code="KS-507", name="Kansas Balance of State", is_home=True)
        s.add(coc)
        s.flush()
        region = Region(coc_id=coc.id, number=1, name="Region one")
        s.add(region)
        s.flush()
        ap = AccessPoint(slug="ap-alpha", name="Access point Alpha", coc_id=coc.id, region_id=region.id,
                         hours=WEEKDAYS, timezone="America/Chicago", alert_emails=["desk@alpha.example"])
        s.add(ap)
        s.flush()
        for email, role, pref in [("staff@alpha.example", Role.STAFF, AlertPreference.URGENT),
                                  ("coord@region.example", Role.COORDINATOR, AlertPreference.NONE)]:
            s.add(User(email=email, display_name=email.split("@")[0], password_hash=hash_password("x" * 12),
                       role=role, alert_preference=pref, access_points=[ap] if role is Role.STAFF else [],
                       region_id=region.id))
        s.commit()
        return {"ap": ap.id, "staff": s.scalars(select(User.id).where(User.role == Role.STAFF)).one()}


def submitted(app: Flask, ap_id: int, when: datetime, *, priority: int = 0, code: str = "AAA-111") -> int:
    with app.app_context():
        ap = db.session.get(AccessPoint, ap_id)
        intake = Intake(channel=Channel.KIOSK, status=IntakeStatus.SUBMITTED, routed_access_point_id=ap_id,
                        priority=priority, priority_reasons=[], track=Track.HOMELESS, submitted_at=when,
                        reference_code=code)
        db.session.add(intake)
        db.session.flush()
        clock = timers.due(intake, ap, when, app.config)
        intake.due_at = clock.due_at if clock else None
        db.session.commit()
        return intake.id


def alerts(app: Flask) -> list[tuple[str, str, str]]:
    """Return (purpose, recipient, subject) of every queued alert, in order."""
    with app.app_context():
        cipher = current_cipher()
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(m.purpose, cipher.decrypt(m.to_enc), cipher.decrypt(m.subject_enc) if m.subject_enc else "")
                for m in rows]


def tick(app: Flask, now: datetime) -> scheduler.TimerRun:
    with app.app_context():
        return scheduler.run_timers(db.session, now, app.config)


def test_an_urgent_intake_escalates_after_its_target_in_business_hours_across_a_weekend(app: Flask) -> None:
    ids = build(app)
    # Friday 4:30 pm, urgent (1 business hour): 30 minutes on Friday, 30 on Monday: due Monday 9:30.
    urgent = submitted(app, ids["ap"], at(2026, 12, 4, 16, 30), priority=9, code="URG-001")
    with app.app_context():
        clock = timers.due(db.session.get(Intake, urgent), db.session.get(AccessPoint, ids["ap"]),
                           at(2026, 12, 4, 17, 45), app.config)
        assert clock is not None and clock.urgent and clock.stage is timers.Stage.CLAIM
        assert clock.due_at == at(2026, 12, 7, 9, 30)
        assert clock.minutes_left == 30 and not clock.overdue  # a closed evening does not count

    for quiet in [at(2026, 12, 4, 17, 30), at(2026, 12, 4, 23, 0), at(2026, 12, 5, 12, 0),
                  at(2026, 12, 6, 20, 0), at(2026, 12, 7, 9, 29)]:
        tick(app, quiet)
        assert alerts(app) == [], quiet

    run = tick(app, at(2026, 12, 7, 9, 31))
    assert run.reminded == 1 and run.escalated == 0
    assert sorted(a[1] for a in alerts(app)) == ["desk@alpha.example", "staff@alpha.example"]
    assert {a[0] for a in alerts(app)} == {notify.PURPOSE_REMINDER}

    tick(app, at(2026, 12, 7, 10, 0))  # reminded once only
    assert len(alerts(app)) == 2
    run = tick(app, at(2026, 12, 7, 10, 31))  # an hour of business time after the target
    assert run.escalated == 1
    last = alerts(app)[-1]
    assert last[:2] == (notify.PURPOSE_ESCALATION, "coord@region.example")
    assert "URG-001" in last[2] and "Access point Alpha" in last[2]
    tick(app, at(2026, 12, 8, 16, 0))
    assert len(alerts(app)) == 3  # nothing more, ever, for this target


def test_a_claimed_and_contacted_intake_sends_nothing_more(app: Flask) -> None:
    ids = build(app)
    intake_id = submitted(app, ids["ap"], at(2026, 12, 7, 9, 0), code="ORD-002")  # claim by 1 pm Monday
    with app.app_context():
        intake, user = db.session.get(Intake, intake_id), db.session.get(User, ids["staff"])
        assert queue.claim(db.session, intake, user)
        intake = db.session.get(Intake, intake_id)
        intake.first_contact_at = at(2026, 12, 7, 9, 20)
        intake.due_at = None
        db.session.commit()
    for moment in [at(2026, 12, 7, 13, 1), at(2026, 12, 8, 9, 0), at(2026, 12, 14, 12, 0)]:
        tick(app, moment)
    assert alerts(app) == []


def test_a_claimed_intake_gets_the_contact_target(app: Flask) -> None:
    ids = build(app)
    intake_id = submitted(app, ids["ap"], at(2026, 12, 7, 9, 0), code="CLM-003")
    tick(app, at(2026, 12, 7, 13, 5))  # claim target missed: reminded
    # A missed target reaches staff whatever kind of new-intake alert they chose (not "none").
    assert sorted(a[1] for a in alerts(app)) == ["desk@alpha.example", "staff@alpha.example"]
    with app.app_context():
        assert queue.claim(db.session, db.session.get(Intake, intake_id), db.session.get(User, ids["staff"]))
        intake = db.session.get(Intake, intake_id)
        assert intake.escalation == 0
    # Contact within one business day (8 h) of submission: Monday 9 am + 8 h = Monday 5 pm.
    tick(app, at(2026, 12, 7, 16, 59))
    assert len(alerts(app)) == 2
    tick(app, at(2026, 12, 8, 9, 1))
    assert len(alerts(app)) == 4
    assert "first contact" in alerts(app)[-1][2]


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="two workers need PostgreSQL")
def test_two_workers_send_each_alert_exactly_once(app: Flask) -> None:
    ids = build(app)
    count = 60
    for n in range(count):
        submitted(app, ids["ap"], at(2026, 12, 7, 9, 0), priority=9, code=f"W{n:02d}-{n:03d}"[:7])
    runs = at_once(app, lambda session: scheduler.run_timers(session, at(2026, 12, 7, 10, 1), app.config, batch=7))
    assert sum(r.reminded for r in runs) == count
    with app.app_context():
        per_intake = db.session.execute(
            select(OutboxMessage.intake_id, func.count()).group_by(OutboxMessage.intake_id)).all()
    # Two recipients (the desk address and the urgent-only staff member) per intake, once each.
    assert len(per_intake) == count and {n for _, n in per_intake} == {2}


def test_the_daily_digest_goes_once_at_the_digest_hour(app: Flask) -> None:
    ids = build(app)
    with app.app_context():
        staff = db.session.get(User, ids["staff"])
        staff.alert_preference = AlertPreference.DIGEST
        db.session.commit()

    def digest(now: datetime) -> int:
        with app.app_context():
            return scheduler.run_digests(db.session, now, app.config)

    assert digest(at(2026, 12, 7, 7, 0)) == 0  # first look: the job is set for 8 am
    submitted(app, ids["ap"], at(2026, 12, 7, 7, 10), code="DIG-001")
    submitted(app, ids["ap"], at(2026, 12, 7, 7, 20), code="DIG-002")
    assert digest(at(2026, 12, 7, 7, 59)) == 0
    assert digest(at(2026, 12, 7, 8, 0)) == 1
    assert digest(at(2026, 12, 7, 8, 1)) == 0  # once a day
    [(_purpose, to, subject)] = [a for a in alerts(app) if a[0] == notify.PURPOSE_DIGEST]
    assert to == "staff@alpha.example" and "2 new intake" in subject
    submitted(app, ids["ap"], at(2026, 12, 7, 9, 0), code="DIG-003")
    assert digest(at(2026, 12, 8, 8, 0)) == 1
    with app.app_context():
        cipher = current_cipher()
        bodies = [cipher.decrypt(m.body_enc) for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose == notify.PURPOSE_DIGEST).order_by(OutboxMessage.id))]
    assert "DIG-001" in bodies[0] and "DIG-002" in bodies[0] and "DIG-003" not in bodies[0]
    assert "DIG-003" in bodies[1] and "DIG-001" not in bodies[1]


def _release(app: Flask, intake_id: int, user_id: int, when: datetime) -> None:
    with app.app_context():
        assert queue.release(db.session, db.session.get(Intake, intake_id), db.session.get(User, user_id), now=when)


def _claim(app: Flask, intake_id: int, user_id: int) -> None:
    with app.app_context():
        assert queue.claim(db.session, db.session.get(Intake, intake_id), db.session.get(User, user_id))


def purposes(app: Flask) -> list[tuple[str, str]]:
    return [(purpose, to) for purpose, to, _subject in alerts(app)]


def test_a_released_intake_runs_a_fresh_claim_clock_and_is_escalated_once_per_miss(app: Flask) -> None:
    ids = build(app)
    intake_id = submitted(app, ids["ap"], at(2026, 12, 7, 9, 0), code="REL-001")  # claim by Monday 1 pm
    tick(app, at(2026, 12, 7, 13, 5))
    tick(app, at(2026, 12, 7, 14, 5))
    first_miss = purposes(app)
    assert [p for p, _ in first_miss] == [notify.PURPOSE_REMINDER] * 2 + [notify.PURPOSE_ESCALATION]

    _claim(app, intake_id, ids["staff"])
    _release(app, intake_id, ids["staff"], at(2026, 12, 7, 14, 30))
    with app.app_context():
        intake = db.session.get(Intake, intake_id)
        # Back in the access point's queue, unclaimed, with a new claim target four business hours
        # from the release: 2.5 h on Monday, 1.5 h on Tuesday.
        assert intake.claimed_by_id is None and intake.escalation == 0
        assert intake.due_at.replace(tzinfo=intake.due_at.tzinfo or ZoneInfo("UTC")) == at(2026, 12, 8, 10, 30)
        staff = db.session.get(User, ids["staff"])
        [row] = queue.queue_page(db.session, staff, now=at(2026, 12, 7, 15, 0)).rows
        assert row.reference_code == "REL-001" and row.claimed_by is None
        assert row.clock is not None and row.clock.stage is timers.Stage.CLAIM and not row.clock.overdue
        assert row.clock.due_at == at(2026, 12, 8, 10, 30)

    # The old miss was escalated already: nobody hears of it again.
    for quiet in [at(2026, 12, 7, 14, 31), at(2026, 12, 7, 17, 30), at(2026, 12, 8, 10, 29)]:
        tick(app, quiet)
        assert purposes(app) == first_miss, quiet
    # The new miss: staff reminded once, then the coordinators once.
    tick(app, at(2026, 12, 8, 10, 31))
    tick(app, at(2026, 12, 8, 10, 45))
    assert purposes(app)[3:] == [(notify.PURPOSE_REMINDER, "desk@alpha.example"),
                                 (notify.PURPOSE_REMINDER, "staff@alpha.example")]
    tick(app, at(2026, 12, 8, 11, 31))
    tick(app, at(2026, 12, 9, 16, 0))
    assert purposes(app)[5:] == [(notify.PURPOSE_ESCALATION, "coord@region.example")]


def test_a_new_claim_after_a_release_does_not_repeat_the_first_contact_alerts(app: Flask) -> None:
    ids = build(app)
    intake_id = submitted(app, ids["ap"], at(2026, 12, 7, 9, 0), code="REL-002")
    _claim(app, intake_id, ids["staff"])  # claimed in time; first contact due Monday 5 pm
    tick(app, at(2026, 12, 8, 9, 1))
    tick(app, at(2026, 12, 8, 10, 1))
    missed = purposes(app)
    assert [p for p, _ in missed] == [notify.PURPOSE_REMINDER] * 2 + [notify.PURPOSE_ESCALATION]
    _release(app, intake_id, ids["staff"], at(2026, 12, 8, 10, 30))
    _claim(app, intake_id, ids["staff"])
    for later in [at(2026, 12, 8, 11, 5), at(2026, 12, 8, 16, 0), at(2026, 12, 10, 12, 0)]:
        tick(app, later)
    assert purposes(app) == missed  # the same contact miss is never reminded or escalated twice
    with app.app_context():
        intake = db.session.get(Intake, intake_id)
        # Still overdue for the queue (its filter and sort), with nothing more to send.
        assert intake.escalation == 2 and intake.due_at is None


def test_a_tick_reads_each_access_points_recipients_once(app: Flask) -> None:
    from sqlalchemy import event

    ids = build(app)
    for n in range(30):
        submitted(app, ids["ap"], at(2026, 12, 7, 9, 0), priority=9, code=f"C{n:02d}-{n:03d}"[:7])
    with app.app_context():
        statements: list[str] = []

        def count(conn: object, cursor: object, statement: str, *args: object) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            run = scheduler.run_timers(db.session, at(2026, 12, 7, 11, 0), app.config)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert run.reminded == 30 and run.escalated == 30
    user_reads = [s for s in statements if "FROM users" in s]
    # One read of the access point's staff, one of the region's coordinators: not one per intake.
    assert len(user_reads) == 2, user_reads


def test_a_transferred_intake_runs_a_fresh_claim_clock_at_its_new_access_point(app: Flask) -> None:
    from datetime import timedelta

    from models.base import utcnow
    from services import staff_actions

    ids = build(app)
    intake_id = submitted(app, ids["ap"], utcnow() - timedelta(days=4), code="TRN-001")
    tick(app, utcnow())
    assert [p for p, _ in purposes(app)] == [notify.PURPOSE_REMINDER] * 2 + [notify.PURPOSE_ESCALATION]
    with app.app_context():
        alpha = db.session.get(AccessPoint, ids["ap"])
        beta = AccessPoint(slug="ap-beta", name="Access point Beta", coc_id=alpha.coc_id, region_id=alpha.region_id,
                           alert_emails=["desk@beta.example"])  # no hours entered: wall time
        db.session.add(beta)
        intake = db.session.get(Intake, intake_id)
        intake.coc_id = alpha.coc_id
        db.session.commit()
        coordinator = db.session.scalars(select(User).where(User.role == Role.COORDINATOR)).one()
        before = utcnow()
        staff_actions.transfer(db.session, intake, coordinator, access_point_id=beta.id, note=None,
                               cipher=current_cipher())
        intake = db.session.get(Intake, intake_id)
        assert intake.escalation == 0
        due_at = intake.due_at.replace(tzinfo=intake.due_at.tzinfo or ZoneInfo("UTC"))
        assert before + timedelta(minutes=240) <= due_at <= utcnow() + timedelta(minutes=240)
    # Beta hears of it as of any intake arriving there (and Alpha, which sent it on, does not).
    assert purposes(app)[3:] == [(notify.PURPOSE_NEW, "desk@beta.example")]
    tick(app, utcnow() + timedelta(minutes=1))
    assert len(purposes(app)) == 4  # nothing at once for the miss at Alpha
    tick(app, due_at + timedelta(minutes=1))
    assert purposes(app)[4:] == [(notify.PURPOSE_REMINDER, "desk@beta.example")]

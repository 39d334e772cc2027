"""The reminder the day before a scheduled assessment: planned by staff on the intake page, sent once
by the worker, never for an old time, and the page says whether it went or why not."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from extensions import db
from models import AccessPoint, EventKind, Intake, IntakeEvent, OutboxMessage, ScheduledJob, User
from models.base import utcnow
from services import outbox, reminders, staff_actions
from services.pii import current_cipher
from services.sms_text import is_gsm7, segments
from tests.conftest import at_once

from .conftest import World, csrf_from, make_intake

CHICAGO = ZoneInfo("America/Chicago")


def _page(client: FlaskClient, world: World, key: str = "own") -> str:
    return client.get(f"/staff/intakes/{world.intakes[key].public_id}").get_data(as_text=True)


def _claim(client: FlaskClient, world: World, key: str, token: str) -> None:
    response = client.post(f"/staff/intakes/{world.intakes[key].public_id}/claim", data={"csrf_token": token})
    assert response.status_code == 303


def _schedule(client: FlaskClient, world: World, key: str, when: datetime, where: str) -> str:
    token = csrf_from(_page(client, world, key))
    response = client.post(f"/staff/intakes/{world.intakes[key].public_id}/schedule", data={
        "csrf_token": token, "at": when.strftime("%Y-%m-%dT%H:%M"), "where": where, "note": ""})
    assert response.status_code == 303
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _in_days(days: int, hour: int = 14, minute: int = 30) -> datetime:
    local = utcnow().astimezone(CHICAGO) + timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _run(client: FlaskClient, at: datetime) -> int:
    with client.application.app_context():
        return reminders.run_reminders(db.session, at, current_cipher())


def _texts(client: FlaskClient, purpose: str = "reminder") -> list[str]:
    with client.application.app_context():
        cipher = current_cipher()
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == purpose)
                                  .order_by(OutboxMessage.id))
        return [cipher.decrypt(m.body_enc) for m in rows]


def _results(client: FlaskClient, world: World, key: str = "own") -> list[str]:
    with client.application.app_context():
        return [e.data["result"] for e in db.session.scalars(
            select(IntakeEvent).where(IntakeEvent.intake_id == world.intakes[key].id,
                                      IntakeEvent.kind == EventKind.REMINDER).order_by(IntakeEvent.id))]


def _job_time(client: FlaskClient) -> datetime:
    with client.application.app_context():
        job = db.session.scalars(select(ScheduledJob).where(ScheduledJob.name.like("reminder:%"))).one()
        return job.next_run_at


def test_the_reminder_goes_once_the_day_before_and_the_page_says_so(client: FlaskClient, world: World,
                                                                    signed_in) -> None:
    token = signed_in("staff")
    _claim(client, world, "own", token)
    when = _in_days(4)
    page = _schedule(client, world, "own", when, "Room 2, 100 Main St")
    run_at = _job_time(client)
    assert run_at.astimezone(CHICAGO) == (when - timedelta(days=1)).replace(hour=10, minute=0)
    assert "A reminder text is planned for" in page and "will not be sent" not in page

    assert _run(client, run_at - timedelta(minutes=1)) == 0
    assert _run(client, run_at) == 1
    assert _run(client, run_at + timedelta(hours=1)) == 0  # the job is gone: once
    [text] = _texts(client)
    assert "Reminder: your housing assessment is tomorrow" in text and "Room 2, 100 Main St" in text
    assert "2:30 PM" in text and world.intakes["own"].reference_code in text
    assert is_gsm7(text) and segments(text) <= 2
    assert _results(client, world) == ["sent"]
    page = _page(client, world)
    assert "The reminder text went out on" in page
    assert "sent the assessment reminder text" in page and "waiting to be sent" in page


def test_a_number_that_opted_out_gets_no_reminder_and_staff_see_why(client: FlaskClient, world: World,
                                                                    signed_in) -> None:
    token = signed_in("staff")
    _claim(client, world, "own", token)
    _schedule(client, world, "own", _in_days(3), "Front desk")
    run_at = _job_time(client)
    with client.application.app_context():
        outbox.opt_out(db.session, "+17855550111")
        db.session.commit()
    assert "As things stand it will not be sent: the number opted out of texts (STOP)." in _page(client, world)
    assert _run(client, run_at) == 0
    assert _texts(client) == []
    assert _results(client, world) == ["opted_out"]
    assert "No reminder was sent: the number opted out of texts (STOP)." in _page(client, world)


def test_no_reminder_when_texting_is_not_safe(client: FlaskClient, world: World, signed_in) -> None:
    with client.application.app_context():
        unsafe = make_intake(db.session, db.session.get(type(world.aps["A"]), world.aps["A"].id),
                             phone="+17855550144", safe_to_text="0")
        db.session.commit()
        db.session.refresh(unsafe)
        db.session.expunge(unsafe)
    world.intakes["unsafe"] = unsafe
    token = signed_in("staff")
    _claim(client, world, "unsafe", token)
    page = _schedule(client, world, "unsafe", _in_days(3), "Front desk")
    assert "As things stand it will not be sent: texting is not allowed or not safe." in page
    assert _run(client, _job_time(client)) == 0
    assert _texts(client) == []
    assert _results(client, world, "unsafe") == ["unsafe"]
    page = _page(client, world, "unsafe")
    assert "No reminder was sent: texting is not allowed or not safe." in page
    assert "did not send the assessment reminder: texting is not allowed or not safe" in page


def test_rescheduling_never_sends_the_old_time(client: FlaskClient, world: World, signed_in) -> None:
    token = signed_in("staff")
    _claim(client, world, "own", token)
    _schedule(client, world, "own", _in_days(3, 9, 0), "Old room")
    first_run = _job_time(client)
    _schedule(client, world, "own", _in_days(5, 15, 0), "New room")
    second_run = _job_time(client)  # one job left: the old one went with the new time
    assert second_run > first_run
    assert _results(client, world) == ["rescheduled"]
    assert _run(client, first_run) == 0
    assert _run(client, second_run) == 1
    [text] = _texts(client)
    assert "New room" in text and "3:00 PM" in text and "Old room" not in text
    assert _results(client, world) == ["rescheduled", "sent"]


def test_a_reminder_already_claimed_for_an_old_time_is_not_sent(client: FlaskClient, world: World) -> None:
    """The check at send time: an old schedule's job that still ran finds a newer schedule."""
    with client.application.app_context():
        intake = db.session.get(Intake, world.intakes["own"].id)
        staff = db.session.get(type(world.users["staff"]), world.users["staff"].id)
        assert intake is not None and staff is not None
        intake.claimed_by_id = staff.id
        db.session.commit()
        first = staff_actions.schedule_assessment(db.session, intake, staff, at=_in_days(3), where="A",
                                                  note=None, cipher=current_cipher())
        staff_actions.schedule_assessment(db.session, intake, staff, at=_in_days(6), where="B",
                                          note=None, cipher=current_cipher())
        # Put the first schedule's job back, as if a worker had read it before the change.
        db.session.add(ScheduledJob(name=f"reminder:{first.id}", next_run_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert _run(client, utcnow()) == 0
    assert _results(client, world) == ["rescheduled", "rescheduled"]
    assert _texts(client) == []


def test_closing_the_intake_cancels_the_reminder(client: FlaskClient, world: World, signed_in) -> None:
    token = signed_in("staff")
    _claim(client, world, "own", token)
    _schedule(client, world, "own", _in_days(3), "Front desk")
    run_at = _job_time(client)
    page = _page(client, world)
    client.post(f"/staff/intakes/{world.intakes['own'].public_id}/outcome", data={
        "csrf_token": csrf_from(page), "outcome": "declined", "diversion_result": "99"})
    assert _run(client, run_at) == 0
    assert _results(client, world) == ["cancelled"]


def test_an_assessment_tomorrow_morning_is_too_soon_for_a_reminder(client: FlaskClient, world: World,
                                                                   signed_in) -> None:
    token = signed_in("staff")
    _claim(client, world, "own", token)
    soon = utcnow().astimezone(CHICAGO) + timedelta(hours=2)
    page = _schedule(client, world, "own", soon.replace(second=0, microsecond=0), "Front desk")
    assert "No reminder was sent: the day before had already passed when it was scheduled." in page
    with client.application.app_context():
        assert db.session.scalars(select(ScheduledJob)).all() == []


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="two workers need PostgreSQL")
def test_two_workers_send_each_reminder_exactly_once(app: Flask, world: World) -> None:
    count = 40
    when = _in_days(4)
    with app.app_context():
        ap = db.session.get(AccessPoint, world.aps["A"].id)
        staff = db.session.get(User, world.users["staff"].id)
        assert ap is not None and staff is not None
        made = [make_intake(db.session, ap, phone=f"+1785557{n:04d}") for n in range(count)]
        for intake in made:
            intake.claimed_by_id = staff.id
        db.session.commit()
        for intake in made:
            staff_actions.schedule_assessment(db.session, intake, staff, at=when, where="Front desk", note=None,
                                              cipher=current_cipher(), config=app.config)
    queued = at_once(app, lambda session: reminders.run_reminders(session, when - timedelta(hours=12),
                                                                  current_cipher(), batch=7))
    assert sum(queued) == count
    with app.app_context():
        per_intake = db.session.execute(select(OutboxMessage.intake_id, func.count())
                                        .where(OutboxMessage.purpose == "reminder")
                                        .group_by(OutboxMessage.intake_id)).all()
        events = db.session.scalar(select(func.count()).select_from(IntakeEvent)
                                   .where(IntakeEvent.kind == EventKind.REMINDER))
    assert len(per_intake) == count and {n for _, n in per_intake} == {1}
    assert events == count

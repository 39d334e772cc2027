"""The queue's response clocks: overdue urgent intakes first, "overdue" and "due today" filters, clock labels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from models import AccessPoint, Intake, User
from models.base import utcnow
from services import queue, timers

from .conftest import World, make_intake, minutes_ago


def _due(intake: Intake, ap: AccessPoint, app: Flask) -> None:
    clock = timers.due(intake, ap, utcnow(), app.config)
    intake.due_at = clock.due_at if clock else None


def add_clocked(app: Flask, world: World) -> dict[str, str]:
    """Intakes at access point A (no hours entered: wall time), beside the world's own."""
    made = {}
    with app.app_context():
        ap = db.session.get(AccessPoint, world.aps["A"].id)
        for key, minutes, priority, reasons, callback in [
            ("late_plain", 300, 1, (), False),  # claim target 4 h: an hour overdue
            ("late_urgent", 90, 1, ("no_safe_place_tonight",), False),  # urgent 1 h: 30 min overdue
            ("late_callback", 70, 5, (), True),  # urgent, callback requested: 10 min overdue
            ("fresh_top", 5, 9, (), False),  # highest priority, due in 55 min
            ("today", 100, 0, (), False),  # due in 2 h 20
        ]:
            intake = make_intake(db.session, ap, priority=priority, reasons=reasons,
                                 submitted_at=minutes_ago(minutes), callback=callback)
            _due(intake, ap, app)
            made[key] = intake.public_id
        own = db.session.get(Intake, world.intakes["own"].id)
        _due(own, ap, app)  # priority 5, just submitted: due in 1 h
        made["own"] = own.public_id
        db.session.commit()
    return made


def test_overdue_urgent_first_with_a_requested_callback_on_top(app: Flask, world: World) -> None:
    made = add_clocked(app, world)
    with app.app_context():
        page = queue.queue_page(db.session, db.session.get(User, world.user_id("staff")))
    order = [row.public_id for row in page.rows]
    assert order[:3] == [made["late_callback"], made["late_urgent"], made["late_plain"]]
    assert order.index(made["fresh_top"]) == 3  # then by priority
    late = next(r for r in page.rows if r.public_id == made["late_plain"])
    assert late.clock is not None and late.clock.overdue and late.clock.minutes_left in (-60, -61)
    fresh = next(r for r in page.rows if r.public_id == made["fresh_top"])
    assert fresh.clock is not None and not fresh.clock.overdue and fresh.clock.urgent


def test_overdue_and_due_today_filters_with_counts_in_one_pass(app: Flask, world: World) -> None:
    made = add_clocked(app, world)
    with app.app_context():
        user = db.session.get(User, world.user_id("staff"))
        overdue = queue.queue_page(db.session, user, queue.QueueFilters(due="overdue"))
        assert {r.public_id for r in overdue.rows} == {made["late_callback"], made["late_urgent"], made["late_plain"]}
        assert overdue.counts["overdue"] == 3 and overdue.total == 3
        today = {r.public_id for r in queue.queue_page(db.session, user, queue.QueueFilters(due="today")).rows}
        assert not today & {made["late_callback"], made["late_urgent"], made["late_plain"]}
        # Due in 55 minutes: today, unless that is past midnight in Chicago.
        chicago = ZoneInfo("America/Chicago")
        soon_is_today = (utcnow() + timedelta(minutes=55)).astimezone(chicago).date() == utcnow().astimezone(
            chicago).date()
        assert (made["fresh_top"] in today) is soon_is_today
        # A claim moves an intake to its contact target (8 h from submission): no longer overdue.
        intake = db.session.get(Intake, db.session.scalar(
            db.select(Intake.id).where(Intake.public_id == made["late_plain"])))
        assert queue.claim(db.session, intake, user)
        after = queue.queue_page(db.session, user, queue.QueueFilters(due="overdue"))
        assert made["late_plain"] not in {r.public_id for r in after.rows}
        row = next(r for r in queue.queue_page(db.session, user).rows if r.public_id == made["late_plain"])
        assert row.clock is not None and row.clock.stage is timers.Stage.CONTACT and not row.clock.overdue


def test_the_page_shows_each_clock_and_keeps_the_filter(client: FlaskClient, world: World,
                                                        signed_in: Callable[[str], str], app: Flask) -> None:
    add_clocked(app, world)
    signed_in("staff")
    html = client.get("/staff/?due=overdue").get_data(as_text=True)
    assert "Claim: overdue 1 h" in html
    assert "Claim: overdue 30 min" in html or "Claim: overdue 31 min" in html
    assert "due in" not in html  # the filter keeps only overdue ones
    assert 'data-refresh-url="/staff/?due=overdue' in html
    everything = client.get("/staff/").get_data(as_text=True)
    assert "Claim: due in 55 min" in everything or "Claim: due in 54 min" in everything


def test_a_sealed_referral_shows_no_clock(app: Flask, world: World) -> None:
    with app.app_context():
        ap = db.session.get(AccessPoint, world.aps["V"].id)
        intake = db.session.get(Intake, world.intakes["confidential"].id)
        _due(intake, ap, app)
        db.session.commit()
        staff_v = queue.queue_page(db.session, db.session.get(User, world.user_id("staff_v")))
        vsp = queue.queue_page(db.session, db.session.get(User, world.user_id("vsp")))
    [sealed] = staff_v.rows
    assert sealed.sealed and sealed.clock is None
    [open_row] = vsp.rows
    assert open_row.clock is not None


def test_due_today_ends_at_midnight_in_each_access_points_own_time_zone(app: Flask, world: World) -> None:
    from datetime import datetime

    chicago = ZoneInfo("America/Chicago")
    now = datetime(2026, 12, 7, 23, 30, tzinfo=chicago)  # 9:30 pm in Los Angeles
    with app.app_context():
        west = db.session.get(AccessPoint, world.aps["B"].id)
        west.timezone = "America/Los_Angeles"
        east = db.session.get(AccessPoint, world.aps["A"].id)
        made = {}
        for key, ap, due in [
            # 11 pm in Los Angeles (1 am in Chicago): still today where the intake waits.
            ("west_tonight", west, datetime(2026, 12, 7, 23, 0, tzinfo=ZoneInfo("America/Los_Angeles"))),
            # 12:30 am in Chicago: tomorrow there.
            ("east_after_midnight", east, datetime(2026, 12, 8, 0, 30, tzinfo=chicago)),
            ("east_tonight", east, datetime(2026, 12, 7, 23, 50, tzinfo=chicago)),
            # 12:15 am in Los Angeles: tomorrow there.
            ("west_tomorrow", west, datetime(2026, 12, 8, 0, 15, tzinfo=ZoneInfo("America/Los_Angeles"))),
        ]:
            intake = make_intake(db.session, ap, submitted_at=now - timedelta(hours=1))
            intake.due_at = due
            made[key] = intake.public_id
        for key in ("own", "other"):
            db.session.get(Intake, world.intakes[key].id).due_at = None
        db.session.commit()
        admin = db.session.get(User, world.user_id("admin"))
        page = queue.queue_page(db.session, admin, queue.QueueFilters(due="today"), now=now)
    assert {r.public_id for r in page.rows} == {made["west_tonight"], made["east_tonight"]}
    assert page.counts["today"] == 2 and page.total == 2

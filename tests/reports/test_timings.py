"""Waiting times in business hours, the share that missed a response target, and local days
across daylight saving changes: each against numbers worked out by hand."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from extensions import db
from models import AccessPoint, User
from services import queue, reports, staff_actions, timers
from services.pii import current_cipher

from .conftest import DAY, World, login, make_intake, summary_sums

ZONE = "America/Chicago"
WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def board(world: World, scope_key: str, start: date, end: date, now: datetime | None = None) -> reports.Dashboard:
    user = db.session.get(User, world.users["admin"].id)
    assert user is not None
    scope = reports.resolve_scope(db.session, user, scope_key)
    return reports.dashboard(db.session, scope, reports.DateRange(start, end, ZONE), now=now)


def test_waiting_times_count_business_hours_only(world: World) -> None:
    """Five intakes on Friday 6 March 2026 at 16:00 (CST) at a place open weekdays 9 to 5.

    Claimed on Monday 9 March (CDT: the clocks changed on Sunday) at 10:00, 10:10 ... 10:40: one
    business hour on Friday and 60 to 100 minutes on Monday, 120 to 160 (median 140, 90th
    percentile 150 + 0.6 x 10 = 156), not the 66 or so wall-clock hours. First contact at 17:00
    on Monday: 60 + 480 = 540 minutes each.
    """
    friday = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)  # 16:00 CST
    monday = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # 10:00 CDT
    with world.app.app_context():
        ap = db.session.get(AccessPoint, world.aps["A"].id)
        assert ap is not None
        ap.hours = WEEKDAYS_9_TO_5
        for n in range(5):
            intake = make_intake(db.session, ap, submitted_at=friday)
            timers.stamp_claim(intake, monday + timedelta(minutes=10 * n), ap)
            timers.stamp_contact(intake, datetime(2026, 3, 9, 22, 0, tzinfo=UTC), ap)
            assert intake.claim_minutes == 120 + 10 * n
        db.session.commit()
        found = board(world, "ap-ap-a", date(2026, 3, 6), date(2026, 3, 6))
        assert found.to_claim == reports.Timing(5, pytest.approx(140 * 60), pytest.approx(156 * 60))
        assert found.to_contact == reports.Timing(5, pytest.approx(540 * 60), pytest.approx(540 * 60))


def test_claims_and_contacts_stamp_the_intake_when_they_happen(world: World) -> None:
    """The queue's claim and the contact log stamp the first claim and contact, in business minutes."""
    with world.app.app_context():
        s = db.session
        ap = s.get(AccessPoint, world.aps["A"].id)
        staff, other = s.get(User, world.users["staff"].id), s.get(User, world.users["staff2"].id)
        assert ap is not None and staff is not None and other is not None
        intake = make_intake(s, ap, submitted_at=datetime.now(UTC) - timedelta(minutes=90))
        timers.stamp_targets(intake, ap, world.app.config)
        s.commit()
        assert intake.claim_due_at == intake.submitted_at + timedelta(minutes=240)  # always open: wall time
        assert intake.contact_due_at == intake.submitted_at + timedelta(minutes=480)
        assert queue.claim(s, intake, staff)
        s.refresh(intake)
        first = intake.first_claimed_at
        assert first is not None and intake.claim_minutes in (90, 91)
        # Released and claimed again: the first claim still counts.
        assert queue.release(s, intake, staff)
        assert queue.claim(s, intake, other)
        s.refresh(intake)
        assert intake.first_claimed_at == first and intake.claim_minutes in (90, 91)
        staff_actions.log_contact(s, intake, other, method="phone", result="reached", note=None,
                                  cipher=current_cipher())
        s.refresh(intake)
        assert intake.first_contact_at is not None and intake.contact_minutes in (90, 91)


def _late_and_missed(world: World) -> None:
    """Four more intakes at A on the known day (priority 0: claim within 4 h, contact within 8 h).

    X1 claimed after 5 h (late) and contacted after 5 h 10 (in time); X2 closed after 1 h,
    never claimed (its clock stopped in time); X3 and X4 nothing at all.
    """
    s = db.session
    ap = s.get(AccessPoint, world.aps["A"].id)
    assert ap is not None
    made = [make_intake(s, ap, submitted_at=DAY) for _ in range(4)]
    for intake in made:
        timers.stamp_targets(intake, ap, world.app.config)
    timers.stamp_claim(made[0], DAY + timedelta(hours=5), ap)
    timers.stamp_contact(made[0], DAY + timedelta(hours=5, minutes=10), ap)
    made[1].closed_at = DAY + timedelta(hours=1)
    made[1].outcome = "duplicate"
    s.commit()


def test_share_overdue_by_hand(known_day: World) -> None:
    """The known day's seven intakes at A, and four more (``_late_and_missed``): 11 in all.

    Of the seven, 0 to 4 were claimed within 50 minutes and contacted within 5 hours; 5 and 6
    (priority 5 and 6: urgent, claim within 1 hour) were never claimed.
    """
    with known_day.app.app_context():
        config = known_day.app.config
        assert (config["TARGET_CLAIM_MINUTES"], config["TARGET_CONTACT_MINUTES"],
                config["TARGET_URGENT_MINUTES"], config["ALERT_URGENT_PRIORITY"]) == (240, 480, 60, 4)
        _late_and_missed(known_day)
        day = date(2026, 3, 10)

        def overdue(hours: float) -> tuple[dict[str, int | None], float | None]:
            found = board(known_day, "ap-ap-a", day, day, now=DAY + timedelta(hours=hours))
            assert found.total == 11
            return {row.code: row.count for row in found.overdue}, found.overdue_share

        # After 3 hours: only the two urgent ones, 5 and 6, are late (fewer than 5).
        assert overdue(3) == ({"missed_claim": None, "missed_contact": 0, "missed_any": None}, None)
        # After 6 hours (X1 was claimed after 5): 5 and 6 (urgent), X1 (claimed late), X3, X4 missed the claim: 5 of 11.
        assert overdue(6) == ({"missed_claim": 5, "missed_contact": 0, "missed_any": 5}, pytest.approx(5 / 11))
        # After 9 hours the contact target passed too for 5, 6, X3, X4 (fewer than 5 to show).
        assert overdue(9) == ({"missed_claim": 5, "missed_contact": None, "missed_any": 5}, pytest.approx(5 / 11))


def test_share_overdue_on_the_page_and_in_its_download(client: FlaskClient, known_day: World) -> None:
    with known_day.app.app_context():
        _late_and_missed(known_day)  # all long overdue now (2026-03-10 is in the past)
    assert login(client, known_day.users["admin"].email).status_code == 303
    page = client.get("/staff/reports/?scope=ap-ap-a&start=2026-03-10&end=2026-03-10").get_data(as_text=True)
    # Claim: 5, 6, X1, X3, X4; contact: 5, 6, X3, X4; either: those five, of 11 = 45%.
    assert re.search(r"Missed a response target</dt><dd>45%</dd>", page)
    assert "Missed response targets" in page
    response = client.get("/staff/reports/overdue.csv?scope=ap-ap-a&start=2026-03-10&end=2026-03-10")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Claimed late or not yet claimed after the target", "5"] in rows
    assert ["First contact late or not yet made after the target", "fewer than 5"] in rows
    assert ["Missed either target", "5"] in rows


# -- local days across daylight saving changes ---------------------------------------------------

# (UTC instant, the local day it belongs to in Kansas); five intakes at each.
ACROSS_CHANGES = [
    (datetime(2026, 3, 8, 5, 30, tzinfo=UTC), "2026-03-07"),  # Sat 23:30 CST
    (datetime(2026, 3, 8, 6, 30, tzinfo=UTC), "2026-03-08"),  # Sun 00:30 CST
    (datetime(2026, 3, 9, 4, 30, tzinfo=UTC), "2026-03-08"),  # Sun 23:30 CDT (clocks went forward at 2:00)
    (datetime(2026, 3, 9, 5, 30, tzinfo=UTC), "2026-03-09"),  # Mon 00:30 CDT
    (datetime(2026, 11, 1, 4, 30, tzinfo=UTC), "2026-10-31"),  # Sat 23:30 CDT
    (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "2026-11-01"),  # Sun 00:30 CDT
    (datetime(2026, 11, 1, 7, 30, tzinfo=UTC), "2026-11-01"),  # Sun 01:30 CST, the second time round
    (datetime(2026, 11, 2, 5, 30, tzinfo=UTC), "2026-11-01"),  # Sun 23:30 CST (the 25-hour day)
    (datetime(2026, 11, 2, 6, 30, tzinfo=UTC), "2026-11-02"),  # Mon 00:30 CST
]


def test_days_are_local_days_across_both_daylight_saving_changes(world: World) -> None:
    with world.app.app_context():
        for at, _day in ACROSS_CHANGES:
            for _ in range(5):
                make_intake(db.session, db.session.get(AccessPoint, world.aps["A"].id), submitted_at=at)
        db.session.commit()
        expected: dict[str, int] = {}
        for _at, day in ACROSS_CHANGES:
            expected[day] = expected.get(day, 0) + 5
        # A range that starts in standard time and one that starts in daylight time: the start's
        # offset must not decide.
        for start in (date(2026, 3, 1), date(2026, 3, 8), date(2026, 6, 1)):
            found = {row.code: row.count for row in board(world, "ap-ap-a", start, date(2026, 11, 15)).by_day}
            wanted = {d: n for d, n in expected.items() if d >= start.isoformat()}
            assert {d: n for d, n in found.items() if n} == wanted
            assert sum(n or 0 for n in found.values()) == sum(wanted.values())


# -- the migration's backfill ------------------------------------------------------------------


def _check_backfill(url: str) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import MetaData, select

    from app import create_app

    migrations = str(Path(__file__).resolve().parents[2] / "migrations")
    app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=migrations, revision="0016")
        meta = MetaData()
        meta.reflect(bind=db.engine, only=("intakes", "intake_events", "access_points", "continuums_of_care"))
        t = meta.tables
        friday = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)  # 16:00 CST

        def stamp(moment: datetime) -> Any:
            return moment.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else moment

        with db.engine.begin() as conn:
            coc = conn.execute(t["continuums_of_care"].insert().values(code="KS-507", name="Kansas", is_home=True)
                               .returning(t["continuums_of_care"].c.id)).scalar_one()
            ap = conn.execute(t["access_points"].insert().values(
                slug="ap", name="Alpha", coc_id=coc, kind="physical", timezone=ZONE, hours=WEEKDAYS_9_TO_5,
                closed_dates=[], alert_emails=[], languages=["en"], populations=[], is_remote=False,
                is_sample=False, active=True, created_at=stamp(friday)).returning(t["access_points"].c.id)).scalar_one()
            intake = conn.execute(t["intakes"].insert().values(
                public_id=uuid.uuid4().hex, channel="sms", language="en", flow_version=1, status="submitted",
                routed_access_point_id=ap, priority=0, priority_reasons=[], diversion_candidate=False,
                confidential=False, out_of_area=False, callback_requested=False, possible_flood=False,
                created_at=stamp(friday), updated_at=stamp(friday), last_activity_at=stamp(friday),
                submitted_at=stamp(friday)).returning(t["intakes"].c.id)).scalar_one()
            for kind, at in (("claimed", datetime(2026, 3, 9, 15, 0, tzinfo=UTC)),
                             ("claimed", datetime(2026, 3, 10, 15, 0, tzinfo=UTC)),
                             ("sms_sent", datetime(2026, 3, 9, 16, 0, tzinfo=UTC))):
                conn.execute(t["intake_events"].insert().values(intake_id=intake, kind=kind, data={},
                                                                created_at=stamp(at)))
        upgrade(directory=migrations, revision="0021")
        with db.engine.connect() as conn:
            intakes = MetaData()
            intakes.reflect(bind=conn, only=("intakes",))
            row = conn.execute(select(intakes.tables["intakes"])).one()
        # Friday 16:00-17:00, then Monday 9:00-10:00 (claim) and 9:00-11:00 (the text).
        assert (row.claim_minutes, row.contact_minutes) == (120, 180)
        assert str(row.first_claimed_at).startswith("2026-03-09 15:00")
        # Due after 4 and 8 business hours: Monday 12:00 and 16:00 CDT.
        assert str(row.claim_due_at).startswith("2026-03-09 17:00")
        assert str(row.contact_due_at).startswith("2026-03-09 21:00")
        db.session.remove()
        db.engine.dispose()


def test_backfill_on_sqlite(tmp_path: Path) -> None:
    _check_backfill(f"sqlite:///{tmp_path / 'backfill.sqlite3'}")


def test_backfill_on_postgresql(pg_url: str) -> None:
    _check_backfill(pg_url)




# -- the daily summary, kept on write ----------------------------------------------------------


def test_the_summary_follows_every_write_as_a_recount_would(world: World) -> None:
    """Submit, claim, contact, close and transfer through the services: the summary kept on write
    is the same as one counted again from scratch, and the dashboard sees each change."""
    from services import report_days

    with world.app.app_context():
        s = db.session
        staff, admin = s.get(User, world.users["staff"].id), s.get(User, world.users["admin"].id)
        ap = s.get(AccessPoint, world.aps["A"].id)
        assert staff is not None and admin is not None and ap is not None
        made = [make_intake(s, ap, submitted_at=datetime.now(UTC) - timedelta(hours=n)) for n in range(6)]
        for intake in made:
            timers.stamp_targets(intake, ap, world.app.config)
        s.commit()
        today = datetime.now(UTC).date()
        start = today - timedelta(days=2)

        def summed(column: str, ap_key: str) -> int:
            from sqlalchemy import func, select

            from models import report_days as table

            return int(s.scalar(select(func.coalesce(func.sum(table.c[column]), 0))
                                .where(table.c.access_point_id == world.aps[ap_key].id)) or 0)

        found = board(world, "ap-ap-a", start, today + timedelta(days=1))
        assert {row.code: row.count for row in found.outcomes}["open"] == 7  # the world's own and these six
        for intake in made[:5]:
            assert queue.claim(s, intake, staff)
            staff_actions.log_contact(s, intake, staff, method="phone", result="reached", note=None,
                                      cipher=current_cipher())
            staff_actions.record_outcome(s, intake, staff, outcome="assessed_in_hmis", cipher=current_cipher(),
                                         hmis_client_id="12345")
        assert (summed("outcome_assessed_in_hmis", "A"), summed("outcome_open", "A")) == (5, 2)
        found = board(world, "ap-ap-a", start, today + timedelta(days=1))
        # On the page: 2 still open would give the 5 away; both hidden.
        assert {row.code: (row.count, row.masked) for row in found.outcomes}["assessed_in_hmis"] == (None, True)
        # The sixth moves to access point B.
        staff_actions.transfer(s, made[5], admin, access_point_id=world.aps["B"].id, note=None,
                               cipher=current_cipher())
        assert (summed("n", "A"), summed("n", "B")) == (6, 2)
        kept = summary_sums()
        assert kept and sum(v[0] for k, v in kept.items() if len(k) == 3) == 9  # the world's 3 and these 6
        report_days.refresh_all(s)
        s.commit()
        assert summary_sums() == kept


def test_rebuild_summary_command(known_day: World) -> None:
    from sqlalchemy import delete

    from models import report_day_codes, report_days

    with known_day.app.app_context():
        kept = summary_sums()
        assert kept
        db.session.execute(delete(report_days))
        db.session.execute(delete(report_day_codes))
        db.session.commit()
        result = known_day.app.test_cli_runner().invoke(args=["reports", "rebuild-summary"])
        assert result.exit_code == 0, result.output
        assert "Counted" in result.output
        assert summary_sums() == kept

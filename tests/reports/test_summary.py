"""The daily report summary kept by deltas: savepoints, the Core UPDATE that closes an intake, and
a submission whose cost does not grow with the intakes of its day."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from extensions import db
from models import AccessPoint, Channel, Intake, User
from models.base import utcnow
from services import intake as intake_service
from services import queue, report_days, staff_actions
from services.demo import load_demo
from services.pii import current_cipher
from tests.walks import FULL

from ..staff.conftest import race_app
from .conftest import World, make_intake, summary_sums

__all__ = ["race_app"]


def recounted() -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The summary counted again from scratch (the kept one is put back by the rollback)."""
    db.session.commit()
    report_days.refresh_all(db.session)
    db.session.flush()
    found = summary_sums()
    db.session.rollback()
    return found


def group(ap: AccessPoint, at: datetime, confidential: bool = False) -> tuple[Any, ...]:
    return (report_days.local_day(at, report_days.zone_name()), ap.id, confidential)


def test_a_savepoint_that_rolls_back_leaves_the_summary_as_a_recount(world: World) -> None:
    with world.app.app_context():
        s = db.session
        a, b = s.get(AccessPoint, world.aps["A"].id), s.get(AccessPoint, world.aps["B"].id)
        assert a is not None and b is not None
        at = utcnow() - timedelta(hours=1)
        kept, moved, late = (make_intake(s, a, submitted_at=at, language="es") for _ in range(3))
        s.commit()
        before = summary_sums()
        # Changed only inside a savepoint that rolls back (after a flush: its deltas were read).
        with s.begin_nested() as savepoint:
            kept.routed_access_point_id = b.id
            kept.language = "vi"
            kept.outcome = "declined"
            kept.closed_at = utcnow()
            s.flush()
            savepoint.rollback()
        # Changed before a savepoint, and again inside one that rolls back.
        moved.routed_access_point_id = b.id
        s.flush()
        with s.begin_nested() as savepoint:
            moved.confidential = True
            s.flush()
            savepoint.rollback()
        # Changed first inside a savepoint that rolls back, then again after it; and a released
        # savepoint inside one that rolls back.
        with s.begin_nested() as outer:
            late.language = "so"
            with s.begin_nested():
                late.county_fips = "20051"
            s.flush()
            outer.rollback()
        late.callback_requested = True
        s.commit()
        after = summary_sums()
        assert after == recounted()
        day = group(a, at)
        # A lost ``moved`` to B; ``late`` became a callback; ``kept`` is where it was.
        assert after[(*day, "language", "es")] == (before[(*day, "language", "es")][0] - 1,)
        assert after[(day[0], b.id, False, "language", "es")] == (1,)
        assert (day[0], b.id, True) not in after and (*day, "language", "vi") not in after
        assert (*day, "county", "20051") not in after
        callbacks = report_days.NAMES.index("flag_callback_requested")
        assert after[day][callbacks] == before[day][callbacks] + 1


def test_closing_by_a_core_update_moves_the_outcome(world: World) -> None:
    """``record_outcome`` closes with a Core UPDATE and adds the outcome event: the intake leaves
    "open" for "diverted" with the result its event recorded, as a recount finds."""
    with world.app.app_context():
        s = db.session
        a = s.get(AccessPoint, world.aps["A"].id)
        staff = s.get(User, world.users["staff"].id)
        assert a is not None and staff is not None
        at = utcnow() - timedelta(hours=2)
        intakes = [make_intake(s, a, submitted_at=at, diversion=True) for _ in range(2)]
        s.commit()
        before = summary_sums()
        for intake in intakes:
            assert queue.claim(s, intake, staff)
        staff_actions.record_outcome(s, intakes[0], staff, outcome="diverted", cipher=current_cipher(),
                                     diversion_result=0)
        after = summary_sums()
        assert after == recounted()
        day = group(a, at)

        def moved(name: str) -> int:
            i = report_days.NAMES.index(name)
            return after[day][i] - before[day][i]

        assert [moved(name) for name in ("n", "outcome_open", "outcome_diverted", "candidate_diverted",
                                         "diversion_result_0", "diversion_result_1")] == [0, -1, 1, 1, 1, 0]
        # Closing one already closed is refused and changes nothing.
        with pytest.raises(staff_actions.ActionError):
            staff_actions.record_outcome(s, intakes[0], staff, outcome="declined", cipher=current_cipher())
        assert summary_sums() == after




def submit_counting() -> tuple[int, int, int]:
    """Submit a whole web intake; return the statements it issued, those on the summary tables,
    and the summary rows they wrote."""
    s = db.session
    intake = intake_service.start_intake(s, channel=Channel.WEB, language="en")
    for key, raw in FULL:
        assert intake_service.answer(s, intake, key, raw).ok
    s.commit()
    seen = {"all": 0, "summary": 0, "rows": 0}

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen["all"] += 1

    def after(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if "report_day" in statement:
            seen["summary"] += 1
            seen["rows"] += max(cursor.rowcount, 0)

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        result = intake_service.submit(s, intake)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    assert not result.already and result.access_point is not None
    return seen["all"], seen["summary"], seen["rows"]


def test_a_submission_costs_the_same_on_a_busy_day(app: Flask) -> None:
    """The second submission of an empty day, then one after 2,000 more intakes that day over every
    access point, 12 languages and 30 counties: the same statements, the same summary rows
    written (a recount of the day would delete and insert a row per group)."""
    with app.app_context():
        load_demo(db.session, users=False)
        submit_counting()  # the day's first: its groups' rows are inserted
        quiet = submit_counting()
        aps = list(db.session.scalars(select(AccessPoint.id)))
        languages = ["en", "es", "vi", "so", "ar", "my", "fr", "de", "zh", "ko", "ru", "sw"]
        now = utcnow()
        zone = report_days.zone_name()
        start = report_days.day_bounds(report_days.local_day(now, zone), zone)[0]
        db.session.execute(insert(Intake), [
            {"public_id": uuid.uuid4().hex, "channel": "sms", "language": languages[n % 12], "status": "submitted",
             "routed_access_point_id": aps[n % len(aps)], "priority": 0, "priority_reasons": [],
             "confidential": n % 7 == 0, "county_fips": f"20{n % 30:03d}",
             "submitted_at": start + (now - start) * (n / 2000)} for n in range(2000)])
        report_days.refresh_all(db.session)
        db.session.commit()
        rows = summary_sums()
        assert sum(1 for key in rows if len(key) == 3) >= len(aps) and len(rows) > 300  # many groups
        busy = submit_counting()
        assert busy == quiet
        # report_days, the language and the county: one UPDATE of one row each.
        assert quiet[1:] == (3, 3)
        assert summary_sums() == recounted()


@pytest.mark.parametrize("race_app", ["postgresql"], indirect=True)
def test_writers_at_once_keep_the_summary_right(race_app: Flask) -> None:
    """Eight writers at once on PostgreSQL: each moves an intake to an access point whose group
    has no row yet today (both may insert one), and pairs change the same intake (the row lock
    taken when its contribution is read makes the second wait for the first)."""
    with race_app.app_context():
        load_demo(db.session, users=False)
        aps = list(db.session.scalars(select(AccessPoint).order_by(AccessPoint.id)))
        ids = [make_intake(db.session, aps[0], language="es").id for _ in range(4)]
        to = aps[1].id
        db.session.commit()
        engine = db.engine
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with race_app.app_context(), Session(engine) as session:
                intake = session.get(Intake, ids[n % 4])
                assert intake is not None
                session.commit()
                barrier.wait(timeout=30)
                if n < 4:
                    intake.routed_access_point_id = to
                else:
                    intake.language = "vi"
                    intake.callback_requested = True
                session.commit()
        except BaseException as exc:  # report, don't hide, failures in threads
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert not errors, errors
    with race_app.app_context():
        kept = summary_sums()
        assert kept == recounted()
        day = report_days.local_day(utcnow(), report_days.zone_name())
        assert kept[(day, to, False, "language", "vi")] == (4,)
        assert kept[(day, to, False)][report_days.NAMES.index("flag_callback_requested")] == 4

"""The queue reads one page from the partial indexes, in exactly the order a full sort gives."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from extensions import db
from models import Intake, User
from models.base import utcnow
from services import queue
from services.cli import purge_everything

from .conftest import World, make_intake, minutes_ago


def _full_sort(user: User, filters: queue.QueueFilters) -> list[str]:
    """The queue's order as one query sorting every open intake in scope (the reference)."""
    now = utcnow()
    scope = queue.scope_for(db.session, user)
    sealed = queue._sealed(user)
    narrowing = queue._filter_conditions(filters, user.id, now)
    if narrowing and filters.flag != "confidential":
        narrowing.append(~sealed)
    order = queue._queue_order(sealed, queue.overdue_condition(now), 4)
    return list(db.session.scalars(select(Intake.public_id).where(
        *queue._visible(scope), Intake.closed_at.is_(None), *narrowing).order_by(*order)))


def test_every_page_matches_a_full_sort(app: Flask, world: World) -> None:
    rng = random.Random(19)
    with app.app_context():
        aps = [db.session.merge(world.aps[key]) for key in ("A", "B", "V")]
        now = utcnow()
        for n in range(140):
            ap = aps[n % 3]
            intake = make_intake(db.session, ap, priority=rng.randint(0, 6), callback=rng.random() < 0.2,
                                 confidential=ap.slug == "ap-v" and rng.random() < 0.7,
                                 submitted_at=minutes_ago(rng.randint(1, 5000) if n % 7 else 60))
            # Some overdue (a passed target, or escalated), some due later, some with no target.
            roll = rng.random()
            if roll < 0.2:
                intake.due_at = now - timedelta(minutes=rng.randint(1, 300))
            elif roll < 0.3:
                intake.escalation = 1
            elif roll < 0.6:
                intake.due_at = now + timedelta(minutes=rng.randint(1, 300))
            if n % 11 == 0:
                intake.closed_at = now
        db.session.commit()
        for key in ("staff", "staff_v", "vsp", "coordinator", "admin"):
            user = db.session.get(User, world.user_id(key))
            assert user is not None
            for filters in (queue.QueueFilters(), queue.QueueFilters(flag="callback_requested"),
                            queue.QueueFilters(due="overdue"), queue.QueueFilters(claim="unclaimed")):
                expected = _full_sort(user, filters)
                seen: list[str] = []
                first = queue.queue_page(db.session, user, filters, per_page=9)
                assert first.total == len(expected), (key, filters)
                for page in range(1, first.pages + 1):
                    seen += [r.public_id for r in queue.queue_page(db.session, user, filters, page=page,
                                                                    per_page=9).rows]
                assert seen == expected, (key, filters)


def test_the_page_query_walks_the_partial_index(app: Flask, world: World) -> None:
    with app.app_context():
        # A queue of some size (the planners choose by it): 4,000 open intakes over 3 access points.
        aps = [world.aps[key].id for key in ("A", "B", "V")]
        rng = random.Random(7)
        now = utcnow()
        db.session.execute(insert(Intake), [
            {"public_id": uuid.uuid4().hex, "channel": rng.choice(["kiosk", "sms"]), "language": "en",
             "status": "submitted", "routed_access_point_id": aps[n % 3], "priority": rng.randint(0, 12),
             "priority_reasons": [], "submitted_at": now - timedelta(minutes=rng.randint(1, 40_000)),
             "confidential": False} for n in range(4000)])
        db.session.commit()
        staff = db.session.get(User, world.user_id("staff"))
        assert staff is not None
        scope = queue.scope_for(db.session, staff)
        engine = db.engine
        if engine.dialect.name == "sqlite":
            purge_everything(db.session, app.config)  # the worker's hourly job keeps SQLite's statistics
        else:
            with engine.begin() as conn:  # committed: a rolled-back ANALYZE leaves the old statistics
                conn.exec_driver_sql("ANALYZE intakes")  # what autovacuum does for a live table
        reach = [*queue._visible(scope), Intake.closed_at.is_(None)]
        whole = _plan(engine, queue.open_in_order(reach, 25))
        by_channel = _plan(engine, queue.open_in_order([*reach, Intake.channel == "sms"], 25))
        # Read in the queue's order from an index and stopped at the limit: never every open
        # intake of the scope sorted. (SQLite may walk one access point's ix_intakes_queue in
        # priority order instead, sorting only within a priority: also a page, not the scope.)
        for plan in (whole, by_channel):
            assert "USE TEMP B-TREE FOR ORDER BY" not in plan and "Sort" not in plan, plan
        assert "ix_intakes_open_order" in whole or "TEMP B-TREE FOR RIGHT PART" in whole, whole
        # A channel filter reads its own index, in the same order: only that channel's intakes.
        assert "ix_intakes_open_channel" in by_channel, by_channel


def _plan(engine: Any, statement: Any) -> str:
    compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}"))
        return "\n".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))


def test_counts_are_exact_up_to_the_cap_and_say_so_past_it(app: Flask, world: World, client: FlaskClient,
                                                            signed_in: Callable[[str], str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue, "COUNT_CAP", 8)
    with app.app_context():
        ap = db.session.merge(world.aps["A"])
        for n in range(11):
            make_intake(db.session, ap, priority=n % 3, callback=n < 8, diversion=n < 9,
                        submitted_at=minutes_ago(100 + n))
        db.session.commit()
        staff = db.session.get(User, world.user_id("staff"))
        assert staff is not None
        page = queue.queue_page(db.session, staff, per_page=5)
        # 12 open (with the world's own): each count stops at the cap and one more.
        assert page.counts["total"] == 9 and page.counts["unclaimed"] == 9
        assert page.counts["callback_requested"] == 8  # exactly the cap: still exact
        assert page.counts["diversion_candidate"] == 9 and page.counts["mine"] == 0
        assert page.more and page.pages == 2
        # Walking on still reads every intake once, in order, up to the last page.
        seen = [r.public_id for p in range(1, 4) for r in queue.queue_page(db.session, staff, page=p,
                                                                             per_page=5).rows]
        assert len(seen) == len(set(seen)) == 12
        last = queue.queue_page(db.session, staff, page=3, per_page=5)
        assert not last.more and last.pages == 3 and len(last.rows) == 2
    signed_in("staff")
    html = client.get("/staff/").get_data(as_text=True)
    assert "8+ waiting" in html and "(8+)" in html and "Callback requested (8)" in html
    # The rows themselves are all there: 12 fit one page of 25, so the total of the page is exact.
    assert html.count("data-public-id=") == 12 and 'rel="next"' not in html

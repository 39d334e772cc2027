"""The reports tests' world: the staff world plus Kansas's counties and a small known day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from extensions import db
from models import Channel, EventKind, IntakeEvent, Track
from services import timers
from services.demo import load_reference_data

from ..staff.conftest import PASSWORD, World, add_user, csrf_from, login, make_intake, world

__all__ = ["DAY", "PASSWORD", "World", "add_user", "csrf_from", "login", "make_intake", "summary_sums", "world"]

#: The known day: 2026-03-10, noon in Kansas (CDT, UTC-5).
DAY = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def summary_sums() -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The daily summary as its readers see it: per group (day, access point, confidential, and
    dimension and code for the open lists), the sum of its rows' counts; groups summing to zeros
    left out (the summary kept by deltas may split a group into rows, or keep a row of zeros)."""
    from models import report_day_codes, report_days
    from models.reports import COUNTS, count_column

    names = [count_column(d, c) for d, c in COUNTS]
    found: dict[tuple[Any, ...], list[int]] = {}
    for row in db.session.execute(select(report_days)).mappings():
        totals = found.setdefault((row["day"], row["access_point_id"], row["confidential"]), [0] * len(names))
        for i, name in enumerate(names):
            totals[i] += row[name]
    for row in db.session.execute(select(report_day_codes)).mappings():
        key = (row["day"], row["access_point_id"], row["confidential"], row["dimension"], row["code"])
        found.setdefault(key, [0])[0] += row["n"]
    return {key: tuple(values) for key, values in found.items() if any(values)}


@dataclass(frozen=True)
class Known:
    """What the hand-computed figures are (see ``known_day``)."""

    start: str = "2026-03-09"
    end: str = "2026-03-11"


@pytest.fixture
def known_day(world: World) -> World:
    """Add, on 2026-03-10, seven intakes at access point A (region 1) and one confidential at V.

    At A: channels 5 text, 2 voice; tracks 5 homeless, 2 prevention; languages 5 English, 2 Spanish;
    5 diversion candidates, each diverted with 4.20.A result 1; 2 still open; 5 callbacks; counties
    5 Ellis (20051), 2 Allen (20001). Claimed after 10, 20, 30, 40, 50 minutes (median 30, 90th
    percentile 40 + 0.6 x 10 = 46); first contact after 60, 120, 180, 240, 300 minutes (median
    180, 90th percentile 240 + 0.6 x 60 = 276). The confidential one at V: text, Ellis, homeless.
    """
    with world.app.app_context():
        s = db.session
        load_reference_data(s)
        staff = world.users["staff"]
        for n in range(7):
            intake = make_intake(s, world.aps["A"], channel=Channel.SMS if n < 5 else Channel.VOICE,
                                 language="en" if n < 5 else "es",
                                 track=Track.HOMELESS if n < 5 else Track.PREVENTION,
                                 submitted_at=DAY + timedelta(minutes=n), callback=n < 5, diversion=n < 5,
                                 priority=n, reasons=("slept_outside",) if n == 6 else ())
            intake.county_fips = "20051" if n < 5 else "20001"
            intake.homeless_category = 1 if n < 5 else 2
            timers.stamp_targets(intake, world.aps["A"], world.app.config)
            if n < 5:
                at = intake.submitted_at
                # What the queue and staff actions stamp when the claim and the contact happen.
                timers.stamp_claim(intake, at + timedelta(minutes=10 * (n + 1)), world.aps["A"])
                timers.stamp_contact(intake, at + timedelta(minutes=60 * (n + 1)), world.aps["A"])
                s.add(IntakeEvent(intake_id=intake.id, actor_id=staff.id, kind=EventKind.CLAIMED,
                                  created_at=at + timedelta(minutes=10 * (n + 1))))
                # A later claim (after a release) does not count: the first one does.
                s.add(IntakeEvent(intake_id=intake.id, actor_id=staff.id, kind=EventKind.CLAIMED,
                                  created_at=at + timedelta(days=2)))
                s.add(IntakeEvent(intake_id=intake.id, actor_id=staff.id, kind=EventKind.CONTACT_ATTEMPT,
                                  created_at=at + timedelta(minutes=60 * (n + 1))))
                s.add(IntakeEvent(intake_id=intake.id, actor_id=staff.id, kind=EventKind.OUTCOME,
                                  data={"outcome": "diverted", "hmis_event": 2, "prob_sol_div_rr_result": 1},
                                  created_at=at + timedelta(days=1)))
                intake.outcome = "diverted"
                intake.closed_at = at + timedelta(days=1)
        secret = make_intake(s, world.aps["V"], channel=Channel.SMS, confidential=True,
                             submitted_at=DAY + timedelta(minutes=30))
        secret.county_fips = "20051"
        s.commit()
    return world

"""Benchmark: response timers over 50,000 open intakes, on SQLite and on PostgreSQL.

Loads generated open intakes (no personal data) at 13 access points with weekday hours, three
staff members each and two coordinators for the region, each intake with its ``due_at`` as the
submit step sets it, then times:

- computing every intake's clock with ``services.timers.due`` (what a report over all open
  intakes would do; the worker never does this);
- one worker tick (``services.scheduler.run_timers``) when nothing is due: the index on
  ``intakes.due_at`` finds no row, so the tick costs the same with 50 or 50,000 open intakes;
- one tick when 500 intakes have just fallen due (reminders queued in the outbox; each access
  point's hours, targets and recipients are read once per tick, not once per intake).

    .venv/bin/python bench/timers.py [--intakes 50000] [--pg URL | --no-pg]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402

from bench.engines import load_and_measure  # noqa: E402
from extensions import db  # noqa: E402
from models import (  # noqa: E402
    AccessPoint,
    AlertPreference,
    ContinuumOfCare,
    Intake,
    OutboxMessage,
    Region,
    Role,
    User,
)
from models.base import utcnow  # noqa: E402
from services import scheduler, timers  # noqa: E402

#: Not a hash of anything: no password signs in to the benchmark's accounts.
NO_SIGN_IN = "!"
WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def load(app: Any, count: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        s = db.session
        coc = ContinuumOfCare(code="KS-507", name="Kansas Balance of State", is_home=True)
        s.add(coc)
        s.flush()
        region = Region(coc_id=coc.id, number=1, name="Region 1")
        s.add(region)
        s.flush()
        aps = [AccessPoint(slug=f"ap-{n}", name=f"Access point {n}", coc_id=coc.id, region_id=region.id,
                           hours=WEEKDAYS, alert_emails=[f"desk{n}@bench.invalid"]) for n in range(13)]
        s.add_all(aps)
        s.flush()
        # These accounts never sign in (NO_SIGN_IN matches no password).
        for n, ap in enumerate(aps):
            for k, preference in enumerate((AlertPreference.EVERY, AlertPreference.URGENT, AlertPreference.DIGEST)):
                s.add(User(email=f"staff{n}-{k}@bench.invalid", display_name=f"Staff {n}-{k}", password_hash=NO_SIGN_IN,
                           role=Role.STAFF, alert_preference=preference, access_points=[ap]))
        for k in range(2):
            s.add(User(email=f"coord{k}@bench.invalid", display_name=f"Coordinator {k}", password_hash=NO_SIGN_IN,
                       role=Role.COORDINATOR, region_id=region.id, alert_preference=AlertPreference.NONE))
        s.flush()
        now = utcnow()
        rows = []
        for n in range(count):
            submitted = now - timedelta(minutes=rng.randint(1, 60 * 24 * 3))
            rows.append({
                "public_id": uuid.uuid4().hex, "reference_code": f"{n // 1000:03d}-{n % 1000:03d}",
                "channel": "kiosk", "language": "en", "status": "submitted",
                "routed_access_point_id": aps[rng.randrange(len(aps))].id, "coc_id": coc.id,
                "track": "homeless", "priority": rng.randint(0, 12), "priority_reasons": [],
                "submitted_at": submitted,
                # Everything due in the future, so that a tick finds nothing until we make some due.
                "due_at": now + timedelta(days=30, minutes=n % 1000),
            })
        for start in range(0, len(rows), 5000):
            s.execute(insert(Intake), rows[start:start + 5000])
        s.commit()


def measure(app: Any, label: str) -> None:
    with app.app_context():
        s = db.session
        now = utcnow()
        places = {ap.id: ap for ap in s.scalars(select(AccessPoint))}
        schedules = {ap_id: timers.schedule_for(ap) for ap_id, ap in places.items()}
        intakes = list(s.scalars(select(Intake)))
        count = len(intakes)
        start = time.perf_counter()
        overdue = 0
        for intake in intakes:
            ap_id = intake.routed_access_point_id
            clock = timers.due(intake, places[ap_id] if ap_id else None, now, app.config,
                               schedule=schedules.get(ap_id) if ap_id else None)
            overdue += bool(clock and clock.overdue)
        evaluate = time.perf_counter() - start
        s.rollback()
        s.expunge_all()  # the worker's session holds no intakes between ticks
        del intakes

        idle = []
        for _ in range(20):
            start = time.perf_counter()
            scheduler.run_timers(s, now, app.config)
            idle.append((time.perf_counter() - start) * 1000)

        ids = list(s.scalars(select(Intake.id).order_by(Intake.id).limit(500)))
        s.execute(update(Intake).where(Intake.id.in_(ids)).values(
            due_at=now - timedelta(minutes=1), submitted_at=now - timedelta(days=8)))
        s.commit()
        start = time.perf_counter()
        run = scheduler.run_timers(s, now, app.config)
        busy = time.perf_counter() - start
        queued = s.scalar(select(func.count()).select_from(OutboxMessage))
    print(f"{label}: {count} open intakes")
    print(f"  clock of every intake (timers.due, business hours): {evaluate:.2f} s "
          f"({evaluate / count * 1e6:.0f} us each; {overdue} overdue)")
    print(f"  worker tick with nothing due (index on due_at): median {statistics.median(idle):.1f} ms, "
          f"max {max(idle):.1f} ms")
    print(f"  worker tick with 500 just due: {busy * 1000:.0f} ms ({run.reminded} reminders, "
          f"{queued} e-mails queued, {busy / max(run.reminded, 1) * 1000:.2f} ms per intake)")


def main() -> None:
    load_and_measure(__doc__, load, measure, intakes=50_000)


if __name__ == "__main__":
    main()

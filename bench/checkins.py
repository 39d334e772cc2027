"""Benchmark: the worker's check-in tick over many open intakes, on SQLite and on PostgreSQL.

Loads generated open intakes (no real personal data: generated phone numbers, encrypted as the
app stores them) submitted 15 to 60 days ago, then times:

- the first tick, when every intake is due a check-in (each is read, its contact safety checked,
  its ``check_ins`` row inserted in a savepoint and its text queued in the outbox);
- a tick when all of them had their check-in this period (the anti-join finds nothing): what
  every ``TIMERS_EVERY_SECONDS`` costs in the steady state.

    .venv/bin/python bench/checkins.py [--intakes 5000] [--pg URL | --no-pg]
"""

from __future__ import annotations

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
from sqlalchemy import func, insert, select  # noqa: E402

from bench.engines import load_and_measure  # noqa: E402
from extensions import db  # noqa: E402
from models import AccessPoint, Answer, ConsentRecord, ContinuumOfCare, Intake, OutboxMessage, Region  # noqa: E402
from models.base import utcnow  # noqa: E402
from services import checkins  # noqa: E402
from services.pii import current_cipher  # noqa: E402


def load(app: Any, count: int) -> None:
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        s = db.session
        cipher = current_cipher()
        coc = ContinuumOfCare(code="KS-507", name="Kansas Balance of State", is_home=True)
        s.add(coc)
        s.flush()
        region = Region(coc_id=coc.id, number=1, name="Region 1")
        s.add(region)
        s.flush()
        ap = AccessPoint(slug="ap", name="Access point", coc_id=coc.id, region_id=region.id, phone="785-555-0100")
        s.add(ap)
        s.flush()
        now = utcnow()
        for start in range(0, count, 2000):
            size = min(2000, count - start)
            ids = list(s.scalars(insert(Intake).returning(Intake.id), [{
                "public_id": uuid.uuid4().hex, "reference_code": f"{(start + n) // 1000:03d}-{(start + n) % 1000:03d}",
                "channel": "sms", "language": "en", "status": "submitted", "routed_access_point_id": ap.id,
                "coc_id": coc.id, "track": "homeless", "priority": 0, "priority_reasons": [],
                "submitted_at": now - timedelta(days=15 + (start + n) % 45),
                "contact_phone_index": cipher.phone_index(f"+1785{start + n:07d}"),
            } for n in range(size)]))
            answers, consents = [], []
            for n, intake_id in enumerate(ids):
                phone = f"+1785{start + n:07d}"
                answers += [{"intake_id": intake_id, "key": "phone", "code": "given",
                             "value_enc": cipher.encrypt(phone)},
                            {"intake_id": intake_id, "key": "safe_to_text", "code": "1"}]
                consents.append({"intake_id": intake_id, "kind": "sms", "granted": True, "method": "typed",
                                 "channel": "sms", "flow_version": 1})
            s.execute(insert(Answer), answers)
            s.execute(insert(ConsentRecord), consents)
        s.commit()


def measure(app: Any, label: str) -> None:
    with app.app_context():
        s = db.session
        cipher = current_cipher()
        count = s.scalar(select(func.count()).select_from(Intake))
        now = utcnow()
        start = time.perf_counter()
        run = checkins.run_checkins(s, now, app.config, cipher)
        first = time.perf_counter() - start
        queued = s.scalar(select(func.count()).select_from(OutboxMessage))
        s.expunge_all()
        idle = []
        for _ in range(20):
            start = time.perf_counter()
            checkins.run_checkins(s, now, app.config, cipher)
            idle.append((time.perf_counter() - start) * 1000)
    print(f"{label}: {count} open intakes, all due a check-in")
    print(f"  first tick: {first:.2f} s ({first / max(run.sent, 1) * 1000:.1f} ms each; "
          f"{run.sent} sent, {queued} texts queued)")
    print(f"  steady tick (every intake checked this period): median {statistics.median(idle):.1f} ms, "
          f"max {max(idle):.1f} ms")


def main() -> None:
    load_and_measure(__doc__, load, measure, intakes=5000)


if __name__ == "__main__":
    main()

"""Benchmark: the staff queue page with 50,000 (or 500,000) intakes, on SQLite and on PostgreSQL.

Loads generated intakes (no personal data) into a fresh database, signs a staff member in and
times ``GET /staff/`` (the whole request: queries and template) with Flask's test client.

    .venv/bin/python bench/staff_queue.py [--intakes 50000] [--runs 60] [--pg URL | --no-pg]

PostgreSQL: a throwaway database is created on ``--pg`` (default: TEST_DATABASE_URL's server, else
postgresql://postgres@127.0.0.1:5432) and dropped afterwards; after loading, ``VACUUM ANALYZE`` does
what autovacuum does to a table that many rows were added to (statistics, and the visibility map
that lets the counts read their indexes alone). Measured: page 1 and page 20 for a staff member
(2 of 13 access points), a coordinator (the region: all 13) and an admin, page 20 both as the Next
links reach it (a cursor: the sort key of page 19's last row) and by number (``?page=20``, every
row before it read); filters (sms + unclaimed, Spanish, a flag, a far access point) and the icon
with the urgent count. Target: p95 under 50 ms on both at 500,000 intakes (``--intakes 500000``).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from bench.engines import add_engine_arguments, on_each_engine, signed_in_client, time_pages  # noqa: E402
from config import engine_options  # noqa: E402
from extensions import db  # noqa: E402
from models import AccessPoint, ContinuumOfCare, Intake, Region, Role, User  # noqa: E402
from models.base import utcnow  # noqa: E402
from services.accounts import hash_password  # noqa: E402

PASSWORD = "benchmark password 1"  # noqa: S105 - a throwaway account in a throwaway database
REASONS = ["slept_outside", "no_safe_place_tonight", "children", "pregnant", "veteran", "age_62_plus",
           "youth_alone", "health_barrier", "leave_within_7_days"]


def load(app: Any, count: int, seed: int = 7) -> None:
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
        aps = [AccessPoint(slug=f"ap-{n}", name=f"Access point {n}", coc_id=coc.id, region_id=region.id)
               for n in range(13)]
        s.add_all(aps)
        s.flush()
        staff = User(email="staff@bench.invalid", display_name="Staff", password_hash=hash_password(PASSWORD),
                     role=Role.STAFF, access_points=aps[:2])
        admin = User(email="admin@bench.invalid", display_name="Admin", password_hash=hash_password(PASSWORD),
                     role=Role.ADMIN)
        coordinator = User(email="coordinator@bench.invalid", display_name="Coordinator",
                           password_hash=hash_password(PASSWORD), role=Role.COORDINATOR, region_id=region.id)
        s.add_all([staff, admin, coordinator])
        s.flush()
        now = utcnow()
        rows: list[dict[str, Any]] = []
        for n in range(count):
            reasons = rng.sample(REASONS, rng.randint(0, 4))
            closed = rng.random() < 0.2
            claimed = rng.random() < 0.15
            rows.append({
                "public_id": uuid.uuid4().hex, "reference_code": f"{n // 1000:03d}-{n % 1000:03d}",
                "channel": rng.choice(["kiosk", "web", "sms", "voice"]), "language": rng.choice(["en", "en", "es"]),
                "status": "submitted", "routed_access_point_id": aps[rng.randrange(len(aps))].id,
                "coc_id": coc.id, "track": rng.choice(["homeless", "prevention"]), "priority": rng.randint(0, 12),
                "priority_reasons": reasons, "diversion_candidate": rng.random() < 0.3,
                "confidential": False, "out_of_area": rng.random() < 0.05,
                "callback_requested": rng.random() < 0.1,
                "submitted_at": now - timedelta(minutes=rng.randint(1, 60 * 24 * 30)),
                "claimed_by_id": staff.id if claimed else None, "claimed_at": now if claimed else None,
                "closed_at": now if closed else None, "outcome": "declined" if closed else None,
            })
            if len(rows) == 5000:
                s.execute(insert(Intake), rows)
                rows = []
        if rows:
            s.execute(insert(Intake), rows)
        s.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")


def run(label: str, url: str, count: int, runs: int) -> None:
    app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url), "RATELIMIT_ENABLED": False})
    started = time.perf_counter()
    load(app, count)
    print(f"{label}: loaded {count:,} intakes in {time.perf_counter() - started:.1f} s")
    staff, coordinator, admin = "staff@bench.invalid", "coordinator@bench.invalid", "admin@bench.invalid"
    cases = [
        ("staff, 2 access points", staff, "/staff/"),
        ("staff, page 20 by Next", staff, far_page(app, staff, "/staff/")),
        ("staff, page 20 by number", staff, "/staff/?page=20"),
        ("staff, filter sms + unclaimed", staff, "/staff/?channel=sms&claim=unclaimed"),
        ("staff, sms + unclaimed, page 20 by Next", staff, far_page(app, staff, "/staff/?channel=sms&claim=unclaimed")),
        ("staff, filter Spanish", staff, "/staff/?language=es"),
        ("staff, filter callback requested", staff, "/staff/?flag=callback_requested"),
        ("staff, icon (urgent count)", staff, "/staff/favicon.svg"),
        ("coordinator, region (13 access points)", coordinator, "/staff/"),
        ("coordinator, page 20 by Next", coordinator, far_page(app, coordinator, "/staff/")),
        ("coordinator, page 20 by number", coordinator, "/staff/?page=20"),
        ("coordinator, last access point", coordinator, f"/staff/?ap={last_access_point(app)}"),
        ("admin, all 13 access points", admin, "/staff/"),
        ("admin, page 20 by Next", admin, far_page(app, admin, "/staff/")),
        ("admin, page 20 by number", admin, "/staff/?page=20"),
        ("admin, filter Spanish + unclaimed", admin, "/staff/?language=es&claim=unclaimed"),
        ("admin, filter callback requested", admin, "/staff/?flag=callback_requested"),
        ("admin, icon (urgent count)", admin, "/staff/favicon.svg"),
    ]
    print(f"  load average while measuring: {' '.join(f'{n:.1f}' for n in os.getloadavg())} (before)")
    time_pages(app, PASSWORD, cases, runs)
    print(f"  load average while measuring: {' '.join(f'{n:.1f}' for n in os.getloadavg())} (after)")


def far_page(app: Any, email: str, start: str, number: int = 20) -> str:
    """The address of page ``number`` as a person reaches it: following Next from ``start``."""
    client = signed_in_client(app, email, PASSWORD)
    path = start
    for _ in range(number - 1):
        found = re.search(r'<a href="([^"]+)" rel="next">', client.get(path).get_data(as_text=True))
        assert found is not None, f"no page after {path}"
        path = found.group(1).replace("&amp;", "&")
    assert f"page={number}&" in path or path.endswith(f"page={number}"), path
    return path


def last_access_point(app: Any) -> int:
    """The id of the access point listed last (its intakes sit at the end of an index by place)."""
    with app.app_context():
        return int(db.session.query(db.func.max(AccessPoint.id)).scalar())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=60)
    add_engine_arguments(parser)
    args = parser.parse_args()
    on_each_engine(lambda label, url: run(label, url, args.intakes, args.runs), args)


if __name__ == "__main__":
    main()

"""Benchmark: the reports dashboard over 200,000 intakes (a busy statewide year), SQLite and PostgreSQL.

Loads the reference data, the SAMPLE access points and generated SAMPLE intakes with their claims,
contacts and outcomes (``services.sample_intakes``; no personal data) into a fresh database
built by the migrations, signs in an admin and a region's coordinator and times the whole
dashboard request (``GET /staff/reports/`` for a year: every query and the template) and the
case-conferencing list with Flask's test client.

    .venv/bin/python bench/reports.py [--intakes 200000] [--runs 30] [--pg URL | --no-pg]

Target: p95 under 500 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from bench.engines import add_engine_arguments, on_each_engine, time_pages  # noqa: E402
from config import engine_options  # noqa: E402
from extensions import db  # noqa: E402
from models import Region, Role, User  # noqa: E402
from services.accounts import hash_password  # noqa: E402
from services.demo import load_demo  # noqa: E402
from services.reports import MAX_DAYS  # noqa: E402
from services.sample_intakes import load_sample_intakes  # noqa: E402

PASSWORD = "benchmark password 1"  # noqa: S105 - a throwaway account in a throwaway database


def load(app: Any, count: int) -> None:
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        s = db.session
        load_demo(s, users=False)
        region = s.scalars(select(Region).where(Region.number == 1)).one()
        s.add_all([
            User(email="admin@bench.invalid", display_name="Admin", password_hash=hash_password(PASSWORD),
                 role=Role.ADMIN),
            User(email="coordinator@bench.invalid", display_name="Coordinator",
                 password_hash=hash_password(PASSWORD), role=Role.COORDINATOR, region=region),
        ])
        s.commit()
        load_sample_intakes(s, count, days=MAX_DAYS - 1)
        # As a running database is: statistics, and on PostgreSQL the visibility map autovacuum
        # keeps (without it an index-only scan still visits every row it reads).
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")


def run(label: str, url: str, count: int, runs: int) -> None:
    app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url), "RATELIMIT_ENABLED": False})
    started = time.perf_counter()
    load(app, count)
    print(f"{label}: loaded {count:,} intakes in {time.perf_counter() - started:.1f} s")
    with app.app_context():
        from services.reports import default_range

        year = default_range(app.config["HMIS_TIMEZONE"], MAX_DAYS - 1)
    dates = f"start={year.start.isoformat()}&end={year.end.isoformat()}"
    cases = [
        ("dashboard, the CoC, a year", "admin@bench.invalid", f"/staff/reports/?scope=coc&{dates}"),
        ("dashboard, the CoC, 30 days", "admin@bench.invalid", "/staff/reports/?scope=coc"),
        ("dashboard, region 1, a year", "coordinator@bench.invalid", f"/staff/reports/?scope=region-1&{dates}"),
        ("dashboard, region 1, 30 days", "coordinator@bench.invalid", "/staff/reports/?scope=region-1"),
        ("case-conferencing list, region 1", "coordinator@bench.invalid", "/staff/reports/case-conferencing"),
    ]
    time_pages(app, PASSWORD, cases, runs, warm_up=3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    add_engine_arguments(parser)
    args = parser.parse_args()
    on_each_engine(lambda label, url: run(label, url, args.intakes, args.runs), args)


if __name__ == "__main__":
    main()

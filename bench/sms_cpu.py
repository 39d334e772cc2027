"""CPU and SQL statements per text of the SMS webhook, in one process, on SQLite and on PostgreSQL.

Sends whole intakes by text through the app's test client (signed as Twilio signs, one number per
intake, the same texts as ``bench/sms_load.py``) and prints, per text: the CPU this process spent
(``time.process_time``: the app's work, not the PostgreSQL server's), the SQL statements and the
commits. No HTTP server and no load generator share the cores, so it moves far less with the load
of the machine than the gunicorn bench. ``--profile`` prints where the time goes (cProfile).

    .venv/bin/python bench/sms_cpu.py [--intakes 30] [--rounds 3] [--day-intakes N] [--profile] [--pg URL | --no-pg]

``--day-intakes`` first adds that many intakes submitted earlier the same day: what a busy day
statewide costs each write that changes what an intake counts as in the daily report summary.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from bench.engines import add_engine_arguments, bench_app, dispose, on_each_engine  # noqa: E402
from bench.sms_load import replies, signature, text_form  # noqa: E402
from config import TEST_TWILIO_AUTH_TOKEN  # noqa: E402
from extensions import db  # noqa: E402
from services.demo import load_demo  # noqa: E402

URL = "http://localhost/sms/inbound"


def plan(texts: list[str], intakes: int, phase: int) -> list[tuple[dict[str, str], dict[str, str]]]:
    """Signed (form, headers) for ``intakes`` whole intakes, each from its own number."""
    validator = RequestValidator(TEST_TWILIO_AUTH_TOKEN)
    out = []
    for n in range(intakes):
        number = f"+1785{phase:02d}{n:05d}"
        for i, body in enumerate(texts):
            form = text_form(number, body, f"SM{phase:04d}{n:08d}{i:020d}")
            out.append((form, {"X-Twilio-Signature": signature(validator, URL, form)}))
    return out


def send(client: Any, requests: list[tuple[dict[str, str], dict[str, str]]],
         counts: dict[str, int] | None = None, statements: list[int] | None = None,
         wall: list[float] | None = None) -> list[float]:
    """Post each request; return the CPU seconds of each (and add the SQL statements of each to
    ``statements``, read from ``counts``, and the wall-clock seconds of each to ``wall``)."""
    cpu = []
    for form, headers in requests:
        issued = counts["statements"] if counts is not None else 0
        began = time.perf_counter()
        started = time.process_time()
        response = client.post("/sms/inbound", data=form, headers=headers)
        response.get_data()
        response.close()  # runs call_on_close, as a WSGI server does after writing the reply
        cpu.append(time.process_time() - started)
        if wall is not None:
            wall.append(time.perf_counter() - began)
        if counts is not None and statements is not None:
            statements.append(counts["statements"] - issued)
        assert response.status_code == 200, response.status_code
    return cpu


def busy_day(count: int) -> None:
    """Add ``count`` intakes submitted earlier today over every access point (12 languages, 30
    counties), and count them into the daily report summary."""
    import uuid

    from sqlalchemy import insert, select

    from models import AccessPoint, Intake
    from models.base import utcnow
    from services import report_days

    aps = list(db.session.scalars(select(AccessPoint.id)))
    languages = ["en", "es", "vi", "so", "ar", "my", "fr", "de", "zh", "ko", "ru", "sw"]
    now, zone = utcnow(), report_days.zone_name()
    start = report_days.day_bounds(report_days.local_day(now, zone), zone)[0]
    rows = [{"public_id": uuid.uuid4().hex, "channel": "sms", "language": languages[n % 12], "status": "submitted",
             "routed_access_point_id": aps[n % len(aps)], "priority": 0, "priority_reasons": [],
             "confidential": False, "county_fips": f"20{n % 30:03d}",
             "submitted_at": start + (now - start) * (n / count)} for n in range(count)]
    for first in range(0, count, 5000):
        db.session.execute(insert(Intake), rows[first:first + 5000])
    report_days.refresh_all(db.session)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=30, help="whole intakes per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--day-intakes", type=int, default=0,
                        help="intakes submitted earlier today, over every access point, before the rounds")
    parser.add_argument("--profile", action="store_true", help="print the top functions of one more round")
    parser.add_argument("--profile-file", help="also save that profile here (pstats), to read at leisure")
    add_engine_arguments(parser)
    args = parser.parse_args()
    texts = replies()

    def run(label: str, url: str) -> None:
        app = bench_app(url)
        app.config["SMS_RATE_LIMIT"] = "100000 per minute"
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            load_demo(db.session, users=False)
            if args.day_intakes:
                busy_day(args.day_intakes)
            engine = db.engine
        counts = {"statements": 0, "commits": 0}

        def statement(*_: Any) -> None:
            counts["statements"] += 1

        def commit(*_: Any) -> None:
            counts["commits"] += 1

        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "commit", commit)
        client = app.test_client()
        send(client, plan(texts, 2, phase=0))  # warm up: imports, caches, connections
        per_round = []
        submitting: list[float] = []  # the last text of each intake, the one that submits it
        submitting_statements: list[int] = []
        submitting_wall: list[float] = []
        for r in range(args.rounds):
            requests = plan(texts, args.intakes, phase=r + 1)
            counts.update(statements=0, commits=0)
            issued: list[int] = []
            wall: list[float] = []
            cpu = send(client, requests, counts, issued, wall)
            submitting_wall += wall[len(texts) - 1::len(texts)]
            submitting += cpu[len(texts) - 1::len(texts)]
            submitting_statements += issued[len(texts) - 1::len(texts)]
            per_round.append((statistics.mean(cpu), statistics.median(cpu),
                              counts["statements"] / len(requests), counts["commits"] / len(requests)))
        means = sorted(m for m, _, _, _ in per_round)
        print(f"{label}: {len(texts)} texts per intake, {args.intakes} intakes a round, {args.rounds} rounds, "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"  CPU per text (mean of a round): min {means[0] * 1000:.2f} ms, "
              f"median {statistics.median(means) * 1000:.2f} ms, max {means[-1] * 1000:.2f} ms; "
              f"median text {statistics.median(m for _, m, _, _ in per_round) * 1000:.2f} ms")
        print(f"  statements per text {per_round[-1][2]:.2f}, commits per text {per_round[-1][3]:.2f}")
        print(f"  the text that submits: CPU median {statistics.median(submitting) * 1000:.2f} ms "
              f"(wall clock, with the database server's time: {statistics.median(submitting_wall) * 1000:.2f} ms), "
              f"statements {statistics.median(submitting_statements):.0f}")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            send(client, plan(texts, args.intakes, phase=99))
            profile.disable()
            if args.profile_file:
                profile.dump_stats(f"{args.profile_file}.{label}")
            stats = pstats.Stats(profile).strip_dirs()
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(45)
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
        dispose(app)

    on_each_engine(run, args)


if __name__ == "__main__":
    main()

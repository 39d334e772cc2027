"""Print bytes and server time per page type over full web and kiosk intakes (not a test).

Usage: .venv/bin/python bench/kiosk.py [--runs 30]

Builds a throwaway SQLite database (migrations, demo data), then walks complete intakes
through the Flask test client with CSRF on, timing each request in the server process.
Targets (issue 3): under 60 KB per page, p95 under 25 ms on SQLite.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from kiosk import devices  # noqa: E402
from models import Kiosk  # noqa: E402
from services.demo import load_demo  # noqa: E402

ANSWERS = {
    "start_choice": "questions", "safe_now": "1", "fleeing_violence": "0", "slept_last_night": "family",
    "leave_by": "7d", "adults": "1", "children": "2", "pregnant": "0", "age_band": "25_54", "veteran": "0",
    "health_barrier": "0", "safe_place_tonight": "0", "could_return": "maybe", "could_stay_with": "0",
    "help_needed": ["money", "travel"], "location": "67401", "contact_method": "text",
    "phone": "(785) 555-0142", "safe_to_text": "1", "safe_to_voicemail": "0", "best_time": "any",
    "contact_name": "Rosa Example", "legal_name": "Rosa Maria Example", "dob": "03/25/1980",
    "interpreter": "1", "consent_share": "1",
}
MULTI = {"help_needed"}
TEXT = {"adults", "children", "location", "phone", "contact_name", "legal_name", "dob", "email", "help_other"}
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def page_type(key: str) -> str:
    if key in MULTI:
        return "question (pick any)"
    if key in TEXT:
        return "question (typed)"
    return "question (choice)"


class Recorder:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.sizes: dict[str, list[int]] = defaultdict(list)

    def __call__(self, kind: str, call, *args, **kwargs):
        started = time.perf_counter()
        response = call(*args, **kwargs)
        self.times[kind].append((time.perf_counter() - started) * 1000)
        headers = sum(len(k) + len(v) + 4 for k, v in response.headers.items())
        self.sizes[kind].append(len(response.get_data()) + headers)
        return response


def one_intake(client, record: Recorder, area: str) -> None:
    page = record("start (language)", client.get, f"/{area}/")
    token = TOKEN.search(page.text).group(1)
    response = record("POST start", client.post, f"/{area}/", data={"csrf_token": token, "lang": "en"})
    location = response.location
    while "/q/" in location:
        key = location.rsplit("/", 1)[1]
        record(page_type(key), client.get, location)
        response = record("POST answer", client.post, location,
                          data={"csrf_token": token, "answer": ANSWERS[key], "next": "Next"})
        location = response.location
    record("review", client.get, f"/{area}/review")
    record("POST submit", client.post, f"/{area}/submit", data={"csrf_token": token, "go": "1"})
    record("confirmation", client.get, f"/{area}/done")
    record("help", client.get, f"/{area}/help")
    record("quick exit", client.get, f"/{area}/exit")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="full intakes per area (default 30)")
    parser.add_argument("--sync-normal", action="store_true",
                        help="also set PRAGMA synchronous=NORMAL (WAL): no fsync per commit, to show its cost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                          "SQLALCHEMY_ENGINE_OPTIONS": {}})
        if args.sync_normal:
            from sqlalchemy import event

            with app.app_context():
                event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA synchronous=NORMAL"))
                db.engine.dispose()
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            load_demo(db.session)
            kiosk = db.session.scalars(db.select(Kiosk)).first()
            code = devices.issue_pairing_code(db.session, kiosk).code
        static = app.test_client()
        assets = sum(len(static.get(path).get_data()) for path in
                     ("/static/css/site.css", "/kiosk/static/kiosk.css", "/kiosk/static/kiosk.js"))
        for area in ("intake", "kiosk"):
            record = Recorder()
            for run in range(args.runs + 1):
                if run == 1:  # the first intake warms templates and translations; it is not counted
                    record = Recorder()
                client = app.test_client()
                if area == "kiosk":
                    pair_page = client.get(f"/kiosk/pair/{code}")
                    if pair_page.status_code == 404:  # used: pair again for this browser
                        with app.app_context():
                            kiosk = db.session.scalars(db.select(Kiosk)).first()
                            code = devices.issue_pairing_code(db.session, kiosk).code
                        pair_page = client.get(f"/kiosk/pair/{code}")
                    client.post(f"/kiosk/pair/{code}",
                                data={"csrf_token": TOKEN.search(pair_page.text).group(1), "go": "1"})
                one_intake(client, record, area)
            print(f"\n/{area}/  ({args.runs} full intakes, SQLite, Flask test client, CSRF on)")
            print(f"{'page type':<22}{'requests':>9}{'KB median':>11}{'KB max':>9}{'ms median':>11}{'ms p95':>9}")
            for kind in record.times:
                times, sizes = record.times[kind], record.sizes[kind]
                print(f"{kind:<22}{len(times):>9}{statistics.median(sizes) / 1024:>11.1f}{max(sizes) / 1024:>9.1f}"
                      f"{statistics.median(times):>11.2f}{p95(times):>9.2f}")
        print(f"\nStatic assets, loaded once and then cached: {assets / 1024:.1f} KB (site.css, kiosk.css, kiosk.js)")


if __name__ == "__main__":
    main()

"""Benchmark the intake pages: bytes and server time per page type over full intakes.

Runs whole web intakes through the Flask test client on a fresh SQLite database and prints, per
page type, the median response size and the median and 95th percentile server time.
Usage: python bench/kiosk_pages.py [--runs 30]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections import defaultdict

from app import create_app
from extensions import db
from services.demo import load_demo

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ANSWERS = [
    ("start_choice", "questions"), ("safe_now", "1"), ("fleeing_violence", "0"), ("slept_last_night", "family"),
    ("leave_by", "7d"), ("adults", "2"), ("children", "1"), ("pregnant", "0"), ("age_band", "25_54"),
    ("veteran", "0"), ("health_barrier", "0"), ("safe_place_tonight", "0"), ("could_return", "maybe"),
    ("could_stay_with", "0"), ("help_needed", ["money", "travel"]), ("location", "67601"),
    ("contact_method", "text"), ("phone", "785-555-0100"), ("safe_to_text", "1"), ("safe_to_voicemail", "0"),
    ("best_time", "any"), ("contact_name", "Sam"), ("legal_name", "Sam Example"), ("dob", "03/25/1980"),
    ("consent_share", "1"),
]
STATIC = ["/static/css/site.css", "/kiosk/static/kiosk.css", "/kiosk/static/kiosk.js"]


def page_type(key: str) -> str:
    if key in ("help_needed",):
        return "question (pick any)"
    if key in ("adults", "children", "location", "phone", "contact_name", "legal_name", "dob"):
        return "question (typed)"
    return "question (choice)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            load_demo(db.session)
        sizes: dict[str, list[int]] = defaultdict(list)
        times: dict[str, list[float]] = defaultdict(list)

        def timed(kind: str, call, *a, **kw):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            response = call(*a, **kw)
            times[kind].append((time.perf_counter() - start) * 1000)
            if response.status_code == 200:
                sizes[kind].append(len(response.get_data()))
            return response

        for _ in range(args.runs):
            client = app.test_client()
            html = timed("start (GET)", client.get, "/intake/").get_data(as_text=True)
            response = timed("answer (POST)", client.post, "/intake/start",
                             data={"lang": "en", "csrf_token": TOKEN.search(html).group(1)})
            for key, value in ANSWERS:
                html = timed(f"{page_type(key)} (GET)", client.get, f"/intake/q/{key}").get_data(as_text=True)
                response = timed("answer (POST)", client.post, f"/intake/q/{key}", data={
                    "csrf_token": TOKEN.search(html).group(1), "answer": value, "action": "next"})
                assert response.status_code == 302, (key, response.status_code)
            html = timed("review (GET)", client.get, "/intake/review").get_data(as_text=True)
            timed("submit (POST)", client.post, "/intake/submit", data={"csrf_token": TOKEN.search(html).group(1)})
            timed("done (GET)", client.get, "/intake/done")
            timed("help (GET)", client.get, "/intake/help")
        static = sum(len(app.test_client().get(path).get_data()) for path in STATIC)

    print(f"{args.runs} full web intakes through the Flask test client on SQLite")
    print(f"{'page type':28} {'bytes (median)':>15} {'median ms':>10} {'p95 ms':>8}")
    for kind in times:
        samples = sorted(times[kind])
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        size = f"{statistics.median(sizes[kind]):,.0f}" if sizes[kind] else "redirect"
        print(f"{kind:28} {size:>15} {statistics.median(samples):>10.2f} {p95:>8.2f}")
    print(f"static CSS + JS (cached after the first page): {static:,} bytes")


if __name__ == "__main__":
    main()

"""What the benchmarks share: an app on a throwaway database of each engine, SQLite then PostgreSQL.

Imported by the scripts in bench/ as ``bench.engines`` (they put the project root on ``sys.path``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --pg (a PostgreSQL server URL) and --no-pg (SQLite only)."""
    parser.add_argument("--pg", default=None, help="PostgreSQL server URL (a throwaway database is made)")
    parser.add_argument("--no-pg", action="store_true", help="measure on SQLite only")


def bench_app(url: str) -> Any:
    """Return the app in testing mode on ``url``, with the engine options production would use."""
    from app import create_app
    from config import engine_options

    return create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                       "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url)})


def dispose(app: Any) -> None:
    """Close the app's connections (a throwaway PostgreSQL database cannot be dropped while used)."""
    from extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def on_each_engine(run: Callable[[str, str], None], args: argparse.Namespace) -> None:
    """Call ``run(label, url)`` on a throwaway SQLite file, then (unless --no-pg) on a throwaway
    PostgreSQL database that is dropped afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.sqlite3")
    if args.no_pg:
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import create_pg_database, drop_pg_database, pg_server_url

    url = create_pg_database(args.pg or pg_server_url())
    try:
        run("PostgreSQL", url)
    finally:
        drop_pg_database(url)


def load_and_measure(description: str | None, load: Callable[[Any, int], None],
                     measure: Callable[[Any, str], None], *, intakes: int) -> None:
    """The whole main of a benchmark that loads ``--intakes`` rows, then measures, on each engine."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--intakes", type=int, default=intakes)
    add_engine_arguments(parser)
    args = parser.parse_args()

    def run(label: str, url: str) -> None:
        app = bench_app(url)
        load(app, args.intakes)
        measure(app, label)
        dispose(app)

    on_each_engine(run, args)


def signed_in_client(app: Any, email: str, password: str) -> Any:
    """Return a test client signed in as ``email``."""
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/staff/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.status_code
    return client


def time_pages(app: Any, password: str, cases: list[tuple[str, str, str]], runs: int, *, warm_up: int = 5) -> None:
    """Print median and p95 of each (name, e-mail, path): a whole request, signed in as that person,
    ``runs`` times after ``warm_up`` unmeasured ones; then close the app's connections."""
    import statistics
    import time

    width = max(len(name) for name, _, _ in cases) + 2
    for name, email, path in cases:
        client = signed_in_client(app, email, password)
        timings = []
        for n in range(runs + warm_up):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if n >= warm_up:
                timings.append(elapsed)
        timings.sort()
        median, p95 = statistics.median(timings), timings[int(len(timings) * 0.95) - 1]
        print(f"  {name:{width}s} median {median:6.1f} ms   p95 {p95:6.1f} ms")
    dispose(app)

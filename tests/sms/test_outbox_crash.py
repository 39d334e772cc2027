"""The outbox worker killed with SIGKILL and cut off from PostgreSQL: every text still goes out once.

A real ``flask outbox work`` subprocess sends 1,000 texts to the fake backend, which records each
delivery in a SQLite file (so the count survives the worker). The worker is killed four times,
each time just after a delivery (the moment a lost commit would strand a row), and then its
database connections are terminated while it runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import func, make_url, select

from app import create_app
from config import TEST_PII_KEY, TEST_SECRET_KEY, engine_options
from extensions import db
from models.sms import OutboxMessage
from services import outbox
from services.sms_sender import fake_deliveries

# Starts servers and workers of its own and kills them: one at a time, in one test process.
pytestmark = pytest.mark.xdist_group("processes")

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 1_000
KILLS = 4


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def _delivered(store: Path) -> int:
    return len(fake_deliveries(str(store))[0]) if store.exists() else 0


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_every_text_is_delivered_once_through_four_kills_and_a_lost_database(
    pg_url: str, tmp_path: Path
) -> None:
    app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": pg_url,
                      "SQLALCHEMY_ENGINE_OPTIONS": engine_options(pg_url)})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        for n in range(MESSAGES):
            outbox.enqueue_sms(db.session, to=f"+1785555{n:04d}", body=f"text number {n}",
                               language="en", purpose="test")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    store = tmp_path / "fake-twilio.sqlite3"
    env = {**os.environ, "FRONTDOOR_ENV": "development", "DATABASE_URL": pg_url,
           "SECRET_KEY": TEST_SECRET_KEY, "PII_KEYS": TEST_PII_KEY, "SMS_BACKEND": "fake",
           "SMS_FAKE_STORE": str(store), "OUTBOX_STALE_SECONDS": "1",
           "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "flask", "--app", "app", "outbox", "work", "--interval", "0.1",
               "--batch", "50"]
    log_path = tmp_path / "worker.log"

    def start() -> subprocess.Popen[bytes]:
        with log_path.open("ab") as log_file:
            return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)

    for kill in range(1, KILLS + 1):
        worker = start()
        target = kill * MESSAGES // (KILLS + 2) + kill * 7
        try:
            _wait_for(lambda t=target: _delivered(store) >= t, 60, f"{target} deliveries")  # type: ignore[misc]
        except AssertionError:
            worker.kill()
            worker.wait(10)
            raise AssertionError(log_path.read_text()) from None
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)

    worker = start()
    try:
        _wait_for(lambda: _delivered(store) >= MESSAGES * 5 // 6, 60, "more deliveries")
        with psycopg.connect(_libpq(pg_url), autocommit=True) as conn:
            terminated = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert terminated is not None and terminated[0] >= 1

        def finished() -> bool:
            assert worker.poll() is None, log_path.read_text()
            with app.app_context():
                done = db.session.scalar(select(func.count(OutboxMessage.id))
                                         .where(OutboxMessage.twilio_sid.is_not(None)))
                db.session.remove()
            return done == MESSAGES

        _wait_for(finished, 60, "every row to carry a Twilio sid")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    deliveries, attempts = fake_deliveries(str(store))
    keys = [key for key, _, _ in deliveries]
    bodies = sorted(body for _, _, body in deliveries)
    assert len(deliveries) == MESSAGES, "each text delivered exactly once"
    assert len(set(keys)) == MESSAGES
    assert bodies == sorted(f"text number {n}" for n in range(MESSAGES))
    log_text = log_path.read_text()
    assert "database error" in log_text, "the worker lived through the lost connection"
    print(f"\noutbox crash run: {MESSAGES} texts, {KILLS} SIGKILLs and one lost database: "
          f"{attempts} sends to the backend, {len(deliveries)} delivered, "
          f"{attempts - len(deliveries)} repeats absorbed by the idempotency key, "
          f"{log_text.count('back in the queue')} sweep(s) of stranded rows")

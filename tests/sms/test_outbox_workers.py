"""Three outbox workers on PostgreSQL: every text sent exactly once, and no claim wasted."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from config import engine_options
from extensions import db
from models.sms import OutboxMessage, OutboxStatus
from services import outbox
from services.sms_sender import FakeSender

ROOT = Path(__file__).resolve().parents[2]
TEXTS = 600
WORKERS = 3


def _run_workers(app: Flask, skip_locked: bool) -> tuple[list[FakeSender], int]:
    """Queue TEXTS texts, let WORKERS workers deliver them at once; return their senders and lost claims."""
    with app.app_context():
        for n in range(TEXTS):
            outbox.enqueue_sms(db.session, to=f"+1785555{n % 10_000:04d}", body=f"text {n}",
                               language="en", purpose="staff")
        db.session.commit()
    senders = [FakeSender() for _ in range(WORKERS)]
    lost_before = outbox.CLAIMS_LOST[0]
    start = threading.Barrier(WORKERS)

    def work(sender: FakeSender) -> None:
        with app.app_context():
            start.wait()
            while outbox.deliver_pending(db.session, sender, limit=50, skip_locked=skip_locked):
                pass
            db.session.remove()

    threads = [threading.Thread(target=work, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return senders, outbox.CLAIMS_LOST[0] - lost_before


@pytest.mark.postgres
def test_three_workers_send_each_text_once_and_waste_no_claim(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": pg_url,
                      "SQLALCHEMY_ENGINE_OPTIONS": engine_options(pg_url)})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))

    figures = {}
    for skip_locked in (False, True):
        senders, lost = _run_workers(app, skip_locked)
        bodies = [m.body for s in senders for m in s.sent]
        with app.app_context():
            left = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.status != OutboxStatus.SENDING))
            db.session.execute(OutboxMessage.__table__.delete())
            db.session.commit()
        assert len(bodies) == TEXTS and len(set(bodies)) == TEXTS, "every text sent once, none twice"
        assert left == 0, "each is marked sent (the fake answers 'queued': Twilio's sending)"
        assert all(s.sent for s in senders), "each worker sent some"
        figures[skip_locked] = (lost, [len(s.sent) for s in senders])
    assert figures[True][0] == 0, "with SKIP LOCKED no claim is lost to another worker"
    with capsys.disabled():
        for skip_locked, (lost, per_worker) in figures.items():
            print(f"\noutbox, {WORKERS} workers, {TEXTS} texts, {'SKIP LOCKED' if skip_locked else 'list of ids'}: "
                  f"0 duplicates, {lost} claims lost to another worker ({lost / (TEXTS + lost):.0%} of claims), "
                  f"sent per worker {per_worker}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

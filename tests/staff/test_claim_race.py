"""Claims are atomic: of 20 threads claiming one intake at once, exactly one wins."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extensions import db
from models import AccessPoint, ContinuumOfCare, EventKind, Intake, IntakeEvent, Role, User
from services import queue

from .conftest import RACERS, add_user, make_intake

THREADS = RACERS


def race(app: Flask) -> None:
    with app.app_context():
        s = db.session
        coc = ContinuumOfCare(code="KS-507", name="Kansas Balance of State", is_home=True)
        s.add(coc)
        s.flush()
        ap = AccessPoint(slug="ap-race", name="Race", coc_id=coc.id)
        s.add(ap)
        s.flush()
        users = [add_user(s, f"racer{n}@example.org", Role.STAFF, [ap]).id for n in range(THREADS)]
        intake_id = make_intake(s, ap).id
        s.commit()
        engine = db.engine

    barrier = threading.Barrier(THREADS)
    wins: list[int] = []
    errors: list[BaseException] = []

    def worker(user_id: int) -> None:
        try:
            with app.app_context(), Session(engine, expire_on_commit=False) as session:
                # Load who and what first (the authorization check then needs no query), and end
                # that read so the threads race on the UPDATE alone.
                intake, user = session.get(Intake, intake_id), session.get(User, user_id)
                assert intake is not None and user is not None and user.access_points
                session.commit()
                barrier.wait(timeout=30)
                if queue.claim(session, intake, user):
                    wins.append(user_id)
        except BaseException as exc:  # report, don't hide, failures in threads
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(wins) == 1, wins
    with app.app_context():
        intake = db.session.get(Intake, intake_id)
        assert intake is not None and intake.claimed_by_id == wins[0]
        claims = db.session.scalar(select(func.count()).select_from(IntakeEvent)
                                   .where(IntakeEvent.kind == EventKind.CLAIMED))
        assert claims == 1


def test_claim_race(race_app: Flask) -> None:
    race(race_app)

"""One-time submission keys hold under a race: the same outreach contact or start page sent by
8 threads at once is kept once, and every send gets that one row back."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extensions import db
from models import ContinuumOfCare, Intake, OutreachContact, Region, Role, User
from models.base import utcnow
from services import outreach

from .conftest import add_user

THREADS = 8


def race(app: Flask) -> None:
    with app.app_context():
        s = db.session
        coc = ContinuumOfCare(code="KS-507", name="Kansas Balance of State", is_home=True)
        s.add(coc)
        s.flush()
        region = Region(coc_id=coc.id, number=1, name="Northwest")
        s.add(region)
        s.flush()
        worker_id = add_user(s, "walk@example.org", Role.OUTREACH, region=region).id
        s.commit()
        engine = db.engine
    contact_key, start_key = outreach.new_submission_key(), outreach.new_submission_key()
    barrier = threading.Barrier(THREADS)
    contacts: list[int] = []
    intakes: list[int] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with app.app_context(), Session(engine, expire_on_commit=False) as session:
                worker = session.get(User, worker_id)
                assert worker is not None
                session.commit()
                barrier.wait(timeout=30)
                contacts.append(outreach.log_contact(
                    session, worker, met_on=utcnow().date(), county_fips="20051", people=2, language="es",
                    result="engaged", key=contact_key).id)
                barrier.wait(timeout=30)
                intakes.append(outreach.start_with_household(session, worker, language="es", key=start_key).id)
        except BaseException as exc:  # report, don't hide, failures in threads
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert not errors, errors
    assert len(contacts) == THREADS and len(set(contacts)) == 1, contacts
    assert len(intakes) == THREADS and len(set(intakes)) == 1, intakes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutreachContact)) == 1
        assert db.session.scalar(select(func.count()).select_from(Intake)) == 1


def test_submission_key_race(race_app: Flask) -> None:
    race(race_app)

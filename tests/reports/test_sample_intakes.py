"""SAMPLE intakes in bulk: counted by the reports like real ones, events tied to the right intake."""

from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from models import EventKind, Intake, IntakeEvent
from services.sample_intakes import load_sample_intakes

from .conftest import World


def test_sample_intakes_load_with_their_events(world: World) -> None:
    with world.app.app_context():
        from services.demo import load_reference_data

        load_reference_data(db.session)
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(Intake))
        assert load_sample_intakes(db.session, 300, days=30, seed=3) == 300
        load_sample_intakes(db.session, 50, days=30, seed=4)  # a second load keeps codes unique
        assert db.session.scalar(select(func.count()).select_from(Intake)) == before + 350
        codes = db.session.scalars(select(Intake.reference_code).where(Intake.reference_code.like("S%"))).all()
        assert len(codes) == len(set(codes)) == 350
        # Every claim is after its intake's submission and matches the claim stamped on the intake.
        late = db.session.scalar(select(func.count()).select_from(IntakeEvent)
                                 .join(Intake, Intake.id == IntakeEvent.intake_id)
                                 .where(IntakeEvent.kind == EventKind.CLAIMED.value,
                                        IntakeEvent.created_at != Intake.claimed_at))
        claims = db.session.scalar(select(func.count()).select_from(IntakeEvent)
                                   .where(IntakeEvent.kind == EventKind.CLAIMED.value))
        assert claims and claims > 250 and late == 0

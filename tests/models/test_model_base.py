"""Models: aware UTC timestamps, cascades, defaults and Flask-SQLAlchemy integration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError

from extensions import db
from models import (
    AccessPoint,
    Answer,
    Base,
    Channel,
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    ContinuumOfCare,
    Intake,
    IntakeStatus,
    User,
    utcnow,
)


def test_flask_sqlalchemy_shares_the_metadata() -> None:
    assert db.metadata is Base.metadata
    assert "intakes" in db.metadata.tables


def test_utcnow_is_aware() -> None:
    assert utcnow().tzinfo is UTC


def test_timestamps_come_back_aware_utc(app: Flask) -> None:
    with app.app_context():
        central = timezone(timedelta(hours=-6))
        intake = Intake(
            channel=Channel.WEB, submitted_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=central)
        )
        db.session.add(intake)
        db.session.commit()
        db.session.expire_all()
        loaded = db.session.get(Intake, intake.id)
        assert loaded is not None
        assert loaded.submitted_at == datetime(2026, 1, 2, 9, 4, 5, tzinfo=UTC)
        assert loaded.submitted_at.tzinfo is not None
        assert loaded.created_at.utcoffset() == timedelta(0)
        assert loaded.status is IntakeStatus.IN_PROGRESS and loaded.status == "in_progress"
        assert len(loaded.public_id) == 32 and loaded.priority_reasons == []


def test_naive_datetimes_are_refused(app: Flask) -> None:
    with app.app_context():
        db.session.add(Intake(channel=Channel.WEB, submitted_at=datetime(2026, 1, 1)))  # noqa: DTZ001
        with pytest.raises(StatementError, match="naive"):
            db.session.commit()
        db.session.rollback()


def test_unknown_enum_value_is_refused(app: Flask) -> None:
    with app.app_context():
        db.session.add(Intake(channel="fax"))
        with pytest.raises(StatementError):
            db.session.commit()
        db.session.rollback()


def test_answers_and_consents_go_with_their_intake(app: Flask) -> None:
    with app.app_context():
        intake = Intake(channel=Channel.KIOSK)
        intake.answers.append(Answer(key="adults", code="2"))
        intake.consents.append(
            ConsentRecord(
                kind=ConsentKind.SHARE_ANSWERS,
                granted=True,
                method=ConsentMethod.TAP,
                channel=Channel.KIOSK,
                flow_version=1,
            )
        )
        db.session.add(intake)
        db.session.commit()
        db.session.delete(intake)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
        assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0


def test_one_answer_per_key(app: Flask) -> None:
    with app.app_context():
        intake = Intake(channel=Channel.SMS)
        db.session.add(intake)
        db.session.flush()
        db.session.add_all(
            [Answer(intake_id=intake.id, key="adults", code="1"),
             Answer(intake_id=intake.id, key="adults", code="2")]
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_user_email_is_lowercased_and_access_points_join(app: Flask) -> None:
    with app.app_context():
        coc = ContinuumOfCare(code="KS-507", name="Kansas Balance of State CoC", is_home=True)
        ap = AccessPoint(slug="x", name="X", coc=coc)
        user = User(email=" Staff@Example.ORG", display_name="S", password_hash="h", access_points=[ap])
        db.session.add(user)
        db.session.commit()
        assert user.email == "staff@example.org"
        # The session cookie holds the id and the session generation; deactivating bumps it.
        assert user.get_id() == f"{user.id}:0"
        user.active = False
        assert not user.is_active and user.get_id() == f"{user.id}:1"
        user.password_hash = "h2"
        assert user.get_id() == f"{user.id}:2"
        assert ap.hours == {} and ap.languages == ["en"] and ap.populations == ["all"]
        assert ap.serves({"single_adults"})
        ap.populations = ["youth"]
        assert ap.serves({"single_adults", "youth"}) and not ap.serves({"single_adults"})

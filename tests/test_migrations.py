"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from extensions import db

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _app(url: str) -> Any:
    return create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})


def _diff(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            return list(compare_metadata(context, db.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _check_round_trip(url: str) -> None:
    app = _app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    assert _tables(url) >= set(db.metadata.tables)
    assert _diff(url) == [], "models and migrations differ: run flask db migrate"
    with app.app_context():
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()
    assert _tables(url) <= {"alembic_version"}
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.session.remove()
        db.engine.dispose()


def test_migrations_match_models_on_sqlite(tmp_path: Path) -> None:
    _check_round_trip(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")


def test_migrations_match_models_on_postgresql(pg_url: str) -> None:
    _check_round_trip(pg_url)


def test_first_revision_has_a_stable_name() -> None:
    versions = Path(MIGRATIONS) / "versions"
    first = versions / "0001_foundation.py"
    assert first.exists()
    text = first.read_text(encoding="utf-8")
    assert "revision = '0001'" in text
    assert "down_revision = None" in text
    assert "models." not in text.replace("models.base", ""), "migrations must not import the app"


@pytest.mark.parametrize("table", ["answers", "intakes", "access_points", "counties"])
def test_tables_follow_the_naming_convention(tmp_path: Path, table: str) -> None:
    url = f"sqlite:///{tmp_path / 'names.sqlite3'}"
    app = _app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    engine = create_engine(url)
    try:
        insp = inspect(engine)
        assert insp.get_pk_constraint(table)["name"] == f"pk_{table}"
        for fk in insp.get_foreign_keys(table):
            assert fk["name"].startswith(f"fk_{table}_")
    finally:
        engine.dispose()


def _check_answer_states(url: str) -> None:
    """0005 rewrites old "9"/"8" codes as words, and takes back a "children" reason from a skip."""
    from sqlalchemy import select

    from models import Answer, Intake
    from models.intake import Channel, IntakeStatus

    app = _app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0004")
        old = {"veteran": "8", "safe_now": "9", "help_needed": "9", "location": "9", "dob": "9",
               "adults": "8", "children": "9", "pregnant": "1"}
        skipped = Intake(channel=Channel.SMS, status=IntakeStatus.SUBMITTED, priority=5,
                         priority_reasons=["slept_outside", "children"],
                         answers=[Answer(key=k, code=v) for k, v in old.items()])
        counted = Intake(channel=Channel.WEB, status=IntakeStatus.SUBMITTED, priority=2,
                         priority_reasons=["children"], answers=[Answer(key="children", code="3")])
        db.session.add_all([skipped, counted])
        db.session.commit()
        ids = skipped.id, counted.id
        db.session.remove()
        upgrade(directory=MIGRATIONS)
        codes = dict(db.session.execute(select(Answer.key, Answer.code).where(Answer.intake_id == ids[0])).all())
        assert codes == {"veteran": "dont_know", "safe_now": "declined", "help_needed": "declined",
                         "location": "declined", "dob": "declined", "adults": "dont_know",
                         "children": "declined", "pregnant": "1"}
        first, second = (db.session.get(Intake, i) for i in ids)
        assert (first.priority, first.priority_reasons) == (3, ["slept_outside"])
        assert (second.priority, second.priority_reasons) == (2, ["children"])
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0004")
        back = dict(db.session.execute(select(Answer.key, Answer.code).where(Answer.intake_id == ids[0])).all())
        assert back == old
        db.session.remove()
        db.engine.dispose()


def test_answer_states_migration_on_sqlite(tmp_path: Path) -> None:
    _check_answer_states(f"sqlite:///{tmp_path / 'states.sqlite3'}")


def test_answer_states_migration_on_postgresql(pg_url: str) -> None:
    _check_answer_states(pg_url)

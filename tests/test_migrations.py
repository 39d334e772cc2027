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
from models.base import include_object

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _app(url: str) -> Any:
    return create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})


def _diff(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True, "include_object": include_object}
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
    """0005 rewrites old "9"/"8" codes as words, and takes back a "children" reason from a skip.

    Rows are written with Core against the tables as they stood before 0005, so the test does not
    depend on columns later revisions add to the models.
    """
    import uuid
    from datetime import UTC, datetime

    from alembic.script import ScriptDirectory
    from sqlalchemy import MetaData, select

    app = _app(url)
    with app.app_context():
        before = ScriptDirectory(MIGRATIONS).get_revision("0005").down_revision
        assert isinstance(before, str)
        upgrade(directory=MIGRATIONS, revision=before)
        meta = MetaData()
        meta.reflect(bind=db.engine, only=("intakes", "answers"))
        intakes, answers = meta.tables["intakes"], meta.tables["answers"]
        now = datetime.now(UTC)

        def add_intake(channel: str, priority: int, reasons: list[str], codes: dict[str, str]) -> int:
            with db.engine.begin() as conn:
                new_id = conn.execute(intakes.insert().values(
                    public_id=uuid.uuid4().hex, channel=channel, language="en", flow_version=1,
                    status="submitted", priority=priority, priority_reasons=reasons,
                    diversion_candidate=False, confidential=False, out_of_area=False,
                    callback_requested=False, created_at=now, updated_at=now, last_activity_at=now,
                ).returning(intakes.c.id)).scalar_one()
                for key, code in codes.items():
                    conn.execute(answers.insert().values(intake_id=new_id, key=key, code=code, answered_at=now))
            return int(new_id)

        old = {"veteran": "8", "safe_now": "9", "help_needed": "9", "location": "9", "dob": "9",
               "adults": "8", "children": "9", "pregnant": "1"}
        ids = (add_intake("sms", 5, ["slept_outside", "children"], old),
               add_intake("web", 2, ["children"], {"children": "3"}))

        def codes_of(intake_id: int) -> dict[str, str]:
            with db.engine.connect() as conn:
                rows = conn.execute(select(answers.c.key, answers.c.code).where(answers.c.intake_id == intake_id))
                return {key: code for key, code in rows}

        def priority_of(intake_id: int) -> tuple[int, list[str]]:
            with db.engine.connect() as conn:
                row = conn.execute(select(intakes.c.priority, intakes.c.priority_reasons)
                                   .where(intakes.c.id == intake_id)).one()
                return int(row[0]), list(row[1])

        upgrade(directory=MIGRATIONS, revision="0005")
        assert codes_of(ids[0]) == {"veteran": "dont_know", "safe_now": "declined", "help_needed": "declined",
                                    "location": "declined", "dob": "declined", "adults": "dont_know",
                                    "children": "declined", "pregnant": "1"}
        assert priority_of(ids[0]) == (3, ["slept_outside"])
        assert priority_of(ids[1]) == (2, ["children"])
        downgrade(directory=MIGRATIONS, revision=before)
        assert codes_of(ids[0]) == old
        db.session.remove()
        db.engine.dispose()


def test_answer_states_migration_on_sqlite(tmp_path: Path) -> None:
    _check_answer_states(f"sqlite:///{tmp_path / 'states.sqlite3'}")


def test_answer_states_migration_on_postgresql(pg_url: str) -> None:
    _check_answer_states(pg_url)

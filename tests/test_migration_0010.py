"""Migration 0010 rewrites stored opening hours in the one shape services.hours reads."""

from __future__ import annotations

import json
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from extensions import db

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _upgrade(url: str, revision: str) -> None:
    app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=revision)
        db.session.remove()
        db.engine.dispose()


def check_hours_migrate(url: str) -> None:
    _upgrade(url, "0008")
    messy = {"mon": [["13:00", "17:00"], ["9:00", "12:00"], ["bad"], ["18:00", "08:00"]], "tue": [], "sun": None}
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO continuums_of_care (id, code, name, is_home) VALUES (1, 'KS-507', 'BoS', true)"))
        conn.execute(text(
            "INSERT INTO access_points (id, slug, name, kind, coc_id, timezone, hours, languages, populations, "
            "is_remote, is_sample, active, created_at) VALUES (1, 'a', 'A', 'physical', 1, 'America/Chicago', "
            ":hours, '[\"en\"]', '[\"all\"]', false, false, true, CURRENT_TIMESTAMP)"), {"hours": json.dumps(messy)})
    engine.dispose()
    _upgrade(url, "0010")
    engine = create_engine(url)
    with engine.connect() as conn:
        hours, closed, alerts = conn.execute(
            text("SELECT hours, closed_dates, alert_emails FROM access_points WHERE id = 1")).one()
    engine.dispose()

    def load(value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    assert load(hours) == {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}
    assert load(closed) == [] and load(alerts) == []


def test_hours_are_normalized_on_sqlite(tmp_path: Path) -> None:
    check_hours_migrate(f"sqlite:///{tmp_path / 'm.sqlite3'}")


def test_hours_are_normalized_on_postgresql(pg_url: str) -> None:
    check_hours_migrate(pg_url)

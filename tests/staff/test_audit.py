"""The audit trail is hash-chained: a row changed or deleted with plain SQL is reported."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from extensions import db
from models import IntakeEvent, IntakeView

from .conftest import World, csrf_from


def _views(client: FlaskClient, world: World, times: int) -> None:
    for _ in range(times):
        assert client.get(f"/staff/intakes/{world.intakes['own'].public_id}").status_code == 200


def test_audit_rows_are_chained_and_verified(app: Flask, client: FlaskClient, world: World, signed_in) -> None:
    signed_in("staff")
    _views(client, world, 4)
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    client.post(f"/staff/intakes/{world.intakes['own'].public_id}/claim", data={"csrf_token": token})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    with app.app_context():
        hashes = db.session.scalars(select(IntakeView.row_hash)).all()
        assert len(hashes) == 4 and all(hashes) and len(set(hashes)) == 4
        assert db.session.scalars(select(IntakeEvent.row_hash)).all()[0]


def test_a_deleted_audit_row_is_reported(app: Flask, client: FlaskClient, world: World, signed_in) -> None:
    signed_in("staff")
    _views(client, world, 4)
    with app.app_context():
        second = db.session.scalars(select(IntakeView.id).order_by(IntakeView.id)).all()[1]
        db.session.execute(text("DELETE FROM intake_views WHERE id = :id"), {"id": second})
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "TAMPERED" in result.output and f"intake_views row {second + 1}" in result.output


def test_a_changed_audit_row_is_reported(app: Flask, client: FlaskClient, world: World, signed_in) -> None:
    signed_in("staff")
    _views(client, world, 3)
    with app.app_context():
        first = db.session.scalars(select(IntakeView.id).order_by(IntakeView.id)).first()
        db.session.execute(text("UPDATE intake_views SET identity_shown = NOT identity_shown WHERE id = :id"),
                           {"id": first})
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"intake_views row {first}" in result.output


def test_admins_read_the_audit_trail_filtered_and_paged(app: Flask, client: FlaskClient, world: World,
                                                        signed_in) -> None:
    signed_in("staff")
    _views(client, world, 3)
    assert client.get("/staff/admin/audit").status_code == 403
    signed_in("admin")
    page = client.get("/staff/admin/audit").get_data(as_text=True)
    assert "opened the intake page" in page and "Sam Staff" in page
    own = world.intakes["own"].reference_code
    other = world.intakes["confidential"].reference_code if "confidential" in world.intakes else None
    filtered = client.get(f"/staff/admin/audit?ref={own}&person={world.users['staff'].id}").get_data(as_text=True)
    assert "3 rows" in filtered and own in filtered
    if other:
        assert other not in filtered
    assert "0 rows" in client.get("/staff/admin/audit?from=2001-01-01&to=2001-01-02").get_data(as_text=True)
    with app.app_context():
        from services import audit

        paged = audit.trail(db.session, per_page=2, page=2)
        assert paged.pages >= 2 and len(paged.rows) <= 2

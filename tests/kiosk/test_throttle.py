"""The web intake throttles starts and submits per client and per device, and flags floods for staff."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from extensions import db
from models import Intake, IntakeStatus
from services import intake as intakes
from services.demo import load_demo

from .conftest import token_from

EMERGENCY = "911"


def _app(make_app: Callable[..., Flask], **limits: str) -> Flask:
    app = make_app(**limits)
    with app.app_context():
        load_demo(db.session, users=False)
        db.session.commit()
    return app


def _start(client: object, lang: str = "en") -> int:
    page = client.get("/intake/", follow_redirects=True)  # type: ignore[attr-defined]
    response = client.post("/intake/start", data={  # type: ignore[attr-defined]
        "lang": lang, "csrf_token": token_from(page.get_data(as_text=True))})
    return int(response.status_code)


def test_one_device_cannot_start_intake_after_intake(make_app: Callable[..., Flask]) -> None:
    app = _app(make_app, WEB_INTAKE_DEVICE_RATE_LIMIT="3 per hour", WEB_INTAKE_CLIENT_RATE_LIMIT="100 per hour")
    client = app.test_client()
    codes = [_start(client) for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    page = client.post("/intake/start", data={"lang": "es", "csrf_token": token_from(
        client.get("/intake/", follow_redirects=True).get_data(as_text=True))}, headers={"Accept-Language": "es"})
    html = page.get_data(as_text=True)
    assert page.status_code == 429
    assert EMERGENCY in html
    # Another device on the same connection still can.
    assert _start(app.test_client()) == 302


def test_one_address_is_throttled_across_devices(make_app: Callable[..., Flask]) -> None:
    app = _app(make_app, WEB_INTAKE_DEVICE_RATE_LIMIT="100 per hour", WEB_INTAKE_CLIENT_RATE_LIMIT="3 per hour")
    codes = [_start(app.test_client()) for _ in range(4)]  # a new cookie jar each time
    assert codes == [302, 302, 302, 429]


def test_the_throttle_page_is_kind_translated_and_shows_emergency_numbers(make_app: Callable[..., Flask]) -> None:
    app = _app(make_app, WEB_INTAKE_DEVICE_RATE_LIMIT="1 per hour")
    client = app.test_client()
    _start(client, "es")
    page = client.post("/intake/start", data={"lang": "es", "csrf_token": token_from(
        client.get("/intake/", follow_redirects=True).get_data(as_text=True))}, headers={"Accept-Language": "es"})
    html = page.get_data(as_text=True)
    assert page.status_code == 429
    assert "Por favor, vaya más despacio" in html
    assert EMERGENCY in html and "988" in html


def test_many_intakes_from_one_client_are_flagged_for_staff(make_app: Callable[..., Flask]) -> None:
    app = _app(make_app, WEB_INTAKE_DEVICE_RATE_LIMIT="100 per hour", WEB_INTAKE_CLIENT_RATE_LIMIT="100 per hour")
    for _ in range(intakes.FLOOD_THRESHOLD):
        client = app.test_client()
        assert _start(client) == 302
        with app.app_context():
            intake = db.session.scalars(select(Intake).where(Intake.status == IntakeStatus.IN_PROGRESS)).one()
            intakes.submit(db.session, intake, incomplete=True)
    with app.app_context():
        rows = db.session.scalars(select(Intake)).all()
        assert len(rows) == intakes.FLOOD_THRESHOLD
        assert all(row.possible_flood for row in rows)
        assert all(row.source_index and "127.0.0.1" not in row.source_index for row in rows)


def test_a_few_intakes_are_not_a_flood(make_app: Callable[..., Flask]) -> None:
    app = _app(make_app)
    client = app.test_client()
    assert _start(client) == 302
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        intakes.submit(db.session, intake, incomplete=True)
        assert intake.possible_flood is False

"""NUL characters in any form or webhook field are stripped at the edge (PostgreSQL refuses them).

Run on PostgreSQL with TEST_DATABASE_URL set; on SQLite the same requests must behave the same.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from extensions import db
from models import Answer, Role
from services.demo import load_demo
from services.pii import current_cipher

from .kiosk.conftest import Walker
from .sms.conftest import Phone as TextingPhone
from .staff.conftest import PASSWORD, add_user, csrf_from
from .voice.conftest import Phone as CallingPhone


def _demo(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(SMS_RATE_LIMIT="1000 per minute")
    with app.app_context():
        load_demo(db.session, users=False)
        add_user(db.session, "staff@example.org", Role.STAFF)
        db.session.commit()
    return app


def test_staff_sign_in_with_nul_bytes(make_app: Callable[..., Flask]) -> None:
    client = _demo(make_app).test_client()
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login", data={"email": "staff@exa\x00mple.org", "password": "x\x00",
                                                 "csrf_token": token})
    assert response.status_code == 401
    response = client.post("/staff/login?next=/staff/%00", data={
        "email": "\x00staff@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_web_intake_with_nul_bytes_keeps_the_answer(make_app: Callable[..., Flask]) -> None:
    app = _demo(make_app)
    walk = Walker(app.test_client(), "/intake")
    walk.start()
    while walk.key != "help_other":
        value = "other" if walk.key == "help_needed" else None
        response = walk.answer(walk.key, value, action="next" if value else "skip")
        assert response.status_code == 302, (walk.key, response.status_code)
    response = walk.answer("help_other", "a place\x00 to stay")
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(select(Answer).where(Answer.key == "help_other"))
        assert stored is not None and stored.value_enc is not None
        assert current_cipher().decrypt(stored.value_enc) == "a place to stay"


def test_text_with_nul_bytes_is_answered(make_app: Callable[..., Flask]) -> None:
    app = _demo(make_app)
    phone = TextingPhone(app.test_client(), "+17855550142")
    first = phone.text("hi\x00")
    assert first and "trouble" not in " ".join(first).lower()
    second = phone.text("1\x00")
    assert second and "trouble" not in " ".join(second).lower()


def test_call_with_nul_bytes_is_answered(make_app: Callable[..., Flask]) -> None:
    app = _demo(make_app)
    call = CallingPhone(app, app.test_client())
    call.dial()
    call.press("1\x00")
    assert "trouble" not in call.spoken().lower()

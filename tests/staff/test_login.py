"""Signing in: CSRF, lock-out after failures, throttling, session expiry, the users CLI."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from extensions import db
from models import User
from models.base import utcnow
from services.accounts import verify_password

from .conftest import PASSWORD, World, csrf_from, login


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def test_sign_in_and_out(client: FlaskClient, world: World) -> None:
    response = login(client, "staff@example.org")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    body = client.get("/staff/").get_data(as_text=True)
    assert "Sam Staff" in body
    assert client.post("/staff/logout", data={"csrf_token": csrf_from(body)}).status_code == 303
    assert client.get("/staff/").status_code == 302


def test_forms_without_a_csrf_token_are_refused(client: FlaskClient, world: World) -> None:
    response = client.post("/staff/login", data={"email": "staff@example.org", "password": PASSWORD})
    assert response.status_code == 400
    login(client, "staff@example.org")
    public_id = world.intakes["own"].public_id
    assert client.post(f"/staff/intakes/{public_id}/claim").status_code == 400
    assert client.post(f"/staff/intakes/{public_id}/claim", data={"csrf_token": "forged"}).status_code == 400
    with client.application.app_context():
        from models import Intake

        intake = db.session.scalar(select(Intake).where(Intake.public_id == public_id))
        assert intake is not None and intake.claimed_by_id is None


def test_lock_out_after_five_failures(client: FlaskClient, world: World) -> None:
    for _ in range(4):
        response = login(client, "staff@example.org", "wrong password!")
        assert response.status_code == 401
        assert "not right" in response.get_data(as_text=True)
    response = login(client, "staff@example.org", "wrong password!")
    assert "locked" in response.get_data(as_text=True)
    # The right password does not open a locked account.
    response = login(client, "staff@example.org")
    assert response.status_code == 401 and "locked" in response.get_data(as_text=True)
    with client.application.app_context():
        user = _user("staff@example.org")
        assert user.locked_until is not None and user.locked_until > utcnow()
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert login(client, "staff@example.org").status_code == 303
    with client.application.app_context():
        assert _user("staff@example.org").failed_logins == 0


def test_unknown_email_looks_like_a_wrong_password(client: FlaskClient, world: World) -> None:
    response = login(client, "nobody@example.org", "whatever it is")
    assert response.status_code == 401 and "not right" in response.get_data(as_text=True)


def test_login_attempts_are_throttled(client: FlaskClient, world: World) -> None:
    codes = [login(client, f"guess{n}@example.org", "x").status_code for n in range(11)]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429


def test_idle_session_expires(client: FlaskClient, world: World) -> None:
    login(client, "staff@example.org")
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as sess:
        sess["staff_seen"] = time.time() - 31 * 60
    response = client.get("/staff/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")
    assert client.get("/staff/").status_code == 302


def test_automatic_refresh_does_not_keep_a_session_alive(client: FlaskClient, world: World) -> None:
    login(client, "staff@example.org")
    old = time.time() - 10 * 60
    with client.session_transaction() as sess:
        sess["staff_seen"] = old
    assert client.get("/staff/?auto=1").status_code == 200
    with client.session_transaction() as sess:
        assert sess["staff_seen"] == old


def test_session_cookie_is_http_only_and_secure_in_production(client: FlaskClient, world: World) -> None:
    response = login(client, "staff@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    from config import ProductionConfig

    settings = ProductionConfig(client.application.instance_path, {}).load()
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]


def test_open_redirects_are_refused(client: FlaskClient, world: World) -> None:
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login?next=https://evil.example/staff/",
                           data={"email": "staff@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/staff/"


def test_users_create_reads_the_password_from_stdin(app: Flask, runner: FlaskCliRunner, world: World) -> None:
    result = runner.invoke(args=["users", "create", "new@example.org", "--role", "staff", "--access-point", "ap-a",
                                 "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "password" not in result.output.lower()
    with app.app_context():
        user = _user("new@example.org")
        assert [ap.slug for ap in user.access_points] == ["ap-a"]
        assert verify_password(user, "a long enough password")
    bad = runner.invoke(args=["users", "create", "x@example.org", "--role", "coordinator", "--password-stdin"],
                        input="a long enough password\n")
    assert bad.exit_code != 0 and "region" in bad.output


def test_users_create_prompts_for_the_password(app: Flask, runner: FlaskCliRunner, world: World) -> None:
    result = runner.invoke(args=["users", "create", "admin2@example.org", "--role", "admin"],
                           input="another long password\nanother long password\n")
    assert result.exit_code == 0, result.output

"""Signing in: CSRF, lock-out after failures, throttling, session expiry, the users CLI."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from extensions import db
from models import LoginLock, User
from models.base import utcnow
from services.accounts import set_password, verify_password

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


def _login_from(client: FlaskClient, email: str, password: str, address: str) -> Any:
    client.environ_base["REMOTE_ADDR"] = address  # this and the client's next requests
    return login(client, email, password)


def test_lock_out_after_five_failures_from_one_address(client: FlaskClient, world: World) -> None:
    here, elsewhere = "198.51.100.20", "198.51.100.30"
    unknown = _login_from(client, "nobody@example.org", "wrong password!", here).get_data(as_text=True)
    for _ in range(5):
        response = _login_from(client, "staff@example.org", "wrong password!", here)
        assert response.status_code == 401
    # The right password does not open the account from this address, and the page says exactly
    # what it says for an account that does not exist.
    locked = _login_from(client, "staff@example.org", PASSWORD, here)
    assert locked.status_code == 401
    assert _message(locked.get_data(as_text=True)) == _message(unknown)
    assert "locked" not in locked.get_data(as_text=True)
    # Someone guessing elsewhere cannot keep the owner out.
    assert _login_from(client, "staff@example.org", PASSWORD, elsewhere).status_code == 303
    with client.application.app_context():
        lock = db.session.scalar(select(LoginLock))
        assert lock is not None and lock.locked_until is not None and lock.locked_until > utcnow()
        lock.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/staff/").get_data(as_text=True))})
    assert _login_from(client, "staff@example.org", PASSWORD, here).status_code == 303
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginLock)) == 0


def _message(body: str) -> str:
    found = re.search(r'class="flash[^"]*"[^>]*>(.*?)<', body, re.S)
    assert found, body
    return found.group(1).strip()


def _lock(client: FlaskClient, email: str, address: str) -> None:
    for _ in range(5):
        _login_from(client, email, "wrong password!", address)
    assert _login_from(client, email, PASSWORD, address).status_code == 401


def test_an_admin_unlocks_on_the_person_page(client: FlaskClient, world: World) -> None:
    _lock(client, "staff@example.org", "198.51.100.40")
    assert _login_from(client, "admin@example.org", PASSWORD, "198.51.100.41").status_code == 303
    user_id = world.user_id("staff")
    page = client.get(f"/staff/admin/people/{user_id}").get_data(as_text=True)
    assert "Paused after wrong passwords" in page
    response = client.post(f"/staff/admin/people/{user_id}/unlock", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert "Paused after wrong passwords" not in client.get(f"/staff/admin/people/{user_id}").get_data(as_text=True)
    other = FlaskClient(client.application, client.response_wrapper, use_cookies=True)
    assert _login_from(other, "staff@example.org", PASSWORD, "198.51.100.40").status_code == 303


def test_users_unlock_cli(client: FlaskClient, runner: FlaskCliRunner, world: World) -> None:
    _lock(client, "staff@example.org", "198.51.100.50")
    result = runner.invoke(args=["users", "unlock", "Staff@example.org"])
    assert result.exit_code == 0 and "Lifted 1" in result.output, result.output
    assert _login_from(client, "staff@example.org", PASSWORD, "198.51.100.50").status_code == 303
    assert runner.invoke(args=["users", "unlock", "nobody@example.org"]).exit_code != 0


def test_sign_out_ends_a_copied_session(client: FlaskClient, world: World) -> None:
    login(client, "staff@example.org")
    page = client.get("/staff/").get_data(as_text=True)
    intake_page = f"/staff/intakes/{world.intakes['own'].public_id}"
    copied = client.get_cookie("session")
    assert copied is not None
    thief = FlaskClient(client.application, client.response_wrapper, use_cookies=True)
    thief.set_cookie("session", copied.value, domain=copied.domain)
    assert thief.get(intake_page).status_code == 200
    client.post("/staff/logout", data={"csrf_token": csrf_from(page)})
    response = thief.get(intake_page)
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("change", ["deactivate", "password"])
def test_deactivation_and_a_new_password_end_sessions(client: FlaskClient, world: World, change: str) -> None:
    login(client, "staff@example.org")
    intake_page = f"/staff/intakes/{world.intakes['own'].public_id}"
    assert client.get(intake_page).status_code == 200
    with client.application.app_context():
        user = _user("staff@example.org")
        if change == "deactivate":
            user.active = False
            db.session.commit()
        else:
            set_password(db.session, user, "a brand new long password")
    assert client.get(intake_page).status_code == 302


@pytest.mark.parametrize("target", ["/staff/\r\nSet-Cookie: x=1", "/staff/%0d%0aX: 1", "/staff/\nfoo",
                                    "/\\evil.example/staff/", "/staff/\tx"])
def test_next_with_control_characters_is_ignored(client: FlaskClient, world: World, target: str) -> None:
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login", query_string={"next": target},
                           data={"email": "staff@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "\n" not in location and "\r" not in location and "\\" not in location
    if "%" not in target:
        assert location == "/staff/"


def test_unknown_email_looks_like_a_wrong_password(client: FlaskClient, world: World) -> None:
    response = login(client, "nobody@example.org", "whatever it is")
    assert response.status_code == 401 and "not right" in response.get_data(as_text=True)
    wrong = login(client, "staff@example.org", "whatever it is")
    assert _message(wrong.get_data(as_text=True)) == _message(response.get_data(as_text=True))


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


def test_guesses_from_many_addresses_do_not_keep_the_owner_out(client: FlaskClient, world: World) -> None:
    for n in range(21):
        response = _login_from(client, "staff@example.org", "wrong password!", f"198.51.100.{100 + n}")
        assert response.status_code == 401
    assert _login_from(client, "staff@example.org", PASSWORD, "203.0.113.5").status_code == 303

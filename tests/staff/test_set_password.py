"""`flask users set-password EMAIL`: asks twice, stores an argon2 hash, unlocks the account."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from extensions import db
from models import LoginLock, User
from models.base import utcnow
from services.accounts import verify_password

from .conftest import PASSWORD, World, login


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def test_set_password_prompts_twice_and_unlocks(app: Flask, runner: FlaskCliRunner, world: World) -> None:
    with app.app_context():
        user = _user("staff@example.org")
        db.session.add(LoginLock(user_id=user.id, address_index="0" * 64, failures=5,
                                 locked_until=utcnow() + timedelta(minutes=10)))
        db.session.commit()
    result = runner.invoke(args=["users", "set-password", "Staff@Example.org"],
                           input="a brand new passphrase\na brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert "New password set for staff@example.org." in result.output
    assert "a brand new passphrase" not in result.output
    with app.app_context():
        user = _user("staff@example.org")
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user, "a brand new passphrase") and not verify_password(user, PASSWORD)
        assert db.session.scalars(select(LoginLock).where(LoginLock.user_id == user.id)).all() == []
    client = app.test_client()
    assert login(client, "staff@example.org", "a brand new passphrase").status_code == 303


def test_set_password_refuses_kindly(app: Flask, runner: FlaskCliRunner, world: World) -> None:
    short = runner.invoke(args=["users", "set-password", "staff@example.org", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    nobody = runner.invoke(args=["users", "set-password", "nobody@example.org", "--password-stdin"],
                           input="a long enough password\n")
    assert nobody.exit_code != 0 and "no account nobody@example.org" in nobody.output
    with app.app_context():
        assert verify_password(_user("staff@example.org"), PASSWORD)

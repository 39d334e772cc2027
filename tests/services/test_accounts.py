"""Password hashing and creating staff accounts."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from flask import Flask

from extensions import db
from models import Role, User
from services.accounts import AccountError, create_user, hash_password, verify_password
from services.demo import load_demo

PASSWORD = "correct horse battery"


def test_hash_and_verify() -> None:
    user = User(email="a@example.org", display_name="A", password_hash=hash_password(PASSWORD))
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user, PASSWORD)
    assert not verify_password(user, "wrong password!!")


def test_verify_rehashes_weak_hashes() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user = User(email="a@example.org", display_name="A", password_hash=weak)
    assert verify_password(user, PASSWORD)
    assert user.password_hash != weak
    assert verify_password(user, PASSWORD)


def test_garbage_hash_does_not_verify() -> None:
    user = User(email="a@example.org", display_name="A", password_hash="not a hash")
    assert not verify_password(user, PASSWORD)


def test_create_user(app: Flask) -> None:
    with app.app_context():
        load_demo(db.session, users=False)
        user = create_user(
            db.session, " Someone@Example.ORG ", PASSWORD, "staff", ["sample-hays", "sample-salina"]
        )
        db.session.commit()
        assert user.email == "someone@example.org"
        assert user.role is Role.STAFF
        assert [ap.slug for ap in user.access_points] == ["sample-hays", "sample-salina"]
        coordinator = create_user(db.session, "c@example.org", PASSWORD, Role.COORDINATOR, (), 3)
        assert coordinator.region is not None and coordinator.region.number == 3
        assert user.is_active

        with pytest.raises(AccountError, match="already exists"):
            create_user(db.session, "SOMEONE@example.org", PASSWORD, "admin")
        with pytest.raises(AccountError, match="slug"):
            create_user(db.session, "x@example.org", PASSWORD, "staff", ["nowhere"])
        with pytest.raises(AccountError, match="role"):
            create_user(db.session, "x@example.org", PASSWORD, "boss")
        with pytest.raises(AccountError, match="characters"):
            create_user(db.session, "x@example.org", "short", "admin")
        with pytest.raises(AccountError, match="region"):
            create_user(db.session, "x@example.org", PASSWORD, "coordinator", (), 42)
        with pytest.raises(AccountError, match="access point"):
            create_user(db.session, "x@example.org", PASSWORD, "staff")

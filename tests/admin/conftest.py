"""The staff tests' small world (two regions, one user per role) plus Kansas's counties."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from extensions import db
from services.demo import load_reference_data

from ..staff.conftest import PASSWORD, World, add_user, csrf_from, login, make_intake, world

__all__ = ["PASSWORD", "World", "add_user", "csrf_from", "login", "make_intake", "world"]


@pytest.fixture
def admin_world(world: World) -> World:
    """Add KS-507's other regions and the 105 Kansas counties (with sample regions)."""
    with world.app.app_context():
        load_reference_data(db.session)
        db.session.commit()
    return world


@pytest.fixture
def as_user(client: FlaskClient, admin_world: World) -> Callable[[str], str]:
    """Return ``as_user(key)``: sign that user in and return a CSRF token."""

    def sign(user_key: str) -> str:
        response = login(client, admin_world.users[user_key].email)
        assert response.status_code == 303, response.get_data(as_text=True)
        return csrf_from(client.get("/staff/").get_data(as_text=True))

    return sign

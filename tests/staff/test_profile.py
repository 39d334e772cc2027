"""My alerts (/staff/profile) and the count of urgent waiting intakes in every staff page title."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from models import AccessPoint, AlertPreference, User

from .conftest import World, make_intake


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found.group(1).strip()


def test_choose_alerts_on_my_profile(client: FlaskClient, world: World, signed_in: Callable[[str], str],
                                     app: Flask) -> None:
    token = signed_in("staff")
    page = client.get("/staff/profile").get_data(as_text=True)
    [checked] = re.findall(r'<input[^>]*checked[^>]*>', page)
    assert 'value="none"' in checked
    response = client.post("/staff/profile", data={"alert_preference": "urgent", "csrf_token": token})
    assert response.status_code == 303
    assert "Your alert choice is saved." in client.get("/staff/profile").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.user_id("staff")).alert_preference is AlertPreference.URGENT


def test_an_unknown_choice_is_refused_kindly_and_changes_nothing(client: FlaskClient, world: World,
                                                                 signed_in: Callable[[str], str], app: Flask) -> None:
    token = signed_in("staff")
    response = client.post("/staff/profile", data={"alert_preference": "hourly", "csrf_token": token})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.user_id("staff")).alert_preference is AlertPreference.NONE


def test_the_title_counts_urgent_unclaimed_intakes_i_may_see(client: FlaskClient, world: World,
                                                             signed_in: Callable[[str], str], app: Flask) -> None:
    with app.app_context():
        ap = db.session.get(AccessPoint, world.aps["A"].id)
        make_intake(db.session, ap, priority=0, reasons=("no_safe_place_tonight",))
        make_intake(db.session, ap, priority=1)
        db.session.commit()
    signed_in("staff")
    # World's own intake (priority 5) and the one with no safe place tonight; not priority 1.
    assert _title(client.get("/staff/").get_data(as_text=True)).startswith("(2) ")
    assert _title(client.get("/staff/profile").get_data(as_text=True)).startswith("(2) ")
    client.post("/staff/logout", data={})
    signed_in("staff_b")  # access point B: its intake has priority 3
    assert not _title(client.get("/staff/").get_data(as_text=True)).startswith("(")

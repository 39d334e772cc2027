"""Assisted intake: a staff member walks the same question pages with a household."""

from __future__ import annotations

import time
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from extensions import db
from models import ConsentMethod, Intake, IntakeStatus, User

from .conftest import World, csrf_from

PREFIX = "/staff/assist"


class Assist:
    """Walk the assisted pages with the test client, following the redirects by hand."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.location = f"{PREFIX}/"

    def start(self, lang: str) -> Any:
        page = self.client.get(f"{PREFIX}/")
        assert page.status_code == 200, page.status_code
        token = csrf_from(page.get_data(as_text=True))
        response = self.client.post(f"{PREFIX}/start", data={"lang": lang, "csrf_token": token})
        assert response.status_code == 302
        self.location = response.headers["Location"]
        return response

    def answer(self, key: str, value: Any = None) -> Any:
        assert self.location.endswith(f"/q/{key}"), (key, self.location)
        page = self.client.get(self.location)
        data: dict[str, Any] = {"csrf_token": csrf_from(page.get_data(as_text=True))}
        if value is None:
            data["action"] = "skip"
        else:
            data.update(action="next", answer=value)
        response = self.client.post(self.location, data=data)
        assert response.status_code == 302, (key, response.status_code)
        self.location = response.headers["Location"]
        return response

    def walk(self, answers: dict[str, Any]) -> None:
        """Answer each question asked from ``answers``; decline the others; stop at the review."""
        for _ in range(40):
            if self.location.endswith("/review"):
                return
            key = self.location.rsplit("/", 1)[-1]
            self.answer(key, answers.get(key))
        raise AssertionError("the walk never reached the review page")

    def submit(self) -> Any:
        page = self.client.get(f"{PREFIX}/review")
        assert page.status_code == 200
        return self.client.post(f"{PREFIX}/submit", data={"csrf_token": csrf_from(page.get_data(as_text=True))})


#: The answers given on the walk; every other question is declined (skipped).
WALK = {"start_choice": "talk", "contact_method": "come_back", "contact_name": "Jo", "consent_share": "1"}


def only_assisted(world: World) -> Intake:
    with world.app.app_context():
        intake = db.session.scalars(select(Intake).where(Intake.channel == "assisted")).one()
        intake.consents  # noqa: B018  (loaded before the session closes)
        db.session.expunge_all()
        return intake


def test_staff_walk_the_same_pages_consent_through_staff_and_queue(client: FlaskClient, world: World,
                                                                     signed_in: Any) -> None:
    signed_in("staff")
    queue = client.get("/staff/").get_data(as_text=True)
    assert "New intake with a household" in queue
    walk = Assist(client)
    walk.start("es")
    first = client.get(walk.location).get_data(as_text=True)
    assert "Atrás" in first or "Siguiente" in first  # the household's language
    assert "You are walking this intake with a household" in first  # the staff member's language
    walk.walk(WALK)
    assert walk.location == f"{PREFIX}/review"
    assert walk.submit().headers["Location"] == f"{PREFIX}/done"
    done = client.get(f"{PREFIX}/done").get_data(as_text=True)
    intake = only_assisted(world)
    assert intake.status is IntakeStatus.SUBMITTED and intake.reference_code in done
    assert intake.assisted_by_id == world.user_id("staff") and intake.language == "es"
    assert intake.consents and all(c.method is ConsentMethod.STAFF and c.channel == "assisted"
                                   and c.recorded_by_id == world.user_id("staff") for c in intake.consents)
    # Still signed in: the staff pages open, and the finished intake is in the queue like any other.
    assert client.get("/staff/").status_code == 200
    assert intake.routed_access_point_id == world.aps["A"].id  # no location given: the home access point
    assert intake.reference_code in client.get("/staff/").get_data(as_text=True)


def test_quick_exit_clears_the_household_and_keeps_the_staff_member_signed_in(
        client: FlaskClient, world: World, signed_in: Any) -> None:
    signed_in("staff")
    walk = Assist(client)
    walk.start("en")
    walk.answer("start_choice", "talk")
    response = client.get(f"{PREFIX}/exit")
    assert response.status_code == 302 and response.headers["Location"] == "/forecast"
    intake = only_assisted(world)
    assert intake.status is IntakeStatus.ABANDONED
    assert client.get("/staff/").status_code == 200  # not signed out
    again = client.get(f"{PREFIX}/review")  # the household's intake is gone from this device
    assert again.status_code == 302 and again.headers["Location"] == f"{PREFIX}/"


def test_the_household_can_decline_every_question(client: FlaskClient, world: World, signed_in: Any) -> None:
    signed_in("staff")
    walk = Assist(client)
    walk.start("en")
    walk.walk({})
    assert walk.location == f"{PREFIX}/review"
    assert walk.submit().headers["Location"] == f"{PREFIX}/done"
    assert only_assisted(world).status is IntakeStatus.SUBMITTED


def test_only_signed_in_assisting_roles_may_start(client: FlaskClient, world: World, signed_in: Any) -> None:
    assert client.get(f"{PREFIX}/").status_code == 302  # to the sign-in page
    assert "/staff/login" in client.get(f"{PREFIX}/").headers["Location"]
    signed_in("vsp")
    assert client.get(f"{PREFIX}/").status_code == 403
    with world.app.app_context():
        assert db.session.get(User, world.user_id("vsp")) is not None


def test_the_intake_page_names_the_staff_member_who_walked_it(client: FlaskClient, world: World,
                                                              signed_in: Any) -> None:
    signed_in("staff")
    walk = Assist(client)
    walk.start("en")
    walk.walk(WALK)
    walk.submit()
    intake = only_assisted(world)
    page = client.get(f"/staff/intakes/{intake.public_id}").get_data(as_text=True)
    assert "With staff, in person" in page and "Started with the household by" in page and "Sam Staff" in page


def test_walking_an_intake_keeps_the_staff_session_alive(client: FlaskClient, world: World, signed_in: Any) -> None:
    signed_in("staff")
    walk = Assist(client)
    walk.start("en")
    with client.session_transaction() as sess:
        sess["staff_seen"] = time.time() - 25 * 60  # 25 minutes on the household's questions
    walk.answer("start_choice", "talk")
    with client.session_transaction() as sess:
        sess["staff_seen"] = sess["staff_seen"] - 10 * 60  # and 10 more on the next one
    assert client.get(walk.location).status_code == 200
    assert client.get("/staff/").status_code == 200  # back to the queue, still signed in


def test_an_assisted_page_left_idle_ends_the_session_and_the_households_intake(
        client: FlaskClient, world: World, signed_in: Any) -> None:
    signed_in("staff")
    walk = Assist(client)
    walk.start("en")
    with client.session_transaction() as sess:
        sess["staff_seen"] = time.time() - 31 * 60
    response = client.get(walk.location)
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")
    assert only_assisted(world).status is IntakeStatus.ABANDONED
    assert client.get("/staff/").status_code == 302  # signed out

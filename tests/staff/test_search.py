"""Finding intakes: by reference code (forgiving), by phone (POST, blind index), closed and
transferred-out lists, the read-only page of an intake handed on; every search audited."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from extensions import db
from models import Intake, IntakeSearch, IntakeView, User
from services import staff_actions
from services.pii import current_cipher

from .conftest import World, csrf_from


def _code(client: FlaskClient, world: World, key: str) -> str:
    with client.application.app_context():
        code = db.session.scalar(select(Intake.reference_code).where(Intake.id == world.intakes[key].id))
        assert code
        return code


def _set_code(client: FlaskClient, world: World, key: str, code: str) -> None:
    with client.application.app_context():
        intake = db.session.get(Intake, world.intakes[key].id)
        assert intake is not None
        intake.reference_code = code
        db.session.commit()


@pytest.mark.parametrize("typed", ["7KQ-M40", "7kq-m40", "7KQM40", "7kqm4o", " 7KQ M4O ", "7kq-m4o"])
def test_a_code_is_found_as_people_type_it(client: FlaskClient, world: World, signed_in, typed: str) -> None:
    _set_code(client, world, "own", "7KQ-M40")
    signed_in("staff")
    response = client.get("/staff/", query_string={"q": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Search results" in page and f'data-public-id="{world.intakes["own"].public_id}"' in page
    with client.application.app_context():
        audit = db.session.scalars(select(IntakeSearch)).one()
        assert (audit.kind, audit.code, audit.results, audit.user_id) == ("code", "7KQ-M40", 1,
                                                                         world.user_id("staff"))


def test_confusable_one_and_i(client: FlaskClient, world: World, signed_in) -> None:
    _set_code(client, world, "own", "1AB-C10")
    signed_in("staff")
    page = client.get("/staff/?q=iab-cl0").get_data(as_text=True)
    assert f'data-public-id="{world.intakes["own"].public_id}"' in page


def test_a_code_outside_my_reach_finds_nothing(client: FlaskClient, world: World, signed_in) -> None:
    signed_in("staff")
    page = client.get("/staff/", query_string={"q": _code(client, world, "other")}).get_data(as_text=True)
    assert world.intakes["other"].public_id not in page
    assert "No intake you can see matches." in page


def test_a_code_that_cannot_be_one_is_answered_kindly(client: FlaskClient, world: World, signed_in) -> None:
    signed_in("staff")
    response = client.get("/staff/?q=hello")
    assert response.status_code == 422
    assert "does not look like a reference code" in response.get_data(as_text=True)


def test_the_queue_page_has_a_search_box(client: FlaskClient, world: World, signed_in) -> None:
    signed_in("staff")
    page = client.get("/staff/").get_data(as_text=True)
    assert 'name="q"' in page and 'action="/staff/search/phone"' in page
    assert "Closed" in page and "Transferred out" in page


def test_phone_search_is_a_post_and_the_number_is_not_kept(client: FlaskClient, world: World, signed_in) -> None:
    token = signed_in("staff")
    response = client.post("/staff/search/phone", data={"phone": "(785) 555-0111", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-public-id="{world.intakes["own"].public_id}"' in page
    assert "555-0111" not in page  # the results show no phone, and the box is emptied
    assert client.get("/staff/search/phone").status_code == 405
    with client.application.app_context():
        audit = db.session.scalars(select(IntakeSearch)).one()
        assert audit.kind == "phone" and audit.code is None and audit.results == 1
        assert audit.term_index == current_cipher().phone_index("+17855550111")
        assert "5550111" not in repr(audit.__dict__)


def test_phone_search_never_finds_what_the_person_may_not_read(client: FlaskClient, world: World,
                                                               signed_in) -> None:
    token = signed_in("coordinator")  # sees the confidential intake in the queue, not who it is
    response = client.post("/staff/search/phone", data={"phone": "785-555-0133", "csrf_token": token})
    assert world.intakes["confidential"].public_id not in response.get_data(as_text=True)
    token = signed_in("vsp")
    response = client.post("/staff/search/phone", data={"phone": "785-555-0133", "csrf_token": token})
    assert world.intakes["confidential"].public_id in response.get_data(as_text=True)


def test_a_bad_number_is_answered_kindly(client: FlaskClient, world: World, signed_in) -> None:
    token = signed_in("staff")
    page = client.post("/staff/search/phone", data={"phone": "12", "csrf_token": token}).get_data(as_text=True)
    assert "full phone number with its area code" in page


def _close(client: FlaskClient, world: World, key: str, user_key: str) -> None:
    with client.application.app_context():
        intake = db.session.get(Intake, world.intakes[key].id)
        assert intake is not None
        intake.claimed_by_id = world.user_id(user_key)
        db.session.commit()
        actor = db.session.get(User, world.user_id(user_key))
        assert actor is not None
        staff_actions.record_outcome(db.session, intake, actor, outcome="declined",
                                     cipher=current_cipher())


def test_closed_intakes_have_their_own_list_and_are_found(client: FlaskClient, world: World, signed_in) -> None:
    _close(client, world, "own", "staff")
    signed_in("staff")
    assert world.intakes["own"].public_id not in client.get("/staff/").get_data(as_text=True)
    closed = client.get("/staff/?view=closed").get_data(as_text=True)
    assert world.intakes["own"].public_id in closed and "Declined services" in closed
    found = client.get("/staff/", query_string={"q": _code(client, world, "own")}).get_data(as_text=True)
    assert world.intakes["own"].public_id in found


def test_the_person_who_transferred_an_intake_can_still_read_it(client: FlaskClient, world: World,
                                                                signed_in) -> None:
    token = signed_in("staff")
    base = f"/staff/intakes/{world.intakes['own'].public_id}"
    client.post(f"{base}/claim", data={"csrf_token": token})
    page = client.get(base).get_data(as_text=True)
    client.post(f"{base}/transfer", data={"csrf_token": csrf_from(page), "access_point": str(world.aps["B"].id),
                                          "note": "They moved to Bravo's town"})
    assert client.get(base).status_code == 404  # out of my queue
    listed = client.get("/staff/?view=transferred").get_data(as_text=True)
    handed_on = f"/staff/handed-on/{world.intakes['own'].public_id}"
    assert handed_on in listed
    page = client.get(handed_on)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Access point Bravo" in text and "They moved to Bravo&#39;s town" in text
    for secret in world.pii["own"]:
        assert secret not in text
    found = client.get("/staff/", query_string={"q": _code(client, world, "own")}).get_data(as_text=True)
    assert handed_on in found
    with client.application.app_context():
        view = db.session.scalars(select(IntakeView).order_by(IntakeView.id.desc())).first()
        assert view is not None and view.identity_shown is False and view.intake_id == world.intakes["own"].id


@pytest.mark.parametrize("who", ["staff_b", "staff2_other_ap", "vsp"])
def test_only_the_access_point_that_handed_it_on_sees_the_read_only_page(client: FlaskClient, world: World,
                                                                         signed_in, who: str) -> None:
    with client.application.app_context():
        intake = db.session.get(Intake, world.intakes["other"].id)
        assert intake is not None
        staff_actions.transfer(db.session, intake, world.users["admin"], access_point_id=world.aps["A"].id,
                               note="to A", cipher=current_cipher())
    user = {"staff2_other_ap": "staff2"}.get(who, who)
    signed_in(user)
    status = client.get(f"/staff/handed-on/{world.intakes['other'].public_id}").status_code
    assert status == (200 if user == "staff_b" else 404)


def test_lists_show_times_in_the_access_point_time_zone(client: FlaskClient, world: World, signed_in) -> None:
    from datetime import UTC, datetime

    from models import AccessPoint

    with client.application.app_context():
        db.session.get(AccessPoint, world.aps["A"].id).timezone = "America/Denver"  # type: ignore[union-attr]
        intake = db.session.get(Intake, world.intakes["own"].id)
        assert intake is not None
        intake.submitted_at = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
        db.session.commit()
    signed_in("staff")
    page = client.get("/staff/", query_string={"q": _code(client, world, "own")}).get_data(as_text=True)
    row = page[page.index(f'data-public-id="{world.intakes["own"].public_id}"'):]
    assert "11:00" in row[:2000] and "12:00" not in row[:2000]

"""Authorization matrix: every role x every staff route x own / other access point / confidential.

Each cell asserts the exact status code, and every page is checked for identifying answers the
role may not see. Actions on a confidential intake are for victim service provider staff of its
access point only, at the routes and in the services behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from extensions import db
from models import Answer, EventKind, Intake, IntakeEvent, Track, User
from services import queue, staff_actions
from services.pii import current_cipher

from .conftest import World, csrf_from, login

# Where each role's intakes are: "own" is at access point A (region 1), "other" at B (region 2),
# "confidential" at the victim service provider V (region 1).
IN_SCOPE = {
    "staff": {"own"},
    "staff_v": {"confidential"},
    "vsp": {"confidential"},
    "coordinator": {"own", "confidential"},
    "admin": {"own", "other", "confidential"},
}
# Whose identifying answers each role may read.
IDENTITY = {
    "staff": {"own"},
    "staff_v": set(),
    "vsp": {"confidential"},
    "coordinator": {"own"},
    "admin": {"own", "other"},
}
MANAGERS = {"coordinator", "admin"}
# Who may act on which intakes (claim, contact, text, schedule, close, transfer...).
ACTS_ON = {role: targets - ({"confidential"} if role != "vsp" else set()) for role, targets in IN_SCOPE.items()}
ROLES = ["staff", "staff_v", "vsp", "coordinator", "admin"]

# (name, method, path template, form fields); run in this order (outcome and transfer last).
INTAKE_ROUTES: list[tuple[str, str, str, dict[str, str]]] = [
    ("intake", "GET", "/staff/intakes/{id}", {}),
    ("claim", "POST", "/staff/intakes/{id}/claim", {}),
    ("contact", "POST", "/staff/intakes/{id}/contact", {"method": "phone", "result": "no_answer", "note": "n"}),
    ("sms", "POST", "/staff/intakes/{id}/sms", {"template": "will_call"}),
    ("schedule", "POST", "/staff/intakes/{id}/schedule", {"at": "2030-01-02T10:00", "where": "Front desk"}),
    ("intake_again", "GET", "/staff/intakes/{id}", {}),
    ("reassign", "POST", "/staff/intakes/{id}/reassign", {"user": "1"}),
    ("release", "POST", "/staff/intakes/{id}/release", {}),
    ("outcome", "POST", "/staff/intakes/{id}/outcome", {"outcome": "declined", "diversion_result": "99"}),
    ("transfer", "POST", "/staff/intakes/{id}/transfer", {"access_point": "1", "note": "moving"}),
]
# The admin area (admins and coordinators; tests/admin/test_authorization.py has every route).
ADMIN_ROUTES = ["/staff/admin/people", "/staff/admin/access-points", "/staff/admin/kiosks"]


def request(client: FlaskClient, method: str, path: str, data: dict[str, str]):
    """GET ``path``, or POST ``data`` to it."""
    return client.get(path) if method == "GET" else client.post(path, data=data)


def expected(role: str, route: str, method: str, target: str) -> int:
    if target not in IN_SCOPE[role]:
        return 404
    if method == "POST" and target not in ACTS_ON[role]:
        return 404
    if route == "reassign" and role not in MANAGERS:
        return 403
    return 200 if method == "GET" else 303


def assert_no_leak(world: World, role: str, body: str, where: str) -> None:
    for target, values in world.pii.items():
        if target in IDENTITY[role]:
            continue
        for value in values:
            assert value not in body, f"{role} sees {target}'s {value!r} on {where}"


@pytest.mark.parametrize("target", ["own", "other", "confidential"])
@pytest.mark.parametrize("role", ROLES)
def test_intake_routes(client: FlaskClient, world: World, role: str, target: str) -> None:
    assert login(client, world.users[role].email).status_code == 303
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    public_id = world.intakes[target].public_id
    problems = []
    for name, method, template, fields in INTAKE_ROUTES:
        path = template.format(id=public_id)
        response = request(client, method, path, {**fields, "csrf_token": token})
        want = expected(role, name, method, target)
        if response.status_code != want:
            problems.append(f"{method} {name}: {response.status_code}, expected {want}")
        body = response.get_data(as_text=True)
        assert_no_leak(world, role, body, f"{method} {path}")
        if response.status_code == 303:
            followed = client.get(response.headers["Location"])
            assert_no_leak(world, role, followed.get_data(as_text=True), f"after {name}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_queue_and_admin_routes(client: FlaskClient, world: World, role: str) -> None:
    login(client, world.users[role].email)
    queue = client.get("/staff/")
    assert queue.status_code == 200
    body = queue.get_data(as_text=True)
    assert_no_leak(world, role, body, "queue")
    for target, intake in world.intakes.items():
        listed = intake.public_id in body
        assert listed == (target in IN_SCOPE[role]), f"{role} queue lists {target}: {listed}"
    # The queue never shows identifying answers, even to those who may read them.
    for values in world.pii.values():
        for value in values:
            assert value not in body
    for path in ADMIN_ROUTES:
        response = client.get(path)
        assert response.status_code == (200 if role in MANAGERS else 403), path
        assert_no_leak(world, role, response.get_data(as_text=True), path)


@pytest.mark.parametrize("target", ["own", "other", "confidential"])
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, world: World, target: str) -> None:
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    public_id = world.intakes[target].public_id
    for _name, method, template, fields in INTAKE_ROUTES:
        path = template.format(id=public_id)
        response = request(client, method, path, {**fields, "csrf_token": token})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/staff/login")
        assert_no_leak(world, "anonymous", response.get_data(as_text=True), path)
    for path in ["/staff/", *ADMIN_ROUTES]:
        assert client.get(path).status_code == 302


IDENTITY["anonymous"] = set()


def test_identity_shown_only_as_allowed(client: FlaskClient, world: World,
                                        signed_in: Callable[[str], str]) -> None:
    signed_in("vsp")
    body = client.get(f"/staff/intakes/{world.intakes['confidential'].public_id}").get_data(as_text=True)
    assert "Celia Secret" in body and "+17855550133" in body
    client.post("/staff/logout", data={"csrf_token": csrf_from(body)})
    signed_in("coordinator")
    body = client.get(f"/staff/intakes/{world.intakes['confidential'].public_id}").get_data(as_text=True)
    assert "Celia Secret" not in body and "Confidential referral" in body
    body = client.get(f"/staff/intakes/{world.intakes['own'].public_id}").get_data(as_text=True)
    assert "Maria Alpha" in body


# -- the services behind the routes ---------------------------------------------------------------

def _claim_for(world: World, target: str) -> None:
    """Let the victim service provider (or the access point's staff) hold the intake first."""
    holder = {"own": "staff", "other": "staff_b", "confidential": "vsp"}[target]
    with world.app.app_context():
        intake = db.session.get(Intake, world.intakes[target].id)
        assert intake is not None
        intake.claimed_by_id = world.user_id(holder)
        db.session.commit()


def _act(action: str, world: World, intake: Intake, actor: User) -> object:
    cipher = current_cipher()
    s = db.session
    when = datetime(2030, 1, 2, 16, tzinfo=UTC)
    calls: dict[str, Callable[[], object]] = {
        "claim": lambda: queue.claim(s, intake, actor),
        "release": lambda: queue.release(s, intake, actor),
        "reassign": lambda: queue.reassign(s, intake, actor, world.user_id("vsp")),
        "contact": lambda: staff_actions.log_contact(s, intake, actor, method="phone", result="no_answer",
                                                     note="n", cipher=cipher),
        "schedule": lambda: staff_actions.schedule_assessment(s, intake, actor, at=when, where="Desk",
                                                              note=None, cipher=cipher),
        "sms": lambda: staff_actions.send_sms(s, intake, actor, template="will_call", body="Hello",
                                              cipher=cipher),
        "outcome": lambda: staff_actions.record_outcome(s, intake, actor, outcome="declined", cipher=cipher),
        "transfer": lambda: staff_actions.transfer(s, intake, actor, access_point_id=world.aps["A"].id,
                                                   note=None, cipher=cipher),
    }
    return calls[action]()


SERVICE_ACTIONS = ["claim", "release", "reassign", "contact", "schedule", "sms", "outcome", "transfer"]


@pytest.mark.parametrize("action", SERVICE_ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_services_refuse_confidential_intakes_to_all_but_its_vsp(world: World, role: str, action: str) -> None:
    _claim_for(world, "confidential")
    with world.app.app_context():
        intake = db.session.get(Intake, world.intakes["confidential"].id)
        actor = db.session.get(User, world.user_id(role))
        assert intake is not None and actor is not None
        before = db.session.scalar(select(func.count()).select_from(IntakeEvent))
        if role == "vsp":
            try:
                _act(action, world, intake, actor)
            except (staff_actions.ActionError, queue.NotFound) as exc:
                # Allowed through the gate; refused later only for an ordinary reason.
                assert not isinstance(exc, queue.NotFound), action
            return
        with pytest.raises(queue.NotFound):
            _act(action, world, intake, actor)
        db.session.rollback()
        after = db.session.get(Intake, intake.id)
        assert after is not None
        assert after.closed_at is None and after.claimed_by_id == world.user_id("vsp")
        assert after.routed_access_point_id == world.aps["V"].id
        assert db.session.scalar(select(func.count()).select_from(IntakeEvent)) == before


@pytest.mark.parametrize("action", ["claim", "contact", "schedule", "outcome"])
@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_services_allow_ordinary_intakes_in_scope(world: World, role: str, target: str, action: str) -> None:
    with world.app.app_context():
        intake = db.session.get(Intake, world.intakes[target].id)
        actor = db.session.get(User, world.user_id(role))
        assert intake is not None and actor is not None
        if target not in IN_SCOPE[role]:
            with pytest.raises(queue.NotFound):
                _act(action, world, intake, actor)
            return
        if action != "claim":
            assert queue.claim(db.session, intake, actor)
        _act(action, world, intake, actor)
        kinds = set(db.session.scalars(select(IntakeEvent.kind).where(IntakeEvent.intake_id == intake.id)))
        assert EventKind.CLAIMED in kinds and len(kinds) == (1 if action == "claim" else 2)


# -- a confidential referral, seen by those who may not act on it ---------------------------------

def _fill_confidential(world: World) -> None:
    """Give the confidential intake a ZIP, reasons and an advocate's appointment."""
    with world.app.app_context():
        intake = db.session.get(Intake, world.intakes["confidential"].id)
        vsp = db.session.get(User, world.user_id("vsp"))
        assert intake is not None and vsp is not None
        intake.answers.append(Answer(key="location", code="zip:66044"))
        intake.priority_reasons = ["pregnant", "leave_within_7_days"]
        intake.track = Track.PREVENTION
        db.session.commit()
        assert queue.claim(db.session, intake, vsp)
        staff_actions.schedule_assessment(db.session, intake, vsp, at=datetime(2031, 5, 6, 15, 45, tzinfo=UTC),
                                          where="Side door", note=None, cipher=current_cipher())


MARKERS = ["66044", "5/6/31", "Side door", "Pregnant", "Must leave within 7 days", "Val Advocate"]


def _seen(client: FlaskClient, public_id: str) -> tuple[str, str]:
    return (client.get("/staff/").get_data(as_text=True),
            client.get(f"/staff/intakes/{public_id}").get_data(as_text=True))


def test_the_vsp_sees_the_details(client: FlaskClient, world: World) -> None:
    _fill_confidential(world)
    login(client, world.users["vsp"].email)
    queue_body, page = _seen(client, world.intakes["confidential"].public_id)
    assert "Pregnant" in queue_body and "Val Advocate" in queue_body
    for marker in MARKERS:
        assert marker in page, marker


@pytest.mark.parametrize("role", ["staff_v", "coordinator", "admin"])
def test_others_see_only_that_a_confidential_referral_exists(client: FlaskClient, world: World, role: str) -> None:
    _fill_confidential(world)
    login(client, world.users[role].email)
    public_id = world.intakes["confidential"].public_id
    queue_body, page = _seen(client, public_id)
    assert public_id in queue_body and "Confidential referral" in queue_body
    assert "Confidential referral" in page
    for marker in MARKERS:
        assert marker not in queue_body, f"{role} sees {marker!r} in the queue"
        assert marker not in page, f"{role} sees {marker!r} on the intake page"
    assert world.intakes["confidential"].reference_code not in queue_body + page
    # Counts and filters say nothing about it beyond its existence.
    prevention = client.get("/staff/?track=prevention").get_data(as_text=True)
    assert public_id not in prevention
    assert public_id in client.get("/staff/?flag=confidential").get_data(as_text=True)
    with world.app.app_context():
        user = db.session.get(User, world.user_id(role))
        assert user is not None
        counts = queue.queue_page(db.session, user).counts
        assert counts["prevention"] == 0 and counts["confidential"] == 1
        assert counts["unclaimed"] == counts["total"] - 1  # the sealed one is not counted as anything


def test_a_confidential_referral_cannot_be_named_as_the_original_of_a_duplicate(world: World) -> None:
    with world.app.app_context():
        intake = db.session.get(Intake, world.intakes["own"].id)
        coordinator = db.session.get(User, world.user_id("coordinator"))
        assert intake is not None and coordinator is not None
        assert queue.claim(db.session, intake, coordinator)
        with pytest.raises(staff_actions.ActionError):
            staff_actions.record_outcome(db.session, intake, coordinator, outcome="duplicate", cipher=current_cipher(),
                                         duplicate_of=world.intakes["confidential"].reference_code)
        assert db.session.get(Intake, intake.id).closed_at is None  # type: ignore[union-attr]

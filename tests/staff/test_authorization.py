"""Authorization matrix: every role x every staff route x own / other access point / confidential.

Each cell asserts the exact status code, and every page is checked for identifying answers the
role may not see.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from .conftest import World, csrf_from, login

# Where each role's intakes are: "own" is at access point A (region 1), "other" at B (region 2),
# "confidential" at the victim service provider V (region 1).
IN_SCOPE = {
    "staff": {"own"},
    "vsp": {"confidential"},
    "coordinator": {"own", "confidential"},
    "admin": {"own", "other", "confidential"},
}
# Whose identifying answers each role may read.
IDENTITY = {
    "staff": {"own"},
    "vsp": {"confidential"},
    "coordinator": {"own"},
    "admin": {"own", "other"},
}
MANAGERS = {"coordinator", "admin"}

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
@pytest.mark.parametrize("role", ["staff", "vsp", "coordinator", "admin"])
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


@pytest.mark.parametrize("role", ["staff", "vsp", "coordinator", "admin"])
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
    assert "Celia Secret" not in body and "Hidden" in body
    body = client.get(f"/staff/intakes/{world.intakes['own'].public_id}").get_data(as_text=True)
    assert "Maria Alpha" in body

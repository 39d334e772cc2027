"""Authorization matrix of the admin area: every route x admin / coordinator of this region /
coordinator of another region / staff / VSP staff / anonymous, with exact status codes."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from extensions import db
from models import Kiosk, Region, Role

from .conftest import World, add_user, csrf_from, login

ROLES = ["admin", "coordinator", "coordinator_other", "staff", "vsp", "anonymous"]


def codes(admin: int, here: int, other: int, staff: int = 403, vsp: int = 403, anonymous: int = 302) -> dict[str, int]:
    return {"admin": admin, "coordinator": here, "coordinator_other": other, "staff": staff, "vsp": vsp,
            "anonymous": anonymous}


OPEN_TO_MANAGERS = codes(200, 200, 200)
IN_REGION_1 = codes(200, 200, 404)
ADMINS_ONLY = codes(200, 403, 403)

# (method, path template, form fields, expected per role); "{A}" is access point A (region 1),
# "{staff}" a staff member at A, "{admin}" the admin, "{kiosk}" a kiosk at A. Run in order.
ROUTES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    ("GET", "/staff/admin/", {}, OPEN_TO_MANAGERS),
    ("GET", "/staff/admin/access-points", {}, OPEN_TO_MANAGERS),
    ("GET", "/staff/admin/access-points/new", {}, OPEN_TO_MANAGERS),
    ("GET", "/staff/admin/access-points/{A}", {}, IN_REGION_1),
    ("POST", "/staff/admin/access-points/{A}", {"name": ""}, codes(422, 422, 404)),
    ("GET", "/staff/admin/access-points/{B}", {}, codes(200, 404, 200)),
    ("GET", "/staff/admin/people", {}, OPEN_TO_MANAGERS),
    ("GET", "/staff/admin/people/new", {}, OPEN_TO_MANAGERS),
    ("GET", "/staff/admin/people/{staff}", {}, IN_REGION_1),
    ("GET", "/staff/admin/people/{admin}", {}, codes(200, 404, 404)),
    ("POST", "/staff/admin/people/{staff}/unlock", {}, codes(303, 303, 404)),
    ("GET", "/staff/admin/kiosks", {}, OPEN_TO_MANAGERS),
    ("GET", "/staff/admin/kiosks/{kiosk}/pair", {}, IN_REGION_1),
    ("POST", "/staff/admin/kiosks/{kiosk}/pair", {}, IN_REGION_1),
    ("GET", "/staff/admin/regions", {}, OPEN_TO_MANAGERS),
    ("GET", "/staff/admin/regions.csv", {}, OPEN_TO_MANAGERS),
    ("POST", "/staff/admin/regions", {}, codes(422, 403, 403)),
    ("GET", "/staff/admin/directory", {}, ADMINS_ONLY),
    ("POST", "/staff/admin/directory", {}, codes(422, 403, 403)),
    ("GET", "/staff/admin/directory/hsds.zip", {}, ADMINS_ONLY),
    ("GET", "/staff/admin/directory/access-points.csv", {}, ADMINS_ONLY),
    ("GET", "/staff/admin/users", {}, codes(301, 301, 301, 301, 301)),
    ("GET", "/staff/welcome/not-a-token", {}, codes(404, 404, 404, 404, 404, 404)),
    ("POST", "/staff/admin/people/{staff}/reset", {}, IN_REGION_1),
    ("POST", "/staff/admin/kiosks/{kiosk}/revoke", {}, codes(303, 303, 404)),
    ("POST", "/staff/admin/access-points/{A}/active", {}, codes(303, 303, 404)),
    ("POST", "/staff/admin/people/{staff}/active", {}, codes(303, 303, 404)),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_route(client: FlaskClient, admin_world: World, role: str) -> None:
    with admin_world.app.app_context():
        s = db.session
        r2 = s.query(Region).filter_by(number=2).one()
        other = add_user(s, "coord2@example.org", Role.COORDINATOR, region=r2, name="Other Coordinator")
        kiosk = Kiosk(label="Front desk", access_point_id=admin_world.aps["A"].id, active=True, device_generation=0)
        s.add(kiosk)
        s.commit()
        ids = {"A": admin_world.aps["A"].id, "B": admin_world.aps["B"].id, "kiosk": kiosk.id,
               "staff": admin_world.users["staff"].id, "admin": admin_world.users["admin"].id}
        other_email = other.email
    if role == "anonymous":
        token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    else:
        email = other_email if role == "coordinator_other" else admin_world.users[role].email
        assert login(client, email).status_code == 303
        token = csrf_from(client.get("/staff/").get_data(as_text=True))
    wrong = []
    for method, template, fields, expected in ROUTES:
        path = template.format(**ids)
        data = {**fields, "csrf_token": token}
        response = client.get(path) if method == "GET" else client.post(path, data=data)
        if response.status_code != expected[role]:
            wrong.append(f"{method} {path}: {response.status_code}, expected {expected[role]}")
        if role == "anonymous" and response.status_code == 302:
            assert "/staff/login" in response.headers["Location"]
    assert not wrong, "\n".join(wrong)


def test_a_post_without_the_csrf_token_is_refused(client: FlaskClient, admin_world: World) -> None:
    assert login(client, admin_world.users["admin"].email).status_code == 303
    response = client.post(f"/staff/admin/access-points/{admin_world.aps['A'].id}/active")
    assert response.status_code == 400

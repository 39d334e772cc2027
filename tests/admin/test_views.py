"""The admin area through its pages: access points and hours, people, kiosks, regions; audited."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import select

from extensions import db
from models import AccessPoint, AdminChange, Intake, Kiosk, LoginLock, Role, User
from models.base import utcnow
from services import routing
from services.regions import table_csv

from .conftest import PASSWORD, World, csrf_from, login

AP_FORM = {
    "name": "Hays Housing Help", "kind": "physical", "address": "1 Main St", "zip": "67601", "city": "",
    "state": "", "lat": "", "lon": "", "county": "", "region": "", "phone": "785-555-0199",
    "timezone": "America/Chicago", "hours_mon": "9:00-12:00, 13:00-17:00", "hours_tue": "9-12, 13-17",
    "hours_wed": "", "hours_thu": "", "hours_fri": "", "hours_sat": "", "hours_sun": "",
    "closed_dates": "2026-12-25", "alert_emails": "desk@example.org", "languages": "en, es",
    "populations": "all",
}


def _field_block(html: str, field_id: str) -> str:
    start = html.index(f'for="{field_id}"')
    return html[start:html.index("</div>", start)]


def test_add_an_access_point_with_split_hours_and_a_holiday(client: FlaskClient, admin_world: World,
                                                            as_user: Callable[[str], str]) -> None:
    token = as_user("admin")
    response = client.post("/staff/admin/access-points/new", data={**AP_FORM, "csrf_token": token})
    assert response.status_code == 303
    with admin_world.app.app_context():
        ap = db.session.scalar(select(AccessPoint).where(AccessPoint.name == "Hays Housing Help"))
        assert ap is not None
        assert ap.hours == {"mon": [["09:00", "12:00"], ["13:00", "17:00"]],
                            "tue": [["09:00", "12:00"], ["13:00", "17:00"]]}
        assert ap.closed_dates == ["2026-12-25"]
        assert ap.alert_emails == ["desk@example.org"]
        assert ap.languages == ["en", "es"]
        # Geocoded offline from the ZIP code: Hays, Ellis County, and the county's region.
        assert ap.lat is not None and abs(ap.lat - 38.87) < 0.1
        assert ap.city == "Hays" and ap.state == "KS"
        assert ap.county is not None and ap.county.name == "Ellis"
        assert ap.region_id == ap.county.region_id is not None
        change = db.session.scalar(select(AdminChange).where(AdminChange.entity == "access_point",
                                                             AdminChange.entity_id == ap.id))
        assert change is not None and change.action == "created"
        assert change.actor_id == admin_world.users["admin"].id
        assert change.after["closed_dates"] == ["2026-12-25"]
        # Routing uses it at once: a household in Hays goes there.
        location = routing.resolve_location(db.session, "zip:67601")
        result = routing.route(db.session, location, confidential=False, kiosk_access_point_id=None,
                               household=routing.HouseholdProfile())
        assert result.access_point is not None and result.access_point.id == ap.id


def test_a_wrong_field_keeps_everything_typed_and_says_what_is_wrong_next_to_it(
        client: FlaskClient, admin_world: World, as_user: Callable[[str], str]) -> None:
    token = as_user("admin")
    data = {**AP_FORM, "hours_wed": "9 to noon", "closed_dates": "25/12/2026", "csrf_token": token}
    response = client.post("/staff/admin/access-points/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    wed = _field_block(html, "hours_wed")
    assert "could not be read: 9 to noon" in wed
    assert 'aria-invalid="true"' in wed and 'aria-describedby="hours_wed-error"' in wed
    assert 'value="9 to noon"' in wed
    assert "25/12/2026" in _field_block(html, "closed_dates")
    for kept in ("Hays Housing Help", "9:00-12:00, 13:00-17:00", "desk@example.org", "785-555-0199"):
        assert kept in html
    with admin_world.app.app_context():
        assert db.session.scalar(select(AccessPoint).where(AccessPoint.name == "Hays Housing Help")) is None


def test_on_call_phone_and_response_targets(client: FlaskClient, admin_world: World,
                                            as_user: Callable[[str], str]) -> None:
    token = as_user("admin")
    data = {**AP_FORM, "oncall_phone": "(785) 555-0142", "claim_target_minutes": "120",
            "urgent_target_minutes": "30", "contact_target_minutes": "", "csrf_token": token}
    assert client.post("/staff/admin/access-points/new", data=data).status_code == 303
    with admin_world.app.app_context():
        ap = db.session.scalar(select(AccessPoint).where(AccessPoint.name == "Hays Housing Help"))
        assert ap is not None
        assert ap.oncall_phone == "+17855550142"
        assert (ap.claim_target_minutes, ap.urgent_target_minutes, ap.contact_target_minutes) == (120, 30, None)
        ap_id = ap.id
    page = client.get(f"/staff/admin/access-points/{ap_id}").get_data(as_text=True)
    assert 'value="+17855550142"' in page and 'value="120"' in page
    assert "first contact within 480 business minutes" in page
    bad = client.post(f"/staff/admin/access-points/{ap_id}",
                      data={**data, "oncall_phone": "555", "claim_target_minutes": "60"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "not a phone number we can text" in _field_block(html, "oncall_phone")
    assert 'value="555"' in html
    with admin_world.app.app_context():
        assert db.session.get(AccessPoint, ap_id).claim_target_minutes == 120  # nothing saved


def test_an_unknown_zip_is_marked_on_the_zip_field(client: FlaskClient, admin_world: World,
                                                   as_user: Callable[[str], str]) -> None:
    token = as_user("admin")
    response = client.post("/staff/admin/access-points/new", data={**AP_FORM, "zip": "00000", "csrf_token": token})
    assert response.status_code == 422
    assert "We do not know this value" in _field_block(response.get_data(as_text=True), "zip")


def test_edit_is_audited_before_and_after_and_deactivation_stops_routing(
        client: FlaskClient, admin_world: World, as_user: Callable[[str], str]) -> None:
    token = as_user("coordinator")
    ap_id = admin_world.aps["A"].id
    page = client.get(f"/staff/admin/access-points/{ap_id}").get_data(as_text=True)
    assert "Access point Alpha" in page
    data = {**AP_FORM, "name": "Access point Alpha", "region": str(admin_world.aps["A"].region_id),
            "hours_sat": "10:00-14:00", "csrf_token": token}
    assert client.post(f"/staff/admin/access-points/{ap_id}", data=data).status_code == 303
    assert client.post(f"/staff/admin/access-points/{ap_id}/active", data={"csrf_token": token}).status_code == 303
    history = client.get(f"/staff/admin/access-points/{ap_id}").get_data(as_text=True)
    history = history[history.index('<table class="history">'):]
    assert "<td>Cor Dinator</td><td>deactivated</td>" in history and "<td>changed</td>" in history
    with admin_world.app.app_context():
        changes = list(db.session.scalars(select(AdminChange).where(AdminChange.entity_id == ap_id,
                                                                    AdminChange.entity == "access_point")
                                          .order_by(AdminChange.id)))
        assert [c.action for c in changes] == ["updated", "deactivated"]
        assert changes[0].before["hours"] == {} and changes[0].after["hours"]["sat"] == [["10:00", "14:00"]]
        assert changes[1].before == {"active": True} and changes[1].after == {"active": False}
        assert all(c.actor_id == admin_world.users["coordinator"].id for c in changes)
        location = routing.resolve_location(db.session, "zip:67601")
        result = routing.route(db.session, location, confidential=False, kiosk_access_point_id=None,
                               household=routing.HouseholdProfile())
        assert result.access_point is None or result.access_point.id != ap_id
        # Never deleted: the intake still points to it.
        assert db.session.get(AccessPoint, ap_id) is not None
        assert db.session.get(Intake, admin_world.intakes["own"].id).routed_access_point_id == ap_id


def test_a_coordinator_cannot_move_an_access_point_to_another_region(
        client: FlaskClient, admin_world: World, as_user: Callable[[str], str]) -> None:
    token = as_user("coordinator")
    data = {**AP_FORM, "region": str(admin_world.aps["B"].region_id), "csrf_token": token}
    response = client.post(f"/staff/admin/access-points/{admin_world.aps['A'].id}", data=data)
    assert response.status_code == 422
    assert "Not a valid choice" in _field_block(response.get_data(as_text=True), "region")


# -- people ------------------------------------------------------------------------------------


def _link_from(html: str) -> str:
    found = re.search(r'id="one-time-link"[^>]*value="([^"]+)"', html)
    assert found, html
    return found.group(1).split("localhost", 1)[-1]


def test_invite_a_coordinator_who_sets_a_password_once(client: FlaskClient, admin_world: World,
                                                       as_user: Callable[[str], str], app) -> None:
    token = as_user("admin")
    with admin_world.app.app_context():
        from models import Region
        region_id = db.session.scalar(select(Region.id).where(Region.number == 3))
    response = client.post("/staff/admin/people/new", data={
        "display_name": "Cora Region", "email": "Cora@Example.org", "role": "coordinator",
        "region": str(region_id), "language": "es", "csrf_token": token})
    assert response.status_code == 200
    link = _link_from(response.get_data(as_text=True))
    assert "Cora" not in link and "example" not in link  # no personal data in the URL
    fresh = app.test_client()
    page = fresh.get(link)
    assert page.status_code == 200
    form_token = csrf_from(page.get_data(as_text=True))
    short = fresh.post(link, data={"password": "short", "confirm": "short", "csrf_token": form_token})
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    done = fresh.post(link, data={"password": "a long new password", "confirm": "a long new password",
                                  "csrf_token": form_token})
    assert done.status_code == 303
    assert fresh.get(link).status_code == 404  # used once
    assert login(app.test_client(), "cora@example.org", "a long new password").status_code == 303
    with admin_world.app.app_context():
        cora = db.session.scalar(select(User).where(User.email == "cora@example.org"))
        assert cora is not None and cora.role is Role.COORDINATOR and cora.region_id == region_id
        actions = list(db.session.scalars(select(AdminChange.action).where(AdminChange.entity_id == cora.id,
                                                                           AdminChange.entity == "user")))
        assert actions == ["invited", "password_set"]


def test_a_coordinator_cannot_make_an_admin(client: FlaskClient, admin_world: World,
                                            as_user: Callable[[str], str]) -> None:
    token = as_user("coordinator")
    response = client.post("/staff/admin/people/new", data={
        "display_name": "Eve", "email": "eve@example.org", "role": "admin", "region": "", "language": "en",
        "csrf_token": token})
    assert response.status_code == 422
    assert "Not a valid choice" in _field_block(response.get_data(as_text=True), "role")
    with admin_world.app.app_context():
        assert db.session.scalar(select(User).where(User.email == "eve@example.org")) is None


def test_nobody_removes_the_last_admin(client: FlaskClient, admin_world: World,
                                       as_user: Callable[[str], str]) -> None:
    token = as_user("admin")
    admin_id = admin_world.users["admin"].id
    response = client.post(f"/staff/admin/people/{admin_id}/active", data={"csrf_token": token},
                           follow_redirects=True)
    assert "last active CoC admin" in response.get_data(as_text=True)
    demote = client.post(f"/staff/admin/people/{admin_id}", data={
        "display_name": "Ada Admin", "email": "admin@example.org", "role": "staff",
        "access_points": str(admin_world.aps["A"].id), "region": "", "language": "en", "csrf_token": token})
    assert demote.status_code == 422
    assert "last active CoC admin" in _field_block(demote.get_data(as_text=True), "role")
    with admin_world.app.app_context():
        admin = db.session.get(User, admin_id)
        assert admin is not None and admin.active and admin.role is Role.ADMIN


def test_reset_password_unlock_and_deactivate(client: FlaskClient, admin_world: World,
                                              as_user: Callable[[str], str], app) -> None:
    staff_id = admin_world.users["staff"].id
    elsewhere = app.test_client()  # the staff member, signed in on another computer
    assert login(elsewhere, "staff@example.org").status_code == 303
    with admin_world.app.app_context():
        staff = db.session.get(User, staff_id)
        assert staff is not None
        db.session.add(LoginLock(user_id=staff.id, address_index="0" * 64, failures=5,
                                 locked_until=utcnow() + timedelta(minutes=10)))
        db.session.commit()
    token = as_user("coordinator")
    assert client.post(f"/staff/admin/people/{staff_id}/unlock", data={"csrf_token": token}).status_code == 303
    with admin_world.app.app_context():
        staff = db.session.get(User, staff_id)
        assert staff is not None
        assert db.session.scalars(select(LoginLock).where(LoginLock.user_id == staff_id)).all() == []
    assert login(app.test_client(), "staff@example.org").status_code == 303
    reset = client.post(f"/staff/admin/people/{staff_id}/reset", data={"csrf_token": token})
    assert reset.status_code == 200 and "/staff/welcome/" in reset.get_data(as_text=True)
    assert login(app.test_client(), "staff@example.org", PASSWORD).status_code == 401  # the old one is gone
    assert elsewhere.get("/staff/").status_code == 302  # the reset ended the session on the other computer
    assert client.post(f"/staff/admin/people/{staff_id}/active", data={"csrf_token": token}).status_code == 303
    ended = elsewhere.get("/staff/")
    assert ended.status_code == 302 and "/staff/login" in ended.headers["Location"]
    with admin_world.app.app_context():
        actions = list(db.session.scalars(select(AdminChange.action).where(
            AdminChange.entity == "user", AdminChange.entity_id == staff_id).order_by(AdminChange.id)))
        assert actions == ["unlocked", "password_reset", "deactivated"]


# -- kiosks --------------------------------------------------------------------------------------


def test_pair_a_kiosk_by_qr_then_revoke_it(client: FlaskClient, admin_world: World,
                                           as_user: Callable[[str], str], app) -> None:
    token = as_user("admin")
    response = client.post("/staff/admin/kiosks", data={"label": "Front desk", "access_point":
                                                        str(admin_world.aps["A"].id), "csrf_token": token})
    assert response.status_code == 303
    pair_page = response.headers["Location"]
    shown = client.post(pair_page, data={"csrf_token": token}).get_data(as_text=True)
    qr = re.search(r'<img class="qr" src="data:image/svg\+xml;base64,([^"]+)"', shown)
    assert qr, shown
    svg = base64.b64decode(qr.group(1)).decode("utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg and "<path" in svg
    assert "<script" not in svg and "style=" not in svg
    link = re.search(r'id="pair-link"[^>]*value="([^"]+)"', shown)
    assert link
    path = link.group(1).split("localhost", 1)[-1]
    tablet = app.test_client()
    page = tablet.get(path)
    assert page.status_code == 200
    assert tablet.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True))}).status_code == 302
    assert tablet.get("/kiosk/").status_code == 200
    with admin_world.app.app_context():
        from kiosk.device import kiosk_from_token
        paired_cookie = tablet.get_cookie("fd_kiosk")
        assert paired_cookie is not None
        assert kiosk_from_token(db.session, app.config["SECRET_KEY"], paired_cookie.value) is not None
        kiosk = db.session.scalar(select(Kiosk).where(Kiosk.label == "Front desk"))
        assert kiosk is not None and kiosk.paired_at is not None and kiosk.last_seen_at is not None
        kiosk_id = kiosk.id
    assert "ago" in client.get("/staff/admin/kiosks").get_data(as_text=True)
    assert tablet.get(path).status_code == 404  # the link worked once
    assert client.post(f"/staff/admin/kiosks/{kiosk_id}/revoke", data={"csrf_token": token}).status_code == 303
    cookie = tablet.get_cookie("fd_kiosk")
    assert cookie is not None
    with admin_world.app.app_context():
        from kiosk.device import kiosk_from_token
        assert kiosk_from_token(db.session, app.config["SECRET_KEY"], cookie.value) is None  # the tablet is out
        kiosk = db.session.get(Kiosk, kiosk_id)
        assert kiosk is not None and not kiosk.active
        actions = list(db.session.scalars(select(AdminChange.action).where(
            AdminChange.entity == "kiosk", AdminChange.entity_id == kiosk_id).order_by(AdminChange.id)))
        assert actions == ["created", "pairing_started", "revoked"]
        assert all("code" not in str(c.after) for c in db.session.scalars(select(AdminChange)))


# -- regions ---------------------------------------------------------------------------------------


def _upload(client: FlaskClient, token: str, text: str) -> tuple[int, str]:
    from io import BytesIO
    response = client.post("/staff/admin/regions", data={
        "file": (BytesIO(text.encode("utf-8")), "regions.csv"), "csrf_token": token},
        content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def test_upload_a_region_table_check_then_apply(client: FlaskClient, admin_world: World,
                                                as_user: Callable[[str], str]) -> None:
    token = as_user("admin")
    with admin_world.app.app_context():
        current = table_csv(db.session)
    # Move Ellis County (20051) to region 9, named "High Plains".
    lines = current.splitlines()
    lines = [("20051,Ellis,9,High Plains" if line.startswith("20051,") else
              re.sub(r",9,Region 9$", ",9,High Plains", line)) for line in lines]
    status, html = _upload(client, token, "\n".join(lines) + "\n")
    assert status == 200, html
    assert "1 of them change region" in html or "change region" in html
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html)
    assert payload
    response = client.post("/staff/admin/regions", data={"payload": payload.group(1), "filename": "regions.csv",
                                                         "csrf_token": token})
    assert response.status_code == 303
    with admin_world.app.app_context():
        from models import County
        ellis = db.session.scalar(select(County).where(County.fips == "20051"))
        assert ellis is not None and ellis.region is not None
        assert (ellis.region.number, ellis.region.name) == (9, "High Plains")
        change = db.session.scalar(select(AdminChange).where(AdminChange.entity == "region_table"))
        assert change is not None and change.after["counties"]["20051"] == 9


def test_a_bad_region_table_changes_nothing_and_names_each_line(client: FlaskClient, admin_world: World,
                                                                as_user: Callable[[str], str]) -> None:
    token = as_user("admin")
    with admin_world.app.app_context():
        current = table_csv(db.session)
    lines = current.splitlines()
    lines.insert(3, lines[2])  # a county twice (line 4)
    lines.insert(4, "99999,Nowhere,1,Region 1")  # unknown FIPS (line 5)
    lines = [line for line in lines if not line.startswith("20051,")]  # Ellis missing
    status, html = _upload(client, token, "\n".join(lines) + "\n")
    assert status == 422
    assert "This county appears twice." in html and "This FIPS code is not a county of the CoC." in html
    assert "This county is missing from the table." in html and "20051 Ellis" in html
    assert "<td>4</td>" in html and "<td>5</td>" in html
    with admin_world.app.app_context():
        assert not list(db.session.scalars(select(AdminChange).where(AdminChange.entity == "region_table")))


def test_the_region_map_is_drawn_from_shipped_shapes(client: FlaskClient, admin_world: World,
                                                     as_user: Callable[[str], str]) -> None:
    as_user("coordinator")
    html = client.get("/staff/admin/regions").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert svg.count("<path ") == 105
    assert '<title id="map-title">' in svg and 'role="img"' in svg
    assert "<title>Ellis" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no tiles, nothing fetched
    assert "region 1 (Region one) has" in html
    assert '<caption>County to region table</caption>' in html


# -- the kiosk confirmation ------------------------------------------------------------------------


def test_the_confirmation_shows_a_holiday_as_closed(admin_world: World) -> None:
    from kiosk.presenters import confirmation

    chicago = ZoneInfo("America/Chicago")
    now = datetime(2026, 12, 25, 10, 0, tzinfo=chicago)  # Friday, during opening hours but a holiday
    with admin_world.app.test_request_context():
        ap = db.session.get(AccessPoint, admin_world.aps["A"].id)
        assert ap is not None
        ap.hours = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
        ap.closed_dates = ["2026-12-25"]
        db.session.commit()
        intake = db.session.get(Intake, admin_world.intakes["own"].id)
        info = confirmation(db.session, intake, now=now)
        assert not info.open_now
        assert info.opens_at is not None and "Saturday" in info.opens_at
        assert info.closed_days and "December 25" in info.closed_days[0]


# -- directory import in the browser ---------------------------------------------------------------


def test_directory_upload_dry_run_then_apply(client: FlaskClient, admin_world: World,
                                             as_user: Callable[[str], str]) -> None:
    from io import BytesIO

    from services.hsds import OWN_COLUMNS

    token = as_user("admin")
    header = ",".join(OWN_COLUMNS)
    row = "colby-help,Colby Help,physical,,,,67701,,,,,America/Chicago,en,all,,2026-12-25,no" \
        + ',"9-12, 13-17"' * 5 + ",,"
    response = client.post("/staff/admin/directory", data={
        "file": (BytesIO(f"{header}\n{row}\n".encode()), "aps.csv"), "csrf_token": token},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "Added: 1." in html and "Colby Help" in html
    with admin_world.app.app_context():
        assert db.session.scalar(select(AccessPoint).where(AccessPoint.slug == "colby-help")) is None
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html)
    assert payload
    applied = client.post("/staff/admin/directory", data={"payload": payload.group(1), "filename": "aps.csv",
                                                          "csrf_token": token})
    assert applied.status_code == 303
    with admin_world.app.app_context():
        ap = db.session.scalar(select(AccessPoint).where(AccessPoint.slug == "colby-help"))
        assert ap is not None and ap.hours["fri"] == [["09:00", "12:00"], ["13:00", "17:00"]]
        assert ap.closed_dates == ["2026-12-25"] and ap.city == "Colby"


def test_directory_upload_reports_bad_rows_by_line(client: FlaskClient, admin_world: World,
                                                   as_user: Callable[[str], str]) -> None:
    from io import BytesIO

    token = as_user("admin")
    response = client.post("/staff/admin/directory", data={
        "file": (BytesIO(b"slug,name,zip\nok-one,OK,67601\nbad,Bad,00000\n"), "aps.csv"), "csrf_token": token},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<td>line 3</td><td>zip: unknown</td>" in html
    assert "Apply these changes" not in html


def test_the_invitation_and_a_reset_are_e_mailed_in_the_persons_language(client: FlaskClient, admin_world: World,
                                                                        as_user: Callable[[str], str]) -> None:
    """The one-time link goes out through the outbox to a real SMTP server, in the person's language."""
    from services import outbox
    from services.mail import build_mail_sender
    from services.sms_sender import FakeSender
    from tests.smtp_server import smtp_server

    token = as_user("admin")
    with admin_world.app.app_context():
        from models import Region
        region_id = db.session.scalar(select(Region.id).where(Region.number == 3))
    invited = client.post("/staff/admin/people/new", data={
        "display_name": "Cora Region", "email": "Cora@Example.org", "role": "coordinator",
        "region": str(region_id), "language": "es", "csrf_token": token})
    link = _link_from(invited.get_data(as_text=True))
    with admin_world.app.app_context():
        cora_id = db.session.scalar(select(User.id).where(User.email == "cora@example.org"))
    reset = client.post(f"/staff/admin/people/{cora_id}/reset", data={"csrf_token": token})
    second = _link_from(reset.get_data(as_text=True))
    with smtp_server() as (inbox, port), admin_world.app.app_context():
        mailer = build_mail_sender({"MAIL_URL": f"smtp://127.0.0.1:{port}"})
        while outbox.deliver_pending(db.session, FakeSender(), mailer=mailer):
            pass
        received = list(inbox.received)
    assert [r.rcpt_tos for r in received] == [["cora@example.org"], ["cora@example.org"]]
    assert link in received[0].text and second in received[1].text
    assert "Elija su contraseña" in received[0].text  # Spanish, as the person's language says


def test_the_admin_page_counts_staff_alerts_that_failed_for_good(client: FlaskClient, admin_world: World,
                                                                  as_user: Callable[[str], str]) -> None:
    from models.sms import OutboxMessage, OutboxStatus
    from services import outbox

    with admin_world.app.app_context():
        for purpose, status in [("alert_escalation", OutboxStatus.FAILED), ("alert_new", OutboxStatus.FAILED),
                                ("alert_new", OutboxStatus.SENT), ("confirmation", OutboxStatus.FAILED)]:
            message = outbox.enqueue_email(db.session, to="desk@alpha.example", subject="S", body="B",
                                           purpose=purpose)
            message.status = status
        db.session.commit()
        assert db.session.query(OutboxMessage).count() == 4
    as_user("admin")
    page = client.get("/staff/admin/").get_data(as_text=True)
    assert "2 staff alerts could not be sent in the last 7 days" in page
    assert "desk@alpha.example" not in page
    client.post("/staff/logout", data={"csrf_token": csrf_from(page)})
    as_user("coordinator")
    assert "could not be sent" not in client.get("/staff/admin/").get_data(as_text=True)


def test_the_languages_page_shows_each_language_and_its_review(client: FlaskClient, admin_world: World,
                                                               as_user: Callable[[str], str]) -> None:
    from intake_forms import languages

    as_user("coordinator")
    html = client.get("/staff/admin/languages").get_data(as_text=True)
    for lang in languages.REGISTRY:
        assert f'<span lang="{lang.code}" dir="{lang.direction.value}">{lang.native_name}</span>' in html
    assert "read by a native speaker" in html and "spoken and keypad" in html
    assert "translations/&lt;language code&gt;/LC_MESSAGES/messages.po" in html  # the path shown whole
    assert html.count("<code>machine-drafted</code>") == 4 and "right to left" in html
    assert "<code>Polly.Zeina</code>, <code>ar-SA</code>" in html and "<code>UCS-2</code>" in html
    assert "review=Review.COMMUNITY_REVIEWED" in html
    assert 'href="/staff/admin/languages"' in client.get("/staff/admin/").get_data(as_text=True)

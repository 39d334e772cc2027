"""Street outreach: where a household was met (rounded, encrypted), the contact log, the county map."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import shapely
from flask.testing import FlaskClient
from sqlalchemy import func, select

from extensions import db
from intake_forms import QUESTIONS
from models import Channel, ContactResult, County, Intake, IntakeStatus, OutreachContact, Region, Role, User
from models.base import utcnow
from services import outreach, regions
from services.intake import start_intake
from services.pii import current_cipher

from .conftest import World, add_user, csrf_from, make_intake

HAYS = ("38.87934", "-99.32671")  # in Ellis County
ELLIS, DOUGLAS, TREGO = "20051", "20045", "20195"


@pytest.fixture
def field(world: World) -> World:
    """Add counties to the world (Ellis and Trego in region one, Douglas in region two) and a worker."""
    with world.app.app_context():
        s = db.session
        r1, r2 = s.scalars(select(Region).order_by(Region.number)).all()
        coc = r1.coc_id
        s.add_all([County(fips=ELLIS, name="Ellis", coc_id=coc, region_id=r1.id),
                   County(fips=TREGO, name="Trego", coc_id=coc, region_id=r1.id),
                   County(fips=DOUGLAS, name="Douglas", coc_id=coc, region_id=r2.id)])
        world.users["outreach"] = add_user(s, "walk@example.org", Role.OUTREACH, region=r1, name="Oli Outreach")
        world.users["outreach_b"] = add_user(s, "walkb@example.org", Role.OUTREACH, region=r2, name="Ora Other")
        s.commit()
        for user in world.users.values():
            s.refresh(user) if user in s else None
    return world


def user(name: str, world: World) -> User:
    found = db.session.get(User, world.user_id(name))
    assert found is not None
    return found


# -- where the household was met ------------------------------------------------------------------


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    ("38.87934", "-99.32671", "38.879,-99.327"),
    ("38.8795", "-99.3265", "38.880,-99.326"),  # rounds to the nearest 0.001 degree
    (" 39.0 ", "-95.25", "39.000,-95.250"),
])
def test_a_position_is_rounded_to_about_100_metres(lat: str, lon: str, expected: str) -> None:
    assert outreach.rounded_position(lat, lon) == expected


@pytest.mark.parametrize(("lat", "lon"), [("91", "0"), ("0", "181"), ("nan", "0"), ("inf", "1"), ("here", "1")])
def test_an_impossible_position_is_refused(lat: str, lon: str) -> None:
    with pytest.raises(outreach.OutreachError):
        outreach.rounded_position(lat, lon)


def test_the_county_of_a_position_is_found_on_this_machine() -> None:
    assert regions.county_at(-99.327, 38.879) == ELLIS
    assert regions.county_at(-95.235, 38.972) == DOUGLAS
    assert regions.county_at(-80.0, 40.0) is None


def test_every_shipped_county_is_found_at_a_point_inside_it() -> None:
    for fips, (_name, ring) in regions.county_shapes().items():
        inside = shapely.Polygon(ring).representative_point()
        assert regions.county_at(inside.x, inside.y) == fips


def test_where_met_is_stored_rounded_and_encrypted(field: World) -> None:
    with field.app.app_context():
        s = db.session
        intake = start_intake(s, channel=Channel.ASSISTED, assisted_by_id=field.user_id("outreach"))
        outreach.record_met_where(s, intake, place="  7th and   Main ", latitude=HAYS[0], longitude=HAYS[1])
        s.expire_all()
        stored = s.get(Intake, intake.id)
        assert stored is not None and stored.met_where_enc is not None
        assert b"38.87" not in stored.met_where_enc and b"Main" not in stored.met_where_enc
        assert current_cipher().decrypt(stored.met_where_enc) == "38.879,-99.327; 7th and Main"
        assert stored.met_county_fips == ELLIS  # from the rounded position, found locally


def test_where_met_needs_something(field: World) -> None:
    with field.app.app_context():
        intake = start_intake(db.session, channel=Channel.ASSISTED, assisted_by_id=field.user_id("outreach"))
        with pytest.raises(outreach.OutreachError) as raised:
            outreach.record_met_where(db.session, intake)
        assert raised.value.code == "where_empty"


# -- the contact log ------------------------------------------------------------------------------


def test_a_contact_is_logged_without_a_name_and_the_place_encrypted(client: FlaskClient, field: World,
                                                                    signed_in: Any) -> None:
    token = signed_in("outreach")
    page = client.get("/staff/outreach")
    assert page.status_code == 200 and "geolocation=(self)" in page.headers["Permissions-Policy"]
    html = page.get_data(as_text=True)
    assert "<script>" not in html and 'src="/static/js/outreach.js"' in html  # strict CSP: no inline script
    response = client.post("/staff/outreach/contacts", data={
        "csrf_token": token, "met_on": utcnow().date().isoformat(), "county": TREGO, "place": "Under the bridge",
        "people": "3", "language": "es", "result": "referred_shelter"})
    assert response.status_code == 303
    with field.app.app_context():
        (contact,) = db.session.scalars(select(OutreachContact)).all()
        assert (contact.people, contact.county_fips, contact.language, contact.result.value) == (
            3, TREGO, "es", "referred_shelter")
        assert contact.region_id is not None and contact.user_id == field.user_id("outreach")
        assert contact.place_enc is not None and b"bridge" not in contact.place_enc
        assert current_cipher().decrypt(contact.place_enc) == "Under the bridge"
        columns = {c.name for c in OutreachContact.__table__.columns}
        assert not any("name" in c for c in columns)
    assert "Referred to shelter" in client.get("/staff/outreach").get_data(as_text=True)


def test_a_bad_contact_gets_a_kind_message_and_keeps_what_was_typed(client: FlaskClient, field: World,
                                                                    signed_in: Any) -> None:
    token = signed_in("outreach")
    response = client.post("/staff/outreach/contacts", data={
        "csrf_token": token, "met_on": utcnow().date().isoformat(), "county": TREGO, "place": "By the grain elevator",
        "people": "0", "language": "en", "result": "engaged"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "how many people you met" in html and "By the grain elevator" in html
    with field.app.app_context():
        assert db.session.scalars(select(OutreachContact)).first() is None


# -- sent twice, kept once (one-time submission keys) ---------------------------------------------

_KEY_FIELD = re.compile(r'name="submission_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="submission_key"')


def key_from(html: str) -> str:
    found = _KEY_FIELD.search(html)
    assert found, "no submission key on the page"
    return found.group(1) or found.group(2)


def test_a_contact_form_sent_twice_is_logged_once(client: FlaskClient, field: World, signed_in: Any) -> None:
    token = signed_in("outreach")
    page = client.get("/staff/outreach").get_data(as_text=True)
    key = key_from(page)
    assert key != key_from(client.get("/staff/outreach").get_data(as_text=True))  # one per page
    form = {"csrf_token": token, "met_on": utcnow().date().isoformat(), "county": TREGO, "people": "2",
            "language": "en", "result": "engaged", "submission_key": key}
    first = client.post("/staff/outreach/contacts", data=form)
    again = client.post("/staff/outreach/contacts", data=form, headers={"X-Background-Send": "1"})
    assert first.status_code == 303 and again.status_code == 200 and again.json == {"next": "/staff/outreach"}
    other_page = client.post("/staff/outreach/contacts", data={**form, "submission_key": outreach.new_submission_key()})
    assert other_page.status_code == 303
    with field.app.app_context():
        rows = db.session.scalars(select(OutreachContact).order_by(OutreachContact.id)).all()
        assert [r.submission_key for r in rows] == [key, rows[1].submission_key] and rows[1].submission_key != key


def test_a_page_without_a_key_or_with_a_broken_one_still_logs(field: World) -> None:
    with field.app.app_context():
        worker = user("outreach", field)
        for key in (None, "", "short", "<script>" * 4):
            outreach.log_contact(db.session, worker, met_on=utcnow().date(), county_fips=TREGO, people=1,
                                 language="en", result="engaged", key=key)
        assert [c.submission_key for c in db.session.scalars(select(OutreachContact))] == [None] * 4


def test_another_workers_key_is_refused_kindly(client: FlaskClient, field: World, signed_in: Any) -> None:
    key = outreach.new_submission_key()
    with field.app.app_context():
        outreach.log_contact(db.session, user("outreach_b", field), met_on=utcnow().date(), county_fips=DOUGLAS,
                             people=1, language="en", result="declined", key=key)
    token = signed_in("outreach")
    response = client.post("/staff/outreach/contacts", data={
        "csrf_token": token, "met_on": utcnow().date().isoformat(), "county": TREGO, "place": "Old mill",
        "people": "4", "language": "en", "result": "engaged", "submission_key": key})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "already sent" in html and "Old mill" in html
    with field.app.app_context():
        (contact,) = db.session.scalars(select(OutreachContact)).all()
        assert contact.user_id == field.user_id("outreach_b")


def test_a_start_page_sent_twice_starts_one_intake(field: World) -> None:
    key = outreach.new_submission_key()
    with field.app.app_context():
        s = db.session
        worker, other = user("outreach", field), user("outreach_b", field)
        first = outreach.start_with_household(s, worker, language="es", key=key)
        again = outreach.start_with_household(s, worker, language="es", key=key)
        assert again.id == first.id and first.start_key == key and first.assisted_by_id == worker.id
        # Not someone else's intake, nor one that is over: those start afresh (without the key).
        theirs = outreach.start_with_household(s, other, language="en", key=key)
        first.status = IntakeStatus.ABANDONED
        s.commit()
        later = outreach.start_with_household(s, worker, language="en", key=key)
        assert len({first.id, theirs.id, later.id}) == 3 and theirs.start_key is None is later.start_key
        assert s.scalar(select(func.count()).select_from(Intake)
                        .where(Intake.assisted_by_id.in_([worker.id, other.id]))) == 3


def test_the_assisted_start_page_carries_a_key_and_a_replay_goes_on_with_the_same_intake(
        client: FlaskClient, field: World, signed_in: Any) -> None:
    token = signed_in("outreach")
    start = client.get("/staff/assist/").get_data(as_text=True)
    key = key_from(start)
    title = re.search(r"<title>(.*?)</title>", start, re.S)
    assert title and title.group(1).startswith("Start") and "<" not in title.group(1)  # no links in the title
    before = client.get_cookie("session")
    assert before is not None
    sent = client.post("/staff/assist/start", data={"csrf_token": token, "lang": "es", "submission_key": key},
                       headers={"X-Background-Send": "1"})
    assert sent.status_code == 200 and sent.json == {"next": "/staff/assist/where"}
    # The answer was lost on the way: the browser still has its old session cookie and sends again.
    client.set_cookie("session", before.value)
    again = client.post("/staff/assist/start", data={"csrf_token": token, "lang": "es", "submission_key": key})
    assert again.status_code == 302 and again.headers["Location"] == "/staff/assist/where"
    assert client.get("/staff/assist/where").status_code == 200  # the session holds that intake
    with field.app.app_context():
        (intake,) = db.session.scalars(select(Intake).where(Intake.channel == Channel.ASSISTED)).all()
        assert intake.start_key == key and intake.language == "es"
    # Web and kiosk start pages carry no key.
    assert "submission_key" not in client.get("/intake/").get_data(as_text=True)


# -- the map --------------------------------------------------------------------------------------


def add_contacts(field: World, county: str, people: int, *, days_ago: int = 1, worker: str = "outreach") -> None:
    with field.app.app_context():  # straight into the table: the log refuses dates over a month old
        who = user(worker, field)
        db.session.add(OutreachContact(user_id=who.id, region_id=who.region_id, county_fips=county, people=people,
                                       met_on=utcnow().date() - timedelta(days=days_ago), language="en",
                                       result=ContactResult.ENGAGED))
        db.session.commit()


def add_field_intakes(field: World, county: str, n: int, *, confidential: bool = False) -> None:
    with field.app.app_context():
        s = db.session
        ap = field.aps["V" if confidential else "A"]
        for _ in range(n):
            intake = make_intake(s, ap, channel=Channel.ASSISTED, confidential=confidential)
            intake.assisted_by_id = field.user_id("outreach")
            intake.met_county_fips = county
        s.commit()


def test_the_map_counts_per_county_hides_small_cells_and_never_counts_confidential_intakes(field: World) -> None:
    add_contacts(field, ELLIS, 4)
    add_contacts(field, ELLIS, 3)
    add_field_intakes(field, ELLIS, 2)
    add_field_intakes(field, ELLIS, 6, confidential=True)
    add_contacts(field, TREGO, 2)
    add_contacts(field, TREGO, 9, days_ago=60)  # outside the range
    add_contacts(field, DOUGLAS, 8, worker="outreach_b")  # another region
    with field.app.app_context():
        r1 = user("outreach", field).region_id
        assert r1 is not None
        today = utcnow().date()
        rows = {r.fips: r for r in outreach.county_counts(db.session, r1, today - timedelta(days=30), today)}
    assert set(rows) == {ELLIS, TREGO}
    assert (rows[ELLIS].contacts, rows[ELLIS].intakes, rows[ELLIS].total) == (7, 2, 9)
    assert (rows[TREGO].contacts, rows[TREGO].intakes) == (2, 0)
    assert [outreach.shown(n) for n in (0, 1, 4, 5, 9)] == [None, None, None, 5, 9]
    assert [outreach.band(n) for n in (0, 4, 5, 19, 20)] == [0, 1, 2, 2, 3]
    assert rows[ELLIS].total_shown is None  # 9 - 7 would give the 2 intakes away
    assert outreach.CountyCount(ELLIS, "Ellis", 6, 5).total_shown == 11


def cells(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [c.strip() for c in re.findall(r"<td>(.*?)</td>", body)]


def test_the_coordinator_sees_their_region_on_the_map_with_no_number_below_five(
        client: FlaskClient, field: World, signed_in: Any) -> None:
    add_contacts(field, ELLIS, 7)
    add_field_intakes(field, ELLIS, 2)
    add_contacts(field, TREGO, 1)
    add_contacts(field, DOUGLAS, 30, worker="outreach_b")
    signed_in("coordinator")
    page = client.get("/staff/outreach/map")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ellis" in html and "Douglas</th>" not in html
    values = cells(html)
    # Ellis: 7 met and 2 intakes; the total is not a number, or 9 - 7 would give the 2 away.
    assert values == ["7", "fewer than 5", "5 or more", "fewer than 5", "fewer than 5", "fewer than 5"]
    assert not any(v.isdigit() and int(v) < 5 for v in values)
    assert 'class="band-2"' in html and 'class="band-1"' in html  # Ellis 9, Trego 1: shaded, no dots
    assert "<circle" not in html


# -- authorization --------------------------------------------------------------------------------

ROUTES = [("GET", "/staff/outreach"), ("POST", "/staff/outreach/contacts"), ("GET", "/staff/outreach/map"),
          ("GET", "/staff/assist/"), ("POST", "/staff/assist/start"), ("GET", "/staff/assist/where"),
          ("GET", "/staff/assist/exit")]
# role -> the status each route answers (POSTs with a valid contact / language). "Where did you
# meet" is for roles that do outreach; plain staff starting an intake go straight to the questions.
MATRIX = {
    "admin": [403, 403, 200, 403, 403, 403, 403],
    "coordinator": [200, 303, 200, 200, 302, 200, 302],
    "outreach": [200, 303, 403, 200, 302, 200, 302],
    "staff": [403, 403, 403, 200, 302, 302, 302],
    "vsp": [403, 403, 403, 403, 403, 403, 403],
}


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_authorization_matrix_of_the_new_routes(client: FlaskClient, field: World, signed_in: Any, role: str) -> None:
    token = signed_in(role)
    forms = {"/staff/outreach/contacts": {"met_on": utcnow().date().isoformat(), "county": ELLIS, "people": "1",
                                          "language": "en", "result": "declined"},
             "/staff/assist/start": {"lang": "en"}}
    got = []
    for method, path in ROUTES:
        if method == "GET":
            got.append(client.get(path).status_code)
        else:
            got.append(client.post(path, data={"csrf_token": token, **forms[path]}).status_code)
    assert got == MATRIX[role], list(zip(ROUTES, got, strict=True))
    assert client.get("/staff/").status_code == 200  # still signed in after the assisted exit


def test_anonymous_visitors_are_sent_to_sign_in_on_every_new_route(client: FlaskClient, field: World) -> None:
    for method, path in ROUTES:
        response = client.get(path) if method == "GET" else client.post(path, data={})
        if response.status_code == 400:  # a POST without a CSRF token is refused before anything
            continue
        if response.status_code == 302 and response.headers["Location"] == "/staff/assist/":
            response = client.get("/staff/assist/")  # an expired form goes back to the start, which asks to sign in
        assert response.status_code == 302, (path, response.status_code)
        assert "/staff/login" in response.headers["Location"], path


def every_assisted_route(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /staff/assist, from its URL map (so a route added
    later is covered too); a question is asked by its key."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff/assist"):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((method, rule.rule.replace("<key>", QUESTIONS[1].key)))
    return sorted(found)


def test_every_assisted_route_is_refused_to_roles_that_do_not_assist(client: FlaskClient, field: World,
                                                                      signed_in: Any) -> None:
    routes = every_assisted_route(field.app)
    assert len(routes) >= 15 and ("POST", "/staff/assist/submit") in routes
    for role in ("admin", "vsp"):
        token = signed_in(role)
        for method, path in routes:
            response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
            assert response.status_code == 403, (role, method, path, response.status_code)
        client.post("/staff/logout", data={"csrf_token": token})
    for method, path in routes:  # signed out: every one asks to sign in (or refuses a POST without a token)
        response = client.get(path) if method == "GET" else client.post(path, data={})
        if response.status_code == 302 and response.headers["Location"].startswith("/staff/assist/"):
            response = client.get(response.headers["Location"])  # an expired form goes back to a page
        assert response.status_code == 400 or "/staff/login" in response.headers.get("Location", ""), (method, path)


@pytest.mark.parametrize("role", ["staff", "outreach", "coordinator"])
def test_every_assisted_route_answers_the_roles_that_assist(client: FlaskClient, field: World, signed_in: Any,
                                                            role: str) -> None:
    token = signed_in(role)
    client.post("/staff/assist/start", data={"csrf_token": token, "lang": "en"})
    for method, path in every_assisted_route(field.app):
        if path in ("/staff/assist/exit", "/staff/assist/finish"):
            continue  # they end the walk (the matrix above covers the exit)
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
        assert response.status_code in (200, 302, 303, 422), (role, method, path, response.status_code)
        assert "/staff/login" not in response.headers.get("Location", ""), (role, method, path)


def test_an_outreach_worker_sees_their_region_queue_and_the_intakes_they_walked(
        client: FlaskClient, field: World, signed_in: Any) -> None:
    add_field_intakes(field, ELLIS, 1)
    signed_in("outreach")
    queue = client.get("/staff/").get_data(as_text=True)
    with field.app.app_context():
        own = db.session.get(Intake, field.intakes["own"].id)
        other = db.session.get(Intake, field.intakes["other"].id)
        walked = db.session.scalars(select(Intake).where(Intake.assisted_by_id == field.user_id("outreach"))).one()
        codes = (own.reference_code, other.reference_code, walked.reference_code)  # type: ignore[union-attr]
    assert codes[0] in queue and codes[1] not in queue  # region one's access point, not region two's
    assert client.get(f"/staff/intakes/{field.intakes['own'].public_id}").status_code == 200
    assert client.get(f"/staff/intakes/{field.intakes['other'].public_id}").status_code == 404
    assert client.get(f"/staff/intakes/{field.intakes['confidential'].public_id}").status_code == 404
    assert codes[2] in client.get("/staff/outreach").get_data(as_text=True)
    assert csrf_from(queue)


def test_an_intake_started_in_the_field_records_where_and_shows_on_the_map(
        client: FlaskClient, field: World, signed_in: Any) -> None:
    token = signed_in("outreach")
    start = client.post("/staff/assist/start", data={"csrf_token": token, "lang": "es"})
    assert start.headers["Location"] == "/staff/assist/where"
    page = client.get("/staff/assist/where")
    html = page.get_data(as_text=True)
    assert "Where did you meet?" in html  # the worker's language around the household's intake
    assert "geolocation=(self)" in page.headers["Permissions-Policy"] and "<script>" not in html
    empty = client.post("/staff/assist/where", data={"csrf_token": csrf_from(html), "action": "next"})
    assert empty.status_code == 422 and "choose the county" in empty.get_data(as_text=True)
    sent = client.post("/staff/assist/where", data={"csrf_token": csrf_from(html), "action": "next", "county": "",
                                                    "latitude": HAYS[0], "longitude": HAYS[1]})
    assert sent.status_code == 302 and "/staff/assist/q/" in sent.headers["Location"]
    with field.app.app_context():
        intake = db.session.scalars(select(Intake).where(Intake.channel == Channel.ASSISTED)).one()
        assert intake.met_county_fips == ELLIS and intake.language == "es"
        assert outreach.met_where(intake) == "38.879,-99.327"

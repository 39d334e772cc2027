"""The queue: order, filters, counts, pagination, scope; and possible duplicates."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from models import Channel, Track, User
from services import queue
from services.pii import current_cipher

from .conftest import World, csrf_from, make_intake, minutes_ago


def _user(key: str, world: World) -> User:
    user = db.session.get(User, world.user_id(key))
    assert user is not None
    return user


def test_order_is_priority_then_waiting_time(app: Flask, world: World) -> None:
    with app.app_context():
        ap = world.aps["A"]
        ap = db.session.merge(ap)
        made = {
            "p2_old": make_intake(db.session, ap, priority=2, submitted_at=minutes_ago(300)),
            "p2_new": make_intake(db.session, ap, priority=2, submitted_at=minutes_ago(5)),
            "p7_new": make_intake(db.session, ap, priority=7, submitted_at=minutes_ago(1)),
            "p0_oldest": make_intake(db.session, ap, priority=0, submitted_at=minutes_ago(9000)),
        }
        db.session.commit()
        ids = {i.public_id: name for name, i in made.items()}
        ids[world.intakes["own"].public_id] = "own_p5"
        page = queue.queue_page(db.session, _user("staff", world))
        assert [ids[r.public_id] for r in page.rows] == ["p7_new", "own_p5", "p2_old", "p2_new", "p0_oldest"]
        assert page.counts["total"] == 5


def test_filters_counts_and_pages(app: Flask, world: World) -> None:
    with app.app_context():
        ap = db.session.merge(world.aps["A"])
        for n in range(30):
            make_intake(db.session, ap, priority=n % 3, channel=Channel.SMS if n % 2 else Channel.KIOSK,
                        language="es" if n % 5 == 0 else "en", callback=n % 10 == 0,
                        track=Track.PREVENTION if n % 3 == 0 else Track.HOMELESS, diversion=n == 4)
        db.session.commit()
        staff = _user("staff", world)
        assert queue.queue_page(db.session, staff).total == 31
        first = queue.queue_page(db.session, staff, per_page=25)
        second = queue.queue_page(db.session, staff, page=2, per_page=25)
        assert first.pages == 2 and len(first.rows) == 25 and len(second.rows) == 6
        assert not {r.public_id for r in first.rows} & {r.public_id for r in second.rows}
        sms = queue.queue_page(db.session, staff, queue.QueueFilters(channel="sms"))
        assert sms.total == 15 and all(r.channel == "sms" for r in sms.rows)
        spanish = queue.queue_page(db.session, staff, queue.QueueFilters(language="es"))
        assert spanish.total == 6
        callbacks = queue.queue_page(db.session, staff, queue.QueueFilters(flag="callback_requested"))
        assert callbacks.total == 3 and all("callback_requested" in r.flags for r in callbacks.rows)
        assert first.counts["callback_requested"] == 3
        assert first.counts["diversion_candidate"] == 1
        assert first.counts["prevention"] == 10
        assert first.counts["unclaimed"] == 31 and first.counts["mine"] == 0
        intake_id = first.rows[0].public_id
        target = queue.find_intake(db.session, staff, intake_id)
        assert target is not None and queue.claim(db.session, target, staff)
        mine = queue.queue_page(db.session, staff, queue.QueueFilters(claim="mine"))
        assert [r.public_id for r in mine.rows] == [intake_id] and mine.rows[0].claimed_by_me
        # Out-of-scope access point filter shows nothing rather than someone else's queue.
        other = queue.queue_page(db.session, staff, queue.QueueFilters(access_point_id=world.aps["B"].id))
        assert other.total == 0 and other.rows == ()


def test_closed_intakes_leave_the_queue(app: Flask, world: World) -> None:
    from services import staff_actions

    with app.app_context():
        staff = _user("staff", world)
        intake = queue.find_intake(db.session, staff, world.intakes["own"].public_id)
        assert intake is not None and queue.claim(db.session, intake, staff)
        staff_actions.record_outcome(db.session, intake, staff, outcome="unable_to_contact", cipher=current_cipher())
        assert queue.queue_page(db.session, staff).total == 0


def test_queue_page_shows_reasons_flags_and_refreshes(client: FlaskClient, world: World, signed_in) -> None:
    signed_in("staff")
    body = client.get("/staff/").get_data(as_text=True)
    assert "Slept outside" in body and "Children" in body
    assert "queue.js" in body and 'data-refresh-seconds="60"' in body
    assert world.intakes["own"].reference_code in body
    filtered = client.get("/staff/?channel=sms").get_data(as_text=True)
    assert world.intakes["own"].reference_code not in filtered
    # Reason chips are shown in the staff member's language.
    with client.application.app_context():
        user = db.session.get(User, world.user_id("staff"))
        assert user is not None
        user.language = "es"
        db.session.commit()
    body = client.get("/staff/").get_data(as_text=True)
    assert "Durmió afuera" in body and "Slept outside" not in body


def test_possible_duplicates_by_phone_and_by_name_and_birth_date(app: Flask, world: World) -> None:
    with app.app_context():
        ap = db.session.merge(world.aps["A"])
        same_phone = make_intake(db.session, ap, phone="+17855550111")
        same_person = make_intake(db.session, ap, name="  maría   ALPHA ", dob="1980-03-25")
        different = make_intake(db.session, ap, name="Maria Alpha", dob="1981-03-25")
        elsewhere = make_intake(db.session, db.session.merge(world.aps["B"]), phone="+17855550111")
        db.session.commit()
        staff = _user("staff", world)
        intake = queue.find_intake(db.session, staff, world.intakes["own"].public_id)
        assert intake is not None
        found = {d.public_id: d.reason for d in queue.possible_duplicates(db.session, staff, intake, current_cipher())}
        assert found == {same_phone.public_id: "phone", same_person.public_id: "name_dob"}
        assert different.public_id not in found and elsewhere.public_id not in found


def test_the_households_language_is_named_not_coded(client: FlaskClient, world: World, signed_in) -> None:
    with client.application.app_context():
        ap = db.session.merge(world.aps["A"])
        spanish = make_intake(db.session, ap, language="es")
        db.session.commit()
        public_id, code = spanish.public_id, spanish.reference_code
    signed_in("staff")
    queue_html = client.get("/staff/?language=es").get_data(as_text=True)
    assert code in queue_html and "<td>Spanish</td>" in queue_html
    page = client.get(f"/staff/intakes/{public_id}").get_data(as_text=True)
    assert "<dd>Spanish</dd>" in page


def test_the_icon_and_automatic_refreshes_send_no_session_cookie(client: FlaskClient, world: World,
                                                                 signed_in) -> None:
    """A background fetch answered with a cookie could land after the member signed out and in
    again, replacing the new session (and its CSRF token): those answers leave the session alone."""
    signed_in("staff")
    client.get("/staff/")  # the first page writes what the session needs
    assert "Set-Cookie" not in client.get("/staff/favicon.svg?n=0").headers
    assert "Set-Cookie" not in client.get("/staff/?auto=1").headers
    # Signed out meanwhile: the plain icon, still without a cookie.
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/staff/").get_data(as_text=True))})
    client.delete_cookie("session")
    icon = client.get("/staff/favicon.svg?n=0")
    assert icon.status_code == 302 and icon.headers["Location"].endswith("/static/favicon.svg")
    assert "Set-Cookie" not in icon.headers

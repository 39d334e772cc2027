"""Queue pages reached by a cursor (the Next and Previous links), and the capped urgent count."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from extensions import db
from models import Intake, User
from models.base import utcnow
from services import queue

from .conftest import World, make_intake, minutes_ago
from .test_queue_pages import _full_sort

USERS = ("staff", "staff_v", "vsp", "coordinator", "admin")


def _tied_queue(world: World, count: int = 60) -> None:
    """Open intakes that tie on every sort key but the row number: three priorities, two
    submission times, some overdue (two groups), some confidential (sealed for most people)."""
    now = utcnow()
    same = [now - timedelta(hours=3), now - timedelta(hours=1)]
    aps = [db.session.merge(world.aps[key]) for key in ("A", "B", "V")]
    for n in range(count):
        ap = aps[n % 3]
        intake = make_intake(db.session, ap, priority=(0, 4, 7)[n % 3 if n % 4 else 0], callback=n % 10 == 0,
                             confidential=ap.slug == "ap-v" and n % 2 == 0, submitted_at=same[n % 2])
        if n % 5 == 0:
            intake.due_at = now - timedelta(minutes=30)
        elif n % 7 == 0:
            intake.escalation = 1
    db.session.commit()


def _walk(user: User, filters: queue.QueueFilters, per_page: int) -> tuple[list[list[str]], list[queue.QueuePage]]:
    """Follow Next from the first page to the last; return each page's public ids."""
    page = queue.queue_page(db.session, user, filters, per_page=per_page)
    pages, seen = [page], [[r.public_id for r in page.rows]]
    while page.next_after is not None:
        page = queue.queue_page(db.session, user, filters, page=page.page + 1, per_page=per_page,
                                after=page.next_after)
        pages.append(page)
        seen.append([r.public_id for r in page.rows])
        assert len(pages) < 50, "the walk does not end"
    return seen, pages


def test_next_pages_read_every_row_once_in_the_queue_order_even_when_rows_tie(app: Flask, world: World) -> None:
    with app.app_context():
        _tied_queue(world)
        for key in USERS:
            user = db.session.get(User, world.user_id(key))
            assert user is not None
            for filters in (queue.QueueFilters(), queue.QueueFilters(due="overdue"),
                            queue.QueueFilters(claim="unclaimed"), queue.QueueFilters(channel="kiosk")):
                expected = _full_sort(user, filters)
                seen, pages = _walk(user, filters, per_page=4)
                flat = [public_id for page in seen for public_id in page]
                assert flat == expected, (key, filters)
                assert all(len(page) == 4 for page in seen[:-1]) and 0 < len(seen[-1]) <= 4, (key, filters)
                # The same pages as counting from the start, numbered alike.
                for number, page in enumerate(pages, start=1):
                    assert page.page == number
                    counted = queue.queue_page(db.session, user, filters, page=number, per_page=4)
                    assert [r.public_id for r in counted.rows] == seen[number - 1], (key, filters, number)
                # Previous from each page gives the page before it.
                for number, page in enumerate(pages[2:], start=3):
                    back = queue.queue_page(db.session, user, filters, page=number - 1, per_page=4,
                                            before=page.previous_before)
                    assert [r.public_id for r in back.rows] == seen[number - 2], (key, filters, number)
                    assert back.page == number - 1 and back.next_after == pages[number - 2].next_after


def test_a_queue_change_between_pages_moves_on_from_the_same_place(app: Flask, world: World) -> None:
    with app.app_context():
        _tied_queue(world, count=30)
        admin = db.session.get(User, world.user_id("admin"))
        staff = db.session.get(User, world.user_id("staff"))
        assert admin is not None and staff is not None
        first = queue.queue_page(db.session, admin, per_page=5)
        second = queue.queue_page(db.session, admin, page=2, per_page=5, after=first.next_after)
        third_before = queue.queue_page(db.session, admin, page=3, per_page=5, after=second.next_after)
        # The last row of page 2 (where the cursor points) is closed, another is claimed, a new
        # urgent intake arrives: the next page still starts right after that place.
        last = db.session.scalar(select(Intake).where(Intake.public_id == second.rows[-1].public_id))
        assert last is not None
        last.closed_at = utcnow()
        db.session.commit()
        claimed = queue.find_intake(db.session, staff, third_before.rows[0].public_id)
        if claimed is not None:
            assert queue.claim(db.session, claimed, staff)
        make_intake(db.session, db.session.merge(world.aps["A"]), priority=11, submitted_at=minutes_ago(1))
        db.session.commit()
        third = queue.queue_page(db.session, admin, page=3, per_page=5, after=second.next_after)
        assert [r.public_id for r in third.rows] == [r.public_id for r in third_before.rows]
        # Back from there: the rows before its first row, the closed one gone.
        back = queue.queue_page(db.session, admin, page=2, per_page=5, before=third.previous_before)
        assert last.public_id not in [r.public_id for r in back.rows] and len(back.rows) == 5
        # Everything after the cursor closed (one intake left, ahead of it): the first page, not
        # an error or an empty page.
        for intake in db.session.scalars(select(Intake).where(Intake.closed_at.is_(None))):
            intake.closed_at = utcnow()
        db.session.commit()
        make_intake(db.session, db.session.merge(world.aps["A"]), priority=12)
        db.session.commit()
        gone = queue.queue_page(db.session, admin, page=3, per_page=5, after=second.next_after)
        assert gone.page == 1 and len(gone.rows) == 1 and gone.next_after is None
        # A cursor that is not one is ignored: counted from the start.
        for junk in ("x", "9.1.2.3", "1.2.3", "3.0.99999999999999999999999.1", ""):
            page = queue.queue_page(db.session, admin, page=2, per_page=5, after=junk)
            assert page.page == 1 and len(page.rows) == 1


def test_the_page_links_carry_the_place_and_no_personal_data(app: Flask, world: World, client: FlaskClient,
                                                              signed_in: Callable[[str], str]) -> None:
    with app.app_context():
        now = utcnow()
        ap = db.session.merge(world.aps["A"])
        db.session.execute(insert(Intake), [
            {"public_id": uuid.uuid4().hex, "channel": "sms", "language": "en", "status": "submitted",
             "routed_access_point_id": ap.id, "coc_id": ap.coc_id, "priority": n % 3, "priority_reasons": [],
             "submitted_at": now - timedelta(minutes=n // 4), "confidential": False} for n in range(60)])
        db.session.commit()
        staff = db.session.get(User, world.user_id("staff"))
        assert staff is not None
        expected = _full_sort(staff, queue.QueueFilters(channel="sms"))
    signed_in("staff")
    url, seen, numbers, visited = "/staff/?channel=sms", [], [], []
    while url:
        visited.append(url)
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r'data-public-id="([0-9a-f]+)"', html)
        numbers.append(int(re.search(r"Page (\d+)", html).group(1)))  # type: ignore[union-attr]
        found = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = unescape(found.group(1)) if found else ""
        if url:
            args = parse_qs(urlsplit(url).query)
            # The filter is kept; the place is four numbers; nothing else rides along.
            assert set(args) == {"channel", "page", "after"} and args["channel"] == ["sms"]
            assert re.fullmatch(r"[0-3]\.-?\d+\.\d+\.\d+", args["after"][0])
    assert seen == expected and numbers == [1, 2, 3]
    # Previous from the last page: the second page again, with the same Next link.
    html = client.get(visited[-1]).get_data(as_text=True)
    previous = unescape(re.search(r'<a href="([^"]+)" rel="prev">', html).group(1))  # type: ignore[union-attr]
    assert "before=" in previous
    again = client.get(previous).get_data(as_text=True)
    assert re.findall(r'data-public-id="([0-9a-f]+)"', again) == expected[25:50] and "Page 2 of 3" in again
    assert unescape(re.search(r'<a href="([^"]+)" rel="next">', again).group(1)) == visited[-1]  # type: ignore[union-attr]
    # Previous from page 2 is the first page, counted from the start.
    assert re.search(r'<a href="/staff/\?channel=sms" rel="prev">', again)
    # A mangled cursor is no error.
    assert client.get("/staff/?page=2&after=<script>").status_code == 200


def test_urgent_count_is_exact_below_the_cap_and_capped_past_it(app: Flask, world: World, client: FlaskClient,
                                                                 signed_in: Callable[[str], str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        ap = db.session.merge(world.aps["A"])
        # Urgent by priority, by no safe place tonight at a low priority, and by both (counted once).
        make_intake(db.session, ap, priority=6)
        make_intake(db.session, ap, priority=1, reasons=("no_safe_place_tonight",))
        make_intake(db.session, ap, priority=8, reasons=("children", "no_safe_place_tonight"))
        make_intake(db.session, ap, priority=2, reasons=("children",))  # not urgent
        claimed = make_intake(db.session, ap, priority=9)
        db.session.commit()
        staff = db.session.get(User, world.user_id("staff"))
        assert staff is not None
        assert queue.claim(db.session, claimed, staff)
        # With the world's own intake at Alpha (priority 5): four urgent and waiting.
        expected = 4
        assert queue.urgent_waiting(db.session, staff, 4) == expected
        assert queue.queue_page(db.session, staff).counts["urgent_waiting"] == expected
        # Past the cap the count stops at one more.
        assert queue.urgent_waiting(db.session, staff, 4, cap=2) == 3
        assert queue.urgent_waiting(db.session, staff, 4, cap=4) == expected
    signed_in("staff")
    monkeypatch.setattr(queue, "ICON_CAP", 3)
    icon = client.get("/staff/favicon.svg").get_data(as_text=True)
    assert ">3+</text>" in icon
    # Another staff page's title says the same.
    assert "<title>(3+) " in client.get("/staff/profile").get_data(as_text=True)
    monkeypatch.setattr(queue, "ICON_CAP", 99)
    assert ">4</text>" in client.get("/staff/favicon.svg").get_data(as_text=True)

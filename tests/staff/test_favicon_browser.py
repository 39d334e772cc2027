"""In Chromium: the staff icon shows how many urgent intakes wait unclaimed, under the strict
Content-Security-Policy, and the queue's automatic refresh keeps the member's filters."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page

from extensions import db
from models import AccessPoint, Channel

from .conftest import PASSWORD, World, login, make_intake


def _urgent(app: Flask, ap_id: int, channel: Channel = Channel.SMS) -> None:
    with app.app_context():
        make_intake(db.session, db.session.get(AccessPoint, ap_id), priority=9, reasons=("no_safe_place_tonight",),
                    channel=channel, name="Rosa Urgent", phone="+17855550177")
        db.session.commit()


def test_the_icon_counts_urgent_waiting_intakes_and_the_refresh_keeps_the_filters(
        app: Flask, world: World, live_server, page: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    from staff import views

    monkeypatch.setattr(views, "REFRESH_SECONDS", 2)
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    _urgent(app, world.aps["A"].id)  # with the world's own intake (priority 5): 2 urgent at Alpha
    _urgent(app, world.aps["B"].id)  # not Sam's access point: not counted for Sam

    page.goto(f"{live_server.url}/staff/login")
    page.fill("#email", world.users["staff"].email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("table.queue")
    assert page.title().startswith("(2) ")
    icon = page.locator('link[rel="icon"]')
    assert icon.count() == 1
    href = icon.get_attribute("href") or ""
    assert href.startswith("/staff/favicon.svg")

    # Narrow the queue: a link filter, then the form's channel filter.
    page.get_by_role("link", name=re.compile(r"^Unclaimed")).click()
    page.wait_for_url(re.compile(r"claim=unclaimed"))
    page.select_option('select[name="channel"]', "sms")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"channel=sms"))
    page.locator("h1").click()  # leave the select: a focused filter holds the refresh back
    # Another urgent intake arrives; the page refreshes itself and keeps both filters.
    _urgent(app, world.aps["A"].id)
    page.wait_for_url(re.compile(r"auto=1"), timeout=15_000)
    page.wait_for_selector("table.queue")
    url = page.url
    assert "claim=unclaimed" in url and "channel=sms" in url
    assert page.locator('a[aria-current="true"]', has_text="Unclaimed").count() == 1
    assert page.locator('select[name="channel"]').input_value() == "sms"
    assert page.title().startswith("(3) ")

    href = page.locator('link[rel="icon"]').get_attribute("href") or ""
    fetched = page.request.get(f"{live_server.url}{href}")
    assert fetched.ok and fetched.headers["content-type"].startswith("image/svg+xml")
    assert fetched.headers["cache-control"] == "no-store"
    assert ">3</text>" in fetched.text()
    assert "Rosa" not in fetched.text() and "5550177" not in fetched.text()

    # Chromium draws it as an image under the page's policy (no inline script or data: needed).
    page.goto(f"{live_server.url}/staff/")
    page.wait_for_selector("table.queue")
    drawn = page.evaluate("""async (href) => {
        const img = new Image();
        img.src = href;
        await img.decode();
        return [img.naturalWidth > 0, img.complete];
    }""", href)
    assert drawn == [True, True]
    assert blocked == []


def test_the_icon_is_per_member_and_never_keeps_a_session_alive(client: FlaskClient, world: World,
                                                                 app: Flask) -> None:
    import time

    assert client.get("/staff/favicon.svg").status_code == 302  # signed out: the sign-in page
    _urgent(app, world.aps["B"].id)
    login(client, world.users["staff_b"].email)
    old = time.time() - 10 * 60
    with client.session_transaction() as sess:
        sess["staff_seen"] = old
    response = client.get("/staff/favicon.svg?n=1")
    assert response.status_code == 200 and ">1</text>" in response.get_data(as_text=True)
    with client.session_transaction() as sess:
        assert sess["staff_seen"] == old
    client.post("/staff/logout", data={"csrf_token": _token(client)})
    login(client, world.users["staff"].email)
    # Sam works Alpha only: the world's priority-5 intake there is urgent; Bravo's is not Sam's.
    assert ">1</text>" in client.get("/staff/favicon.svg").get_data(as_text=True)


def _token(client: FlaskClient) -> str:
    from .conftest import csrf_from

    return csrf_from(client.get("/staff/").get_data(as_text=True))



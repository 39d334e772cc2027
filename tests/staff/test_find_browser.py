"""In Chromium: a household texts after submitting; staff see "New message", read it, find the
intake by its code typed loosely and by phone (never in the URL), and after handing it on still
read it on its read-only page; closed intakes have their own list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask

from extensions import db
from models import Channel, Intake
from services import household_messages
from services.accounts import create_user
from services.demo import load_demo
from services.pii import current_cipher

from .conftest import PASSWORD
from .test_browser import sms_intake

NOTE = "Call me after 5pm, I work mornings. " + "Please do not call before then. " * 30


def test_staff_find_read_and_follow_an_intake(app: Flask, live_server: Any, page: Any, artifacts_dir: Path) -> None:
    with app.app_context():
        load_demo(db.session)
        create_user(db.session, "pat@example.org", PASSWORD, "staff", ["sample-hays"], display_name="Pat Worker")
        db.session.commit()
    code, public_id = sms_intake(app)
    with app.app_context():
        intake = db.session.query(Intake).filter_by(public_id=public_id).one()
        household_messages.record(db.session, intake, NOTE, channel=Channel.SMS, cipher=current_cipher())
        db.session.commit()
    seen_urls: list[str] = []
    page.on("request", lambda request: seen_urls.append(request.url))

    page.goto(f"{live_server.url}/staff/")
    page.fill("#email", "pat@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("table.queue")
    row = page.locator(f'tr[data-public-id="{public_id}"]')
    assert "New message" in row.inner_text()
    page.screenshot(path=str(artifacts_dir / "staff-find-1-queue-new-message.png"), full_page=True)

    # By code, typed the way people read it back: lower case, no dash, O for 0.
    loose = code.replace("-", "").lower().replace("0", "o")
    page.fill("input[name=q]", loose)
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_selector("text=Search results")
    page.screenshot(path=str(artifacts_dir / "staff-find-2-by-code.png"), full_page=True)
    page.locator(f'tr[data-public-id="{public_id}"] a').click()
    page.wait_for_selector("text=Messages from the household")
    assert "Call me after 5pm" in page.inner_text("ol.messages")
    page.screenshot(path=str(artifacts_dir / "staff-find-3-message.png"), full_page=True)
    widest = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert widest, "a long message widens the staff page"

    # By phone: a POST, so the number is in no URL.
    page.goto(f"{live_server.url}/staff/")
    assert "New message" not in page.locator(f'tr[data-public-id="{public_id}"]').inner_text()
    page.fill("input[name=phone]", "(785) 555-0199")
    page.get_by_role("button", name="Find by phone").click()
    page.wait_for_selector("text=Search results")
    assert page.locator(f'tr[data-public-id="{public_id}"]').count() == 1
    page.screenshot(path=str(artifacts_dir / "staff-find-4-by-phone.png"), full_page=True)
    # (an intake's address holds a random hex id, which may contain such digits by chance)
    addresses = [re.sub(r"/intakes/[0-9a-f]{32}", "/intakes/ID", u) for u in seen_urls]
    assert not [u for u in addresses if "555" in u or "0199" in u]

    # Claim, hand it on to another access point, and follow it on its read-only page.
    page.goto(f"{live_server.url}/staff/intakes/{public_id}")
    page.get_by_role("button", name="Claim").click()
    page.wait_for_selector("text=You have claimed this intake.")
    page.select_option("select[name=access_point]", label="Sample: Colby Family Services")
    page.fill("form[action$='/transfer'] textarea[name=note]", "Moved to Colby this week.")
    page.get_by_role("button", name="Transfer").click()
    page.wait_for_selector("text=The intake has been transferred.")
    page.get_by_role("link", name="Transferred out").click()
    page.locator(f'tr[data-public-id="{public_id}"] a').click()
    page.wait_for_selector("#now-at")
    assert "Sample: Colby Family Services" in page.inner_text("#now-at")
    assert "Moved to Colby this week." in page.content()
    assert "Dana Test" not in page.content() and "Call me after 5pm" not in page.content()
    page.screenshot(path=str(artifacts_dir / "staff-find-5-handed-on.png"), full_page=True)
    page.get_by_role("link", name="Back to transferred out").click()
    page.get_by_role("link", name="Closed", exact=True).click()
    page.wait_for_selector("h1:has-text('Closed intakes')")
    page.screenshot(path=str(artifacts_dir / "staff-find-6-closed.png"), full_page=True)
    assert "Dana" not in page.title()

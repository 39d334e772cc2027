"""In Chromium: staff schedule an assessment and watch its reminder go out; a check-in answered "2"
by text shows "no longer needs help" and staff confirm and close."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from extensions import db
from models import Intake, OutboxMessage
from models.base import utcnow
from services import scheduler
from services.accounts import create_user
from services.demo import load_demo
from services.pii import current_cipher

from .conftest import PASSWORD
from .test_browser import REPLIES, sms_intake
from .test_checkins import text

CHICAGO = ZoneInfo("America/Chicago")


def test_reminder_and_check_in_as_staff_see_them(app: Flask, live_server, page, artifacts_dir: Path) -> None:
    with app.app_context():
        load_demo(db.session)
        create_user(db.session, "pat@example.org", PASSWORD, "staff", ["sample-hays"], display_name="Pat Worker")
        db.session.commit()
    code, public_id = sms_intake(app)
    household = "+1" + REPLIES["phone"].replace("-", "")

    page.goto(f"{live_server.url}/staff/")
    page.fill("#email", "pat@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator(f'tr[data-public-id="{public_id}"]').get_by_role("button", name="Claim").click()
    page.wait_for_selector("text=You have claimed this intake.")

    when = (utcnow().astimezone(CHICAGO) + timedelta(days=4)).replace(hour=14, minute=30)
    form = page.locator('form[action$="/schedule"]')
    form.locator("input[name=at]").fill(when.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=where]").fill("Front desk, 1000 Main St")
    form.get_by_role("button", name="Schedule assessment").click()
    page.wait_for_selector("text=The assessment has been scheduled.")
    assert "A reminder text is planned for" in page.inner_text("#reminder")
    page.screenshot(path=str(artifacts_dir / "staff-reminder-planned.png"), full_page=True)

    with app.app_context():  # the worker's tick the day before, at REMINDER_HOUR
        day_before = (when - timedelta(days=1)).replace(hour=10, minute=1)
        run = scheduler.run_household(db.session, day_before, app.config, current_cipher())
        assert (run.reminders, run.check_ins) == (1, 0)
    page.reload()
    assert "The reminder text went out on" in page.inner_text("#reminder")
    assert "sent the assessment reminder text" in page.inner_text("ol.events")

    with app.app_context():  # 15 days later, the intake is still open: one check-in
        intake = db.session.scalars(select(Intake).where(Intake.public_id == public_id)).one()
        intake.submitted_at = utcnow() - timedelta(days=15)
        db.session.commit()
        assert scheduler.run_household(db.session, utcnow(), app.config, current_cipher()).check_ins == 1
        cipher = current_cipher()
        bodies = [cipher.decrypt(m.body_enc) for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose == "check_in"))]
    assert bodies == [f"Front Door, request {code}: do you still need help? Reply 1 yes, 2 no, "
                      "3 my number changed. Reply STOP to stop texts."]
    [reply] = text(app.test_client(), household, "2")
    assert "Staff will close your request" in reply

    page.reload()
    notice = page.locator("#no-longer-needs-help")
    assert "they no longer need help" in notice.inner_text()
    page.screenshot(path=str(artifacts_dir / "staff-check-in-no-longer-needs-help.png"), full_page=True)
    notice.get_by_role("button", name="Confirm and close: no longer needs help").click()
    page.wait_for_selector("text=The outcome has been recorded")
    assert "Declined services" in page.inner_text("#status")
    assert page.locator("#no-longer-needs-help").count() == 0

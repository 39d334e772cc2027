"""In Chromium, as a new CoC admin: sign in, add an access point with split hours and a holiday,
invite a coordinator, pair a kiosk by QR, upload a region table and see the map; a household is
routed to the new access point at once and its confirmation shows the holiday as closed.

Every admin page is scanned with axe (no serious or critical issues); screenshots go to
test-artifacts/admin-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select

from extensions import db
from models import AccessPoint, Intake
from services import hsds
from services.accounts import create_user
from services.demo import load_demo
from services.hours import DAYS
from services.regions import table_csv

from ..kiosk.conftest import BrowserWalk

ADMIN_EMAIL = "newadmin@example.org"
ADMIN_PASSWORD = "a brand new admin password"


def test_a_new_coc_admin_runs_front_door_from_the_browser(
        app: Flask, live_server: Any, new_page: Callable[..., Any], artifacts_dir: Path, tmp_path: Path) -> None:
    with app.app_context():
        load_demo(db.session, users=False)
        create_user(db.session, ADMIN_EMAIL, ADMIN_PASSWORD, "admin", display_name="New Admin")
        db.session.commit()
        regions_text = table_csv(db.session)
    local_today = datetime.now(ZoneInfo("America/Chicago")).date()
    today, today_day = local_today.isoformat(), DAYS[local_today.weekday()]
    origin = live_server.url
    page = new_page(viewport={"width": 1280, "height": 900})
    axe = Axe()
    problems: dict[str, list[str]] = {}

    def scan(kind: str, shot: bool = True, on: Any = None) -> None:
        target = on or page
        target.wait_for_load_state()
        result = axe.run(target)
        bad = [f"{v['id']} ({v['impact']})" for v in result.response["violations"]
               if v.get("impact") in ("serious", "critical")]
        if bad:
            problems[kind] = bad
        if shot:
            target.screenshot(path=str(artifacts_dir / f"admin-{kind}.png"), full_page=True)

    # Sign in and open the admin area.
    page.goto(f"{origin}/staff/login")
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Admin").first.click()
    scan("index")

    # An access point in Parsons with a lunch break on Mondays and today as a holiday.
    page.get_by_role("link", name="Access points").first.click()
    scan("access-points")
    page.get_by_role("link", name="Add an access point").click()
    page.fill("#name", "Parsons Housing Desk")
    page.fill("#address", "12 Broadway")
    page.fill("#zip", "67357")
    page.fill("#phone", "620-555-0142")
    page.fill("#hours_mon", "9:00-12:00, 13:00-17:00")
    page.fill("#hours_tue", "9 to 5")  # wrong on purpose
    page.fill("#closed_dates", today)
    page.fill("#languages", "en, es")
    page.get_by_role("button", name="Save access point").click()
    page.locator("#hours_tue-error").wait_for()
    assert page.input_value("#name") == "Parsons Housing Desk"  # kept
    assert page.input_value("#hours_mon") == "9:00-12:00, 13:00-17:00"
    assert page.locator("#hours_tue").get_attribute("aria-invalid") == "true"
    scan("access-point-error")
    page.fill("#hours_tue", "9:00-17:00")
    page.fill(f"#hours_{today_day}", "0:00-24:00")  # open all day today, but for the holiday
    page.get_by_role("button", name="Save access point").click()
    page.get_by_text("The access point has been added").wait_for()
    scan("access-point-saved")

    # Invite a coordinator for region 3.
    page.get_by_role("link", name="People").first.click()
    scan("people")
    page.get_by_role("link", name="Invite someone").click()
    page.fill("#display_name", "Cora Coordinator")
    page.fill("#email", "cora@example.org")
    page.select_option("#role", "coordinator")
    page.select_option("#region", label="3. Region 3")
    scan("person-form")
    page.get_by_role("button", name="Invite").click()
    link = page.input_value("#one-time-link")
    scan("person-link")
    cora = new_page()
    cora.goto(link)
    scan("welcome", on=cora)
    cora.fill("#password", "coras own long password")
    cora.fill("#confirm", "coras own long password")
    cora.get_by_role("button", name="Set password").click()
    cora.get_by_text("Your password is set").wait_for()
    cora.goto(link)  # used once: it no longer works
    cora.get_by_role("heading", name="This link does not work").wait_for()
    scan("welcome-used", on=cora)
    page.get_by_role("link", name="Back to this person").click()
    page.get_by_role("heading", name="Cora Coordinator").wait_for()
    scan("person-edit")

    # A kiosk at the new access point, paired by its QR code's link on a "tablet".
    page.get_by_role("link", name="Kiosks").first.click()
    page.fill("#label", "Parsons lobby tablet")
    page.select_option("#access_point", label="Parsons Housing Desk")
    page.get_by_role("button", name="Add kiosk").click()
    scan("kiosk-before-pairing", shot=False)
    page.get_by_role("button", name="Make a pairing link").click()
    page.locator("img.qr").wait_for()
    assert page.locator("img.qr").evaluate("img => img.naturalWidth") > 0  # the SVG rendered under the CSP
    scan("kiosk-pair-qr")
    pair_link = page.input_value("#pair-link")
    tablet = new_page(viewport={"width": 1024, "height": 768})
    tablet.goto(pair_link)
    tablet.locator("main button[type=submit]").click()
    tablet.wait_for_url(f"{origin}/kiosk/")
    page.get_by_role("link", name="Kiosks").first.click()
    assert "ago" in page.locator("table").first.inner_text()
    scan("kiosks")

    # Upload a region table: Labette County (20099) moves to region 9, "Southeast".
    lines = [("20099,Labette,9,Southeast" if line.startswith("20099,") else
              re.sub(r",9,Region 9$", ",9,Southeast", line)) for line in regions_text.splitlines()]
    upload = tmp_path / "regions.csv"
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.get_by_role("link", name="Regions").first.click()
    page.set_input_files("#file", str(upload))
    page.get_by_role("button", name="Check the table").click()
    page.get_by_text("The table is complete").wait_for()
    scan("regions-check")
    page.get_by_role("button", name="Apply these changes").click()
    page.get_by_text("The region table has been saved").wait_for()
    assert "9. Southeast" in page.locator(".region-table").inner_text()
    scan("regions-map")
    page.locator("figure").screenshot(path=str(artifacts_dir / "admin-regions-map-only.png"))

    page.get_by_role("link", name="Import and export").click()
    scan("directory")
    with app.app_context():
        directory_csv = hsds.own_csv(db.session).replace("Sample: Colby", "Colby")
    (tmp_path / "access-points.csv").write_text(directory_csv, encoding="utf-8")
    page.set_input_files("#file", str(tmp_path / "access-points.csv"))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("What the file changes").wait_for()
    assert "Changed: 1." in page.locator("main").inner_text()
    scan("directory-dry-run")

    # A household at the paired tablet, asking about Parsons, is routed to the new access point.
    tablet.get_by_role("button", name="English").click()
    walk = BrowserWalk(tablet, origin, "/kiosk")
    walk.run([("start_choice", "questions"), ("safe_now", "0"), ("keep_going", "1"), ("fleeing_violence", "0"),
              ("slept_last_night", "outside"), ("adults", "1"), ("children", "0"), ("pregnant", None),
              ("age_band", "25_54"), ("veteran", "0"), ("health_barrier", "0"), ("safe_place_tonight", "1"),
              ("could_stay_with", "maybe"), ("help_needed", ["other"]), ("help_other", "A place to stay"),
              ("location", {"where": "elsewhere", "answer": "67357"}), ("contact_method", "call"),
              ("phone", "620-555-0111"), ("safe_to_text", "0"), ("safe_to_voicemail", "1"), ("best_time", "any"),
              ("contact_name", "Ro"), ("legal_name", None), ("dob", None), ("consent_share", "1")])
    tablet.wait_for_url("**/kiosk/review")
    tablet.locator("main form[action$='/submit'] button").click()
    tablet.get_by_text("You are in line").first.wait_for()
    text = tablet.locator("main").inner_text()
    tablet.screenshot(path=str(artifacts_dir / "admin-kiosk-confirmation-holiday.png"), full_page=True)
    assert "Parsons Housing Desk" in text
    assert "Closed on:" in text and "Closed now." in text and "Open now" not in text
    with app.app_context():
        ap = db.session.scalar(select(AccessPoint).where(AccessPoint.name == "Parsons Housing Desk"))
        assert ap is not None and ap.closed_dates == [today] and ap.region is not None and ap.region.number == 9
        intake = db.session.scalar(select(Intake).order_by(Intake.id.desc()))
        assert intake is not None and intake.routed_access_point_id == ap.id

    assert not problems, problems

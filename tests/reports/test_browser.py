"""In Chromium, as a region's coordinator and as an admin: the dashboard and the case-conferencing
list over a month of SAMPLE intakes, scanned with axe (no serious or critical issues), on screen
and as printed; screenshots go to test-artifacts/reports-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from extensions import db
from services.accounts import create_user
from services.demo import load_demo
from services.sample_intakes import load_sample_intakes

PASSWORD = "a coordinator's long password"

pytestmark = pytest.mark.browser


def test_dashboard_and_case_conferencing_in_chromium(
        app: Flask, live_server: Any, new_page: Callable[..., Any], artifacts_dir: Path) -> None:
    with app.app_context():
        load_demo(db.session, users=False)
        create_user(db.session, "coordinator@example.org", PASSWORD, "coordinator", region_number=1,
                    display_name="Casey Coordinator")
        create_user(db.session, "admin@example.org", PASSWORD, "admin", display_name="Ada Admin")
        db.session.commit()
        load_sample_intakes(db.session, 1500, days=30)
    origin = live_server.url
    page = new_page(viewport={"width": 1366, "height": 900})
    axe = Axe()
    problems: dict[str, list[str]] = {}

    def scan(kind: str) -> None:
        page.wait_for_load_state()
        result = axe.run(page)
        bad = [f"{v['id']} ({v['impact']})" for v in result.response["violations"]
               if v.get("impact") in ("serious", "critical")]
        if bad:
            problems[kind] = bad
        page.screenshot(path=str(artifacts_dir / f"reports-{kind}.png"), full_page=True)

    def sign_in(email: str) -> None:
        page.goto(f"{origin}/staff/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/staff/login" not in url)  # signed in before the next page

    sign_in("coordinator@example.org")
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("heading", name="How the front door is working").wait_for()
    assert page.locator("svg.chart").count() >= 10
    # The share that missed a response target, with its own chart and table.
    assert page.get_by_role("heading", name="Missed response targets").is_visible()
    assert page.locator("dt", has_text="Missed a response target").is_visible()
    assert page.locator("svg.map path").count() == 105
    scan("dashboard-region")
    page.emulate_media(media="print")
    assert page.locator(".staff-header").is_hidden()
    page.screenshot(path=str(artifacts_dir / "reports-dashboard-print.png"), full_page=True)
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Case-conferencing list").click()
    page.get_by_role("heading", name="Case-conferencing list").wait_for()
    assert page.locator("table.case-list tbody tr").count() > 5
    scan("case-conferencing")
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts_dir / "reports-case-conferencing-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # An admin picks the whole CoC.
    page.goto(f"{origin}/staff/login")
    page.context.clear_cookies()
    sign_in("admin@example.org")
    page.goto(f"{origin}/staff/reports/")
    page.select_option("select[name=scope]", "coc")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**scope=coc**")
    scan("dashboard-coc")
    assert not problems, problems

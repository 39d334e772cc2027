"""A kiosk without JavaScript still gets the idle warning and "I'm still here" (WCAG 2.2.1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from models import IntakeStatus
from services.demo import load_demo

from .conftest import BrowserWalk, Walker
from .test_browser import intakes, pair, serve

NOSCRIPT = re.compile(r'<noscript><meta http-equiv="refresh" content="(\d+);url=([^"]+)"></noscript>')


def test_noscript_refresh_goes_to_a_warning_page_not_straight_to_reset(demo: Flask, paired: FlaskClient) -> None:
    walker = Walker(paired, "/kiosk")
    walker.start("en")
    walker.run([("start_choice", "questions")])
    html = paired.get("/kiosk/q/safe_now").get_data(as_text=True)
    found = NOSCRIPT.search(html)
    assert found is not None
    assert int(found.group(1)) == demo.config["KIOSK_IDLE_SECONDS"]
    assert found.group(2) == "/kiosk/still-there?back=/kiosk/q/safe_now"

    warning = paired.get(found.group(2)).get_data(as_text=True)
    assert f'content="{demo.config["KIOSK_IDLE_WARNING_SECONDS"]};url=/kiosk/reset"></noscript>' in warning
    assert 'href="/kiosk/q/safe_now"' in warning and "still here" in warning
    assert "still-there" not in warning.split("</head>")[0]  # it does not send itself to another warning
    # "I'm still here" goes back to the page; the intake is untouched.
    assert paired.get("/kiosk/q/safe_now").status_code == 200
    assert NOSCRIPT.search(paired.get("/kiosk/help").get_data(as_text=True)) is not None
    (intake,) = intakes(demo)
    assert intake.status == IntakeStatus.IN_PROGRESS


def test_warning_page_only_returns_to_kiosk_pages(demo: Flask, paired: FlaskClient) -> None:
    Walker(paired, "/kiosk").start("en")
    html = paired.get("/kiosk/still-there?back=https://evil.example/").get_data(as_text=True)
    assert 'href="/kiosk/"' in html and "evil.example" not in html
    unpaired = demo.test_client().get("/kiosk/still-there?back=/kiosk/")
    assert unpaired.status_code == 302
    paired.get("/kiosk/reset")
    assert paired.get("/kiosk/still-there?back=/kiosk/q/safe_now").headers["Location"] == "/kiosk/"


def test_idle_kiosk_without_javascript_warns_then_resets(make_app: Callable[..., Flask],
                                                         new_page: Callable[..., Any], artifacts_dir: Path) -> None:
    app = make_app(KIOSK_IDLE_SECONDS=2, KIOSK_IDLE_WARNING_SECONDS=3)
    with app.app_context():
        load_demo(db.session)
    with serve(app) as origin:
        page = new_page(java_script_enabled=False, viewport={"width": 1024, "height": 768})
        pair(page, app, origin)
        page.get_by_role("button", name="English").click()
        walk = BrowserWalk(page, origin, "/kiosk", artifacts_dir, "nojs-idle")
        walk.run([("start_choice", "questions"), ("safe_now", "1")])
        walk.at("fleeing_violence")
        page.wait_for_url("**/kiosk/still-there?back=/kiosk/q/fleeing_violence", timeout=10000)
        walk.shot("idle-warning")
        page.get_by_role("link", name="I'm still here").click()
        walk.at("fleeing_violence")
        (intake,) = intakes(app)
        assert intake.status == IntakeStatus.IN_PROGRESS
        page.wait_for_url("**/kiosk/still-there**", timeout=10000)
        page.wait_for_url(f"{origin}/kiosk/", timeout=10000)
        (intake,) = intakes(app)
        assert intake.status == IntakeStatus.ABANDONED
        page.go_back()
        page.wait_for_load_state()
        assert "/kiosk/q/" not in page.url
        page.wait_for_timeout(3000)  # the start screen, with no household, stays put
        assert page.url == f"{origin}/kiosk/"


@pytest.mark.parametrize(("lang", "button"), [("en", "English"), ("es", "Español")])
def test_warning_page_passes_axe(demo: Flask, live_server: Any, new_page: Callable[..., Any],
                                 artifacts_dir: Path, lang: str, button: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = new_page(locale="es-MX" if lang == "es" else "en-US", viewport={"width": 1024, "height": 768})
    pair(page, demo, live_server.url)
    page.get_by_role("button", name=button).click()
    BrowserWalk(page, live_server.url, "/kiosk").at("start_choice")
    page.goto(f"{live_server.url}/kiosk/still-there?back=/kiosk/q/start_choice")
    assert page.locator("html").get_attribute("lang") == lang
    page.screenshot(path=str(artifacts_dir / f"kiosk-nojs-idle-warning-{lang}.png"), full_page=True)
    result = Axe().run(page)
    bad = [v["id"] for v in result.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad

"""The confirmation in Chromium: Back keeps the code on a phone, a kiosk forgets it and prints it
plainly; a long answer wraps on a phone; the landing page has quick exit and Español."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from .conftest import BrowserWalk
from .test_browser import intakes, pair, review_and_submit

SHORT: list[tuple[str, Any]] = [
    ("start_choice", "talk"), ("location", "Ellis County"), ("contact_method", "call"),
    ("phone", "(785) 555-0188"), ("safe_to_text", "1"), ("safe_to_voicemail", "1"),
    ("best_time", "any"), ("contact_name", "Pat"), ("consent_share", "1"),
]
UNBROKEN = "Bartholomew" * 7  # 77 letters, no space


def test_back_from_the_phone_confirmation_keeps_the_code(
        demo: Flask, live_server: Any, new_page: Callable[..., Any], artifacts_dir: Path) -> None:
    page = new_page(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    walk = BrowserWalk(page, live_server.url, "/intake")
    page.goto(f"{live_server.url}/intake/")
    page.get_by_role("button", name="English").click()
    walk.run(SHORT)
    review_and_submit(walk)
    (intake,) = intakes(demo)
    code = intake.reference_code
    assert code and code in page.content()
    page.go_back()
    page.wait_for_url(f"{live_server.url}/intake/done")
    assert code in page.locator(".code").inner_text()
    # "I'm done" on a personal phone: the start page links to the code for a while.
    page.get_by_role("button", name="I'm done").click()
    page.wait_for_url(f"{live_server.url}/intake/")
    assert code not in page.content()
    page.screenshot(path=str(artifacts_dir / "intake-start-last-confirmation.png"), full_page=True)
    page.get_by_role("link", name="See your reference code again").click()
    page.wait_for_url(f"{live_server.url}/intake/done")
    assert code in page.locator(".code").inner_text()
    # Quick exit forgets it.
    page.locator("a.exit").first.click()
    page.goto(f"{live_server.url}/intake/")
    assert page.get_by_role("link", name="See your reference code again").count() == 0


def test_the_kiosk_forgets_the_code_and_prints_it_plainly(
        demo: Flask, live_server: Any, new_page: Callable[..., Any], artifacts_dir: Path) -> None:
    page = new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
    pair(page, demo, live_server.url)
    page.get_by_role("button", name="English").click()
    walk = BrowserWalk(page, live_server.url, "/kiosk")
    walk.run([SHORT[0], ("location", {"where": "here"}), *SHORT[2:]])
    review_and_submit(walk)
    (intake,) = intakes(demo)
    code = intake.reference_code
    assert code
    assert page.get_by_role("button", name="Print this").is_visible()
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts_dir / "kiosk-done-print.png"), full_page=True)
    shown = page.evaluate("""() => Object.fromEntries(
        ['.bar', '.foot', 'form[action$="/finish"]', '#print-confirmation', '.code', '#place-title',
         '#next-title', '.help-lines']
        .map(s => [s, !!document.querySelector(s) && document.querySelector(s).offsetParent !== null]))""")
    assert shown == {".bar": False, ".foot": False, 'form[action$="/finish"]': False,
                     "#print-confirmation": False, ".code": True, "#place-title": True,
                     "#next-title": True, ".help-lines": True}
    text = page.locator("main").inner_text()
    assert code in text and "Sample: Hays Community Resource Center" in text and "911" in text
    page.emulate_media(media="screen")
    page.get_by_role("button", name="I'm done").click()
    page.wait_for_url(f"{live_server.url}/kiosk/")
    assert page.get_by_role("link", name="See your reference code again").count() == 0
    page.go_back()
    page.wait_for_load_state()
    assert code not in page.content()


def test_a_long_unbroken_answer_wraps_on_a_phone(
        demo: Flask, live_server: Any, new_page: Callable[..., Any], artifacts_dir: Path) -> None:
    page = new_page(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, device_scale_factor=2)
    walk = BrowserWalk(page, live_server.url, "/intake")
    page.goto(f"{live_server.url}/intake/")
    page.get_by_role("button", name="English").click()
    walk.run([*SHORT[:7], ("contact_name", UNBROKEN), SHORT[8]])
    page.wait_for_url("**/intake/review")
    assert UNBROKEN in page.content()
    page.screenshot(path=str(artifacts_dir / "intake-review-long-answer-360.png"), full_page=True)
    # A phone widens its layout viewport to fit what overflows, so compare with the 360 px asked for.
    widest = page.evaluate("""() => Math.max(document.documentElement.scrollWidth,
        ...[...document.querySelectorAll('main *')].map(el => el.getBoundingClientRect().right))""")
    assert widest <= 360, f"the review page is {widest}px wide on a 360px phone: it scrolls sideways"


@pytest.mark.parametrize("exit_by", ["button", "escape"])
def test_the_landing_page_has_quick_exit_and_spanish(
        demo: Flask, live_server: Any, new_page: Callable[..., Any], artifacts_dir: Path, exit_by: str) -> None:
    page = new_page(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Español").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Salida rápida").is_visible()
    page.screenshot(path=str(artifacts_dir / "landing-es-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if exit_by == "button":
        page.get_by_role("link", name="Salida rápida").click()
    else:
        page.keyboard.press("Escape")
    page.wait_for_url(f"{live_server.url}/forecast")

"""axe-core scan of every intake page type, in English and Spanish: no serious or critical issues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from .conftest import BrowserWalk, pairing_code

LANGS = {"en": ("en-US", "English"), "es": ("es-MX", "Español")}


@pytest.mark.parametrize("lang", list(LANGS))
def test_every_page_type_passes_axe(demo: Flask, live_server: Any, new_page: Callable[..., Any],
                                    lang: str) -> None:
    locale, button = LANGS[lang]
    page = new_page(locale=locale, viewport={"width": 1024, "height": 768})
    axe = Axe()
    problems: dict[str, list[str]] = {}
    scanned: list[str] = []

    def scan(kind: str) -> None:
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == lang, kind
        result = axe.run(page)
        bad = [f"{v['id']} ({v['impact']})" for v in result.response["violations"]
               if v.get("impact") in ("serious", "critical")]
        if bad:
            problems[kind] = bad
        scanned.append(kind)

    origin = live_server.url
    page.goto(f"{origin}/kiosk/")
    scan("unpaired")
    page.goto(f"{origin}/kiosk/pair/{pairing_code(demo)}")
    scan("pair")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{origin}/kiosk/")
    scan("start")
    page.goto(f"{origin}/kiosk/help")
    scan("help")
    page.goto(f"{origin}/kiosk/")
    page.get_by_role("button", name=button).click()
    walk = BrowserWalk(page, origin, "/kiosk")
    walk.at("start_choice")
    scan("question-choice")
    walk.run([("start_choice", "questions"), ("safe_now", "0")])
    walk.at("keep_going")
    scan("question-notice")
    walk.run([("keep_going", "1"), ("fleeing_violence", "0"), ("slept_last_night", "outside")])
    walk.answer("adults", "many")
    page.locator("#answer-error").wait_for()
    scan("question-error")
    walk.run([("adults", "1"), ("children", "0"), ("pregnant", None), ("age_band", "18_24"), ("veteran", "1"),
              ("health_barrier", "0"), ("safe_place_tonight", "1"), ("could_stay_with", "maybe")])
    walk.at("help_needed")
    scan("question-multi")
    walk.run([("help_needed", ["other"])])
    walk.at("help_other")
    scan("question-textarea")
    walk.run([("help_other", "A ride to my sister")])
    walk.at("location")
    scan("question-location")
    walk.run([("location", {"where": "elsewhere", "answer": "64106"})])
    walk.at("contact_method")
    walk.run([("contact_method", "text"), ("phone", "785-555-0111"), ("safe_to_text", "1"),
              ("safe_to_voicemail", "1"), ("best_time", "any"), ("contact_name", "Ro")])
    walk.at("legal_name")
    scan("question-text")
    walk.run([("legal_name", None), ("dob", None)])
    if lang == "es":
        walk.run([("interpreter", "0")])
    walk.run([("consent_share", "1")])
    page.wait_for_url("**/kiosk/review")
    scan("review")
    page.locator("main form[action$='/submit'] button").click()
    page.wait_for_url("**/kiosk/done")
    page.locator("details summary").click()
    scan("done")
    page.goto(f"{origin}/exit")
    page.wait_for_url("**/forecast")
    scan("neutral")
    page.goto(f"{origin}/intake/")
    page.get_by_role("button", name=button).click()
    web = BrowserWalk(page, origin, "/intake")
    web.run([("start_choice", "questions"), ("safe_now", "1"), ("fleeing_violence", "1"), ("dv_choice", "stop")])
    page.wait_for_url("**/intake/stopped")
    scan("stopped")
    assert not problems, problems
    assert len(scanned) == 15

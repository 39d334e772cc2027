"""The kiosk and phone intake in real Chromium: whole intakes, both languages, no JavaScript,
a phone-sized screen, the confidential and talk-to-a-person paths, and the idle reset."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from extensions import db
from intake_forms import DONT_KNOW
from models import Intake, IntakeStatus
from services.demo import load_demo

from .conftest import BrowserWalk, pairing_code

FULL: list[tuple[str, Any]] = [
    ("start_choice", "questions"),
    ("safe_now", "1"),
    ("fleeing_violence", "0"),
    ("slept_last_night", "family"),
    ("leave_by", "7d"),
    ("adults", "2"),
    ("children", "1"),
    ("pregnant", "0"),
    ("age_band", "25_54"),
    ("veteran", "0"),
    ("health_barrier", "0"),
    ("safe_place_tonight", DONT_KNOW),
    ("could_return", "maybe"),
    ("could_stay_with", "0"),
    ("help_needed", ["money", "mediation"]),
]
CONTACT: list[tuple[str, Any]] = [
    ("contact_method", "text"),
    ("phone", "785-555-0123"),
    ("safe_to_text", "1"),
    ("safe_to_voicemail", "1"),
    ("best_time", "morning"),
    ("contact_name", "Alex"),
    ("legal_name", None),
    ("dob", "1990-04-02"),
]


def intakes(app: Flask) -> list[Intake]:
    with app.app_context():
        found = list(db.session.scalars(select(Intake).order_by(Intake.id)))
        for intake in found:
            _ = intake.routed_access_point, intake.kiosk
            db.session.expunge(intake)
        return found


def pair(page: Any, app: Flask, origin: str) -> None:
    page.goto(f"{origin}/kiosk/pair/{pairing_code(app)}")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{origin}/kiosk/")


def review_and_submit(walk: BrowserWalk) -> None:
    walk.page.wait_for_url(f"**{walk.prefix}/review")
    walk.shot("review")
    walk.page.locator("main form[action$='/submit'] button").click()
    walk.page.wait_for_url(f"**{walk.prefix}/done")
    walk.shot("done")


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve an app configured by the test (the shared live_server uses the default one)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_kiosk_intake_in_english_lands_at_the_kiosk_access_point(
        demo: Flask, live_server: Any, new_page: Callable[..., Any], artifacts_dir: Path) -> None:
    page = new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
    pair(page, demo, live_server.url)
    walk = BrowserWalk(page, live_server.url, "/kiosk", artifacts_dir, "en")
    walk.shot("start")
    page.get_by_role("button", name="English").click()
    walk.run([*FULL, ("location", {"where": "here"}), *CONTACT, ("consent_share", "1")])
    review_and_submit(walk)
    assert page.locator(".code").inner_text().strip()
    assert "Sample: Hays Community Resource Center" in page.content()
    page.get_by_role("button", name="Text me this").click()
    page.get_by_text("We sent a text message with your code.").wait_for()
    (intake,) = intakes(demo)
    assert intake.status == IntakeStatus.SUBMITTED and intake.channel == "kiosk"
    assert intake.kiosk is not None and intake.routed_access_point.slug == "sample-hays"
    page.get_by_role("button", name="I'm done").click()
    page.wait_for_url(f"{live_server.url}/kiosk/")
    page.go_back()
    assert "Alex" not in page.content() and intake.reference_code not in page.content()


def test_kiosk_intake_in_spanish_for_another_place(
        demo: Flask, live_server: Any, new_page: Callable[..., Any], artifacts_dir: Path) -> None:
    page = new_page(locale="es-MX", viewport={"width": 1024, "height": 768}, has_touch=True)
    pair(page, demo, live_server.url)
    walk = BrowserWalk(page, live_server.url, "/kiosk", artifacts_dir, "es")
    assert "Ayuda con vivienda" in page.content()
    walk.shot("start")
    page.get_by_role("button", name="Español").click()
    walk.at("start_choice")
    assert "¿Cómo quiere empezar?" in page.content()
    walk.run([*FULL[:5]])
    # A typo gets a kind message in Spanish and keeps the page.
    walk.answer("adults", "muchos")
    assert page.locator("#answer-error").inner_text().startswith("Perdón")
    walk.shot("question-error")
    walk.run([("adults", "dos"), *FULL[6:], ("location", {"where": "elsewhere", "answer": "67801"}),
              ("contact_method", "call"), ("phone", "620 555 0144"), ("safe_to_text", "0"),
              ("safe_to_voicemail", "1"), ("best_time", "any"), ("contact_name", "María"),
              ("legal_name", "María Ejemplo"), ("dob", "02/04/1990"), ("interpreter", "1"), ("consent_share", "0")])
    review_and_submit(walk)
    assert "Usted está en la lista" in page.content()
    (intake,) = intakes(demo)
    assert intake.language == "es" and intake.routed_access_point.slug == "sample-dodge-city"
    assert intake.kiosk is not None


def test_confidential_paths(demo: Flask, live_server: Any, new_page: Callable[..., Any],
                            artifacts_dir: Path) -> None:
    page = new_page()
    walk = BrowserWalk(page, live_server.url, "/intake", artifacts_dir, "dv")
    page.goto(f"{live_server.url}/intake/")
    page.get_by_role("button", name="English").click()
    walk.run([("start_choice", "questions"), ("safe_now", "1"), ("fleeing_violence", "1")])
    walk.at("dv_choice")
    assert "You are not alone" in page.content() and "888-363-2287" in page.content()
    walk.shot("notice")
    walk.run([("dv_choice", "advocate"), ("contact_method", "call"), ("phone", "785 555 0177"),
              ("safe_to_text", "0"), ("safe_to_voicemail", "0"), ("best_time", "evening"),
              ("contact_name", "J")])
    review_and_submit(walk)
    assert "victim advocate" in page.content()
    page.get_by_role("button", name="I'm done").click()

    # Stop: nothing identifying is kept, the help lines are shown.
    page.get_by_role("button", name="English").click()
    walk.run([("start_choice", "questions"), ("safe_now", "0")])
    walk.at("keep_going")
    assert "If you are in danger, call 911" in page.content()
    walk.run([("keep_going", "1"), ("fleeing_violence", "1"), ("dv_choice", "stop")])
    page.wait_for_url("**/intake/stopped")
    walk.shot("stopped")
    assert "We did not save anything about you" in page.content()
    (advocate,) = intakes(demo)  # the stopped one is not kept at all
    assert advocate.confidential and advocate.routed_access_point.slug == "sample-vsp"
    assert advocate.callback_requested


def test_talk_to_a_person(demo: Flask, live_server: Any, new_page: Callable[..., Any]) -> None:
    page = new_page()
    walk = BrowserWalk(page, live_server.url, "/intake")
    page.goto(f"{live_server.url}/intake/")
    page.get_by_role("button", name="English").click()
    walk.run([("start_choice", "talk"), ("location", "Ellis County"), ("contact_method", "call"),
              ("phone", "(785) 555-0188"), ("safe_to_text", "1"), ("safe_to_voicemail", "1"),
              ("best_time", "any"), ("contact_name", "Pat"), ("consent_share", "1")])
    review_and_submit(walk)
    (intake,) = intakes(demo)
    assert intake.callback_requested and intake.channel == "web"
    assert intake.routed_access_point.slug == "sample-hays"


def test_idle_kiosk_warns_then_resets_and_back_shows_nothing(
        make_app: Callable[..., Flask], new_page: Callable[..., Any], artifacts_dir: Path) -> None:
    app = make_app(KIOSK_IDLE_SECONDS=2, KIOSK_IDLE_WARNING_SECONDS=3)
    with app.app_context():
        load_demo(db.session)
    with serve(app) as origin:
        page = new_page(viewport={"width": 1024, "height": 768})
        pair(page, app, origin)
        page.get_by_role("button", name="English").click()
        walk = BrowserWalk(page, origin, "/kiosk", artifacts_dir, "idle")
        walk.run([("start_choice", "questions"), ("safe_now", "1"), ("fleeing_violence", "0")])
        walk.at("slept_last_night")
        dialog = page.locator("#idle-dialog")
        dialog.wait_for(state="visible", timeout=5000)
        walk.shot("idle-warning")
        page.get_by_role("button", name="I'm still here").click()
        assert not dialog.is_visible()
        walk.answer("slept_last_night", "friends")
        walk.at("leave_by")
        page.wait_for_url(f"{origin}/kiosk/", timeout=15000)
        assert page.get_by_role("button", name="English").is_visible()
        (intake,) = intakes(app)
        assert intake.status == IntakeStatus.ABANDONED
        page.go_back()
        page.wait_for_load_state()
        assert "/kiosk/q/" not in page.url
        assert "With friends" not in page.content()


def test_whole_intake_without_javascript(demo: Flask, live_server: Any, new_page: Callable[..., Any],
                                         artifacts_dir: Path) -> None:
    page = new_page(java_script_enabled=False)
    walk = BrowserWalk(page, live_server.url, "/intake", artifacts_dir, "nojs")
    page.goto(f"{live_server.url}/intake/")
    page.get_by_role("button", name="English").click()
    walk.run([*FULL[:3]])
    # Change the language on a page, keep going in Spanish, then come back to English.
    page.get_by_role("button", name="Español").click()
    walk.at("slept_last_night")
    assert "¿Dónde durmió anoche?" in page.content()
    page.get_by_role("button", name="English").click()
    walk.run([*FULL[3:], ("location", "67401"), ("contact_method", "email"), ("email", "a@example.org"),
              ("best_time", "any"), ("contact_name", "Lee"), ("legal_name", "Lee Example"), ("dob", None),
              ("consent_share", "1")])
    walk.page.wait_for_url("**/intake/review")
    page.locator("a.change[href='/intake/q/adults']").click()
    walk.answer("adults", "3")
    review_and_submit(walk)
    (intake,) = intakes(demo)
    assert intake.status == IntakeStatus.SUBMITTED and intake.routed_access_point.slug == "sample-salina"


def test_phone_sized_screen(demo: Flask, live_server: Any, new_page: Callable[..., Any],
                            artifacts_dir: Path) -> None:
    page = new_page(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, device_scale_factor=2)
    walk = BrowserWalk(page, live_server.url, "/intake", artifacts_dir, "phone")
    page.goto(f"{live_server.url}/intake/")
    walk.shot("start")
    page.get_by_role("button", name="English").click()
    walk.at("start_choice")
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways on a phone"
    small = page.evaluate("""() => [...document.querySelectorAll('button, a.btn, .choice')]
        .filter(el => el.offsetParent !== null)
        .map(el => el.getBoundingClientRect())
        .filter(r => r.height < 48 || r.width < 48).length""")
    assert small == 0, "touch targets smaller than 48px"
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main label')).fontSize)")
    assert size >= 18
    walk.run([*FULL, ("location", "66044"), ("contact_method", "come_back"), ("contact_name", "Kai"),
              ("legal_name", None), ("dob", None), ("consent_share", "1")])
    review_and_submit(walk)
    (intake,) = intakes(demo)
    assert intake.routed_access_point.slug == "sample-lawrence"


def test_a_phone_is_told_to_tap_and_a_desktop_about_esc(demo: Flask, live_server: Any,
                                                         new_page: Callable[..., Any]) -> None:
    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/intake/")
    assert phone.locator(".foot .touch").is_visible()
    assert not phone.locator(".foot .with-keyboard").is_visible()
    assert "Esc" not in phone.locator(".foot").inner_text()
    desktop = new_page(viewport={"width": 1280, "height": 800})
    desktop.goto(f"{live_server.url}/intake/")
    assert desktop.locator(".foot .with-keyboard").is_visible()
    assert not desktop.locator(".foot .touch").is_visible()

"""Real Chromium through Playwright: kiosk and phone intakes, accessibility, idle reset, no JavaScript."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from models import Intake, IntakeStatus, Kiosk
from services.demo import KIOSK_ACCESS_POINT, KIOSK_LABEL, load_demo

from .conftest import FULL_ANSWERS

pytest.importorskip("playwright")

SERIOUS = {"serious", "critical"}


@pytest.fixture
def app(make_app: Callable[..., Flask], request: pytest.FixtureRequest) -> Flask:
    """The app with demo data; ``@pytest.mark.parametrize("app", [{...}], indirect=True)`` sets config."""
    app = make_app(**getattr(request, "param", {}))
    with app.app_context():
        load_demo(db.session)
    return app


class Scanner:
    """Screenshots and an axe scan of each page type, once per language."""

    def __init__(self, artifacts: Path, prefix: str) -> None:
        self.artifacts = artifacts / "kiosk"
        self.artifacts.mkdir(exist_ok=True)
        self.prefix = prefix
        self.seen: set[str] = set()
        self.problems: list[str] = []

    def __call__(self, page: Any, kind: str) -> None:
        if kind in self.seen:
            return
        self.seen.add(kind)
        page.screenshot(path=str(self.artifacts / f"{self.prefix}-{kind}.png"), full_page=True)
        from axe_playwright_python.sync_playwright import Axe

        result = Axe().run(page)
        for violation in result.response["violations"]:
            if violation.get("impact") in SERIOUS:
                targets = [node.get("target") for node in violation.get("nodes", [])][:3]
                self.problems.append(f"{self.prefix}/{kind}: {violation['id']} {targets}")


@pytest.fixture
def scanner(artifacts_dir: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str], Scanner]]:
    made: list[Scanner] = []

    def make(prefix: str) -> Scanner:
        made.append(Scanner(artifacts_dir, prefix))
        return made[-1]

    yield make
    problems = [p for s in made for p in s.problems]
    assert not problems, "serious or critical accessibility violations:\n" + "\n".join(problems)


def page_kind(page: Any, key: str) -> str:
    if page.locator("input[type=checkbox][name=answer]").count():
        return "question-multi"
    if page.locator("input[name=where]").count():
        return "question-location-kiosk"
    if page.locator("input[type=radio][name=answer]").count():
        return "question-choice"
    return "question-text"


def answer_all(page: Any, answers: dict[str, Any], scan: Scanner | None = None) -> list[str]:
    """Answer each question page until the review page; return the keys asked."""
    asked: list[str] = []
    for _ in range(60):
        if "/q/" not in page.url:
            break
        key = page.url.rsplit("/", 1)[1]
        asked.append(key)
        if scan is not None:
            if page.locator(".notice").count():
                scan(page, "question-with-notice")
            scan(page, page_kind(page, key))
        value = answers[key]
        if isinstance(value, list):
            for code in value:
                page.check(f"input[name=answer][value='{code}']")
        elif isinstance(value, dict):
            page.check(f"input[name=where][value='{value['where']}']")
            if value.get("answer"):
                page.fill("#answer", value["answer"])
        elif page.locator("input[type=radio][name=answer]").count():
            page.check(f"input[name=answer][value='{value}']")
        else:
            page.fill("#answer", value)
        with page.expect_navigation():
            page.click("#next")
    return asked


def pair_tablet(app: Flask, page: Any, base: str) -> None:
    from kiosk import devices

    with app.app_context():
        kiosk = db.session.scalars(select(Kiosk).where(Kiosk.label == KIOSK_LABEL)).one()
        code = devices.issue_pairing_code(db.session, kiosk).code
    page.goto(f"{base}/kiosk/pair/{code}")
    page.click("button[name=go]")
    page.wait_for_url(f"{base}/kiosk/")


def submitted(app: Flask) -> Intake:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status == IntakeStatus.SUBMITTED
        assert intake.routed_access_point is not None
        _ = intake.kiosk
        db.session.expunge(intake)
        return intake


@pytest.mark.parametrize("lang", ["en", "es"])
def test_full_kiosk_intake_with_screens_and_accessibility(app: Flask, live_server: Any, new_page: Callable[..., Any],
                                                          scanner: Callable[[str], Scanner], lang: str) -> None:
    base = live_server.url
    page = new_page(locale="es-MX" if lang == "es" else "en-US", viewport={"width": 1024, "height": 768},
                    has_touch=True)
    scan = scanner(f"kiosk-{lang}")
    page.goto(f"{base}/kiosk/")
    scan(page, "unpaired")
    with app.app_context():
        kiosk = db.session.scalars(select(Kiosk).where(Kiosk.label == KIOSK_LABEL)).one()
        from kiosk import devices

        code = devices.issue_pairing_code(db.session, kiosk).code
    page.goto(f"{base}/kiosk/pair/{code}")
    scan(page, "pair")
    page.click("button[name=go]")
    page.wait_for_url(f"{base}/kiosk/")
    scan(page, "start")
    page.click(f"button[name=lang][value={lang}]")
    page.wait_for_url("**/q/start_choice")
    assert page.locator("html").get_attribute("lang") == lang
    heading = page.locator("h1").first.inner_text()
    assert heading == ("How do you want to start?" if lang == "en" else "¿Cómo quiere empezar?")
    answers = {**FULL_ANSWERS, "location": {"where": "here"}}
    if lang == "es":
        answers["dob"] = "25/03/1980"  # day first in Spanish, as the hint says
    asked = answer_all(page, answers, scan)
    assert asked[-1] == "consent_share"
    if lang == "es":
        assert "interpreter" in asked
    page.wait_for_url("**/kiosk/review")
    scan(page, "review")
    # Change one answer from the review page, then come back to it.
    page.click("a[href$='/q/adults']")
    page.fill("#answer", "2")
    page.click("#next")
    page.wait_for_url("**/kiosk/review")
    page.click("button[name=go]")
    page.wait_for_url("**/kiosk/done")
    scan(page, "done")
    ref = page.locator("#reference-code").inner_text()
    assert len(ref) == 7 and ref[3] == "-"
    assert "Sample: Hays Community Resource Center" in page.locator("#place-name").inner_text()
    page.click("a[href$='/help?from=/kiosk/done']")
    scan(page, "help")
    page.go_back()
    intake = submitted(app)
    assert intake.reference_code == ref and intake.language == lang
    assert intake.kiosk_id is not None and intake.routed_access_point.slug == KIOSK_ACCESS_POINT
    # Finish: the next person's back button shows nothing of this household.
    page.click("a[href$='/kiosk/reset']")
    page.wait_for_url(f"{base}/kiosk/")
    page.go_back()
    page.wait_for_load_state()
    assert ref not in page.content() and "Rosa" not in page.content()
    page.goto(f"{base}/kiosk/exit")
    scan(page, "neutral")


def test_confidential_path_in_the_browser(app: Flask, live_server: Any, page: Any) -> None:
    base = live_server.url
    page.goto(f"{base}/intake/")
    page.click("button[name=lang][value=en]")
    answers = {"start_choice": "questions", "safe_now": "1", "fleeing_violence": "1", "dv_choice": "anonymous",
               **{k: v for k, v in FULL_ANSWERS.items() if k not in {"start_choice", "safe_now", "fleeing_violence"}}}
    page.wait_for_url("**/q/start_choice")
    asked = answer_all(page, answers)
    assert "dv_choice" in asked and "legal_name" not in asked and "dob" not in asked
    page.click("button[name=go]")
    page.wait_for_url("**/intake/done")
    assert "victim service provider" in page.content()
    intake = submitted(app)
    assert intake.confidential


def test_talk_to_a_person_in_the_browser(app: Flask, live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/intake/")
    page.click("button[name=lang][value=en]")
    page.wait_for_url("**/q/start_choice")
    answers = {"start_choice": "talk", "location": "Ellis", "contact_method": "call", "phone": "785-555-0188",
               "safe_to_text": "1", "safe_to_voicemail": "1", "best_time": "afternoon", "contact_name": "Jo",
               "consent_share": "1"}
    asked = answer_all(page, answers)
    assert asked[:2] == ["start_choice", "location"]
    page.click("button[name=go]")
    page.wait_for_url("**/intake/done")
    page.click("button[name=go]")  # Text me this
    page.wait_for_url("**/intake/done")
    assert page.locator(".notice[role=status]").count() == 1
    assert submitted(app).callback_requested


@pytest.mark.parametrize("app", [{"KIOSK_IDLE_SECONDS": 5, "KIOSK_IDLE_WARNING_SECONDS": 20}], indirect=True)
def test_idle_reset_warns_then_wipes_and_back_shows_nothing(app: Flask, live_server: Any, new_page: Callable[..., Any],
                                                            scanner: Callable[[str], Scanner]) -> None:
    base = live_server.url
    page = new_page(viewport={"width": 1024, "height": 768})
    page.clock.install()
    pair_tablet(app, page, base)
    page.click("button[name=lang][value=en]")
    page.wait_for_url("**/q/start_choice")
    answers = {"start_choice": "talk", "location": {"where": "here"}, "contact_method": "agency",
               "contact_name": "Rosa Example", "best_time": "any", "consent_share": "1"}
    answer_all(page, answers)
    page.goto(f"{base}/kiosk/q/contact_name")
    assert page.locator("#answer").input_value() == "Rosa Example"
    dialog = page.locator("#idle-warning")
    assert dialog.is_hidden()
    page.clock.fast_forward(6_000)
    assert dialog.is_visible()
    scanner("kiosk-en")(page, "idle-warning")
    assert "Seconds left: 20" in dialog.inner_text() or "Seconds left: 19" in dialog.inner_text()
    page.click("#idle-stay")  # "I'm still here" keeps everything
    assert dialog.is_hidden()
    assert page.locator("#answer").input_value() == "Rosa Example"
    page.clock.fast_forward(6_000)
    assert dialog.is_visible()
    with page.expect_navigation():
        page.clock.fast_forward(21_000)
    page.wait_for_url(f"{base}/kiosk/")
    page.go_back()
    page.wait_for_load_state()
    assert "Rosa" not in page.content()
    with app.app_context():
        assert db.session.scalars(select(Intake)).one().status == IntakeStatus.ABANDONED


def test_full_intake_without_javascript(app: Flask, live_server: Any, new_page: Callable[..., Any]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/intake/")
    page.click("button[name=lang][value=es]")
    page.wait_for_url("**/q/start_choice")
    answer_all(page, {**FULL_ANSWERS, "dob": "25/03/1980"})
    page.click("button[name=go]")
    page.wait_for_url("**/intake/done")
    assert page.locator("#reference-code").inner_text()
    assert submitted(app).routed_access_point.slug == "sample-salina"


def test_phone_sized_viewport(app: Flask, live_server: Any, new_page: Callable[..., Any], artifacts_dir: Path,
                              scanner: Callable[[str], Scanner]) -> None:
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2)
    scan = scanner("phone-en")
    page.goto(f"{live_server.url}/intake/")
    scan(page, "start")
    page.click("button[name=lang][value=en]")
    page.wait_for_url("**/q/start_choice")
    for step, code in enumerate(["questions", "1", "0", "outside"]):
        sizes = page.evaluate("""() => {
            const els = [...document.querySelectorAll('button, .btn, label.choice, input[type=submit]')];
            return {
              small: els.filter(e => e.offsetParent !== null)
                        .map(e => e.getBoundingClientRect())
                        .filter(r => r.height < 48 || r.width < 48).length,
              scroll: document.documentElement.scrollWidth - window.innerWidth,
              font: parseFloat(getComputedStyle(document.body).fontSize),
            };
        }""")
        assert sizes["small"] == 0 and sizes["scroll"] <= 0 and sizes["font"] >= 18, (step, sizes)
        page.screenshot(path=str(artifacts_dir / "kiosk" / f"phone-step-{step}.png"), full_page=True)
        page.check(f"input[name=answer][value='{code}']")
        with page.expect_navigation():
            page.click("#next")
    page.wait_for_url("**/q/adults")
    page.fill("#answer", "99")
    with page.expect_navigation():
        page.click("#next")
    scan(page, "question-error")
    assert page.locator("#answer").input_value() == "99"
    assert page.locator("[role=alert]").inner_text()

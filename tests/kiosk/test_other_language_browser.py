"""Another language on a phone's browser (390x844): pick it, type the language, give a phone, be queued."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select

from extensions import db
from models import Intake, IntakeStatus
from services import intake as intakes
from services import interpreter as interpreter_service


def test_another_language_on_a_phone(demo: Flask, live_server: Any, new_page: Callable[..., Any],
                                     artifacts_dir: Path) -> None:
    page = new_page(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    axe = Axe()

    def serious() -> list[str]:
        result = axe.run(page)
        return [f"{v['id']} ({v['impact']})" for v in result.response["violations"]
                if v.get("impact") in ("serious", "critical")]

    page.goto(f"{live_server.url}/intake/")
    other = page.locator("a.other-language")
    assert " ".join(other.inner_text().split()).endswith("Other language / Otro idioma")
    # The last choice of the language picker.
    assert page.locator(".lang-buttons > *").last.get_attribute("class") == other.get_attribute("class")
    other.tap()
    page.locator("#said").wait_for()
    assert "What language do you speak?" in page.content() and "¿Qué idioma habla?" in page.content()
    assert page.locator("span[lang='am']", has_text="አማርኛ").is_visible()
    page.locator("#said").fill("Kiswahili")
    page.locator("#phone").fill("785-555")
    page.get_by_role("button", name="Ask for a call").tap()
    page.locator("#phone-error").wait_for()
    assert page.locator("#said").input_value() == "Kiswahili"  # nothing typed is lost
    assert serious() == []
    page.screenshot(path=str(artifacts_dir / "other-language-phone-error.png"), full_page=True)
    page.locator("#phone").fill("785-555-0166")
    page.locator("input[name='texts'][value='1']").check()
    page.locator("input[name='voicemail'][value='0']").check()
    page.get_by_role("button", name="Ask for a call").tap()
    page.locator(".interpreter-sent").wait_for()
    text = page.locator(".interpreter-sent").inner_text()
    assert "We will call you with an interpreter" in text and "Lo vamos a llamar con un intérprete" in text
    assert "785" not in page.url and "Kiswahili" not in page.url and "Kiswahili" not in page.title()
    assert serious() == []
    page.screenshot(path=str(artifacts_dir / "other-language-sent.png"), full_page=True)
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.reference_code and intake.reference_code in text
        assert intake.status is IntakeStatus.SUBMITTED and intake.callback_requested
        assert intake.language == "en" and intake.interpreter_language == "sw"
        assert interpreter_service.label(intake) == "Swahili (Kiswahili)"
        codes = intakes.codes(intake)
        assert codes["phone"] == "given" and codes["safe_to_text"] == "1" and codes["safe_to_voicemail"] == "0"
        assert intakes.personal_values(intake)["phone"] == "+17855550166"

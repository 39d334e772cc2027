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


def test_the_app_serves_fonts_for_arabic_and_myanmar_script(live_server: Any, new_page: Callable[..., Any],
                                                           artifacts_dir: Path) -> None:
    page = new_page(viewport={"width": 1024, "height": 768})
    fonts: list[str] = []
    page.on("response", lambda r: fonts.append(f"{r.status} {r.url.rsplit('/', 1)[-1]}")
            if "/static/fonts/" in r.url else None)
    page.goto(f"{live_server.url}/intake/")  # the language picker names Arabic and Burmese in their script
    page.evaluate("document.fonts.ready.then(() => true)")
    loaded = page.evaluate("""async ([arabic, burmese]) => {
        const out = {};
        for (const [family, text] of [["Noto Sans Arabic", arabic], ["Noto Sans Myanmar", burmese]]) {
            const faces = await document.fonts.load(`16px "${family}"`, text);
            out[family] = faces.map(f => f.status);
        }
        return out;
    }""", [ARABIC, BURMESE])
    assert loaded == {"Noto Sans Arabic": ["loaded"], "Noto Sans Myanmar": ["loaded"]}
    assert "200 NotoSansArabic-Regular.woff2" in fonts and "200 NotoSansMyanmar-Regular.woff2" in fonts
    # Glyphs, not boxes: the word is drawn wider and in other shapes than with a font that lacks
    # the script (Chromium's last resort draws each letter and mark as one same-width box).
    widths = page.evaluate("""(word) => {
        const measure = (family) => {
            const span = document.createElement("span");
            span.style.font = `40px ${family}`;
            span.textContent = word;
            document.body.append(span);
            const width = span.getBoundingClientRect().width;
            span.remove();
            return width;
        };
        return {served: measure('"Noto Sans Myanmar"'), none: measure('"No Such Font", monospace')};
    }""", BURMESE)
    assert widths["served"] > 0 and abs(widths["served"] - widths["none"]) > 5, widths
    page.locator(".lang-buttons").screenshot(path=str(artifacts_dir / "rtl-language-buttons.png"))


def test_a_page_in_neither_script_loads_neither_font(live_server: Any, new_page: Callable[..., Any]) -> None:
    page = new_page()
    fonts: list[str] = []
    page.on("request", lambda r: fonts.append(r.url) if "/static/fonts/" in r.url else None)
    page.goto(f"{live_server.url}/staff/login")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert fonts == []

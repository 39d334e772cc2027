"""Fixtures for the kiosk and web intake: demo data, a paired kiosk, a walk through the pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from extensions import db
from kiosk import device
from models import Kiosk
from services.demo import KIOSK_LABEL, load_demo

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def demo(app: Flask) -> Flask:
    """Load the demo data (counties, CoCs, sample access points, the Hays kiosk)."""
    with app.app_context():
        load_demo(db.session)
    return app


def pairing_code(app: Flask) -> str:
    """Start pairing the demo kiosk and return its one-time code."""
    with app.app_context():
        kiosk = db.session.scalar(select(Kiosk).where(Kiosk.label == KIOSK_LABEL))
        assert kiosk is not None
        return device.start_pairing(db.session, kiosk).code


def token_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no csrf token on the page"
    return found.group(1)


@pytest.fixture
def paired(demo: Flask) -> FlaskClient:
    """Return a test client paired with the demo kiosk."""
    client = demo.test_client()
    code = pairing_code(demo)
    page = client.get(f"/kiosk/pair/{code}")
    response = client.post(f"/kiosk/pair/{code}", data={"csrf_token": token_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    return client


class Walker:
    """Answer questions through the pages like a person would (with a test client)."""

    def __init__(self, client: FlaskClient, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self.location = f"{prefix}/"

    def start(self, lang: str = "en") -> Any:
        page = self.client.get(f"{self.prefix}/")
        response = self.client.post(f"{self.prefix}/start",
                                    data={"lang": lang, "csrf_token": token_from(page.get_data(as_text=True))})
        assert response.status_code == 302, response.status_code
        self.location = response.headers["Location"]
        return response

    @property
    def key(self) -> str:
        return self.location.rsplit("/", 1)[-1]

    def post(self, url: str, data: dict[str, Any]) -> Any:
        page = self.client.get(url)
        data = {"csrf_token": token_from(page.get_data(as_text=True)), **data}
        return self.client.post(url, data=data)

    def answer(self, key: str, value: Any = None, *, action: str = "next", **extra: Any) -> Any:
        assert self.key == key, f"expected {key}, at {self.location}"
        data: dict[str, Any] = {"action": action, **extra}
        if value is not None:
            data["answer"] = value
        response = self.post(self.location, data)
        if response.status_code == 302:
            self.location = response.headers["Location"]
        return response

    def run(self, answers: list[tuple[str, Any]]) -> None:
        """Answer in order: None skips, a dict is posted as the form, anything else as the answer."""
        for key, value in answers:
            if value is None:
                response = self.answer(key, action="skip")
            elif isinstance(value, dict):
                response = self.answer(key, **value)
            else:
                response = self.answer(key, value)
            assert response.status_code == 302, (key, response.status_code)


@pytest.fixture
def walker() -> Callable[[FlaskClient, str], Walker]:
    return Walker


# -- the browser ------------------------------------------------------------------------------


class BrowserWalk:
    """Drive the intake pages in Chromium: tap options, type answers, press Next or Skip."""

    def __init__(self, page: Any, origin: str, prefix: str, shots: Any = None, tag: str = "") -> None:
        self.page = page
        self.origin = origin
        self.prefix = prefix
        self.shots = shots
        self.tag = tag
        self.taken: set[str] = set()

    def shot(self, kind: str) -> None:
        """Save one screenshot per page type (the first time it is seen)."""
        if self.shots is None or kind in self.taken:
            return
        self.taken.add(kind)
        self.page.screenshot(path=str(self.shots / f"kiosk-{self.tag}-{kind}.png"), full_page=True)

    def at(self, key: str) -> None:
        self.page.wait_for_url(f"**{self.prefix}/q/{key}")

    def answer(self, key: str, value: Any) -> None:
        self.at(key)
        page = self.page
        if value is None:
            page.locator("button[value=skip]").click()
            return
        if isinstance(value, dict):  # kiosk location: {"where": "elsewhere", "answer": "67801"}
            page.locator(f"input[name=where][value={value['where']}]").check()
            if value.get("answer"):
                page.locator("#answer").fill(value["answer"])
            self.shot("location")
        elif isinstance(value, list):
            for code in value:
                page.locator(f"input[name=answer][value='{code}']").check()
            self.shot("question-multi")
        elif page.locator("input[type=radio][name=answer]").count():
            page.locator(f"input[name=answer][value='{value}']").check()
            self.shot("question-choice")
        else:
            page.locator("#answer").fill(str(value))
            self.shot("question-text")
        page.locator("button[value=next]").click()

    def run(self, answers: list[tuple[str, Any]]) -> None:
        for key, value in answers:
            self.answer(key, value)

"""Fixtures for the kiosk and web intake: demo data, a paired kiosk and a walk through the pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from kiosk import devices
from models import Kiosk
from services.demo import KIOSK_LABEL, load_demo

#: A full intake on the longest path, as the form values a person would pick or type.
FULL_ANSWERS: dict[str, Any] = {
    "start_choice": "questions",
    "safe_now": "1",
    "fleeing_violence": "0",
    "slept_last_night": "family",
    "leave_by": "7d",
    "adults": "1",
    "children": "2",
    "pregnant": "0",
    "age_band": "25_54",
    "veteran": "0",
    "health_barrier": "0",
    "safe_place_tonight": "0",
    "could_return": "maybe",
    "could_stay_with": "0",
    "help_needed": ["money", "travel"],
    "location": "67401",
    "contact_method": "text",
    "phone": "(785) 555-0142",
    "safe_to_text": "1",
    "safe_to_voicemail": "0",
    "best_time": "any",
    "contact_name": "Rosa Example",
    "legal_name": "Rosa Maria Example",
    "dob": "03/25/1980",
    "interpreter": "1",
    "consent_share": "1",
}

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def token_from(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1) or found.group(2)


@pytest.fixture
def demo(app: Flask) -> Flask:
    """Load the demo reference data, access points and kiosk."""
    with app.app_context():
        load_demo(db.session)
    return app


@pytest.fixture
def pairing_code(demo: Flask) -> str:
    """Return a fresh one-time pairing code for the demo kiosk."""
    with demo.app_context():
        kiosk = db.session.scalars(db.select(Kiosk).where(Kiosk.label == KIOSK_LABEL)).one()
        return devices.issue_pairing_code(db.session, kiosk).code


@pytest.fixture
def kiosk_client(demo: Flask, pairing_code: str) -> FlaskClient:
    """Return a test client paired with the demo kiosk (through the pairing page)."""
    client = demo.test_client()
    page = client.get(f"/kiosk/pair/{pairing_code}")
    response = client.post(f"/kiosk/pair/{pairing_code}", data={"csrf_token": token_from(page.text), "go": "1"})
    assert response.status_code == 302
    return client


Walker = Callable[..., tuple[str, list[str]]]


@pytest.fixture
def walk() -> Walker:
    """Return ``walk(client, area, answers, lang="en")``: answer every page, stop at review.

    Returns the last URL and the question keys asked, in order.
    """

    def run(client: FlaskClient, area: str, answers: Mapping[str, Any], lang: str = "en") -> tuple[str, list[str]]:
        start = client.get(f"/{area}/")
        assert start.status_code == 200, start.status_code
        response = client.post(f"/{area}/", data={"csrf_token": token_from(start.text), "lang": lang})
        assert response.status_code == 302
        location = response.location
        asked: list[str] = []
        for _ in range(60):
            if "/q/" not in location:
                break
            key = location.rsplit("/", 1)[1]
            asked.append(key)
            page = client.get(location)
            assert page.status_code == 200, (key, page.status_code)
            value = answers[key]
            data: dict[str, Any] = {"csrf_token": token_from(page.text), "next": "Next"}
            if isinstance(value, dict):
                data.update(value)
            else:
                data["answer"] = value
            response = client.post(location, data=data)
            assert response.status_code == 302, (key, response.status_code, response.text[:500])
            location = response.location
        return location, asked

    return run

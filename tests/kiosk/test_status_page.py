"""/status on the web: code and check by POST, one answer for a wrong code or check, throttled, confidential."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from services.demo import load_demo
from services.hotlines import hotline
from tests.services.test_status import submitted

from .conftest import token_from

NOT_FOUND = "We could not find a request with that code and check."


def look_up(client: FlaskClient, headers: dict[str, str] | None = None, **fields: str) -> tuple[int, str]:
    page = client.get("/status", headers=headers)
    assert page.status_code == 200
    response = client.post("/status", data={"csrf_token": token_from(page.get_data(as_text=True)), **fields},
                           headers=headers)
    return response.status_code, response.get_data(as_text=True)


def answer_text(html: str) -> str:
    found = re.search(r'<section class="notice status-answer".*?</section>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))) if found else ""


@pytest.fixture
def made(demo: Flask) -> dict[str, str]:
    """Three submitted intakes: with a phone, without a phone (birth date), confidential."""
    with demo.test_request_context():
        plain = submitted(db.session)
        no_phone = submitted(db.session, contact_method="skip", phone="skip", dob="03/25/1980")
        secret = submitted(db.session, fleeing_violence="yes", safe_now="yes", dv_next="advocate")
        assert secret.confidential, "the violence path did not make a confidential intake"
        return {"plain": plain.reference_code or "", "no_phone": no_phone.reference_code or "",
                "secret": secret.reference_code or "",
                "secret_place": secret.routed_access_point.name if secret.routed_access_point else "-"}


def test_right_code_and_last_four(demo: Flask, made: dict[str, str]) -> None:
    status, html = look_up(demo.test_client(), code=made["plain"].lower().replace("-", " "), last4="0142")
    assert status == 200
    said = answer_text(html)
    assert "We received your request." in said
    assert "Sample: Hays Community Resource Center" in said and "785-555-0100" in said
    assert re.search(r"Open now, until|Closed now\. Opens", said) and "911" in said
    assert "Sam" not in said.replace("Sample", "")


def test_right_code_and_birth_date_when_no_phone(demo: Flask, made: dict[str, str]) -> None:
    status, html = look_up(demo.test_client(), code=made["no_phone"], dob="03/25/1980")
    assert status == 200 and "We received your request." in answer_text(html)


def test_wrong_code_and_wrong_check_look_the_same(demo: Flask, made: dict[str, str]) -> None:
    _, wrong_code = look_up(demo.test_client(), code="000-000", last4="0142")
    _, wrong_check = look_up(demo.test_client(), code=made["plain"], last4="9999")
    _, dob_instead = look_up(demo.test_client(), code=made["plain"], dob="03/25/1980")
    for html in (wrong_code, wrong_check, dob_instead):
        assert NOT_FOUND in html and answer_text(html) == "" and "Hays" not in html
        assert 'value="0142"' not in html and 'value="9999"' not in html  # the check is not kept on screen
    strip = lambda html: re.sub(r'(value|content)="[^"]*"', "", html)  # noqa: E731 - the CSRF token differs
    assert strip(wrong_code) == strip(wrong_check).replace(made["plain"], "000-000")


def test_nothing_in_the_url_and_get_never_looks_up(demo: Flask, made: dict[str, str]) -> None:
    client = demo.test_client()
    page = client.get(f"/status?code={made['plain']}&last4=0142")
    assert page.status_code == 200 and answer_text(page.get_data(as_text=True)) == ""
    assert 'method="post"' in page.get_data(as_text=True)


def test_spanish(demo: Flask, made: dict[str, str]) -> None:
    status, html = look_up(demo.test_client(), {"Accept-Language": "es"}, code=made["plain"], last4="0142")
    assert status == 200
    said = answer_text(html)
    assert "Recibimos su solicitud." in said and re.search(r"Abierto ahora|Cerrado ahora", said)
    _, missing = look_up(demo.test_client(), {"Accept-Language": "es"}, code="000-000", last4="0142")
    assert "No encontramos una solicitud" in missing


def test_confidential_says_received_and_the_advocate_line_only(demo: Flask, made: dict[str, str]) -> None:
    _, html = look_up(demo.test_client(), code=made["secret"], last4="0142")
    said = answer_text(html)
    assert "We received your request." in said and hotline("ks_crisis").phone in said
    assert made["secret_place"] not in html and "Open now" not in said and "Closed now" not in said


def test_wrong_tries_are_throttled_per_client_and_per_code(make_app: Callable[..., Flask]) -> None:
    app = make_app(STATUS_RATE_LIMIT="2 per 15 minutes")
    with app.test_request_context():
        load_demo(db.session, users=False)
        code = submitted(db.session).reference_code or ""
    guesser = app.test_client()
    assert NOT_FOUND in look_up(guesser, code="111-111", last4="0142")[1]
    assert NOT_FOUND in look_up(guesser, code="222-222", last4="0142")[1]
    assert "Too many tries" in look_up(guesser, code=code, last4="0142")[1]  # even the right pair now
    # Per code: wrong checks from other addresses use up the code's tries.
    for address in ("192.0.2.10", "192.0.2.11"):
        client: Any = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        assert NOT_FOUND in look_up(client, code=code, last4="9999")[1]
    owner: Any = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.12"
    assert "Too many tries" in look_up(owner, code=code, last4="0142")[1]

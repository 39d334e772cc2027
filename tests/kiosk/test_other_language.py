"""Another language on a paired kiosk: a listed language picked, a wrong number kept, a form begun gives way."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from extensions import db
from models import Intake, IntakeStatus
from models.intake import Channel
from services import intake as intakes

from .conftest import token_from


def test_a_kiosk_household_picks_a_listed_language(demo: Flask, paired: FlaskClient) -> None:
    start = paired.get("/kiosk/").get_data(as_text=True)
    assert 'href="/kiosk/other-language"' in start
    page = paired.get("/kiosk/other-language").get_data(as_text=True)
    assert 'lang="ti"' in page and "ትግርኛ" in page and "Tigrinya" in page
    token = token_from(page)
    wrong = paired.post("/kiosk/other-language", data={"csrf_token": token, "listed": "ti", "said": "Tigrinya",
                                                       "phone": "12"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert "Please enter a 10-digit phone number" in html and 'value="ti" checked' in html
    with demo.app_context():
        assert db.session.scalars(select(Intake)).all() == []  # nothing stored until it can be sent
    sent = paired.post("/kiosk/other-language", data={"csrf_token": token, "listed": "ti", "phone": "7855550177"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/kiosk/other-language/sent")
    done = paired.get("/kiosk/other-language/sent").get_data(as_text=True)
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.channel is Channel.KIOSK and intake.kiosk_id is not None
        assert intake.interpreter_language == "ti" and intake.callback_requested
        assert intake.reference_code in done
        assert intakes.personal_values(intake)["phone"] == "+17855550177"


def test_a_form_begun_in_english_gives_way(demo: Flask) -> None:
    client = demo.test_client()
    page = client.get("/intake/").get_data(as_text=True)
    client.post("/intake/start", data={"lang": "en", "csrf_token": token_from(page)})
    page = client.get("/intake/other-language").get_data(as_text=True)
    client.post("/intake/other-language", data={"csrf_token": token_from(page), "said": "Plautdietsch",
                                                "phone": "785-555-0178"})
    with demo.app_context():
        statuses = sorted((i.status.value, i.interpreter_language or "") for i in db.session.scalars(select(Intake)))
        assert statuses == [(IntakeStatus.ABANDONED.value, ""), (IntakeStatus.SUBMITTED.value, "pdt")]


def test_staff_assisting_have_no_other_language_page(demo: Flask) -> None:
    assert demo.test_client().get("/staff/assist/other-language").status_code in (302, 404)

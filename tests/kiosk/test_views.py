"""The kiosk and web intake through the test client: real database, real CSRF, real services."""

from __future__ import annotations

import logging
import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from extensions import db
from models import Answer, Intake, IntakeStatus, Kiosk
from services.demo import KIOSK_ACCESS_POINT, KIOSK_LABEL

from .conftest import FULL_ANSWERS, Walker, token_from


def only_intake(app: Flask) -> Intake:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        db.session.expunge(intake)
        return intake


def submit(client: FlaskClient, area: str) -> str:
    review = client.get(f"/{area}/review")
    assert review.status_code == 200
    response = client.post(f"/{area}/submit", data={"csrf_token": token_from(review.text), "go": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/{area}/done")
    done = client.get(f"/{area}/done")
    assert done.status_code == 200
    return done.text


def test_full_web_intake_lands_at_nearest_access_point(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    last, asked = walk(client, "intake", FULL_ANSWERS)
    assert last.endswith("/intake/review")
    assert asked[0] == "start_choice" and "consent_share" in asked
    html = submit(client, "intake")
    code = re.search(r'id="reference-code">([0-9A-Z]{3}-[0-9A-Z]{3})<', html)
    assert code is not None
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status == IntakeStatus.SUBMITTED
        assert intake.reference_code == code.group(1)
        assert intake.channel.value == "web" and intake.kiosk_id is None
        assert intake.routed_access_point is not None
        assert intake.routed_access_point.slug == "sample-salina"
        assert intake.routed_access_point.name in html
        stored = {a.key: a for a in intake.answers}
        assert stored["help_needed"].code == "money,travel"
        assert stored["phone"].code == "given" and b"555" not in (stored["phone"].value_enc or b"")
    assert "Rosa" not in re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_every_page_is_no_store_and_personal_fields_do_not_autocomplete(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    walk(client, "intake", {**FULL_ANSWERS})
    page = client.get("/intake/q/contact_name")
    assert page.headers["Cache-Control"].startswith("no-store")
    assert 'autocomplete="off"' in page.text
    assert "Rosa Example" in page.text  # "change this answer" shows what was given
    review = client.get("/intake/review")
    assert review.headers["Cache-Control"].startswith("no-store")
    assert "Rosa Example" in review.text and "Rosa" not in review.text.split("</title>")[0]


def test_posting_a_page_twice_and_submitting_twice_is_harmless(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    walk(client, "intake", FULL_ANSWERS)
    page = client.get("/intake/q/adults")
    data = {"csrf_token": token_from(page.text), "answer": "3", "next": "Next"}
    first = client.post("/intake/q/adults", data=data)
    second = client.post("/intake/q/adults", data=data)
    assert first.location == second.location
    review = client.get("/intake/review")
    token = token_from(review.text)
    client.post("/intake/submit", data={"csrf_token": token, "go": "1"})
    again = client.post("/intake/submit", data={"csrf_token": token, "go": "1"})
    assert again.location.endswith("/intake/done")
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(Intake)) == 1
        adults = db.session.scalars(select(Answer).where(Answer.key == "adults")).all()
        assert [a.code for a in adults] == ["3"]


def test_bad_input_gets_a_kind_message_and_keeps_what_was_typed(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    start = client.get("/intake/")
    client.post("/intake/", data={"csrf_token": token_from(start.text), "lang": "en"})
    page = client.get("/intake/q/start_choice")
    token = token_from(page.text)
    client.post("/intake/q/start_choice", data={"csrf_token": token, "answer": "talk"})
    client.post("/intake/q/location", data={"csrf_token": token, "answer": "67601"})
    client.post("/intake/q/contact_method", data={"csrf_token": token, "answer": "call"})
    response = client.post("/intake/q/phone", data={"csrf_token": token, "answer": "12ab"})
    assert response.status_code == 422
    assert "That does not look like a phone number." in response.text
    assert 'value="12ab"' in response.text
    empty = client.post("/intake/q/contact_method", data={"csrf_token": token})
    assert empty.status_code == 422 and "We did not get an answer." in empty.text


def test_talk_to_a_person_path_queues_a_callback(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    answers = {"start_choice": "talk", "location": "66044", "contact_method": "call", "phone": "785-555-0199",
               "safe_to_text": "0", "safe_to_voicemail": "1", "best_time": "morning", "contact_name": "Sam",
               "consent_share": "0"}
    _last, asked = walk(client, "intake", answers)
    assert "safe_now" not in asked and "slept_last_night" not in asked
    html = submit(client, "intake")
    assert "Text me this" not in html  # texting is not safe
    intake = only_intake(demo)
    assert intake.callback_requested and intake.status == IntakeStatus.SUBMITTED


def test_confidential_advocate_path_goes_to_the_victim_service_provider(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    answers = {"start_choice": "questions", "safe_now": "1", "fleeing_violence": "1", "dv_choice": "advocate",
               "contact_method": "text", "phone": "785-555-0123", "safe_to_text": "1", "safe_to_voicemail": "0",
               "best_time": "evening", "contact_name": "A friend"}
    _, asked = walk(client, "intake", answers)
    assert "legal_name" not in asked and "slept_last_night" not in asked and "location" not in asked
    html = submit(client, "intake")
    assert "victim service provider" in html
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.confidential
        assert intake.routed_access_point is not None and intake.routed_access_point.kind.value == "vsp"


def test_confidential_stop_keeps_nothing_identifying(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    answers = {"start_choice": "questions", "safe_now": "1", "fleeing_violence": "1", "dv_choice": "stop"}
    _, asked = walk(client, "intake", answers)
    assert asked == ["start_choice", "safe_now", "fleeing_violence", "dv_choice"]
    html = submit(client, "intake")
    assert "We did not save anything about you." in html and "reference-code" not in html
    intake = only_intake(demo)
    assert intake.status == IntakeStatus.WITHDRAWN


def test_notices_show_hotlines_after_the_answer(demo: Flask) -> None:
    client = demo.test_client()
    start = client.get("/intake/")
    token = token_from(start.text)
    client.post("/intake/", data={"csrf_token": token, "lang": "en"})
    client.post("/intake/q/start_choice", data={"csrf_token": token, "answer": "questions"})
    response = client.post("/intake/q/safe_now", data={"csrf_token": token, "answer": "0"})
    page = client.get(response.location)
    assert "If you are in danger, call 911." in page.text and 'href="tel:911"' in page.text


def test_language_can_change_on_any_page_without_losing_answers(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    walk(client, "intake", FULL_ANSWERS)
    page = client.get("/intake/q/veteran")
    response = client.post("/intake/language", data={"csrf_token": token_from(page.text), "lang": "es",
                                                     "back_to": "/intake/q/veteran"})
    assert response.location.endswith("/intake/q/veteran")
    spanish = client.get("/intake/q/veteran")
    assert "¿Alguna vez sirvió en servicio activo" in spanish.text and '<html lang="es">' in spanish.text
    # Spanish makes the interpreter question apply; every earlier answer is still there.
    assert client.get("/intake/review").location.endswith("/intake/q/interpreter")
    assert "Rosa Example" in client.get("/intake/q/contact_name").text
    evil = client.post("/intake/language", data={"csrf_token": token_from(page.text), "lang": "en",
                                                 "back_to": "https://evil.example/"})
    assert evil.location.endswith("/intake/")
    assert only_intake(demo).language == "en"


def test_spanish_first_message_renders_spanish(demo: Flask) -> None:
    client = demo.test_client()
    start = client.get("/intake/")
    response = client.post("/intake/", data={"csrf_token": token_from(start.text), "lang": "es"})
    page = client.get(response.location)
    assert "¿Cómo quiere empezar?" in page.text and "Siguiente" in page.text and "Salida rápida" in page.text


def test_help_is_never_gated(demo: Flask) -> None:
    client = demo.test_client()
    for url in ("/kiosk/help", "/intake/help"):
        page = client.get(url)
        assert page.status_code == 200 and 'href="tel:911"' in page.text and "988" in page.text


def test_unpaired_browser_cannot_start_a_kiosk_intake(demo: Flask) -> None:
    client = demo.test_client()
    page = client.get("/kiosk/")
    assert page.status_code == 403 and "This tablet is not set up" in page.text
    response = client.post("/kiosk/", data={"csrf_token": token_from(page.text), "lang": "en"})
    assert response.status_code == 403
    forged = demo.test_client()
    forged.set_cookie("fd_kiosk", "eyJrIjoxLCJnIjoxfQ.forged", path="/kiosk/")
    assert forged.get("/kiosk/").status_code == 403
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(Intake)) == 0


def test_pairing_cli_prints_a_one_time_link_that_pairs_once(demo: Flask) -> None:
    runner = demo.test_cli_runner()
    result = runner.invoke(args=["kiosks", "pair", "--access-point", KIOSK_ACCESS_POINT, "--label", KIOSK_LABEL])
    assert result.exit_code == 0, result.output
    link = re.search(r"(/kiosk/pair/[A-Za-z0-9_-]+)", result.output)
    assert link is not None
    client = demo.test_client()
    page = client.get(link.group(1))
    assert page.status_code == 200 and "Set up this tablet" in page.text
    response = client.post(link.group(1), data={"csrf_token": token_from(page.text), "go": "1"})
    assert "fd_kiosk=" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert client.get("/kiosk/").status_code == 200
    assert demo.test_client().get(link.group(1)).status_code == 404  # used up
    bad = runner.invoke(args=["kiosks", "pair", "--access-point", "nowhere"])
    assert bad.exit_code != 0 and "nowhere" in bad.output


def test_repairing_invalidates_the_old_device_cookie(demo: Flask, kiosk_client: FlaskClient) -> None:
    assert kiosk_client.get("/kiosk/").status_code == 200
    runner = demo.test_cli_runner()
    with demo.app_context():
        kiosk_id = db.session.scalars(select(Kiosk.id).where(Kiosk.label == KIOSK_LABEL)).one()
    result = runner.invoke(args=["kiosks", "pair", "--kiosk", str(kiosk_id)])
    link = re.search(r"(/kiosk/pair/[A-Za-z0-9_-]+)", result.output)
    assert link is not None
    other = demo.test_client()
    page = other.get(link.group(1))
    other.post(link.group(1), data={"csrf_token": token_from(page.text), "go": "1"})
    assert other.get("/kiosk/").status_code == 200
    assert kiosk_client.get("/kiosk/").status_code == 403


def test_kiosk_intake_records_its_kiosk_and_defaults_to_its_access_point(demo: Flask, kiosk_client: FlaskClient,
                                                                          walk: Walker) -> None:
    answers = {**FULL_ANSWERS, "location": {"where": "here", "answer": ""}}
    walk(kiosk_client, "kiosk", answers)
    html = submit(kiosk_client, "kiosk")
    assert "Finish" in html
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.channel.value == "kiosk" and intake.kiosk is not None
        assert intake.kiosk.label == KIOSK_LABEL
        assert intake.routed_access_point is not None and intake.routed_access_point.slug == KIOSK_ACCESS_POINT


def test_quick_exit_wipes_the_session_and_abandons_the_intake(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    walk(client, "intake", {**FULL_ANSWERS})
    page = client.get("/intake/exit")
    assert page.status_code == 200 and "<title>Welcome</title>" in page.text
    assert page.headers["Clear-Site-Data"] == '"cache"'
    assert client.get("/intake/review").location.endswith("/intake/")
    assert only_intake(demo).status == IntakeStatus.ABANDONED


def test_idle_kiosk_is_reset_by_the_server(make_app, demo: Flask, kiosk_client: FlaskClient) -> None:
    start = kiosk_client.get("/kiosk/")
    response = kiosk_client.post("/kiosk/", data={"csrf_token": token_from(start.text), "lang": "en"})
    assert kiosk_client.get(response.location).status_code == 200
    with kiosk_client.session_transaction() as session:
        session["fd_seen"] = int(time.time()) - 10_000
    after = kiosk_client.get("/kiosk/q/start_choice")
    assert after.status_code == 302 and after.location.endswith("/kiosk/")
    assert only_intake(demo).status == IntakeStatus.ABANDONED
    with kiosk_client.session_transaction() as session:
        assert "fd_intake" not in session


def test_idle_warning_page_offers_im_still_here(demo: Flask, kiosk_client: FlaskClient) -> None:
    page = kiosk_client.get("/kiosk/idle?back=/kiosk/")
    assert "I&#39;m still here" in page.text or "I'm still here" in page.text
    assert 'http-equiv="refresh" content="30;url=/kiosk/reset"' in page.text
    back = kiosk_client.post("/kiosk/still-here", data={"csrf_token": token_from(page.text), "back_to": "/kiosk/"})
    assert back.location.endswith("/kiosk/")


def test_text_me_this_sends_the_code_and_the_access_point(demo: Flask, walk: Walker,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    client = demo.test_client()
    walk(client, "intake", FULL_ANSWERS)
    html = submit(client, "intake")
    assert "Text me this" in html
    code = re.search(r'id="reference-code">([^<]+)<', html).group(1)
    with caplog.at_level(logging.WARNING, logger="kiosk.texting"):
        client.post("/intake/done/text", data={"csrf_token": token_from(html), "go": "1"})
        client.post("/intake/done/text", data={"csrf_token": token_from(html), "go": "1"})
    sent = [r.getMessage() for r in caplog.records if r.name == "kiosk.texting"]
    assert len(sent) == 1 and code in sent[0] and "Salina" in sent[0]
    assert "555-0142" not in sent[0] and "5550142" not in sent[0]
    assert "We sent you a text with your code." in client.get("/intake/done").text


def test_no_personal_data_in_urls(demo: Flask, walk: Walker) -> None:
    client = demo.test_client()
    last, asked = walk(client, "intake", FULL_ANSWERS)
    for key in asked:
        assert re.fullmatch(r"[a-z_]+", key)
    assert "Rosa" not in last

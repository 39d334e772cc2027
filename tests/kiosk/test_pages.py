"""Flask-client tests of the web and kiosk intake pages: pairing, CSRF, caching, double posts."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from extensions import db
from intake_forms import DECLINE
from kiosk import device
from models import Answer, ConsentRecord, Intake, IntakeStatus, Kiosk
from models.sms import OutboxMessage
from services.pii import current_cipher

from .conftest import Walker, pairing_code, token_from

FULL_PATH: list[tuple[str, Any]] = [
    ("start_choice", "questions"),
    ("safe_now", "1"),
    ("fleeing_violence", "0"),
    ("slept_last_night", "outside"),
    ("adults", "1"),
    ("children", "2"),
    ("pregnant", "0"),
    ("age_band", "25_54"),
    ("veteran", "0"),
    ("health_barrier", "0"),
    ("safe_place_tonight", "0"),
    ("could_stay_with", "0"),
    ("help_needed", ["money", "travel"]),
]
CONTACT: list[tuple[str, Any]] = [
    ("contact_method", "text"),
    ("phone", "785-555-0199"),
    ("safe_to_text", "1"),
    ("safe_to_voicemail", "0"),
    ("best_time", "any"),
    ("contact_name", "Sam"),
    ("legal_name", "Sam Example"),
    ("dob", "03/25/1980"),
]


def only_intake(app: Flask) -> Intake:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        db.session.expunge(intake)
        return intake


def submit(walker: Walker) -> Any:
    page = walker.client.get(f"{walker.prefix}/review")
    assert page.status_code == 200
    return walker.client.post(f"{walker.prefix}/submit", data={"csrf_token": token_from(page.get_data(as_text=True))})


def test_web_intake_end_to_end_with_text_me(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([*FULL_PATH, ("location", "67601"), *CONTACT, ("consent_share", "1")])
    assert walker.location == "/intake/review"
    review = walker.client.get("/intake/review").get_data(as_text=True)
    assert "Sam Example" in review and "Outside, in a car or a tent" in review
    assert submit(walker).headers["Location"] == "/intake/done"
    done = walker.client.get("/intake/done").get_data(as_text=True)
    intake = only_intake(demo)
    assert intake.status == IntakeStatus.SUBMITTED and intake.channel == "web"
    assert intake.reference_code in done
    assert "Sample: Hays Community Resource Center" in done
    assert "Text me this" in done
    text = walker.client.post("/intake/done/text", data={"csrf_token": token_from(done)})
    assert text.status_code == 302
    walker.client.post("/intake/done/text", data={"csrf_token": token_from(done)})
    with demo.app_context():
        assert db.session.scalars(select(OutboxMessage)).all().__len__() == 1
    assert "We sent a text message" in walker.client.get("/intake/done").get_data(as_text=True)


def test_submit_twice_is_harmless(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([("start_choice", "talk"), ("location", "67601"), ("contact_method", "come_back"),
                ("contact_name", "Jo"), ("consent_share", "0")])
    page = walker.client.get("/intake/review").get_data(as_text=True)
    first = walker.client.post("/intake/submit", data={"csrf_token": token_from(page)})
    second = walker.client.post("/intake/submit", data={"csrf_token": token_from(page)})
    assert first.headers["Location"] == second.headers["Location"] == "/intake/done"
    intake = only_intake(demo)
    assert intake.callback_requested and intake.status == IntakeStatus.SUBMITTED


def test_posting_an_old_page_again_changes_that_answer_or_goes_to_the_current_one(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([("start_choice", "questions"), ("safe_now", "1")])
    token = token_from(walker.client.get(walker.location).get_data(as_text=True))
    # safe_now posted again (a double tap): stored once more, and on to the current question.
    again = walker.client.post("/intake/q/safe_now", data={"csrf_token": token, "answer": "1", "action": "next"})
    assert again.headers["Location"] == "/intake/q/fleeing_violence"
    # A question not asked yet: back to the current one, nothing stored.
    ahead = walker.client.post("/intake/q/adults", data={"csrf_token": token, "answer": "3", "action": "next"})
    assert ahead.headers["Location"] == "/intake/q/fleeing_violence"
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert "adults" not in {a.key for a in intake.answers}


def test_bad_input_gets_a_kind_message_and_keeps_what_was_typed(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run(FULL_PATH[:4])
    response = walker.answer("adults", "forty")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Sorry, we could not read that answer." in html and 'value="forty"' in html
    assert walker.answer("adults", "2").status_code == 302


def test_skip_stores_the_skip_code(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([("start_choice", "questions")])
    assert walker.answer("safe_now", action="skip").status_code == 302
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert {a.key: a.code for a in intake.answers}["safe_now"] == DECLINE


def test_every_intake_page_is_no_store(demo: Flask, paired: FlaskClient) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    for url in ("/intake/", "/intake/q/start_choice", "/intake/help"):
        assert walker.client.get(url).headers["Cache-Control"] == "no-store"
    for url in ("/kiosk/", "/kiosk/help"):
        assert paired.get(url).headers["Cache-Control"] == "no-store"


def test_post_without_csrf_token_is_refused_kindly(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    response = walker.client.post("/intake/q/start_choice", data={"answer": "questions", "action": "next"})
    assert response.status_code == 302
    page = walker.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please answer again" in page
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert "start_choice" not in {a.key for a in intake.answers}


def test_language_switch_keeps_answers(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([("start_choice", "questions"), ("safe_now", "1")])
    page = walker.client.get(walker.location).get_data(as_text=True)
    switched = walker.client.post("/intake/language", data={
        "csrf_token": token_from(page), "lang": "es", "next": walker.location})
    assert switched.headers["Location"] == walker.location
    html = walker.client.get(walker.location).get_data(as_text=True)
    assert 'lang="es"' in html and "Salida rápida" in html
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        codes = {a.key: a.code for a in intake.answers}
        assert intake.language == "es" and codes["safe_now"] == "1" and codes["start_choice"] == "questions"
    # Only local intake paths are followed.
    away = walker.client.post("/intake/language", data={
        "csrf_token": token_from(html), "lang": "en", "next": "https://example.org/x"})
    assert away.headers["Location"] == "/intake/"


def test_unpaired_browser_sees_how_to_pair_never_the_intake(demo: Flask) -> None:
    client = demo.test_client()
    html = client.get("/kiosk/").get_data(as_text=True)
    assert "not set up" in html and 'action="/kiosk/start"' not in html
    assert client.get("/kiosk/q/safe_now").headers["Location"] == "/kiosk/"
    assert client.get("/kiosk/help").status_code == 200  # help is never gated


def test_pairing_link_works_once_and_binds_to_the_generation(demo: Flask) -> None:
    code = pairing_code(demo)
    client = demo.test_client()
    page = client.get(f"/kiosk/pair/{code}")
    assert page.status_code == 200  # a link preview does not use the code up
    response = client.post(f"/kiosk/pair/{code}", data={"csrf_token": token_from(page.get_data(as_text=True))})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and device.COOKIE_NAME in cookie
    assert 'action="/kiosk/start"' in client.get("/kiosk/").get_data(as_text=True)
    assert demo.test_client().get(f"/kiosk/pair/{code}").status_code == 404
    with demo.app_context():
        kiosk = db.session.scalars(select(Kiosk)).one()
        assert kiosk.pairing_code_hash is None and kiosk.device_generation == 1
    # Pairing again (a new tablet) retires the old cookie.
    new_code = pairing_code(demo)
    other = demo.test_client()
    page = other.get(f"/kiosk/pair/{new_code}")
    other.post(f"/kiosk/pair/{new_code}", data={"csrf_token": token_from(page.get_data(as_text=True))})
    assert "not set up" in client.get("/kiosk/").get_data(as_text=True)


def test_pair_command_prints_a_one_time_link(demo: Flask) -> None:
    runner = demo.test_cli_runner()
    result = runner.invoke(args=["kiosks", "pair", "Lobby 2", "--access-point", "sample-colby", "--create"])
    assert result.exit_code == 0, result.output
    link = next(line for line in result.output.splitlines() if "/kiosk/pair/" in line)
    code = link.rsplit("/", 1)[-1]
    with demo.app_context():
        kiosk = db.session.scalar(select(Kiosk).where(Kiosk.label == "Lobby 2"))
        assert kiosk is not None and kiosk.access_point.slug == "sample-colby"
        assert kiosk.pairing_code_hash == device.hash_code(code) and code not in kiosk.pairing_code_hash
    missing = runner.invoke(args=["kiosks", "pair", "Nowhere"])
    assert missing.exit_code != 0


def test_kiosk_intake_records_the_kiosk_and_routes_here(demo: Flask, paired: FlaskClient) -> None:
    walker = Walker(paired, "/kiosk")
    walker.start("es")
    walker.run([*FULL_PATH, ("location", {"where": "here"}), ("contact_method", "come_back"), ("contact_name", "Ana"),
                ("legal_name", None), ("dob", None), ("interpreter", "1"), ("consent_share", "1")])
    assert submit(walker).headers["Location"] == "/kiosk/done"
    done = paired.get("/kiosk/done").get_data(as_text=True)
    assert "Usted está en la lista" in done and "Sample: Hays Community Resource Center" in done
    intake = only_intake(demo)
    with demo.app_context():
        intake = db.session.get(Intake, intake.id)
        assert intake.kiosk_id is not None and intake.channel == "kiosk"
        assert intake.routed_access_point.slug == "sample-hays"
        assert intake.language == "es"


def test_server_resets_an_idle_kiosk_without_javascript(demo: Flask, paired: FlaskClient) -> None:
    walker = Walker(paired, "/kiosk")
    walker.start("en")
    walker.run([("start_choice", "questions")])
    with paired.session_transaction() as sess:
        sess["seen"] = int(sess["seen"]) - 10_000
    response = paired.get("/kiosk/q/safe_now")
    assert response.headers["Location"] == "/kiosk/"
    assert only_intake(demo).status == IntakeStatus.ABANDONED
    assert 'action="/kiosk/start"' in paired.get("/kiosk/").get_data(as_text=True)


@pytest.mark.parametrize("prefix", ["/intake", "/kiosk"])
def test_quick_exit_wipes_the_session(demo: Flask, paired: FlaskClient, prefix: str) -> None:
    client = paired if prefix == "/kiosk" else demo.test_client()
    walker = Walker(client, prefix)
    walker.start("en")
    walker.run([("start_choice", "questions")])
    response = client.get("/exit")
    assert response.headers["Location"] == "/forecast"
    assert "Weather" in client.get("/forecast").get_data(as_text=True)
    assert client.get(f"{prefix}/q/safe_now").headers["Location"] == f"{prefix}/"
    assert only_intake(demo).status == IntakeStatus.ABANDONED


def test_talk_to_a_person_without_contact_is_asked_for_a_number_then_told_plainly(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([("start_choice", "talk"), ("location", "67601"), ("contact_method", None)])
    assert walker.key == "phone"  # asked once more, for a number
    walker.run([("phone", None), ("contact_name", None), ("consent_share", "1")])
    assert submit(walker).headers["Location"] == "/intake/done"
    done = walker.client.get("/intake/done").get_data(as_text=True)
    assert "We have no phone number or email for you, so staff cannot contact you." in done
    assert "785-555-0100" in done.split("staff cannot contact you")[1].split("</p>")[0]  # the access point
    assert "try to reach you" not in done
    intake = only_intake(demo)
    assert intake.callback_requested and intake.priority_reasons == ["callback_requested"]


@pytest.mark.parametrize(("key", "typed", "reason"), [
    ("adults", "9" * 5000, "That number is outside the range we can take."),
    ("children", "-1", "That number is outside the range we can take."),
    ("children", "2.5", "Please use a whole number, like 2."),
    ("location", "00000", "We could not find that ZIP code or county."),
    ("dob", "01/01/99999999999", "We could not read that date."),
    ("dob", "03/25/2990", "That date is in the future. Please check it."),
])
def test_impossible_numbers_and_dates_are_refused_kindly_on_the_web(demo: Flask, key: str, typed: str,
                                                                    reason: str) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    before = [*FULL_PATH, ("location", "67601"), *CONTACT]
    walker.run(before[:[k for k, _ in before].index(key)])
    response = walker.answer(key, typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert reason in page.replace("&#39;", "'")
    with demo.app_context():
        assert key not in {a.key for a in db.session.scalars(select(Intake)).one().answers}


def test_a_date_of_birth_typed_on_a_keypad_is_kept(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([*FULL_PATH, ("location", "67601"), *CONTACT[:-1], ("dob", "03251980")])
    with demo.app_context():
        from services import intake as intakes

        intake = db.session.scalars(select(Intake)).one()
        assert intakes.personal_values(intake)["dob"] == "1980-03-25"


@pytest.mark.parametrize(("lang", "typed"), [("en", "07/04/1980"), ("es", "04/07/1980"), ("en", "12251999")])
def test_the_kiosk_review_hides_month_and_day_of_birth(demo: Flask, paired: FlaskClient, lang: str,
                                                      typed: str) -> None:
    walker = Walker(paired, "/kiosk")
    walker.start(lang)
    walker.run([*FULL_PATH, ("location", {"where": "here"}), ("contact_method", "come_back"), ("contact_name", "Ana"),
                ("legal_name", None), ("dob", typed), *([("interpreter", "0")] if lang == "es" else []),
                ("consent_share", "1")])
    review = paired.get("/kiosk/review").get_data(as_text=True)
    assert f"••/••/{typed[-4:]}" in review  # the year only, from the stored 1980-07-04
    for shown in ("7/4", "4/7", "07/04", "04/07", "12/25", "25/12", "/80", "/99"):
        assert shown not in review


def test_the_web_review_shows_the_whole_date_to_the_person_on_their_phone(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([*FULL_PATH, ("location", "67601"), *CONTACT[:-1], ("dob", "07/04/1980"), ("consent_share", "1")])
    assert "7/4/80" in walker.client.get("/intake/review").get_data(as_text=True)


@pytest.mark.parametrize(("key", "typed", "hint"), [
    ("adults", "lots", "Please enter a number from 1 to 10."),
    ("location", "00000", "Please enter a 5-digit ZIP code, like 67601, or a county name."),
])
def test_web_hints_speak_of_entering_not_sending(demo: Flask, key: str, typed: str, hint: str) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    before = [*FULL_PATH, ("location", "67601")]
    walker.run(before[:[k for k, _ in before].index(key)])
    page = walker.answer(key, typed).get_data(as_text=True)
    assert hint in page
    assert "Please send" not in page and "Send the numbers" not in page


def test_the_kiosk_never_mentions_an_esc_key(demo: Flask, paired: FlaskClient) -> None:
    page = paired.get("/kiosk/").get_data(as_text=True)
    assert "Tap Quick exit to leave this page fast." in page
    assert "Esc" not in page
    web = demo.test_client().get("/intake/").get_data(as_text=True)
    # On the web the Esc sentence is only for screens with a keyboard (kiosk.css shows one of the two).
    assert '<p class="with-keyboard">' in web and '<p class="touch">' in web


def test_text_me_for_a_confidential_intake_names_no_advocate(demo: Flask) -> None:
    """The "Text me this" text lands on a phone an abuser may read: no shelter name, number or address."""
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([("start_choice", "questions"), ("safe_now", "1"), ("fleeing_violence", "1"),
                ("dv_choice", "advocate"), ("contact_method", "text"), ("phone", "785-555-0198"),
                ("safe_to_text", "1"), ("safe_to_voicemail", "0"), ("best_time", "any"),
                ("contact_name", "Robin")])
    assert submit(walker).headers["Location"] == "/intake/done"
    done = walker.client.get("/intake/done").get_data(as_text=True)
    walker.client.post("/intake/done/text", data={"csrf_token": token_from(done)})
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        ap = intake.routed_access_point
        assert intake.confidential and ap is not None
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        body = current_cipher().decrypt(message.body_enc)
        assert intake.reference_code in body
        assert ap.name not in body and "Safe Harbor" not in body
        assert (ap.phone or "no phone") not in body and (ap.address or "no address") not in body


def test_stop_here_on_the_web_keeps_nothing(demo: Flask) -> None:
    walker = Walker(demo.test_client(), "/intake")
    walker.start("en")
    walker.run([("start_choice", "questions"), ("safe_now", "1"), ("fleeing_violence", "1"),
                ("dv_choice", "stop")])
    assert walker.location == "/intake/stopped"
    assert "We did not save anything about you" in walker.client.get("/intake/stopped").get_data(as_text=True)
    with demo.app_context():
        for model in (Intake, Answer, ConsentRecord):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model

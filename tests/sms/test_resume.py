"""Resume across channels: text -> web, call -> text; a submitted form cannot be reopened."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from extensions import db
from intake_forms import NOT_ASKED
from models import Intake, IntakeStatus
from models.intake import Channel
from models.sms import ConversationState, SmsConversation
from services import intake as intakes
from services import resume
from tests.kiosk.conftest import Walker, token_from
from tests.voice.conftest import Phone as Call

from .conftest import Phone
from .test_conversation import CODE, ENGLISH, walk

NOT_FOUND = "We could not find an unfinished form with that code for this phone number."


def only_intake(app: Flask) -> Intake:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        db.session.expunge(intake)
        return intake


def finish_with_services(app: Flask) -> None:
    """Answer the rest of the only intake as ENGLISH says (through the same service every channel uses)."""
    with app.test_request_context():
        intake = db.session.scalars(select(Intake)).one()
        while (q := intakes.current_question(intake)) is not None:
            answer = "785-555-0142" if q.key == "phone" else ENGLISH[q.key]
            assert intakes.answer(db.session, intake, q.key, answer).ok, q.key


def test_a_text_conversation_goes_on_on_the_web(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550401")
    p.text("Hi")
    p.text("1")
    for key in ("start_choice", "safe_now", "fleeing_violence", "slept_last_night"):
        p.text(ENGLISH[key])
    reply = p.text("CODE")
    found = CODE.search(reply[0])
    assert found and "last 4 digits of this phone number" in reply[0], reply
    assert "How many adults" in reply[-1]  # the question it is on, again
    code = found.group()

    browser = demo.test_client()
    page = browser.get("/intake/resume")
    assert page.status_code == 200
    wrong = browser.post("/intake/resume", data={"csrf_token": token_from(page.get_data(as_text=True)),
                                                 "code": code, "last4": "9999"})
    assert "We could not find an unfinished form" in wrong.get_data(as_text=True)
    page = browser.get("/intake/resume")
    went = browser.post("/intake/resume", data={"csrf_token": token_from(page.get_data(as_text=True)),
                                                "code": code.lower(), "last4": "0401"})
    assert went.status_code == 302 and went.headers["Location"].endswith("/intake/q/adults")
    web = Walker(browser, "/intake")
    web.location = went.headers["Location"]
    web.run([("adults", "1"), ("children", "0")])
    finish_with_services(demo)
    review = browser.get("/intake/review")
    assert review.status_code == 200
    sent = browser.post("/intake/submit", data={"csrf_token": token_from(review.get_data(as_text=True))})
    assert sent.status_code == 302

    intake = only_intake(demo)
    assert intake.status is IntakeStatus.SUBMITTED and intake.reference_code == code  # the same code
    assert intake.channel is Channel.SMS and intake.finished_channel is Channel.WEB
    with demo.app_context():
        stored = intakes.codes(db.session.get(Intake, intake.id))  # type: ignore[arg-type]
        assert stored["slept_last_night"] == "outside" and stored["adults"] == "1"  # by text, then on the web
        conversation = db.session.scalars(select(SmsConversation)).one()
        assert conversation.intake_id is None and conversation.state is ConversationState.NEW
    # Sent: it cannot be opened again, by text or on the web.
    assert p.text(f"RESUME {code}")[0].startswith(NOT_FOUND)
    page = browser.get("/intake/resume")
    again = browser.post("/intake/resume", data={"csrf_token": token_from(page.get_data(as_text=True)),
                                                 "code": code, "last4": "0401"})
    assert again.status_code == 200 and "We could not find an unfinished form" in again.get_data(as_text=True)


def test_a_dropped_call_goes_on_by_text(demo: Flask, phone: Callable[[str], Phone]) -> None:
    number = "+17855550402"
    call = Call(demo, demo.test_client(), number)
    call.dial()
    call.press("1")  # English
    intake = only_intake(demo)
    code = intake.reference_code
    assert code is not None
    spelled = ", ".join(code[:3]) + ". " + ", ".join(code[4:])
    assert f"Your code is {spelled}" in call.spoken() and "text RESUME" in call.spoken()
    call.press("1")  # start_choice: answer the questions
    call.hang_up()
    assert only_intake(demo).status is IntakeStatus.ABANDONED

    # From a number the intake does not know: the same answer as a wrong code.
    assert phone("+17855550403").text(f"RESUME {code}")[0].startswith(NOT_FOUND)
    p = phone(number)
    reply = p.text(f"resume {code}")
    assert reply[0] == "Welcome back. We kept your answers. Here is the next question."
    assert "safe" in reply[1].lower(), reply  # the next unanswered question, not the first
    walk(demo, p, ENGLISH)
    assert code in p.last()
    done = only_intake(demo)
    assert done.status is IntakeStatus.SUBMITTED and done.reference_code == code
    assert done.channel is Channel.VOICE and done.finished_channel is Channel.SMS
    with demo.app_context():
        assert intakes.codes(db.session.get(Intake, done.id))["start_choice"] == "questions"  # type: ignore[arg-type]


def test_continue_without_a_code_is_still_an_answer() -> None:
    from services.resume import resume_request

    assert resume_request("continuar") is None and resume_request("continue please") is None
    assert resume_request("RESUME 7kq-2md") == ("en", "7kq-2md")
    assert resume_request("Reanudar 7KQ2MD") == ("es", "7kq2md")
    assert resume_request("continuar 7KQ2MD") is None and resume_request("resume") is None


def test_questions_a_call_could_not_ask_are_asked_where_the_intake_goes_on(demo: Flask) -> None:
    """A keypad cannot take a name: the call stores NOT_ASKED (HUD 99) and the next channel asks it."""
    with demo.test_request_context():
        intake = intakes.start_intake(db.session, channel=Channel.VOICE, language="en")
        for key in ("contact_name", "legal_name", "dob"):
            assert intakes.set_code(db.session, intake, key, NOT_ASKED).ok
        assert intakes.codes(intake)["contact_name"] == NOT_ASKED
        intake.status = IntakeStatus.ABANDONED
        db.session.commit()
        resume.reopen(db.session, intake)
        db.session.commit()
        codes = intakes.codes(intake)
        assert not {"contact_name", "legal_name", "dob"} & set(codes)
        assert intake.status is IntakeStatus.IN_PROGRESS

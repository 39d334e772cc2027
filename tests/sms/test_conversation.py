"""Whole conversations by text, every question kind, every keyword, odd input, resume and after submit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from extensions import db
from intake_forms import DECLINE
from models import Answer, Intake, IntakeStatus
from models.sms import ConversationState, InboundMessage, SmsConversation, SmsOptOut
from services import intake as intakes
from services.pii import current_cipher

from .conftest import Phone

CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}\b")

ENGLISH = {
    "start_choice": "1",
    "safe_now": "yes",
    "fleeing_violence": "no",
    "slept_last_night": "outside in my car",
    "adults": "1",
    "children": "two",
    "pregnant": "no",
    "age_band": "3",
    "veteran": "Yse",  # a typo is forgiven
    "health_barrier": "no",
    "safe_place_tonight": "no",
    "could_stay_with": "maybe",
    "help_needed": "1,3",
    "location": "67601",
    "contact_method": "text",
    "phone": "yes",
    "safe_to_text": "yes",
    "safe_to_voicemail": "no",
    "best_time": "any time",
    "contact_name": "Sam",
    "legal_name": "skip",
    "dob": "SKIP",
    "consent_share": "1",
}

SPANISH = {
    "start_choice": "contestar",
    "safe_now": "sí",
    "fleeing_violence": "No",
    "slept_last_night": "con mi familia",
    "leave_by": "hoy",
    "adults": "dos",
    "children": "0",
    "pregnant": "no",
    "age_band": "2",
    "veteran": "no",
    "health_barrier": "no",
    "safe_place_tonight": "si",
    "could_return": "tal vez",
    "could_stay_with": "no",
    "help_needed": "dinero y autobus",
    "location": "condado de Ellis",
    "contact_method": "llamada",
    "phone": "785-555-0187",
    "safe_to_text": "si",
    "safe_to_voicemail": "no",
    "best_time": "tarde",
    "contact_name": "Ana",
    "legal_name": "saltar",
    "dob": "25/03/1980",
    "interpreter": "si",
    "consent_share": "si",
}


def conversation_of(app: Flask, number: str) -> SmsConversation:
    index = current_cipher().phone_index(number)
    return db.session.scalars(select(SmsConversation).where(SmsConversation.phone_index == index)).one()


def current_key(app: Flask, number: str) -> str | None:
    with app.app_context():
        conv = conversation_of(app, number)
        if conv.intake is None or conv.state is not ConversationState.ACTIVE:
            return None
        q = intakes.current_question(conv.intake)
        return q.key if q else None


def walk(app: Flask, p: Phone, answers: dict[str, str]) -> list[str]:
    """Answer whatever the line asks from ``answers`` until it stops asking; return the asked keys."""
    asked: list[str] = []
    for _ in range(60):
        key = current_key(app, p.number)
        if key is None:
            return asked
        asked.append(key)
        p.text(answers[key])
    raise AssertionError(f"the conversation never ended: {asked}")


def test_whole_conversation_in_english(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550142")
    first = p.text("Hi")
    assert "1 English" in first[0] and "Español" in first[0] and "911" in first[0]
    welcome = p.text("1")
    assert welcome[0].startswith("Welcome.") and "How do you want to start?" in welcome[1]
    asked = walk(demo, p, ENGLISH)
    assert "phone" in asked and "leave_by" not in asked
    final = p.last()
    code = CODE.search(final)
    assert code, final
    assert "Sample: Hays Community Resource Center" in final and "785-555-0100" in final
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status is IntakeStatus.SUBMITTED and intake.reference_code == code.group()
        assert intake.routed_access_point.slug == "sample-hays"
        assert intake.channel.value == "sms" and intake.language == "en"
        stored = intakes.codes(intake)
        assert stored["slept_last_night"] == "outside" and stored["veteran"] == "1"
        assert stored["help_needed"] == "money,travel" and stored["children"] == "2"
        assert intakes.personal_values(intake)["phone"] == "+17855550142"
        assert intake.contact_phone_index == current_cipher().phone_index("+17855550142")
    # The shelter notice came right after "no safe place tonight".
    assert any("211" in text for reply in p.replies for text in reply)


def test_whole_conversation_in_spanish(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+16205550143")
    first = p.text("hola, necesito ayuda")
    assert first[0].startswith("Bienvenido.")
    assert "Como quiere empezar?" in first[1] or "empezar" in first[1]
    walk(demo, p, SPANISH)
    final = p.last()
    assert "Su codigo de referencia es" in final and CODE.search(final)
    assert "Sample: Hays Community Resource Center" in final
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.language == "es" and intake.routed_access_point.slug == "sample-hays"
        stored = intakes.codes(intake)
        assert stored["slept_last_night"] == "family" and stored["leave_by"] == "1d"
        assert stored["help_needed"] == "money,travel" and stored["interpreter"] == "1"
        values = intakes.personal_values(intake)
        assert values["phone"] == "+17855550187" and values["dob"] == "1980-03-25"


def test_every_question_kind_by_text(demo: Flask, phone: Callable[[str], Phone]) -> None:
    """Free text and email (the kinds the two walks above do not reach) are stored encrypted."""
    answers = {**ENGLISH, "help_needed": "6", "help_other": "A ride to my sister's <b>place</b>",
               "contact_method": "email", "email": "Sam@Example.org", "legal_name": "Sam O'Neil",
               "dob": "3/25/1980"}
    p = phone("+17855550144")
    p.text("english")
    asked = walk(demo, p, answers)
    assert {"language", "help_other", "email", "legal_name", "dob", "location", "adults"} - set(asked) == {"language"}
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        values = intakes.personal_values(intake)
        assert values["help_other"] == "A ride to my sister's <b>place</b>"
        assert values["email"] == "Sam@example.org" and values["legal_name"] == "Sam O'Neil"
        assert values["dob"] == "1980-03-25"
        raw = db.session.scalar(select(Answer.value_enc).where(Answer.key == "email"))
        assert raw is not None and b"Example" not in raw


def start(p: Phone, language: str = "1") -> None:
    p.text("hello")
    p.text(language)


def test_unreadable_reply_gets_a_hint_and_the_same_question(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    reply = p.text("banana")
    # Joined they would take two segments: the hint goes first, then the question alone (one segment).
    assert len(reply) == 2
    assert reply[0] == "Sorry, we could not read that answer. Please reply with a number from 1 to 2."
    assert reply[1].startswith("How do you want to start?")
    p.text("1")
    p.text("1")  # safe now
    p.text("2")  # not fleeing
    p.text("2")  # shelter
    reply = p.text("eleven")
    assert "Please send a number from 1 to 10." in reply[0] and "How many adults" in "\n".join(reply)


@pytest.mark.parametrize(
    "body",
    ["", "   ", "\U0001f600\U0001f44d", "x" * 1600, "<script>alert(1)</script>",
     "'; DROP TABLE intakes; --", "1 OR 1=1", "\u202e\u0000weird"],
)
def test_odd_input_is_answered_kindly(demo: Flask, phone: Callable[[str], Phone], body: str) -> None:
    p = phone()
    start(p)
    reply = p.text(body)
    assert reply, "never a silent drop"
    assert "How do you want to start?" in reply[-1]
    assert "<script>" not in "".join(reply)
    with demo.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 1


def test_odd_first_messages(demo: Flask, phone: Callable[[str], Phone]) -> None:
    for number, body in (("+17855550150", ""), ("+17855550151", "\U0001f600"), ("+17855550152", "y" * 1600)):
        reply = phone(number).text(body)
        assert "1 English" in reply[0]


def test_a_retried_message_sid_changes_nothing_and_asks_the_current_question(
    demo: Flask, phone: Callable[[str], Phone]
) -> None:
    """Twilio sends a MessageSid again only when our answer did not reach it: ask again, change nothing."""
    p = phone()
    start(p)
    first = p.text("1", sid="SM" + "d" * 32)
    assert p.text("2", sid="SM" + "d" * 32) == first
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intakes.codes(intake).get("start_choice") == "questions"
        assert intakes.current_question(intake).key == "safe_now"
        assert db.session.scalar(select(func.count(InboundMessage.id))) == 3


def test_the_same_text_delivered_twice_at_once_is_kept_once(demo: Flask, phone: Callable[[str], Phone],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Twilio may retry while the first delivery is still being handled: the unique MessageSid decides."""
    import sms.conversation as conversation_module

    p = phone()
    start(p)
    p.text("1", sid="SM" + "e" * 32)
    # Both deliveries read the conversation before either wrote: the check before writing sees nothing.
    load = conversation_module.Conversation._conversation

    def not_seen_yet(self: conversation_module.Conversation, sid: str) -> tuple[SmsConversation, bool, bool]:
        found, created, _seen = load(self, sid)
        return found, created, False

    monkeypatch.setattr(conversation_module.Conversation, "_conversation", not_seen_yet)
    assert p.text("2", sid="SM" + "e" * 32) == []
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intakes.codes(intake).get("start_choice") == "questions"
        assert intakes.current_question(intake).key == "safe_now"
        assert db.session.scalar(select(func.count(InboundMessage.id))) == 3


def test_the_same_answer_delivered_twice_at_once_is_kept_once(demo: Flask, phone: Callable[[str], Phone],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The same race on the common step (an answer, written without the ORM): the unique MessageSid decides."""
    from dataclasses import replace

    from services import conversation_store

    p = phone()
    start(p)
    p.text("1", sid="SM" + "f" * 32)
    load = conversation_store.load

    def not_seen_yet(*args: object, **kwargs: bool) -> conversation_store.ConversationSnapshot | None:
        found = load(*args, **kwargs)  # type: ignore[arg-type]
        return replace(found, seen=False) if found is not None else None

    monkeypatch.setattr(conversation_store, "load", not_seen_yet)
    assert p.text("2", sid="SM" + "f" * 32) == []
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intakes.codes(intake).get("start_choice") == "questions"
        assert intakes.current_question(intake).key == "safe_now"
        assert db.session.scalar(select(func.count(InboundMessage.id))) == 3


def test_an_answer_is_two_reads_and_leaves_the_intake_row_alone(demo: Flask, phone: Callable[[str], Phone]) -> None:
    """An ordinary answer: two reads (the conversation with its intake, then the answers), the
    per-number count, its own two rows, one commit; the conversation's row is left alone too. On
    PostgreSQL the count comes first (its upsert locks the number); on SQLite just before the
    writes, so the one write lock is held for the writes alone."""
    from sqlalchemy import event

    p = phone()
    start(p)
    with demo.app_context():
        engine = db.engine
    statements: list[str] = []
    commits: list[bool] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(" ".join(statement.split()).upper())

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", lambda conn: commits.append(True))
    try:
        p.text("1")  # "the questions": an answer in the middle of the intake
    finally:
        event.remove(engine, "before_cursor_execute", note)
    reads = [s for s in statements if s.startswith("SELECT")]
    assert len(reads) == 2 and not [s for s in statements if "FOR UPDATE" in s]
    assert reads[1].replace('"', "").startswith("SELECT ANSWERS.KEY, ANSWERS.CODE FROM ANSWERS WHERE")
    count = 0 if engine.dialect.name == "postgresql" else 2
    assert statements[count].startswith("INSERT INTO SMS_SENDER_COUNTS") and "ON CONFLICT" in statements[count]
    assert all(s.startswith("SELECT") for s in statements[count + 1:3])  # PostgreSQL: the reads follow
    assert not [s for s in statements if s.startswith("UPDATE INTAKES")]
    assert [s.split(" ")[0:3] for s in statements if not s.startswith("SELECT")] == [
        ["INSERT", "INTO", "SMS_SENDER_COUNTS"], ["INSERT", "INTO", "SMS_INBOUND"], ["INSERT", "INTO", "ANSWERS"]]
    assert len(commits) == 1  # answered in time: nothing to note on the conversation
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intakes.codes(intake).get("start_choice") == "questions"
        assert conversation_of(demo, p.number).last_body_index is None


def test_last_text_time_is_written_at_most_once_a_minute(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    with demo.app_context():
        first = conversation_of(demo, p.number).last_inbound_at
    p.text("1")
    with demo.app_context():
        conv = conversation_of(demo, p.number)
        assert conv.last_inbound_at == first  # seconds later: not written again
        conv.last_inbound_at = first - timedelta(minutes=2)
        db.session.commit()
    p.text("yes")
    with demo.app_context():
        assert conversation_of(demo, p.number).last_inbound_at > first


def test_no_body_or_number_in_the_database_or_log(demo: Flask, phone: Callable[[str], Phone],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    p = phone("+17855550177")
    start(p)
    p.text("my secret words")
    demo.config["SMS_RATE_LIMIT"] = "1 per minute"  # counted afresh: the second text goes over
    p.text("more secret words")
    assert "very fast" in p.text("still more secret words")[-1]
    assert "went over the rate limit" in caplog.text  # what is logged about a sender ...
    assert "+17855550177" not in caplog.text and "secret words" not in caplog.text  # ... names nobody
    with demo.app_context():
        conv = conversation_of(demo, "+17855550177")
        assert "5550177" not in repr(conv.__dict__)


# Keywords ------------------------------------------------------------------------------------

def test_help_lists_emergency_numbers_anywhere(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    reply = p.text("HELP")
    assert all(n in reply[0] for n in ("911", "988", "888-363-2287", "211", "877-424-3838"))
    assert "1 English" in reply[1]
    p.text("1")
    reply = p.text("help")
    assert "911" in reply[0] and "How do you want to start?" in reply[1]


def test_ayuda_first_picks_spanish_and_helps(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    reply = p.text("AYUDA")
    assert reply[0].startswith("Linea de ayuda de vivienda") and "911" in reply[0]
    assert "1 " in reply[1]
    with demo.app_context():
        assert db.session.scalars(select(Intake)).one().language == "es"


def test_stop_sends_nothing_more_and_keeps_the_intake(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    p.text("1")
    assert p.text("STOP") == []
    assert p.text("1") == []
    assert p.text("help") == []
    with demo.app_context():
        assert db.session.scalar(select(func.count(SmsOptOut.id))) == 1
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status is IntakeStatus.IN_PROGRESS
        assert intakes.codes(intake)["start_choice"] == "questions"
    reply = p.text("START")
    assert reply[0].startswith("You will get texts from us again.")
    assert "Are you safe right now?" in reply[1]
    with demo.app_context():
        assert db.session.scalar(select(func.count(SmsOptOut.id))) == 0


@pytest.mark.parametrize("word", ["stop", "Stop", "UNSUBSCRIBE", "cancel", "end", "quit", "stopall", "PARAR",
                                  "baja", "cancelar"])
def test_stop_family(demo: Flask, phone: Callable[[str], Phone], word: str) -> None:
    p = phone()
    start(p)
    assert p.text(word) == []
    with demo.app_context():
        assert db.session.scalar(select(func.count(SmsOptOut.id))) == 1


def test_spanish_start_opts_in_again(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    p.text("hola")
    p.text("parar")
    reply = p.text("COMENZAR")
    assert reply[0].startswith("Va a recibir mensajes de nuevo.")


@pytest.mark.parametrize("word", ["BACK", "atrás"])
def test_back_asks_the_previous_question_again(demo: Flask, phone: Callable[[str], Phone], word: str) -> None:
    p = phone()
    start(p)
    p.text("1")
    p.text("yes")
    reply = p.text(word)
    assert "Are you safe right now?" in reply[0]
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert "safe_now" not in intakes.codes(intake)


@pytest.mark.parametrize("word", ["SKIP", "saltar"])
def test_skip_stores_the_skip_code(demo: Flask, phone: Callable[[str], Phone], word: str) -> None:
    p = phone()
    start(p)
    p.text("1")
    p.text(word)
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intakes.codes(intake)["safe_now"] == DECLINE


@pytest.mark.parametrize("word", ["RESTART", "reiniciar"])
def test_restart_keeps_only_the_language(demo: Flask, phone: Callable[[str], Phone], word: str) -> None:
    p = phone()
    start(p, "2")
    p.text("1")
    p.text("si")
    reply = p.text(word)
    assert len(reply) == 1
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intakes.codes(intake) == {"language": "es"}


def test_language_can_change_mid_way(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    reply = p.text("espanol")
    assert "1 " in reply[0] and "How do you want to start?" not in reply[0]
    with demo.app_context():
        assert db.session.scalars(select(Intake)).one().language == "es"


# Resume and after submit -----------------------------------------------------------------------

def test_resumes_within_the_window_and_starts_fresh_after(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    p.text("1")
    reply = p.text("what was the question")
    assert "Are you safe right now?" in reply[-1]
    with demo.app_context():
        conv = conversation_of(demo, p.number)
        conv.last_inbound_at = conv.last_inbound_at - timedelta(days=6)
        db.session.commit()
    assert "Are you safe right now?" in p.text("hmm")[-1]
    with demo.app_context():
        conv = conversation_of(demo, p.number)
        conv.last_inbound_at = conv.last_inbound_at - timedelta(days=8)
        db.session.commit()
    reply = p.text("hi there")
    assert any("1 English" in text for text in reply)  # the language menu (its first text)
    with demo.app_context():
        statuses = sorted(s.value for s in db.session.scalars(select(Intake.status)))
        assert statuses == ["abandoned"]


def test_after_submit_a_text_gets_the_code_and_new_starts_over(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    walk(demo, p, ENGLISH)
    code = CODE.search(p.last())
    assert code
    reply = p.text("hello?")
    assert code.group() in reply[0] and "text NEW" in reply[0]
    assert "Sample: Hays" in reply[0]
    reply = p.text("NEW")
    assert reply[0].startswith("Welcome.")
    with demo.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 2


def test_talk_to_a_person_is_queued_as_callback(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    walk(demo, p, {**ENGLISH, "start_choice": "2", "location": "Finney county"})
    assert CODE.search(p.last())
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.callback_requested and intake.routed_access_point.slug == "sample-garden-city"


def test_dv_stop_saves_nothing_identifying(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    p.text("1")
    p.text("1")
    reply = p.text("1")  # fleeing: yes
    assert "888-363-2287" in reply[0]
    reply = p.text("3")  # stop here
    assert "We did not save anything about you." in reply[0]
    assert "reference code" not in "\n".join(reply)
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(Intake)) == 0
    reply = p.text("hi")
    assert "1 English" in reply[0]


ADVOCATE = {"start_choice": "1", "safe_now": "yes", "fleeing_violence": "yes", "dv_choice": "1",
            "contact_method": "skip", "safe_to_text": "no", "safe_to_voicemail": "no",
            "best_time": "any", "contact_name": "skip"}


def test_an_advocate_request_that_skips_how_to_contact_is_offered_the_texting_number(
        demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550161")
    start(p)
    asked = walk(demo, p, {**ADVOCATE, "phone": "yes"})
    assert asked[asked.index("contact_method") + 1] == "phone"
    offer = [reply for reply in p.replies if any("What phone number can staff use?" in t for t in reply)]
    assert offer and "Reply YES to use the number you are texting from" in "\n".join(offer[0])
    assert "cannot contact you" not in p.last()
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.callback_requested and intake.confidential
        assert intakes.personal_values(intake)["phone"] == "+17855550161"
        reach = intakes.reach_back(intake)
        assert (reach.route, reach.unreachable, reach.call_us) == ("phone", False, None)


def test_an_advocate_request_with_no_way_to_reach_says_so_and_gives_the_advocate_line(
        demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone("+17855550162")
    start(p)
    walk(demo, p, {**ADVOCATE, "phone": "skip"})
    final = p.last()
    assert "staff cannot contact you" in final and "888-363-2287" in final  # the Kansas Crisis Hotline
    assert "will contact you soon" not in final
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        reach = intakes.reach_back(intake)
        assert (reach.route, reach.unreachable, reach.call_us) == ("none", True, "888-363-2287")


def walk_to(app: Flask, p: Phone, answers: dict[str, str], stop: str) -> None:
    for _ in range(60):
        key = current_key(app, p.number)
        if key == stop:
            return
        assert key is not None, f"never asked {stop}"
        p.text(answers[key])
    raise AssertionError(f"never asked {stop}")


@pytest.mark.parametrize(("key", "body", "reason"), [
    ("adults", "9" * 5000, "That number is outside the range we can take."),
    ("adults", "-1", "That number is outside the range we can take."),
    ("children", "2.5", "Please use a whole number, like 2."),
    ("location", "00000", "We could not find that ZIP code or county."),
    ("dob", "01/01/99999999999", "We could not read that date."),
    ("dob", "03/25/1899", "That year looks too early."),
])
def test_impossible_numbers_and_dates_get_a_kind_reply_and_the_question_again(
        demo: Flask, phone: Callable[[str], Phone], key: str, body: str, reason: str) -> None:
    p = phone()
    start(p)
    walk_to(demo, p, ENGLISH, key)
    reply = "\n".join(p.text(body))  # a 500 here would make Twilio send the text again and again
    assert reason in reply
    assert current_key(demo, p.number) == key
    with demo.app_context():
        assert key not in intakes.codes(db.session.scalars(select(Intake)).one())


def test_a_date_of_birth_texted_as_8_digits_is_kept(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    walk(demo, p, {**ENGLISH, "dob": "03251980"})
    with demo.app_context():
        assert intakes.personal_values(db.session.scalars(select(Intake)).one())["dob"] == "1980-03-25"


def test_sms_hints_speak_of_sending(demo: Flask, phone: Callable[[str], Phone]) -> None:
    p = phone()
    start(p)
    walk_to(demo, p, ENGLISH, "adults")
    assert "Please send a number from 1 to 10." in "\n".join(p.text("lots"))


def test_skipping_every_question_by_text_gives_priority_0_and_8_adults_stay_8(
        demo: Flask, phone: Callable[[str], Phone]) -> None:
    skipper = phone("+17855550171")
    start(skipper)
    walk(demo, skipper, {key: "skip" for key in ENGLISH} | {"leave_by": "skip", "could_return": "skip",
                                                            "institution_short_stay": "skip"})
    counter = phone("+17855550172")
    start(counter)
    walk(demo, counter, {**ENGLISH, "adults": "8", "children": "nine"})
    with demo.app_context():
        skipped, counted = db.session.scalars(select(Intake).order_by(Intake.id)).all()
        assert (skipped.priority, skipped.priority_reasons) == (0, [])
        assert intakes.codes(skipped)["children"] == DECLINE
        assert (intakes.codes(counted)["adults"], intakes.codes(counted)["children"]) == ("8", "9")
        assert "children" in counted.priority_reasons


def test_a_confidential_confirmation_names_no_advocate(phone: Callable[[str], Phone], demo: Flask) -> None:
    p = phone("+17855550178")
    for text in ["English", "1", "yes", "yes", "advocate", "call", "yes", "yes", "no", "any time", "skip"]:
        p.text(text)
    with demo.app_context():
        intake = db.session.scalars(select(Intake)).one()
        ap = intake.routed_access_point
        assert intake.confidential and intake.status is IntakeStatus.SUBMITTED and ap is not None
        last = p.last()
        assert intake.reference_code in last
        assert ap.name not in last and "Safe Harbor" not in last and (ap.phone or "no phone") not in last


def test_stop_here_by_text_keeps_nothing_and_the_next_text_starts_fresh(phone: Callable[[str], Phone],
                                                                         demo: Flask) -> None:
    p = phone("+17855550179")
    for text in ["English", "1", "yes", "yes"]:
        p.text(text)
    last = p.text("stop here")
    assert last and "Sorry" not in " ".join(last)
    with demo.app_context():
        for model in (Intake, Answer, SmsConversation, InboundMessage):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
    # The next text is answered as a new person's first text is, not as a wrong answer.
    again = p.text("hello")
    first_from_someone_new = phone("+17855550180").text("hello")
    assert again == first_from_someone_new
    assert "could not read" not in " ".join(again)

"""Whole calls to the access line with real signed requests: TwiML, stored answers, call endings."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from extensions import db
from intake_forms import DECLINE, NOT_ASKED
from models import Answer, Intake, IntakeStatus, VoiceCall, VoiceStep
from services import intake as intakes
from services.pii import current_cipher

from .conftest import CALLER, Phone

Dial = Callable[..., Phone]


def says(element, language: str, voice: str) -> None:
    """Every <Say> in the document speaks ``language`` with ``voice`` (a valid pair)."""
    for say in element.iter("Say"):
        assert say.attrib["language"] == language
        assert say.attrib["voice"] == voice


def only_intake(app: Flask) -> tuple[Intake, dict[str, str], dict[str, str]]:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        return intake, intakes.codes(intake), intakes.personal_values(intake)


# English, by keypad: the whole call ------------------------------------------------------------

ENGLISH_KEYS = [
    ("1", "start_choice"),  # language: English -> then "How do you want to start?"
    ("1", "safe_now"),  # answer the questions
    ("1", "fleeing_violence"),  # safe now: yes
    ("2", "slept_last_night"),  # fleeing: no
    ("1", "adults"),  # outside (two-digit list: ended by #)
    ("1", "children"),
    ("0", "pregnant"),  # 0 children: here 0 is the answer, not the help key
    ("2", "age_band"),
    ("3", "veteran"),
    ("1", "health_barrier"),  # veteran: yes -> the VA line is read
    ("2", "safe_place_tonight"),
    ("2", "could_stay_with"),  # no safe place -> 211
    ("3", "help_needed"),
    ("13", "location"),  # money and travel, keys ended by #
    ("67601", "contact_method"),
    ("2", "phone"),  # call
    ("1", "safe_to_text"),  # the number I am calling from
    ("1", "safe_to_voicemail"),
    ("1", "best_time"),
    ("4", "consent_share"),  # any time; then names and date of birth are skipped
]

ENGLISH_CODES = {
    "language": "en", "start_choice": "questions", "safe_now": "1", "fleeing_violence": "0",
    "slept_last_night": "outside", "adults": "1", "children": "0", "pregnant": "0",
    "age_band": "25_54", "veteran": "1", "health_barrier": "0", "safe_place_tonight": "0",
    "could_stay_with": "0", "help_needed": "money,travel", "location": "zip:67601",
    "contact_method": "call", "phone": "given", "safe_to_text": "1", "safe_to_voicemail": "1",
    "best_time": "any", "contact_name": NOT_ASKED, "legal_name": NOT_ASKED, "dob": NOT_ASKED, "consent_share": "1",
}


def test_a_whole_call_in_english_by_keypad(app: Flask, phone: Dial, demo: None) -> None:
    call = phone()
    menu = call.dial()
    gather = call.gather
    assert gather.attrib["input"] == "dtmf speech"
    assert gather.attrib["numDigits"] == "1"
    assert gather.attrib["action"] == "/voice/step/1"
    said = [(say.text, say.attrib["language"], say.attrib["voice"]) for say in gather.findall("Say")]
    # Every language under its menu number: those with a voice in themselves, the others in English.
    assert [said[n] for n in (0, 1, 3, 5)] == [
        ("For English press 1.", "en-US", "Polly.Joanna"), ("Para español oprima 2.", "es-US", "Polly.Lupe"),
        ("For Somali, press 4.", "en-US", "Polly.Joanna"), ("For Burmese, press 6.", "en-US", "Polly.Joanna")]
    assert (said[2][1:], said[4][1:]) == (("vi-VN", "Google.vi-VN-Standard-A"), ("arb", "Polly.Zeina"))
    assert "3" in said[2][0] and "5" in said[4][0]
    # Six languages leave keys 7-9, too few for a status key each: one key, 7, said in each voice
    # (docs/status.md); the caller then picks the lookup's language.
    assert [("7" in text, voice) for text, _lang, voice in said[6:10]] == [
        (True, "Polly.Joanna"), (True, "Polly.Lupe"), (True, "Google.vi-VN-Standard-A"), (True, "Polly.Zeina")]
    assert said[6][0] == "To check on a request you already made, press 7."
    # Last, another language (a callback with an interpreter), in English and Spanish.
    assert [(text, voice) for text, _lang, voice in said[10:]] == [
        ("For another language, press 0.", "Polly.Joanna"), ("Para otro idioma, oprima 0.", "Polly.Lupe")]
    assert menu.find("Redirect") is not None

    for step, (keys, asked) in enumerate(ENGLISH_KEYS, start=1):
        twiml = call.press(keys)
        says(twiml, "en-US", "Polly.Joanna")
        gather = call.gather
        assert gather.attrib["action"] == f"/voice/step/{step + 1}"
        assert gather.attrib["language"] == "en-US"
        assert gather.attrib["input"] == "dtmf speech"
        assert gather.attrib["actionOnEmptyResult"] == "true"
        with app.app_context():
            assert db.session.scalars(select(VoiceCall)).one().question_key == asked

        if asked == "start_choice":
            assert "press star to hear the question again" in call.spoken()
            # Options that are requests are offered as "To ..., press N"; the time is the phone's own.
            assert call.prompt() == ("How do you want to start? To answer some questions, press 1. "
                                     "By phone it takes about 10 minutes. To talk to a person, press 2.")
        if asked == "slept_last_night":
            assert gather.attrib["finishOnKey"] == "#" and "numDigits" not in gather.attrib
            # A long list: the first half with the question, the rest only if the caller waits.
            assert "For With family, press 5." in call.prompt() and "press 12" not in call.prompt()
            assert call.prompt().endswith("Or stay on the line to hear more choices.")
        if asked == "health_barrier":
            assert "call 8 7 7, 4 2 4, 3 8 3 8" in call.spoken()
        if asked == "could_stay_with":
            assert "call 2 1 1" in call.spoken()
        if asked == "help_needed":
            assert gather.attrib["finishOnKey"] == "#"
            assert "Press the numbers of all that fit" in call.prompt()
        if asked == "location":
            assert gather.attrib["numDigits"] == "5"
        if asked == "phone":
            assert gather.attrib["numDigits"] == "1"
            assert "ending in 0, 1, 4, 2" in call.prompt()
            assert CALLER not in call.spoken() and "0142" not in gather.attrib["action"]
        if asked == "consent_share":
            assert "Staff will ask you about them when they contact you." in call.spoken()

    final = call.press("1")
    says(final, "en-US", "Polly.Joanna")
    assert final.find("Gather") is None and final.find("Hangup") is not None
    assert final.find("Pause") is not None

    intake, codes, values = only_intake(app)
    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.channel == "voice"
    assert not intake.callback_requested
    assert codes == ENGLISH_CODES
    assert values == {"phone": CALLER}
    spoken = call.spoken()
    code = intake.reference_code
    assert code is not None
    slow = f"{code[0]}, {code[1]}, {code[2]}. {code[4]}, {code[5]}, {code[6]}"
    assert spoken.count(slow) == 2
    assert "Sample: Hays Community Resource Center will contact you." in spoken
    assert "7 8 5, 5 5 5, 0 1 0 0" in spoken
    # Where to go comes with when it is open: today's hours or the next opening.
    assert re.search(r"Open now, until|Closed now\. Opens", spoken), spoken
    with app.app_context():
        assert [c.method for c in db.session.get(Intake, intake.id).consents] == ["keypad"] * 3


# Spanish, by speech ----------------------------------------------------------------------------

SPANISH_SPEECH = [
    ("Español", "start_choice"),
    ("Contestar las preguntas.", "safe_now"),
    ("Sí.", "fleeing_violence"),
    ("No", "slept_last_night"),
    ("Con mi familia", "leave_by"),
    ("Esta semana", "adults"),
    ("dos", "children"),
    ("uno", "pregnant"),
    ("no", "age_band"),
    ("3", "veteran"),  # a keypad press in the middle of speech answers
    ("no", "health_barrier"),
    ("no", "safe_place_tonight"),
    ("sí", "could_return"),
    ("tal vez", "could_stay_with"),
    ("no", "help_needed"),
    ("dinero y boleto de autobús", "location"),
    ("Condado de Ellis", "contact_method"),
    ("llamada", "phone"),
    ("2", "phone"),  # another number
    ("7855550177", "safe_to_text"),
    ("no", "safe_to_voicemail"),
    ("sí", "best_time"),
    ("en la tarde", "interpreter"),
    ("sí", "consent_share"),
]


def test_a_whole_call_in_spanish_by_speech(app: Flask, phone: Dial, demo: None) -> None:
    call = phone()
    call.dial()
    for words, asked in SPANISH_SPEECH:
        twiml = call.press(words) if words.isdigit() else call.say(words)
        says(twiml, "es-US", "Polly.Lupe")
        assert call.gather.attrib["language"] == "es-US"
        with app.app_context():
            assert db.session.scalars(select(VoiceCall)).one().question_key == asked
        if asked == "start_choice":
            assert "oprima 0 para oír los números de emergencia" in call.spoken()
        if asked == "phone" and words == "2":
            assert call.gather.attrib["numDigits"] == "10"
    final = call.say("Sí, pueden compartir")
    says(final, "es-US", "Polly.Lupe")
    assert final.find("Hangup") is not None
    # The access point's name is English data: the Spanish voice reads it as English, inside its sentence.
    with app.app_context():
        place = db.session.scalars(select(Intake)).one().routed_access_point.name
    named = [el for el in final.iter("lang") if el.text == place]
    assert named and named[0].attrib["{http://www.w3.org/XML/1998/namespace}lang"] == "en-US"
    assert f"{place} se comunicará con usted" in call.spoken()

    intake, codes, values = only_intake(app)
    assert intake.status == IntakeStatus.SUBMITTED and intake.language == "es"
    assert codes == {
        "language": "es", "start_choice": "questions", "safe_now": "1", "fleeing_violence": "0",
        "slept_last_night": "family", "leave_by": "7d", "adults": "2", "children": "1",
        "pregnant": "0", "age_band": "25_54", "veteran": "0", "health_barrier": "0",
        "safe_place_tonight": "1", "could_return": "maybe", "could_stay_with": "0",
        "help_needed": "money,travel", "location": "county:ellis", "contact_method": "call",
        "phone": "given", "safe_to_text": "0", "safe_to_voicemail": "1", "best_time": "afternoon",
        "contact_name": NOT_ASKED, "legal_name": NOT_ASKED, "dob": NOT_ASKED, "interpreter": "1", "consent_share": "1",
    }
    assert values == {"phone": "+17855550177"}
    with app.app_context():
        share = db.session.get(Intake, intake.id).consents[0]
        assert (share.kind, share.method) == ("share_answers", "speech")


# Speech and keys on one question ---------------------------------------------------------------


def _to_safe_now(call: Phone) -> None:
    call.dial()
    call.press("1")
    call.press("1")


@pytest.mark.parametrize(
    ("reply", "by_speech", "code"),
    [
        ("yes", True, "1"),
        ("Yes.", True, "1"),
        ("sí", True, "1"),
        ("no", True, "0"),
        ("No.", True, "0"),
        ("prefer not to answer", True, DECLINE),
        ("1", False, "1"),
        ("2", False, "0"),
        ("3", False, DECLINE),
    ],
)
def test_speech_results_and_digits_store_the_same_codes(app: Flask, phone: Dial, reply: str,
                                                       by_speech: bool, code: str) -> None:
    call = phone()
    _to_safe_now(call)
    call.say(reply) if by_speech else call.press(reply)
    _, codes, _ = only_intake(app)
    assert codes["safe_now"] == code


def test_star_repeats_and_zero_reads_the_emergency_numbers(app: Flask, phone: Dial) -> None:
    call = phone()
    _to_safe_now(call)
    asked = call.prompt()
    call.press("*")
    assert call.prompt() == asked
    call.press("0")
    spoken = call.spoken()
    assert "Here are the emergency numbers." in spoken
    for number in ("9 1 1", "9 8 8", "8 8 8, 3 6 3, 2 2 8 7", "2 1 1", "8 7 7, 4 2 4, 3 8 3 8"):
        assert number in spoken
    assert call.prompt() == asked  # and back to the question
    call.say("emergency")
    assert "Here are the emergency numbers." in call.spoken()
    _, codes, _ = only_intake(app)
    assert "safe_now" not in codes


# Silence, unreadable answers and the callback offer ---------------------------------------------


def test_silence_re_asks_twice_then_offers_a_callback(app: Flask, phone: Dial, demo: None) -> None:
    call = phone()
    _to_safe_now(call)
    asked = call.prompt()
    call.silence()
    assert call.spoken().startswith("We did not get an answer.")
    assert call.prompt() == asked
    call.say("purple elephant")
    assert call.spoken().startswith("Sorry, we could not read that answer.")
    call.silence()
    assert "Do you want staff to call you back to finish?" in call.prompt()
    call.press("1")  # yes, call me back
    assert "ending in 0, 1, 4, 2" in call.prompt()
    final = call.press("1")
    assert final.find("Hangup") is not None
    assert "Staff will call you back." in call.spoken()

    intake, codes, values = only_intake(app)
    assert intake.status == IntakeStatus.SUBMITTED and intake.callback_requested
    assert intake.reference_code is not None and intake.routed_access_point_id is not None
    assert codes == {"language": "en", "start_choice": "questions", "contact_method": "call",
                     "phone": "given"}
    assert values == {"phone": CALLER}


def test_declining_the_callback_skips_the_question(app: Flask, phone: Dial) -> None:
    call = phone()
    _to_safe_now(call)
    for _ in range(3):
        call.silence()
    call.press("2")
    assert call.prompt().startswith("Is someone hurting you")
    _, codes, _ = only_intake(app)
    assert codes["safe_now"] == DECLINE


def test_a_silent_language_menu_goes_on_in_english(app: Flask, phone: Dial) -> None:
    call = phone()
    call.dial()
    call.silence()
    call.silence()
    assert call.gather.attrib["action"] == "/voice/step/3"
    call.silence()
    assert call.prompt().startswith("How do you want to start?")


# Calls that end early ---------------------------------------------------------------------------


def test_a_hang_up_halfway_with_a_number_is_queued_as_a_callback(app: Flask, phone: Dial,
                                                                  demo: None) -> None:
    call = phone()
    call.dial()
    for keys, _ in ENGLISH_KEYS[:18]:
        call.press(keys)
    with app.app_context():
        assert db.session.scalars(select(VoiceCall)).one().question_key == "safe_to_voicemail"
    response = call.hang_up()
    assert response.status_code == 204
    intake, codes, values = only_intake(app)
    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.callback_requested
    assert intake.reference_code is not None
    assert codes["safe_to_text"] == "1" and "safe_to_voicemail" not in codes
    assert values == {"phone": CALLER}
    # Twilio sending the status again changes nothing.
    assert call.hang_up().status_code == 204
    again, _, _ = only_intake(app)
    assert again.reference_code == intake.reference_code
    with app.app_context():
        record = db.session.scalars(select(VoiceCall)).one()
        assert record.status == "submitted" and record.ended_at is not None


def test_a_hang_up_without_a_number_is_kept_as_abandoned(app: Flask, phone: Dial) -> None:
    call = phone()
    call.dial()
    for keys, _ in ENGLISH_KEYS[:6]:
        call.press(keys)
    call.hang_up()
    intake, codes, _ = only_intake(app)
    assert intake.status == IntakeStatus.ABANDONED
    # The code said after the language menu is kept: the caller can go on by text (services.resume).
    assert intake.reference_code is not None
    assert codes["adults"] == "1"
    with app.app_context():
        assert db.session.scalars(select(VoiceCall)).one().status == "abandoned"


def test_a_hang_up_at_the_language_menu_leaves_no_intake(app: Flask, phone: Dial) -> None:
    call = phone()
    call.dial()
    call.hang_up()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Intake)) == 0
        assert db.session.scalars(select(VoiceCall)).one().status == "ended"


# Signatures, retries, privacy -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/voice/inbound", "/voice/step/1", "/voice/status"])
def test_a_forged_or_missing_signature_is_refused(phone: Dial, path: str) -> None:
    call = phone()
    assert call.post(path, {"Digits": "1"}, signature="forged").status_code == 403
    assert call.post(path, {"Digits": "1"}, signature="").status_code == 403


def test_a_signature_for_other_parameters_is_refused(app: Flask, phone: Dial) -> None:
    from twilio.request_validator import RequestValidator

    call = phone()
    call.dial()
    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
    signed_for = {"CallSid": call.call_sid, "Digits": "1"}
    signature = validator.compute_signature("http://localhost/voice/step/1", signed_for)
    assert call.post("/voice/step/1", {"Digits": "2"}, signature=signature).status_code == 403


def test_a_twilio_retry_of_the_same_step_records_nothing_twice(app: Flask, phone: Dial) -> None:
    call = phone()
    call.dial()
    call.press("1")
    call.press("1")
    assert call.action == "/voice/step/3"
    first = call.post("/voice/step/3", {"Digits": "2"})
    again = call.post("/voice/step/3", {"Digits": "1"})  # the same request, or a late duplicate
    assert first.status_code == again.status_code == 200
    _, codes, _ = only_intake(app)
    assert codes["safe_now"] == "0"
    call._xml(again)
    assert call.action == "/voice/step/4"  # the retry re-reads the question that is waiting
    assert call.prompt().startswith("Do you want to keep going")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VoiceStep)) == 3
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 3
    # The inbound webhook sent again does not start a second call or intake.
    call.dial()
    assert call.action == "/voice/step/4"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VoiceCall)) == 1


def test_the_caller_number_is_stored_encrypted_and_indexed(app: Flask, phone: Dial) -> None:
    call = phone()
    call.dial()
    with app.app_context():
        record = db.session.scalars(select(VoiceCall)).one()
        assert record.caller_enc is not None and CALLER.encode() not in record.caller_enc
        cipher = current_cipher()
        assert cipher.decrypt(record.caller_enc) == CALLER
        assert record.caller_index == cipher.phone_index(CALLER)


def test_a_withheld_number_is_asked_for(app: Flask, phone: Dial, demo: None) -> None:
    call = phone(caller=None)
    call.dial()
    for keys, _ in ENGLISH_KEYS[:16]:
        call.press(keys)
    assert call.gather.attrib["numDigits"] == "10"
    call.press("123")
    assert call.spoken().startswith("That does not look like a phone number.")
    call.press("7855550188")
    _, codes, values = only_intake(app)
    assert codes["phone"] == "given" and values == {"phone": "+17855550188"}


def test_a_step_claimed_by_another_worker_is_not_processed_again(app: Flask, phone: Dial) -> None:
    call = phone()
    _to_safe_now(call)
    with app.app_context():  # another gunicorn worker took this same request first
        db.session.add(VoiceStep(call_sid=call.call_sid, step=3))
        db.session.commit()
    call.press("2")
    assert call.prompt().startswith("Are you safe right now?")
    _, codes, _ = only_intake(app)
    assert "safe_now" not in codes


def _talk_to_a_person(call: Phone) -> None:
    call.dial()
    call.press("1")  # English
    call.press("2")  # talk to a person
    call.press("67601#")  # ZIP


def test_a_talk_request_that_skips_how_to_contact_is_offered_the_caller_number(app: Flask, phone: Dial,
                                                                              demo: None) -> None:
    call = phone()
    _talk_to_a_person(call)
    assert call.prompt().startswith("How should staff contact you?")
    call.press("6")  # prefer not to answer
    assert call.prompt().startswith("Can staff call you back at the number you are calling from, ending in 0, 1, 4, 2")
    call.press("1")
    _, codes, values = only_intake(app)
    assert codes["contact_method"] == DECLINE and codes["phone"] == "given" and values["phone"] == CALLER


def test_a_talk_request_with_no_number_is_told_plainly_how_to_reach_staff(app: Flask, phone: Dial,
                                                                         demo: None) -> None:
    call = phone()
    _talk_to_a_person(call)
    call.press("6")  # how to contact: prefer not to answer
    call.press("2")  # not this number
    for _ in range(3):
        call.silence()  # no number typed
    while call.twiml is not None and call.twiml.find("Gather") is not None:
        call.press("1")  # the questions left (consent to share)
    said = call.spoken()
    assert "We have no phone number for you, so staff cannot call you back." in said
    assert "Staff will call you back" not in said


def test_an_unanswered_callback_offer_goes_on_and_never_denies_the_caller_id(app: Flask, phone: Dial,
                                                                           demo: None) -> None:
    call = phone()
    call.dial()
    call.press("1")
    call.press("2")  # talk to a person
    for _ in range(3):
        call.silence()  # the ZIP question, three times
    assert call.spoken().count("We could not get an answer to that question.") == 1
    call.silence()
    # A re-ask repeats the offer, not its opening sentence.
    assert "We could not get an answer to that question." not in call.spoken()
    assert "Do you want staff to call you back to finish?" in call.prompt()
    call.silence()
    call.silence()  # no answer to the offer: the ZIP is skipped and the call goes on
    assert call.prompt().startswith("How should staff contact you?")
    assert "We could not get a phone number" not in call.spoken()


def test_a_callback_with_caller_id_left_unconfirmed_says_what_happened(app: Flask, phone: Dial, demo: None) -> None:
    call = phone()
    call.dial()
    call.press("1")
    call.press("1")  # answer the questions
    for _ in range(3):
        call.silence()
    call.press("1")  # yes, call me back
    assert "ending in 0, 1, 4, 2" in call.prompt()
    for _ in range(3):
        call.silence()
    said = call.spoken()
    assert "We did not hear whether staff may call you back at the number you are calling from" in said
    assert "We could not get a phone number" not in said


@pytest.mark.parametrize("digits", ["9" * 5000, "0" * 4000 + "2"])
def test_endless_keypad_digits_are_refused_kindly(app: Flask, phone: Dial, demo: None, digits: str) -> None:
    call = phone()
    call.dial()
    call.press("1")
    for press in ("1", "1", "2", "1"):  # questions, safe, not fleeing, slept outside
        call.press(press)
    assert call.prompt().startswith("How many adults are with you")
    call.press(digits)
    assert "That number is outside the range we can take." in call.spoken()
    assert call.prompt().startswith("How many adults are with you")
    call.press("8#")
    _, codes, _ = only_intake(app)
    assert codes["adults"] == "8"


def test_a_call_is_scored_with_the_configured_weights(make_app: Callable[..., Flask], demo: None) -> None:
    app = make_app(PRIORITY_WEIGHTS={"callback_requested": 5})
    call = Phone(app, app.test_client())
    _talk_to_a_person(call)
    call.press("2")  # how to contact: a phone call
    call.press("1")  # this number
    while call.twiml is not None and call.twiml.find("Gather") is not None:
        call.press("1")
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status == IntakeStatus.SUBMITTED
        assert (intake.priority, intake.priority_reasons) == (5, ["callback_requested"])


def test_a_confidential_call_ends_without_naming_the_advocate(app: Flask, phone: Dial, demo: None) -> None:
    call = phone()
    call.dial()
    # English, answer questions, safe now, fleeing: yes, an advocate, by phone call, this number,
    # texts ok, no voicemail, any time.
    for keys in ["1", "1", "1", "1", "1", "2", "1", "1", "2", "4"]:
        if call.twiml is None or call.twiml.find("Gather") is None:
            break
        call.press(keys)
    assert call.twiml is not None and call.twiml.find("Gather") is None, call.spoken()
    spoken = call.spoken()
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        ap = intake.routed_access_point
        assert intake.confidential and intake.status is IntakeStatus.SUBMITTED and ap is not None
        assert "reference code" in spoken
        assert ap.name not in spoken and "Safe Harbor" not in spoken


def test_stop_here_by_phone_keeps_no_call_record(app: Flask, phone: Dial, demo: None) -> None:
    call = phone()
    call.dial()
    # English, answer questions, safe now, fleeing: yes, stop here.
    for keys in ["1", "1", "1", "1", "3"]:
        call.press(keys)
    assert call.twiml is not None and call.twiml.find("Gather") is None, call.spoken()
    assert call.hang_up().status_code in (200, 204)
    with app.app_context():
        for model in (Intake, Answer, VoiceCall, VoiceStep):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


def test_a_long_list_is_read_in_two_halves_and_every_key_works(app: Flask, phone: Dial) -> None:
    call = phone()
    call.dial()
    for keys in ("1", "1", "1", "2"):  # English, the questions, safe, not fleeing: slept_last_night
        call.press(keys)
    first = call.prompt()
    assert first.startswith("Where did you sleep last night?") and "press 7." in first and "press 8." not in first
    call.silence()  # waiting is not a wrong answer: the other choices are read
    second = call.prompt()
    assert second.startswith("More choices:") and "For Somewhere else, press 12." in second
    assert "press 7." not in second and "Press the number, then press the pound key." in second
    with app.app_context():
        voice_call = db.session.scalars(select(VoiceCall)).one()
        assert (voice_call.phase.value, voice_call.retries) == ("question_more", 0)
    call.press("*")  # the question again, from the start
    assert call.prompt() == first
    call.silence()
    call.press("12")  # somewhere else: asked when they must leave
    with app.app_context():
        assert db.session.scalars(select(VoiceCall)).one().question_key == "leave_by"
    assert only_intake(app)[1]["slept_last_night"] == "other"


def test_an_option_that_is_a_request_is_offered_as_to_do_it(app: Flask, phone: Dial) -> None:
    """Never "For I'd rather talk to a person, press 2"."""
    call = phone()
    call.dial()
    call.press("2")  # Spanish
    assert call.prompt() == ("¿Cómo quiere empezar? Para contestar unas preguntas, oprima 1. "
                             "Por teléfono toma unos 10 minutos. Para hablar con una persona, oprima 2.")

"""The call, step by step: read a keypad press or a speech result, save it, say what comes next.

One ``VoiceCall`` row per Twilio CallSid holds where the caller is. Each <Gather> posts to
``/voice/step/<n>``; step ``n`` is processed once (``voice_steps`` has a unique (call_sid, step)),
so a request Twilio sends again re-reads the current prompt and records nothing twice.

Answers go through ``services.intake`` exactly as on the kiosk: the same parsing, the same codes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

import phonenumbers
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extensions import limiter
from intake_forms import NOT_ASKED, Kind, Question, interpreter, languages, normalize, parse_answer, question
from intake_forms import conditions as flow_conditions
from intake_forms.definition import NO, YES
from models import Channel, Intake, IntakeStatus
from models.base import utcnow
from models.intake import ConsentMethod
from models.voice import CallPhase, CallStatus, VoiceCall, VoiceStep
from services import intake as intakes
from services import interpreter as interpreter_service
from services import resume as resume_service
from services import status as status_service
from services.pii import current_cipher
from voice import speech
from voice.speech import Line

log = logging.getLogger(__name__)

#: Answers the keypad cannot give: stored as NOT_ASKED on a call (HUD 99), asked by another channel
#: that resumes the intake, or by staff. The phone number is the exception: it is offered and confirmed.
SKIPPED_KINDS = frozenset({Kind.NAME, Kind.EMAIL, Kind.DATE, Kind.TEXT})
#: Unreadable or silent answers allowed before the caller is offered a callback (asked 3 times).
MAX_RETRIES = 2
#: Twilio call statuses that mean the call is over.
FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})

# A yes/no confirmation is a channel prompt, not an intake question: it reuses the intake's own
# yes and no options, so "1", "sí", "yes" and "nope" read the same as everywhere else.
_CONFIRM = Question("voice_confirm", Kind.CHOICE, "", options=(YES, NO))


@dataclass(frozen=True)
class Prompt:
    """A <Gather>: what to ask, where the answer goes, and how the keypad is read."""

    step: int
    lines: tuple[Line, ...]
    num_digits: int | None = None
    finish_on_key: str | None = None
    timeout: int = 5
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Turn:
    """One response to Twilio: things to say, then a prompt (or, without one, hang up)."""

    language: str
    said: tuple[Line, ...]
    prompt: Prompt | None


# -- entry points ----------------------------------------------------------------------------


def begin_call(session: Session, call_sid: str, caller: str | None) -> Turn:
    """Answer a new call with the language menu; a repeated request re-reads where the call is."""
    call = _find(session, call_sid)
    if call is None:
        call = VoiceCall(call_sid=call_sid, phase=CallPhase.LANGUAGE, step=1, retries=0,
                         status=CallStatus.ACTIVE)
        number = _e164(caller)
        if number is not None:
            cipher = current_cipher()
            call.caller_enc = cipher.encrypt(number)
            call.caller_index = cipher.phone_index(number)
        session.add(call)
        try:
            session.commit()
        except IntegrityError:  # the same call, delivered twice at once
            session.rollback()
            call = _find(session, call_sid)
            if call is None:
                raise
    return _current(call)


def handle_step(session: Session, call_sid: str, step: int, digits: str | None,
                speech_result: str | None, caller: str | None) -> Turn:
    """Process the answer to step ``step`` of a call, once."""
    call = _find(session, call_sid)
    if call is None:
        return begin_call(session, call_sid, caller)
    if call.phase is CallPhase.DONE or call.status is not CallStatus.ACTIVE:
        return _current(call)
    if step != call.step or not _claim(session, call_sid, step):
        return _current(call)
    call.step += 1
    raw, by_speech = _read_input(digits, speech_result)
    language = call.language or speech.DEFAULT_LANGUAGE
    with force_locale(language):
        turn = _dispatch(session, call, raw, by_speech)
    call.updated_at = utcnow()
    session.commit()
    return turn


def end_call(session: Session, call_sid: str, call_status: str) -> None:
    """Handle Twilio's status callback: a call that ended early is queued or kept as abandoned."""
    if call_status not in FINAL_STATUSES:
        return
    call = _find(session, call_sid)
    if call is None:
        return
    _finalize(session, call)
    if call.ended_at is None:
        call.ended_at = utcnow()
    session.commit()


# -- reading input ---------------------------------------------------------------------------


def _read_input(digits: str | None, speech_result: str | None) -> tuple[str, bool]:
    if digits and digits.strip():
        return digits.strip(), False
    return (speech_result or "").strip(), bool(speech_result and speech_result.strip())


def _find(session: Session, call_sid: str) -> VoiceCall | None:
    return session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))


def _claim(session: Session, call_sid: str, step: int) -> bool:
    """Record that this step is being processed; False when it already was."""
    try:
        with session.begin_nested():
            session.add(VoiceStep(call_sid=call_sid, step=step))
    except IntegrityError:
        return False
    return True


def _e164(number: str | None) -> str | None:
    """Return the caller's number in E.164, or None when it is withheld or not a phone number."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _weights() -> Mapping[str, int] | None:
    """The queue's priority weights (PRIORITY_WEIGHTS), as every channel submits with them."""
    weights: Mapping[str, int] | None = current_app.config.get("PRIORITY_WEIGHTS")
    return weights


def _caller(call: VoiceCall) -> str | None:
    return current_cipher().decrypt(call.caller_enc) if call.caller_enc else None


# -- the steps -------------------------------------------------------------------------------


#: The phases that wait for an answer to an intake question (a long list is read in two halves).
_ASKING = (CallPhase.QUESTION, CallPhase.QUESTION_MORE)


def _dispatch(session: Session, call: VoiceCall, raw: str, by_speech: bool) -> Turn:
    spoken = normalize(raw) if by_speech else ""
    if raw == "*" or spoken in speech.REPEAT_WORDS:
        if call.phase is CallPhase.QUESTION_MORE:  # the question again, from its first choices
            call.phase = CallPhase.QUESTION
        return _turn(call, [])
    if call.phase is not CallPhase.LANGUAGE and (
        (raw == "0" and not _zero_is_an_answer(call)) or spoken in speech.EMERGENCY_WORDS
    ):
        return _turn(call, speech.emergency_lines())
    if call.phase is CallPhase.LANGUAGE:
        return _on_language(session, call, raw, by_speech)
    if call.phase is CallPhase.STATUS_LANGUAGE:
        return _on_status_language(call, raw, by_speech)
    if call.phase is CallPhase.STATUS_CODE:
        return _on_status_code(call, raw, by_speech)
    if call.phase is CallPhase.STATUS_CHECK:
        return _on_status_check(session, call, raw)
    intake = call.intake
    if intake is None or intake.status != IntakeStatus.IN_PROGRESS:
        return _close(session, call, speech.goodbye_lines())
    if call.phase in _ASKING:
        return _on_question(session, call, intake, raw, by_speech)
    if call.phase is CallPhase.INTERPRETER_NAME:
        return _on_interpreter_name(call, intake, raw, by_speech)
    if call.phase is CallPhase.PHONE_CONFIRM:
        return _on_phone_confirm(session, call, intake, raw)
    if call.phase is CallPhase.PHONE_ENTRY:
        return _on_phone_entry(session, call, intake, raw)
    if call.phase is CallPhase.CALLBACK_OFFER:
        return _on_callback_offer(session, call, intake, raw)
    return _close(session, call, speech.goodbye_lines())


def _zero_is_an_answer(call: VoiceCall) -> bool:
    """In a count that can be zero ("How many children?") or a code, 0 is the answer, not the help key."""
    if call.phase in (CallPhase.STATUS_CODE, CallPhase.STATUS_CHECK):
        return True
    if call.phase not in _ASKING or call.question_key is None:
        return False
    q = question(call.question_key)
    return q.kind is Kind.COUNT and q.minimum == 0


def _on_language(session: Session, call: VoiceCall, raw: str, by_speech: bool) -> Turn:
    keys = speech.menu_keys()
    if raw in keys.status:  # a status lookup: no intake is started
        call.language = keys.status[raw]
        call.phase = CallPhase.STATUS_CODE
        call.retries = 0
        return _current(call)
    if keys.status_any is not None and raw == keys.status_any:  # a lookup: its language first
        call.phase = CallPhase.STATUS_LANGUAGE
        call.retries = 0
        return _current(call)
    if raw == keys.other:
        return _begin_interpreter(session, call, None)
    if raw in keys.keypad:
        return _begin_interpreter(session, call, keys.keypad[raw])
    chosen = keys.spoken.get(raw)
    if chosen is None:  # said, not pressed: a language's name
        result = parse_answer(question("language"), raw)
        named = result.code if result.ok else interpreter.match(raw) if by_speech else None
        if named in keys.spoken.values():
            chosen = named
        elif named is not None:  # a keypad-only language, or one we do not offer
            return _begin_interpreter(session, call, named, said=raw if by_speech else None)
    if chosen is not None:
        language = chosen
    elif call.retries < MAX_RETRIES:
        call.retries += 1
        return _current(call)
    else:
        language = speech.DEFAULT_LANGUAGE
    intake = intakes.start_intake(session, channel=Channel.VOICE, language=language)
    call.intake_id = intake.id
    call.intake = intake
    call.language = language
    with force_locale(language):
        said = speech.welcome_lines()
        if call.caller_enc is not None:
            # A call can drop at any moment: the code now lets the caller go on by text from this phone.
            said.append(speech.resume_code_line(resume_service.give_code(session, intake)))
        return _advance(session, call, intake, said)


def _on_status_language(call: VoiceCall, raw: str, by_speech: bool) -> Turn:
    """The language of a status lookup, by its menu number (or its name, said)."""
    spoken = speech.menu_keys().spoken
    chosen = spoken.get(raw)
    if chosen is None and by_speech:
        result = parse_answer(question("language"), raw)
        chosen = result.code if result.ok and result.code in spoken.values() else None
    if chosen is None and call.retries < MAX_RETRIES:
        call.retries += 1
        return _current(call)
    call.language = chosen or speech.DEFAULT_LANGUAGE
    call.phase = CallPhase.STATUS_CODE
    call.retries = 0
    return _current(call)


def _begin_interpreter(session: Session, call: VoiceCall, code: str | None, said: str | None = None) -> Turn:
    """A language the line cannot speak (keypad only, or another language): a callback with an
    interpreter. The caller names the language if we do not know it yet, then confirms the number by key.

    The call goes on in the bridge languages' words (English, with Spanish where said both); the
    intake keeps a registered language (the keypad-only one, else English) and the one to call in.
    """
    registered = code if code is not None and languages.known(code) else languages.DEFAULT
    intake = interpreter_service.start(session, channel=Channel.VOICE, language=registered,
                                       interpreter_language=code)
    if said is not None:
        interpreter_service.name_language(intake, said)
    call.intake_id = intake.id
    call.intake = intake
    call.language = speech.DEFAULT_LANGUAGE
    call.callback = True
    call.retries = 0
    if intake.interpreter_language is None:
        call.phase = CallPhase.INTERPRETER_NAME
        return _current(call)
    return _ask_phone(call, speech.interpreter_lines())


def _on_interpreter_name(call: VoiceCall, intake: Intake, raw: str, by_speech: bool) -> Turn:
    """Keep the language's name as the recognizer heard it; a key or silence goes on without it."""
    if by_speech:
        interpreter_service.name_language(intake, raw)
    else:
        intake.interpreter_language = interpreter.UNLISTED
    return _ask_phone(call, speech.interpreter_lines())


def _status_keys(raw: str, by_speech: bool) -> str | None:
    """Return a keyed (or spoken) reference code as its 6 keypad digits, or None."""
    if by_speech:
        code = intakes.normalize_reference_code(raw)
        return intakes.keypad_digits(code) if code else None
    digits = re.sub(r"\D", "", raw)
    return digits if len(digits) == 6 else None


def _on_status_code(call: VoiceCall, raw: str, by_speech: bool) -> Turn:
    keys = _status_keys(raw, by_speech)
    if keys is None:
        return _status_retry(call, [speech.error_line("not_understood")])
    call.status_keys = keys
    call.phase = CallPhase.STATUS_CHECK
    call.retries = 0
    return _current(call)


def _on_status_check(session: Session, call: VoiceCall, raw: str) -> Turn:
    digits = re.sub(r"\D", "", raw)
    keys = call.status_keys or ""
    if len(digits) not in (4, 8):
        return _status_retry(call, [speech.error_line("not_understood")])
    throttle = status_service.Throttle(limiter.limiter, str(current_app.config["STATUS_RATE_LIMIT"]),
                                       current_cipher())
    client = _caller(call) or "voice:withheld"
    if throttle.blocked(keys, client):
        return _close(session, call, [Line(status_service.too_many_tries()), *speech.goodbye_lines()])
    found = status_service.lookup_by_keypad(
        session, keys, current_cipher(), phone_last4=digits if len(digits) == 4 else None,
        dob=digits if len(digits) == 8 else None, dob_locale=call.language or speech.DEFAULT_LANGUAGE)
    call.status_keys = None
    if found is None:
        throttle.miss(keys, client)
        call.phase = CallPhase.STATUS_CODE
        return _status_retry(call, [Line(status_service.not_found())])
    spoken = speech.speakable(found.language, call.language or speech.DEFAULT_LANGUAGE)
    with force_locale(spoken):
        names = (found.place.name,) if found.place is not None else ()
        lines = [Line(speech.say_numbers(text), spoken, names=names)
                 for text in status_service.sentences(found)]
        lines.append(Line(_goodbye(), spoken))
    return _close(session, call, lines)


def _goodbye() -> str:
    return speech.goodbye_lines()[0].text


def _status_retry(call: VoiceCall, said: list[Line]) -> Turn:
    """Ask for the code again after an unreadable or wrong entry; after two re-asks, say goodbye."""
    if call.retries < MAX_RETRIES:
        call.retries += 1
        call.phase = CallPhase.STATUS_CODE
        return _turn(call, said)
    call.phase = CallPhase.DONE
    return Turn(call.language or speech.DEFAULT_LANGUAGE, (*said, *speech.goodbye_lines()), None)


def _on_question(session: Session, call: VoiceCall, intake: Intake, raw: str, by_speech: bool) -> Turn:
    key = call.question_key or ""
    q = question(key)
    if not raw.strip() and call.phase is CallPhase.QUESTION and speech.is_long(q):
        call.phase = CallPhase.QUESTION_MORE  # the caller waited: read the other choices
        return _turn(call, [])
    if q.kind is Kind.MULTI and raw.isdigit() and len(q.options) <= 9:
        raw = " ".join(raw)  # keypad "136" means options 1, 3 and 6
    result = intakes.answer(session, intake, key, raw)
    if not result.ok:
        return _retry(session, call, intake, result.error)
    if key == "consent_share":
        call.consent_method = (ConsentMethod.SPEECH if by_speech else ConsentMethod.KEYPAD).value
    said: list[Line] = []
    for notice in result.notices:
        said += speech.notice_lines(notice)
    return _advance(session, call, intake, said)


def _on_phone_confirm(session: Session, call: VoiceCall, intake: Intake, raw: str) -> Turn:
    reply = parse_answer(_CONFIRM, raw, call.language or speech.DEFAULT_LANGUAGE)
    caller = _caller(call)
    if reply.ok and reply.code == YES.code and caller is not None:
        intakes.set_code(session, intake, "phone", "given", caller)
        return _after_phone(session, call, intake)
    if reply.ok and reply.code == NO.code:
        call.phase = CallPhase.PHONE_ENTRY
        call.retries = 0
        return _current(call)
    return _retry(session, call, intake, reply.error)


def _on_phone_entry(session: Session, call: VoiceCall, intake: Intake, raw: str) -> Turn:
    result = intakes.answer(session, intake, "phone", raw)
    if not result.ok:
        return _retry(session, call, intake, result.error)
    return _after_phone(session, call, intake)


def _after_phone(session: Session, call: VoiceCall, intake: Intake) -> Turn:
    if call.callback:
        return _finish(session, call, intake, incomplete=True)
    return _advance(session, call, intake, [])


def _on_callback_offer(session: Session, call: VoiceCall, intake: Intake, raw: str) -> Turn:
    reply = parse_answer(_CONFIRM, raw, call.language or speech.DEFAULT_LANGUAGE)
    if not reply.ok:
        return _retry(session, call, intake, reply.error)
    if reply.code == NO.code:
        intakes.set_code(session, intake, call.question_key or "", question(call.question_key or "").skip_code)
        return _advance(session, call, intake, [])
    call.callback = True
    answers = intakes.codes(intake)
    if answers.get("phone") == "given":
        return _finish(session, call, intake, incomplete=True)
    if answers.get("contact_method") not in flow_conditions.PHONE_METHODS:
        # Asking to be called back is choosing a phone call as the way to be contacted.
        intakes.set_code(session, intake, "contact_method", "call")
    return _ask_phone(call)


def _retry(session: Session, call: VoiceCall, intake: Intake, error: str | None) -> Turn:
    """Ask again after silence or an unreadable answer; after two re-asks, offer a callback."""
    if call.retries < MAX_RETRIES:
        call.retries += 1
        return _turn(call, [speech.error_line(error)])
    call.retries = 0
    if call.phase in _ASKING:
        key = call.question_key or ""
        if flow_conditions.contact_applies(intakes.codes(intake)):
            call.phase = CallPhase.CALLBACK_OFFER
            return _turn(call, [speech.callback_offer_opening()])
        intakes.set_code(session, intake, key, question(key).skip_code)
        return _advance(session, call, intake, [])
    if call.phase is CallPhase.CALLBACK_OFFER:
        # No answer to the offer is not a yes: go on as if the caller had pressed 2.
        key = call.question_key or ""
        intakes.set_code(session, intake, key, question(key).skip_code)
        return _advance(session, call, intake, [])
    if call.phase in (CallPhase.PHONE_CONFIRM, CallPhase.PHONE_ENTRY) and not call.callback:
        intakes.set_code(session, intake, "phone", question("phone").skip_code)
        return _advance(session, call, intake, [])
    # A callback the caller asked for but could not confirm a number for: end here.
    _finalize(session, call)
    lines = (speech.no_number_lines(caller_id=call.caller_enc is not None)
             if call.status is CallStatus.ABANDONED else speech.goodbye_lines())
    return _close(session, call, lines)


# -- moving on -------------------------------------------------------------------------------


def _advance(session: Session, call: VoiceCall, intake: Intake, said: list[Line]) -> Turn:
    """Go to the next question the keypad can answer, storing skips for the others."""
    skipped = False
    while True:
        q = intakes.current_question(intake)
        if q is None:
            return _finish(session, call, intake, incomplete=False, said=said)
        if q.kind in SKIPPED_KINDS:
            intakes.set_code(session, intake, q.key, NOT_ASKED)
            if not skipped:
                said.append(speech.skipped_line())
                skipped = True
            continue
        call.retries = 0
        if q.kind is Kind.PHONE:
            return _ask_phone(call, said)
        call.phase = CallPhase.QUESTION
        call.question_key = q.key
        return _turn(call, said)


def _ask_phone(call: VoiceCall, said: list[Line] | None = None) -> Turn:
    call.question_key = "phone"
    call.retries = 0
    call.phase = CallPhase.PHONE_CONFIRM if call.caller_enc else CallPhase.PHONE_ENTRY
    return _turn(call, said or [])


def _finish(session: Session, call: VoiceCall, intake: Intake, *, incomplete: bool,
            said: list[Line] | None = None) -> Turn:
    method = ConsentMethod(call.consent_method) if call.consent_method else None
    result = intakes.submit(session, intake, method=method, incomplete=incomplete, weights=_weights(),
                            channel=Channel.VOICE)
    call.status = CallStatus.SUBMITTED
    lines = list(said or [])
    done = result.intake
    if done.status == IntakeStatus.WITHDRAWN or done.reference_code is None:
        lines += speech.goodbye_lines()
    else:
        contact = intakes.confirmation_contact(done, result.access_point)
        hours = (status_service.hours_line(result.access_point)
                 if contact.name is not None and result.access_point is not None else None)
        lines += speech.confirmation_lines(
            done.reference_code, contact.name, contact.phone, callback=done.callback_requested,
            call_us=intakes.reach_back(done).call_us, hours=hours,
        )
        other = result.out_of_area_coc
        if other is not None:
            lines.insert(-1, speech.other_coc_line(other.name, other.phone))
    return _close(session, call, lines)


def _finalize(session: Session, call: VoiceCall) -> None:
    """Settle a call that is over: queue it as a callback request when there is a number."""
    if call.status is not CallStatus.ACTIVE:
        return
    intake = call.intake
    if intake is None:
        call.status = CallStatus.ENDED
    elif intake.status != IntakeStatus.IN_PROGRESS:
        call.status = CallStatus.SUBMITTED
    elif intakes.codes(intake).get("phone") == "given":
        intakes.submit(session, intake, incomplete=True, weights=_weights(), channel=Channel.VOICE,
                       method=ConsentMethod(call.consent_method) if call.consent_method else None)
        call.status = CallStatus.SUBMITTED
    else:
        intakes.abandon(session, intake)
        call.status = CallStatus.ABANDONED
    call.phase = CallPhase.DONE
    log.info("voice call %s ended: %s", call.id, call.status)


def _close(session: Session, call: VoiceCall, lines: list[Line]) -> Turn:
    call.phase = CallPhase.DONE
    return Turn(call.language or speech.DEFAULT_LANGUAGE, tuple(lines), None)


# -- prompts ---------------------------------------------------------------------------------


def _turn(call: VoiceCall, said: list[Line]) -> Turn:
    current = _current(call)
    return Turn(current.language, (*said, *current.said), current.prompt)


def _current(call: VoiceCall) -> Turn:
    """Build the prompt the call is waiting on (the same one again after a repeated request)."""
    if call.phase is CallPhase.LANGUAGE:
        return Turn(speech.DEFAULT_LANGUAGE, (), Prompt(call.step, speech.language_menu(), num_digits=1,
                                                        hints=speech.LANGUAGE_HINTS))
    if call.phase is CallPhase.STATUS_LANGUAGE:
        return Turn(speech.DEFAULT_LANGUAGE, (), Prompt(call.step, speech.status_language_menu(),
                                                        num_digits=1, hints=speech.LANGUAGE_HINTS))
    language = call.language or speech.DEFAULT_LANGUAGE
    with force_locale(language):
        if call.phase is CallPhase.DONE:
            return Turn(language, tuple(speech.goodbye_lines()), None)
        if call.phase is CallPhase.PHONE_CONFIRM:
            caller = _caller(call) or ""
            return Turn(language, (), Prompt(call.step, tuple(speech.phone_confirm_lines(caller[-4:])),
                                             num_digits=1, hints=_yes_no_hints(language)))
        if call.phase is CallPhase.INTERPRETER_NAME:
            return Turn(language, (), Prompt(call.step, tuple(speech.interpreter_name_lines()),
                                             finish_on_key="#", timeout=6, hints=speech.OTHER_LANGUAGE_HINTS))
        if call.phase is CallPhase.PHONE_ENTRY:
            return Turn(language, (), Prompt(call.step, tuple(speech.phone_entry_lines()),
                                             num_digits=10, timeout=8))
        if call.phase is CallPhase.CALLBACK_OFFER:
            return Turn(language, (), Prompt(call.step, tuple(speech.callback_offer_lines()),
                                             num_digits=1, hints=_yes_no_hints(language)))
        if call.phase is CallPhase.STATUS_CODE:
            return Turn(language, (), Prompt(call.step, tuple(speech.status_code_lines()),
                                             finish_on_key="#", timeout=10))
        if call.phase is CallPhase.STATUS_CHECK:
            return Turn(language, (), Prompt(call.step, tuple(speech.status_check_lines()),
                                             finish_on_key="#", timeout=10))
        q = question(call.question_key or "")
        page = 2 if call.phase is CallPhase.QUESTION_MORE else 1
        return Turn(language, (), _question_prompt(call.step, q, language, page))


def _question_prompt(step: int, q: Question, language: str, page: int = 1) -> Prompt:
    lines = tuple(speech.question_lines(q, page))
    hints = speech.hints_for(q, language)
    if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
        if len(q.options) <= 9:
            return Prompt(step, lines, num_digits=1, hints=hints)
        return Prompt(step, lines, finish_on_key="#", hints=hints)
    if q.kind is Kind.MULTI:
        return Prompt(step, lines, finish_on_key="#", hints=hints)
    if q.kind is Kind.LOCATION:
        return Prompt(step, lines, num_digits=5, finish_on_key="#", timeout=8)
    # Counts: one or two digits ended by the pound key (or by a pause).
    return Prompt(step, lines, finish_on_key="#")


def _yes_no_hints(language: str) -> tuple[str, ...]:
    return speech.hints_for(_CONFIRM, language)

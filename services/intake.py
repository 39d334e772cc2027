"""Start, answer, submit and purge intakes: the verbs every channel calls.

Each function owns its transaction (it commits), so a channel view only reads the request,
calls one of these and renders the result. Answers are saved as they are given. A caller that
does more in the same request (the SMS webhook records the inbound text too) passes
``commit=False`` and commits once itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from intake_forms import (
    FLOW_VERSION,
    Notice,
    ParseResult,
    Question,
    compute_outcomes,
    next_question,
    notices_for,
    parse_answer,
    question,
    relevant_answers,
)
from intake_forms import conditions as flow_conditions
from models import (
    AccessPoint,
    Answer,
    ConsentRecord,
    InboundMessage,
    Intake,
    OutboxMessage,
    SmsConversation,
    VoiceCall,
    VoiceStep,
)
from models.base import utcnow
from models.intake import Channel, ConsentKind, ConsentMethod, IntakeStatus, Track
from services import report_days, routing
from services.crypto import PiiCipher
from services.hotlines import hotline
from services.pii import current_cipher
from services.routing import DbSession as Session

#: Crockford base32: digits and capitals without I, L, O and U.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

#: The phone keypad: each Crockford letter on the key that carries it (digits are themselves).
KEYPAD = {**{d: d for d in "0123456789"},
          **{letter: key for key, letters in {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO",
                                               "7": "PQRS", "8": "TUV", "9": "WXYZ"}.items()
             for letter in letters}}


def keypad_digits(code: str) -> str:
    """Return a reference code as keyed on a phone ("7KQ-2MD" -> "757263")."""
    return "".join(KEYPAD[ch] for ch in code.upper() if ch in KEYPAD)


#: How a consent was given, by channel, unless the channel says otherwise.
DEFAULT_METHOD = {
    Channel.KIOSK: ConsentMethod.TAP,
    Channel.WEB: ConsentMethod.TAP,
    Channel.SMS: ConsentMethod.TYPED,
    Channel.VOICE: ConsentMethod.KEYPAD,
    Channel.ASSISTED: ConsentMethod.STAFF,
}


class IntakeError(Exception):
    """An intake cannot do what was asked."""


@dataclass(frozen=True)
class StepResult:
    """What happened to one reply: the error to show, or the help and the next question."""

    ok: bool
    error: str | None
    notices: tuple[Notice, ...]
    next: Question | None


@dataclass(frozen=True)
class SubmitResult:
    """A submitted intake and where it went; `already` when it had been submitted before."""

    intake: Intake
    access_point: AccessPoint | None
    out_of_area_coc: routing.CocContact | None
    already: bool


@dataclass(frozen=True)
class ReachBack:
    """How staff can reach a household (``conditions.contact_route``), or the number it must call itself.

    ``call_us`` is set only when the household asked to be contacted and gave no way to do it: every
    channel then says so plainly and gives this number (the advocate line for a survivor, else its
    access point, else 211).
    """

    route: str
    unreachable: bool
    call_us: str | None


def reach_back(intake: Intake) -> ReachBack:
    """Tell how a submitted intake's household can be reached, the one rule every channel and staff read."""
    answers = relevant_answers(codes(intake))
    unreachable = flow_conditions.unreachable(answers)
    call_us = None
    if unreachable:
        ap = intake.routed_access_point
        if intake.confidential:
            # The advocate line, open day and night; a survivor's messages never name their agency.
            call_us = hotline("ks_crisis").phone
        elif ap is not None and ap.phone:
            call_us = ap.phone
        else:
            call_us = hotline("ks_211").phone
    return ReachBack(flow_conditions.contact_route(answers), unreachable, call_us)


@dataclass(frozen=True)
class ConfirmationContact:
    """Who a confirmation sent to a phone (a text, a call) may name, and how to reach them."""

    name: str | None = None
    phone: str | None = None
    address: str | None = None


def confirmation_contact(intake: Intake, access_point: AccessPoint | None) -> ConfirmationContact:
    """Return what a confirmation on a phone may say about where the household is queued.

    The one rule for every channel: for a confidential intake, nothing. A phone an abuser may
    read must not name a victim service provider, its number or its address; staff call instead.
    """
    if intake.confidential or access_point is None:
        return ConfirmationContact()
    address = None
    if access_point.address and not access_point.is_remote:
        address = ", ".join(p for p in (access_point.address, access_point.city) if p)
    return ConfirmationContact(access_point.name, access_point.phone or None, address)


def new_reference_code() -> str:
    """Return a random reference code such as ``7KQ-2MD``."""
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


def normalize_reference_code(text: str) -> str | None:
    """Read a reference code the way people type it back (o -> 0, i/l -> 1, no dash)."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 6 or any(ch not in CROCKFORD for ch in cleaned):
        return None
    return f"{cleaned[:3]}-{cleaned[3:]}"


#: This many intakes submitted from one web client or device within FLOOD_WINDOW are flagged.
FLOOD_THRESHOLD = 5
FLOOD_WINDOW = timedelta(minutes=10)


def start_intake(session: Session, *, channel: Channel, language: str = "en",
                 kiosk_id: int | None = None, commit: bool = True,
                 source_index: str | None = None, device_index: str | None = None,
                 assisted_by_id: int | None = None, start_key: str | None = None) -> Intake:
    """Create an intake in progress and save it (flushed; committed unless ``commit=False``).

    ``source_index`` and ``device_index`` are keyed hashes of the web client and device;
    ``assisted_by_id`` is the staff member walking an assisted intake with the household;
    ``start_key`` the one-time key of the page that started it (unique: see
    ``services.outreach.start_with_household``).
    """
    if (channel is Channel.ASSISTED) != (assisted_by_id is not None):
        raise IntakeError("an assisted intake, and only one, names the staff member assisting")
    intake = Intake(channel=channel, language=language, flow_version=FLOW_VERSION,
                    status=IntakeStatus.IN_PROGRESS, kiosk_id=kiosk_id,
                    source_index=source_index, device_index=device_index,
                    assisted_by_id=assisted_by_id, start_key=start_key)
    session.add(intake)
    session.flush()
    if language:
        _store(session, intake, "language", language, None, cipher=None)
    if commit:
        session.commit()
    return intake


def codes(intake: Intake) -> dict[str, str]:
    """Return the stored answers of an intake as key -> code (never personal values)."""
    return {a.key: a.code for a in intake.answers if a.code is not None}


def current_question(intake: Intake) -> Question | None:
    """Return the next question this intake should be asked, or None when finished."""
    return next_question(codes(intake))


def personal_values(intake: Intake, cipher: PiiCipher | None = None) -> dict[str, str]:
    """Decrypt the identifying answers of an intake (for staff and confirmations only)."""
    cipher = cipher or current_cipher()
    return {a.key: cipher.decrypt(a.value_enc) for a in intake.answers if a.value_enc is not None}


def _store(session: Session, intake: Intake, key: str, code: str, value: str | None,
           *, cipher: PiiCipher | None) -> None:
    existing = next((a for a in intake.answers if a.key == key), None)
    encrypted = (cipher or current_cipher()).encrypt(value) if value is not None else None
    now = utcnow()
    if existing is None:
        intake.answers.append(Answer(key=key, code=code, value_enc=encrypted, answered_at=now))
    else:
        existing.code = code
        existing.value_enc = encrypted
        existing.answered_at = now
    for name, changed in intake_changes(key, code, value, intake.last_activity_at, now, cipher).items():
        setattr(intake, name, changed)


def intake_changes(key: str, code: str, value: str | None, last_activity_at: datetime | None, now: datetime,
                   cipher: PiiCipher | None = None) -> dict[str, object]:
    """Return the intake's own columns that an answer to ``key`` sets: the language, the phone's
    blind index, and the activity time when it is ACTIVITY_RESOLUTION old (see ``touch``)."""
    changes: dict[str, object] = {}
    if key == "language" and code:
        changes["language"] = code
    if key == "phone":
        changes["contact_phone_index"] = (cipher or current_cipher()).phone_index(value) if value else None
    if last_activity_at is None or now - last_activity_at >= ACTIVITY_RESOLUTION:
        changes["last_activity_at"] = now
    return changes


#: ``Intake.last_activity_at`` is kept to this resolution (it only decides when an unfinished
#: intake is purged, after hours or days): an answer then writes its answer row and not, each
#: time, the intake row with all of its indexes.
ACTIVITY_RESOLUTION = timedelta(minutes=5)


def touch(intake: Intake, now: datetime) -> None:
    """Note activity on ``intake`` unless it was noted less than ACTIVITY_RESOLUTION ago."""
    last = intake.last_activity_at
    if last is None or now - last >= ACTIVITY_RESOLUTION:
        intake.last_activity_at = now


def record(session: Session, intake: Intake, key: str, result: ParseResult, *,
           commit: bool = True) -> StepResult:
    """Save a parsed answer (or report why it was not taken) and say what comes next."""
    if intake.status != IntakeStatus.IN_PROGRESS:
        raise IntakeError("this intake is no longer open for answers")
    if result.ok and result.code is not None:
        _store(session, intake, key, result.code, result.value, cipher=None)
        if commit:
            session.commit()
    return step_after(key, result, codes(intake))


def change_phone(session: Session, intake: Intake, phone: str, *, cipher: PiiCipher | None = None) -> None:
    """Keep a new E.164 number for an intake, submitted or not (a check-in reply); the caller commits.

    Stored like the answer it replaces: encrypted, with its blind index on the intake.
    """
    _store(session, intake, "phone", "given", phone, cipher=cipher)


def answer(session: Session, intake: Intake, key: str, raw: str | None, *,
           offered: str | None = None, commit: bool = True) -> StepResult:
    """Parse a reply to question `key` in the intake's language and save it."""
    return record(session, intake, key, read_answer(session, key, raw, intake.language, offered=offered),
                  commit=commit)


def read_answer(session: Session, key: str, raw: str | None, language: str, *,
                offered: str | None = None) -> ParseResult:
    """Parse a reply to question `key` in `language` (nothing is saved)."""
    result = parse_answer(question(key), raw, language, offered=offered)
    if result.ok and result.code and result.code.startswith("county:") \
            and routing.find_county(session, result.code.removeprefix("county:")) is None:
        # A county name we do not know is asked again rather than routed blindly.
        result = ParseResult.fail("invalid_location")
    return result


def step_after(key: str, result: ParseResult, answers: Mapping[str, str]) -> StepResult:
    """Say what comes after a reply to `key`: its error, or its notices and the next question
    given the intake's codes `answers` (with this answer in them)."""
    if not result.ok or result.code is None:
        return StepResult(ok=False, error=result.error or "not_understood", notices=(), next=question(key))
    return StepResult(ok=True, error=None, notices=notices_for(key, result.code), next=next_question(answers))


def set_code(session: Session, intake: Intake, key: str, code: str, value: str | None = None, *,
             commit: bool = True) -> StepResult:
    """Save an answer picked from a list (a tapped button): the code is already known."""
    q = question(key)
    if q.options and q.option(code) is None and not (q.kind.value == "multi" and _valid_multi(q, code)):
        return StepResult(ok=False, error="not_understood", notices=(), next=q)
    return record(session, intake, key, ParseResult(ok=True, code=code, value=value), commit=commit)


def _valid_multi(q: Question, code: str) -> bool:
    return all(q.option(part) is not None for part in code.split(",") if part)


def clear_answer(session: Session, intake: Intake, key: str, *, commit: bool = True) -> None:
    """Forget one answer so the question is asked again (BACK, or "change this answer")."""
    for a in list(intake.answers):
        if a.key == key:
            intake.answers.remove(a)
    if key == "phone":
        intake.contact_phone_index = None
    intake.last_activity_at = utcnow()
    if commit:
        session.commit()


def restart(session: Session, intake: Intake, *, commit: bool = True) -> None:
    """Forget every answer but the language."""
    for a in list(intake.answers):
        if a.key != "language":
            intake.answers.remove(a)
    intake.contact_phone_index = None
    intake.last_activity_at = utcnow()
    if commit:
        session.commit()


def abandon(session: Session, intake: Intake, *, commit: bool = True) -> None:
    """Mark an unfinished intake abandoned (kiosk reset, SMS left idle); purge deletes it later."""
    if intake.status == IntakeStatus.IN_PROGRESS:
        intake.status = IntakeStatus.ABANDONED
        intake.last_activity_at = utcnow()
        if commit:
            session.commit()


def _consents(intake: Intake, answers: Mapping[str, str], method: ConsentMethod) -> list[ConsentRecord]:
    now = utcnow()
    channel = intake.channel.value
    # Consent given through staff names the staff member it was given through.
    through = intake.assisted_by_id if method is ConsentMethod.STAFF else None

    def consent(kind: ConsentKind, granted: bool) -> ConsentRecord:
        return ConsentRecord(kind=kind, granted=granted, method=method, channel=channel,
                             flow_version=intake.flow_version, recorded_at=now, recorded_by_id=through)

    records = []
    if "consent_share" in answers:
        records.append(consent(ConsentKind.SHARE_ANSWERS, answers["consent_share"] == "1"))
    if flow_conditions.dv_advocate(answers):
        records.append(consent(ConsentKind.VSP_REFERRAL, True))
    if answers.get("phone") == "given" or answers.get("email") == "given":
        records.append(consent(ConsentKind.CONTACT, True))
    if answers.get("phone") == "given" and "safe_to_text" in answers:
        records.append(consent(ConsentKind.SMS, answers["safe_to_text"] == "1"))
    return records


def submit(session: Session, intake: Intake, *, weights: Mapping[str, int] | None = None,
           method: ConsentMethod | None = None, incomplete: bool = False,
           channel: Channel | None = None) -> SubmitResult:
    """Submit an intake in one transaction: outcomes, routing, reference code, consent, queue.

    Submitting twice is harmless: the second call returns the first result. `incomplete`
    queues an unfinished intake as a callback request (a call that dropped, a person who
    asked to be called).
    """
    # Submitted by a Core UPDATE: the daily report summary adds the intake at the commit.
    report_days.changing(session, [intake.id], unsubmitted=True)
    claimed = session.execute(
        update(Intake)
        .where(Intake.id == intake.id, Intake.status == IntakeStatus.IN_PROGRESS)
        .values(status=IntakeStatus.SUBMITTED, submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(intake)
        if intake.status in (IntakeStatus.SUBMITTED, IntakeStatus.WITHDRAWN):
            return SubmitResult(intake, intake.routed_access_point, _other_coc(session, intake), already=True)
        raise IntakeError(f"an intake that is {intake.status} cannot be submitted")
    session.refresh(intake)
    try:
        return _finish_submit(session, intake, weights, method, incomplete, channel or intake.channel)
    except BaseException:
        session.rollback()
        raise


def _finish_submit(session: Session, intake: Intake, weights: Mapping[str, int] | None,
                   method: ConsentMethod | None, incomplete: bool, channel: Channel) -> SubmitResult:
    all_codes = codes(intake)
    if next_question(all_codes) is not None and not incomplete:
        raise IntakeError("this intake still has questions to answer")
    answers = relevant_answers(all_codes)
    outcome = compute_outcomes(answers, weights)

    # The least data that does the job: answers that no longer apply are not kept.
    for a in list(intake.answers):
        if a.key not in answers:
            intake.answers.remove(a)
    if "phone" not in answers:
        intake.contact_phone_index = None

    if outcome.withdrawn:
        intake.status = IntakeStatus.WITHDRAWN
        forget(session, intake)
        session.commit()
        return SubmitResult(intake, None, None, already=False)
    _assign_reference_code(session, intake)

    location = routing.resolve_location(session, answers.get("location"))
    kiosk_ap_id = intake.kiosk.access_point_id if intake.kiosk is not None else None
    if answers.get("location") == "here" and kiosk_ap_id is not None:
        location = routing.resolve_location(session, None)
    result = routing.route(session, location, confidential=outcome.confidential,
                           kiosk_access_point_id=kiosk_ap_id, household=routing.HouseholdProfile.from_answers(answers))

    # Everything below is written in one flush at the commit: the intake row once, not once for
    # the routing and again for its clock.
    with session.no_autoflush:
        intake.finished_channel = channel
        intake.homeless_category = outcome.homeless_category
        intake.track = Track(outcome.track) if outcome.track else None
        intake.priority = outcome.priority
        intake.priority_reasons = list(outcome.reasons)
        intake.diversion_candidate = outcome.diversion_candidate
        intake.confidential = outcome.confidential
        intake.callback_requested = outcome.callback_requested or incomplete
        if answers.get("interpreter") == "1" and intake.interpreter_language is None:
            intake.interpreter_language = intake.language  # staff call back with an interpreter in it
        intake.routed_access_point_id = result.access_point.id if result.access_point else None
        intake.coc_id = result.coc.id if result.coc else None
        intake.county_fips = location.county.fips if location.county is not None else None
        intake.out_of_area = result.out_of_area
        intake.out_of_area_coc_code = result.out_of_area_coc.code if result.out_of_area_coc else None
        intake.routing_note = result.note
        intake.consents.extend(_consents(intake, answers, method or DEFAULT_METHOD[intake.channel]))
        _flag_flood(session, intake)
        _start_clock_and_alert(session, intake, result.access_point)
    session.commit()
    return SubmitResult(intake, result.access_point, result.out_of_area_coc, already=False)


def _start_clock_and_alert(session: Session, intake: Intake, access_point: AccessPoint | None) -> None:
    """Set when the worker first looks at the intake's response timer, and queue the alerts."""
    from flask import current_app, has_app_context

    from . import notify, timers

    config = current_app.config if has_app_context() else {}
    clock = timers.due(intake, access_point, utcnow(), config)
    intake.due_at = clock.due_at if clock is not None else None
    timers.stamp_targets(intake, access_point, config)
    if has_app_context():
        notify.alert_new_intake(session, intake, access_point, config)


def _flag_flood(session: Session, intake: Intake) -> None:
    """Flag every intake of a client or device that submitted FLOOD_THRESHOLD or more lately."""
    same = [column == value for column, value in ((Intake.source_index, intake.source_index),
                                                  (Intake.device_index, intake.device_index)) if value]
    if not same:
        return
    recent = and_(or_(*same), Intake.status == IntakeStatus.SUBMITTED,
                  Intake.submitted_at >= utcnow() - FLOOD_WINDOW)
    if (session.scalar(select(func.count(Intake.id)).where(recent)) or 0) < FLOOD_THRESHOLD:
        return
    session.execute(update(Intake).where(recent, Intake.possible_flood.is_(False))
                    .values(possible_flood=True).execution_options(synchronize_session=False))
    set_committed_value(intake, "possible_flood", True)


def _assign_reference_code(session: Session, intake: Intake, attempts: int = 20) -> None:
    """Give the intake a unique reference code (kept if it has one); the unique constraint settles races."""
    if intake.reference_code is not None:  # given earlier, to resume elsewhere (services.resume)
        return
    assign_reference_code(session, intake, attempts)


def assign_reference_code(session: Session, intake: Intake, attempts: int = 20) -> None:
    """Give the intake a new unique reference code now; the unique constraint settles races."""
    for _ in range(attempts):
        code = new_reference_code()
        try:
            with session.begin_nested():
                session.execute(update(Intake).where(Intake.id == intake.id)
                                .values(reference_code=code, reference_keypad=keypad_digits(code))
                                .execution_options(synchronize_session=False))
        except IntegrityError:
            continue
        set_committed_value(intake, "reference_code", code)  # written above: no second UPDATE
        set_committed_value(intake, "reference_keypad", keypad_digits(code))
        return
    raise IntakeError("could not find a free reference code")


def _other_coc(session: Session, intake: Intake) -> routing.CocContact | None:
    if not intake.out_of_area:
        return None
    return routing.coc_contact_for_code(intake.out_of_area_coc_code, session)


def find_by_reference(session: Session, text: str) -> Intake | None:
    """Find a submitted intake by the reference code a person reads back."""
    code = normalize_reference_code(text)
    if code is None:
        return None
    return session.scalar(select(Intake).where(Intake.reference_code == code))


def forget(session: Session, intake: Intake) -> None:
    """Delete an intake and everything that ties a person to it (in the caller's transaction).

    For a household that chose "Stop here" on the violence question, whose screen says "We did
    not save anything about you": its answers and consents, the intake row, the text conversation
    that links it to a phone number (and the texts seen on it), the call record with the caller's
    number and its steps, and any text still waiting to be sent. A text or call after this starts
    afresh, as from someone new.
    """
    for conversation in list(session.scalars(select(SmsConversation)
                                             .where(SmsConversation.intake_id == intake.id))):
        session.execute(delete(InboundMessage).where(InboundMessage.conversation_id == conversation.id))
        session.delete(conversation)
    for call in list(session.scalars(select(VoiceCall).where(VoiceCall.intake_id == intake.id))):
        session.execute(delete(VoiceStep).where(VoiceStep.call_sid == call.call_sid))
        session.delete(call)
    session.execute(delete(OutboxMessage).where(OutboxMessage.intake_id == intake.id))
    session.delete(intake)  # answers and consents go with it (cascade)
    session.flush()


def purge(session: Session, older_than: timedelta, now: datetime | None = None,
          *, keep_in_progress: Mapping[Channel, timedelta] | None = None) -> int:
    """Delete abandoned and unfinished intakes idle for longer than `older_than`.

    `keep_in_progress` keeps a channel's unfinished intakes longer (a text conversation can be
    resumed for SMS_RESUME_DAYS).
    """
    now = now or utcnow()
    unfinished = [IntakeStatus.IN_PROGRESS, IntakeStatus.ABANDONED]
    longer = {ch: age for ch, age in (keep_in_progress or {}).items() if age > older_than}
    stale = select(Intake.id).where(
        Intake.status.in_(unfinished),
        Intake.last_activity_at < now - older_than,
    )
    for channel, age in longer.items():
        stale = stale.where(~((Intake.channel == channel) & (Intake.status == IntakeStatus.IN_PROGRESS)
                              & (Intake.last_activity_at >= now - age)))
    ids = list(session.scalars(stale))
    if not ids:
        return 0
    session.execute(delete(Answer).where(Answer.intake_id.in_(ids)))
    session.execute(delete(ConsentRecord).where(ConsentRecord.intake_id.in_(ids)))
    session.execute(delete(Intake).where(Intake.id.in_(ids)))
    session.commit()
    return len(ids)


def purge_calls(session: Session, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete call records (the caller's encrypted number, the step log) idle for longer than `older_than`.

    The intake a call produced is kept (or purged) on its own terms; the call record is only
    needed while the call lasts and while Twilio may still retry it.
    """
    cutoff = (now or utcnow()) - older_than
    sids = list(session.scalars(select(VoiceCall.call_sid).where(VoiceCall.updated_at < cutoff)))
    session.execute(delete(VoiceStep).where(VoiceStep.processed_at < cutoff))
    if sids:
        session.execute(delete(VoiceCall).where(VoiceCall.call_sid.in_(sids)))
    session.commit()
    return len(sids)

"""Check-ins that keep households reachable: "Do you still need help? Reply 1 yes, 2 no, 3 my number changed".

An intake submitted and still open CHECKIN_AFTER_DAYS later (0 turns check-ins off) gets one
check-in per period of that length. ``run_checkins`` (the worker) reads open intakes with no
check-in in the last period, locks them with ``FOR UPDATE SKIP LOCKED``, and inserts the
``CheckIn`` row before queueing its text, in one savepoint: the unique (intake, period) pair
makes a second worker's insert fail and takes its text with it, so each period has one.

A check-in is recorded even when it is not sent (``skipped``: no phone, texting not allowed or
not safe, the number opted out), so staff see why and the intake is not looked at again until
the next period. Confidential intakes never get one: an unexpected text about housing help can
put a survivor at risk; their victim service provider keeps in touch itself.

The SMS channel asks ``waiting`` whether a text answers a check-in, and ``reply`` records the
answer as an intake event. STOP always wins: the conversation opts the number out first and
``stopped`` closes the check-in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from intake_forms import languages, normalize, parse_answer, question
from intake_forms.definition import NO, YES
from models import CheckIn, CheckInState, EventKind, Intake, IntakeEvent, IntakeStatus
from models.intake import Channel

from . import household_messages, household_texts, outbox, reminders
from .crypto import PiiCipher
from .routing import DbSession

BATCH = 200

#: What each number of the check-in's menu means ("Reply 1 yes, 2 no, 3 my number changed").
MENU: dict[str, str] = {"1": household_texts.CHECKIN_YES, "2": household_texts.CHECKIN_NO,
                        "3": household_texts.CHECKIN_NUMBER}


def answer_of(words: str) -> str | None:
    """Read a reply to the check-in (folded by ``intake_forms.normalize``): its number ("1", or "1 yes"
    as the menu writes it), a yes or no in any language (the intake's own YES / NO words), or "my
    number changed" (the registry's ``number_changed`` keywords). None for anything else."""
    first = words.split(" ", 1)[0]
    if first in MENU:
        return MENU[first]
    if any(words in choice for choice in YES.words.values()):
        return household_texts.CHECKIN_YES
    if any(words in choice for choice in NO.words.values()):
        return household_texts.CHECKIN_NO
    if languages.keyword("number_changed", words) is not None:
        return household_texts.CHECKIN_NUMBER
    return None


OPEN_STATES = (CheckInState.WAITING, CheckInState.NEW_NUMBER)


@dataclass
class CheckInRun:
    """What one run did."""

    sent: int = 0
    skipped: int = 0


def period_length(config: Mapping[str, Any]) -> timedelta | None:
    """Return CHECKIN_AFTER_DAYS as a period, or None when check-ins are off."""
    days = int(config.get("CHECKIN_AFTER_DAYS", 14))
    return timedelta(days=days) if days > 0 else None


def _event(session: DbSession, intake: Intake, kind: EventKind, data: dict[str, Any]) -> None:
    session.add(IntakeEvent(intake_id=intake.id, actor_id=None, kind=kind, data=data))


def run_checkins(session: DbSession, now: datetime, config: Mapping[str, Any], cipher: PiiCipher, *,
                 batch: int = BATCH) -> CheckInRun:
    """Send the check-ins due now (at most one per intake per period); commit per batch."""
    run = CheckInRun()
    length = period_length(config)
    if length is None:
        return run
    recent = exists().where(CheckIn.intake_id == Intake.id, CheckIn.created_at > now - length)
    while True:
        rows = list(session.scalars(
            select(Intake)
            .where(Intake.status == IntakeStatus.SUBMITTED, Intake.closed_at.is_(None),
                   Intake.confidential.is_(False), Intake.submitted_at <= now - length, ~recent)
            .order_by(Intake.submitted_at, Intake.id)
            .limit(batch)
            .with_for_update(skip_locked=True, of=Intake)
            # What the contact safety check reads, in three queries a batch instead of three an intake.
            .options(selectinload(Intake.answers), selectinload(Intake.consents),
                     selectinload(Intake.routed_access_point))
        ))
        for intake in rows:
            _check_in(session, intake, now, length, cipher, run)
        session.commit()
        if len(rows) < batch:
            return run


def _check_in(session: DbSession, intake: Intake, now: datetime, length: timedelta, cipher: PiiCipher,
              run: CheckInRun) -> None:
    assert intake.submitted_at is not None  # noqa: S101 - selected by submitted_at
    period = max(1, (now - intake.submitted_at) // length)
    reason, phone = reminders.blocker(session, intake, cipher)
    row = CheckIn(intake_id=intake.id, period=period, created_at=now,
                  state=CheckInState.SKIPPED if reason else CheckInState.WAITING, reason=reason)
    if phone is not None:
        row.phone_enc = cipher.encrypt(phone)
        row.phone_index = cipher.phone_index(phone)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return  # another worker took this period at the same moment
    data: dict[str, Any] = {"period": period, "result": reason or "sent"}
    if phone is not None:
        message = outbox.enqueue_sms(cast(Session, session), to=phone, body=household_texts.checkin_question(intake),
                                     language=intake.language, intake_id=intake.id, purpose="check_in")
        if message is None:
            row.state, row.reason = CheckInState.SKIPPED, reminders.OPTED_OUT
            data["result"] = reminders.OPTED_OUT
        else:
            session.flush()
            row.outbox_id = data["outbox_id"] = message.id
    _event(session, intake, EventKind.CHECK_IN, data)
    if row.state is CheckInState.WAITING:
        run.sent += 1
    else:
        run.skipped += 1


# -- replies -----------------------------------------------------------------------------------


_check_ins = cast(Table, CheckIn.__table__)
_intakes = cast(Table, Intake.__table__)
#: The newest open check-in sent to these numbers since a time, as a Core statement built once:
#: every text that is not an answer in the middle of a form asks it, and nearly always finds none.
_WAITING = (
    select(_check_ins.c.id)
    .join(_intakes, _intakes.c.id == _check_ins.c.intake_id)
    .where(_check_ins.c.phone_index.in_(bindparam("keys", expanding=True)),
           _check_ins.c.state.in_(OPEN_STATES), _check_ins.c.created_at >= bindparam("since"),
           _intakes.c.closed_at.is_(None))
    .order_by(_check_ins.c.id.desc())
    .limit(1)
)


def waiting(session: DbSession, phone_indexes: Sequence[str], now: datetime,
            config: Mapping[str, Any]) -> CheckIn | None:
    """Return the open check-in sent to this number within CHECKIN_REPLY_DAYS, if any."""
    days = int(config.get("CHECKIN_REPLY_DAYS", 7))
    found = session.connection().execute(
        _WAITING, {"keys": list(phone_indexes), "since": now - timedelta(days=days)}).scalar()
    return session.get(CheckIn, found) if found is not None else None


def reply(session: DbSession, check_in: CheckIn, text: str, now: datetime, cipher: PiiCipher) -> str:
    """Take ``text`` as the answer to ``check_in`` and return what to text back (no commit).

    1 and 2 are recorded as they are; 3 asks for the new number, and the next text is read as a
    phone number (``phonenumbers``, through the intake's phone question) and kept encrypted. Any
    other text is kept with the intake for staff and gets a short kind reply: nothing is lost.
    """
    intake = session.get(Intake, check_in.intake_id)
    assert intake is not None  # noqa: S101 - the foreign key cascades
    if check_in.state is CheckInState.NEW_NUMBER:
        parsed = parse_answer(question("phone"), text, intake.language)
        if parsed.ok and parsed.value:
            from .intake import change_phone  # the intake service is heavy; load on use

            change_phone(cast(Session, session), intake, parsed.value, cipher=cipher)
            check_in.state, check_in.answered_at = CheckInState.ANSWERED, now
            _event(session, intake, EventKind.CHECK_IN_REPLY, {"answer": "new_number"})
            return household_texts.checkin_number_saved(intake)
        household_messages.record(session, intake, text, channel=Channel.SMS, cipher=cipher, now=now)
        return household_texts.checkin_number_not_read(intake)
    answer = answer_of(normalize(text))
    if answer is None:
        household_messages.record(session, intake, text, channel=Channel.SMS, cipher=cipher, now=now)
        return household_texts.checkin_not_understood(intake)
    check_in.answer, check_in.answered_at = answer, now
    check_in.state = CheckInState.NEW_NUMBER if answer == household_texts.CHECKIN_NUMBER else CheckInState.ANSWERED
    _event(session, intake, EventKind.CHECK_IN_REPLY, {"answer": answer})
    return household_texts.checkin_thanks(intake, answer)


def stopped(session: DbSession, phone_indexes: Sequence[str], now: datetime) -> int:
    """Close the open check-ins of a number that texted STOP; return how many (no commit)."""
    rows = list(session.scalars(select(CheckIn).where(CheckIn.phone_index.in_(list(phone_indexes)),
                                                      CheckIn.state.in_(OPEN_STATES))))
    for row in rows:
        row.state, row.answered_at = CheckInState.STOPPED, now
        intake = session.get(Intake, row.intake_id)
        if intake is not None:
            _event(session, intake, EventKind.CHECK_IN_REPLY, {"answer": "stop"})
    return len(rows)


def latest(session: DbSession, intake: Intake) -> CheckIn | None:
    """Return the intake's newest check-in (for the intake page)."""
    return session.scalar(select(CheckIn).where(CheckIn.intake_id == intake.id).order_by(CheckIn.id.desc()).limit(1))

"""The storage of a text conversation's common step, without the ORM's unit of work.

Most texts answer the question an intake in progress is on. For those, ``sms.conversation`` reads
the conversation and its intake in one statement and the intake's answer codes in a second
(``load``), decides the step on that snapshot, and writes what changed with a few Core statements
(``record_inbound``, ``put_answer``, ``update_intake``, ``update_conversation``) before its one
commit. No object is
loaded into the session, so nothing is tracked, flushed or expired. Every other step (a keyword, a
new conversation, a submission) goes through the ORM as before.

Statements run on the session's connection, so they share its transaction with any ORM work of the
same request.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from limits import RateLimitItem
from sqlalchemy import Insert, Select, Table, bindparam, case, exists, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from models import Answer, InboundMessage, Intake, SmsConversation, SmsOptOut, SmsSenderCount
from models.intake import IntakeStatus
from models.sms import ConversationState

from .routing import DbSession

_conversations: Table = SmsConversation.__table__  # type: ignore[assignment]
_intakes: Table = Intake.__table__  # type: ignore[assignment]
_answers: Table = Answer.__table__  # type: ignore[assignment]
_inbound: Table = InboundMessage.__table__  # type: ignore[assignment]
_opt_outs: Table = SmsOptOut.__table__  # type: ignore[assignment]
_counts: Table = SmsSenderCount.__table__  # type: ignore[assignment]

@functools.cache
def _reads(keys: int) -> tuple[Select[Any], Select[Any]]:
    """The lock (PostgreSQL) and the read of a conversation, for a number known by ``keys`` blind
    indexes (one per PII key: one, or two while keys rotate), built once per count. Bound as
    ``k0``, ``k1``...: an expanding IN would be rewritten at every execution.

    The lock: on PostgreSQL texts from one number wait for each other there (SQLite serializes
    writes); a statement of its own, so the read after it sees what the text before it committed.
    The read: the conversation, its intake's state, whether the number opted out and whether this
    MessageSid was recorded before, one row."""
    bound: list[Any] = [bindparam(f"k{n}") for n in range(keys)]
    lock = select(_conversations.c.id).where(_conversations.c.phone_index.in_(bound)).with_for_update()
    load = (
        select(
            _conversations.c.id, _conversations.c.state, _conversations.c.language,
            _conversations.c.last_inbound_at, _conversations.c.last_body_index, _conversations.c.last_body_at,
            _conversations.c.phone_enc.is_(None).label("no_phone"),
            exists().where(_opt_outs.c.phone_index.in_(bound)).label("opted_out"),
            exists().where(_inbound.c.message_sid == bindparam("sid")).label("seen"),
            _intakes.c.id.label("intake_id"), _intakes.c.status, _intakes.c.language.label("intake_language"),
            _intakes.c.last_activity_at, _intakes.c.contact_phone_index,
        )
        .select_from(_conversations.outerjoin(_intakes, _intakes.c.id == _conversations.c.intake_id))
        .where(_conversations.c.phone_index.in_(bound))
    )
    return lock, load


#: The intake's answers as (key, code): a statement of their own, because joined to the row above
#: every answer would repeat (and convert again) the conversation's and the intake's times, which
#: made the one statement cost twice the two.
_ANSWERS = select(_answers.c.key, _answers.c.code).where(_answers.c.intake_id == bindparam("intake_id"))


@dataclass
class IntakeSnapshot:
    """What the common step needs of an intake: its state and its answers as codes."""

    id: int
    status: IntakeStatus
    language: str
    last_activity_at: datetime
    contact_phone_index: str | None
    #: key -> code, as ``services.intake.codes`` gives them (answers without a code left out).
    codes: dict[str, str] = field(default_factory=dict)
    #: Every key that has an answer row, with a code or not.
    stored: set[str] = field(default_factory=set)


@dataclass
class ConversationSnapshot:
    """A conversation as read by ``load``."""

    id: int
    state: ConversationState
    language: str | None
    last_inbound_at: datetime
    last_body_index: str | None
    last_body_at: datetime | None
    #: Recorded before numbers were kept encrypted for key rotation (the ORM path fills it in).
    no_phone: bool
    opted_out: bool
    seen: bool
    intake: IntakeSnapshot | None


def load(session: DbSession, keys: list[str], sid: str, *, locked: bool = False) -> ConversationSnapshot | None:
    """Read the conversation of the number with these blind indexes and its intake's answer codes,
    in two statements (three on PostgreSQL, which first locks it, unless ``count_text`` already
    holds the number's lock); None when the number has none yet."""
    connection = session.connection()
    lock, read = _reads(len(keys))
    params = {"sid": sid, **{f"k{n}": key for n, key in enumerate(keys)}}
    if connection.dialect.name == "postgresql" and not locked:
        connection.execute(lock, params)
    first = connection.execute(read, params).first()
    if first is None:
        return None
    intake = None
    if first.intake_id is not None:
        intake = IntakeSnapshot(first.intake_id, first.status, first.intake_language, first.last_activity_at,
                                first.contact_phone_index)
        for key, code in connection.execute(_ANSWERS, {"intake_id": first.intake_id}):
            intake.stored.add(key)
            if code is not None:
                intake.codes[key] = code
    return ConversationSnapshot(first.id, first.state, first.language, first.last_inbound_at,
                                first.last_body_index, first.last_body_at, bool(first.no_phone),
                                bool(first.opted_out), bool(first.seen), intake)


# The writes, built once: each is executed with its values, the columns to set named by the keys.
_INSERT_INBOUND = insert(_inbound)
_INSERT_ANSWER = insert(_answers)
_UPDATE_ANSWER = update(_answers).where(_answers.c.intake_id == bindparam("b_intake_id"),
                                        _answers.c.key == bindparam("b_key"))
_UPDATE_INTAKE = update(_intakes).where(_intakes.c.id == bindparam("b_id"))
_UPDATE_CONVERSATION = update(_conversations).where(_conversations.c.id == bindparam("b_id"))


def record_inbound(session: DbSession, *, sid: str, phone_index: str, conversation_id: int, now: datetime) -> None:
    """Keep the MessageSid of a text (unique: the same text delivered twice is taken once)."""
    session.connection().execute(_INSERT_INBOUND, {"message_sid": sid, "phone_index": phone_index,
                                                   "conversation_id": conversation_id, "received_at": now})


def put_answer(session: DbSession, intake: IntakeSnapshot, key: str, code: str, value_enc: bytes | None,
               now: datetime) -> None:
    """Write one answer: a new row, or the row the key already has (unique per intake and key)."""
    values = {"code": code, "value_enc": value_enc, "answered_at": now}
    if key in intake.stored:
        session.connection().execute(_UPDATE_ANSWER, {"b_intake_id": intake.id, "b_key": key, **values})
    else:
        session.connection().execute(_INSERT_ANSWER, {"intake_id": intake.id, "key": key, **values})
    intake.stored.add(key)
    intake.codes[key] = code


def update_intake(session: DbSession, intake: IntakeSnapshot, changes: Mapping[str, Any]) -> None:
    """Write the intake's columns that changed, if any (the row and its indexes are left alone
    otherwise)."""
    changed = {name: value for name, value in changes.items() if getattr(intake, name) != value}
    if not changed:
        return
    session.connection().execute(_UPDATE_INTAKE, {"b_id": intake.id, **changed})
    for name, value in changed.items():
        setattr(intake, name, value)


def update_conversation(session: DbSession, conversation_id: int, **values: Any) -> None:
    """Write columns of a conversation (``updated_at`` follows)."""
    session.connection().execute(_UPDATE_CONVERSATION, {"b_id": conversation_id, **values})


def _count_upsert(dialect: Any) -> Insert:
    """Count a text in each of its windows, in one statement: a new row, else one more hit in the
    same window, else the first hit of a new window; and read back every count."""
    statement = dialect.insert(_counts)
    excluded = statement.excluded
    same = _counts.c.window_start == excluded.window_start
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=[_counts.c.sender_key, _counts.c.window],
        set_={"hits": case((same, _counts.c.hits + 1), else_=1), "window_start": excluded.window_start},
    ).returning(_counts.c.window, _counts.c.hits)
    return upsert


_COUNT = {"postgresql": _count_upsert(postgresql), "sqlite": _count_upsert(sqlite)}


def window_name(limit: RateLimitItem) -> str:
    """Name one limit of ``SMS_RATE_LIMIT`` in ``sms_sender_counts`` (amount/period in seconds)."""
    return f"{limit.amount}/{limit.get_expiry()}"


def count_text(session: DbSession, sender_key: str, limits: Sequence[RateLimitItem], now: datetime) -> bool:
    """Count a text from this number against every limit; False when it goes over one.

    The first statement of the text's transaction and a write: on PostgreSQL it locks the number's
    rows until the commit, so texts from one number are counted (and answered) one after another on
    every worker and host; on SQLite it takes the one write lock. A text over the limit still counts
    (a loop between two robots stays stopped until its window ends). Fixed windows, aligned on
    multiples of each limit's period.
    """
    if not limits:
        return True
    seconds = int(now.timestamp())
    rows = [{"sender_key": sender_key, "window": window_name(limit),
             "window_start": seconds - seconds % limit.get_expiry(), "hits": 1} for limit in limits]
    connection = session.connection()
    result = connection.execute(_COUNT[connection.dialect.name], rows)
    counted: dict[str, int] = {window: hits for window, hits in result}
    return all(counted[window_name(limit)] <= limit.amount for limit in limits)

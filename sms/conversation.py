"""One text in, the replies out: a conversation per phone number over the shared intake.

The intake itself (questions, parsing, branching, submission) lives in ``intake_forms`` and
``services.intake``; this module only keeps track of the conversation (which intake, which
state), reads keywords, and renders replies with ``sms.render``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale
from limits import RateLimitItem
from sqlalchemy import bindparam, exists, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, joinedload

from intake_forms import (
    LANGUAGES,
    Kind,
    Question,
    detect_language,
    interpreter,
    languages,
    next_question,
    normalize,
    parse_answer,
    previous_question,
)
from intake_forms import question as question_for
from intake_forms.parse import ParseResult
from models.base import utcnow
from models.checkin import CheckIn
from models.intake import Channel, Intake, IntakeStatus
from models.sms import ConversationState, InboundMessage, SmsConversation, SmsOptOut
from services import checkins, household_messages, outbox, routing
from services import conversation_store as store
from services import intake as intakes
from services import interpreter as interpreter_service
from services import resume as resume_service
from services import status as status_service
from services.pii import current_cipher

from . import render
from .segments import segments

log = logging.getLogger(__name__)

# Keywords: the whole text, after ``normalize`` (case, accents and punctuation folded), in every
# registered language (``intake_forms.languages``).
STOP_WORDS = languages.keywords("stop")
START_WORDS = languages.keywords("start")
#: Twilio also treats these as opting back in, but only for a number that opted out.
START_WHEN_OPTED_OUT = languages.keywords("start", "rejoin")
HELP_WORDS = languages.keywords("help")
BACK_WORDS = languages.keywords("back")
RESTART_WORDS = languages.keywords("restart")
SKIP_WORDS = languages.keywords("skip")
LANGUAGE_WORDS = languages.names()
#: Texts the common step leaves to the general one (``Conversation._step``): every keyword that
#: means something to a conversation in progress. A keyword added there is added here.
NOT_AN_ANSWER = STOP_WORDS | HELP_WORDS | RESTART_WORDS | BACK_WORDS | frozenset(LANGUAGE_WORDS) \
    | frozenset(resume_service.CODE_WORDS)

#: The same text again within this window, after a reply to it that Twilio most likely gave up
#: on (``SLOW_REPLY_SECONDS``), is the person sending again because no reply came: they get the
#: current question, not a next step.
REPEAT_WINDOW = timedelta(minutes=2)
#: Twilio waits 15 seconds for a webhook's reply, counting its TCP connection. A text answered
#: slower than this (``SMS_SLOW_REPLY_SECONDS``) keeps its hash on the conversation, so the same
#: text again within ``REPEAT_WINDOW`` is taken as that resend. Answered faster, the reply went
#: out: nothing is kept, and the same words again are a new answer (people often answer "no"
#: twice in a row). Whether a reply was written cannot be told after the fact: gunicorn closes a
#: response after writing it whether or not the write reached Twilio.
SLOW_REPLY_SECONDS = 10.0

#: Tries at one text when another text from the same number was answered at the same moment.
COLLISION_RETRIES = 5

#: ``last_inbound_at`` only decides whether a conversation can still be resumed (days later), so
#: it is written at most once a minute: most texts then write only themselves and one answer.
TOUCH_EVERY = timedelta(minutes=1)

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")

#: The states that hold an intake in progress.
_IN_PROGRESS = (ConversationState.ACTIVE, ConversationState.INTERPRETER)

# Built once: every text runs these. ``keys`` are the sender's blind indexes (one per PII key).
_KEYS = bindparam("keys", expanding=True)
_OPTED_OUT = exists().where(SmsOptOut.phone_index.in_(_KEYS))
_RECORDED = exists().where(InboundMessage.message_sid == bindparam("sid"))
#: The conversation, its intake with every answer, whether the number opted out and whether this
#: MessageSid was recorded before: one round trip for all but the answers, one for the answers.
_LOAD = (select(SmsConversation, _OPTED_OUT.label("opted_out"), _RECORDED.label("seen"))
         .where(SmsConversation.phone_index.in_(_KEYS))
         .options(joinedload(SmsConversation.intake).selectinload(Intake.answers)))
_IS_OPTED_OUT = select(_OPTED_OUT)
_SEEN = select(_RECORDED)
#: On PostgreSQL, texts from one number wait for each other here (SQLite serializes writes).
_LOCK = select(SmsConversation.id).where(SmsConversation.phone_index.in_(_KEYS)).with_for_update()


@dataclass(frozen=True)
class Reply:
    """The texts to send back (possibly none) and the language they are in."""

    messages: tuple[str, ...]
    language: str
    duplicate: bool = False
    #: Over the per-number limit: only the kind "too fast" reply, nothing else changed.
    limited: bool = False


def indexed_value(phone: str) -> str:
    """Return the text whose blind index finds this sender (E.164 numbers, else the raw address)."""
    return phone if _E164.fullmatch(phone) else f"address:{phone}"


def phone_key(phone: str) -> str:
    """Return the blind index that finds this sender under the newest key."""
    return current_cipher().blind_index(indexed_value(phone))


def _phone_keys(phone: str) -> list[str]:
    return current_cipher().blind_indexes(indexed_value(phone))


def conversation_language(conversation: SmsConversation | None) -> str:
    """Return the language a number's texts are in: its intake's, else the one it chose, else the default."""
    if conversation is None:
        return languages.DEFAULT
    return _language_of(conversation.intake.language if conversation.intake is not None else None,
                        conversation.language)


def _language_of(intake_language: str | None, chosen: str | None) -> str:
    if intake_language in LANGUAGES:
        return intake_language
    return chosen if chosen is not None and chosen in LANGUAGES else languages.DEFAULT


def known_language(session: Session, phone: str) -> str | None:
    """Return the language of the conversation this number has, if it has one (for replies made
    outside a conversation step: the rate limit, a failure)."""
    conversation = session.scalar(select(SmsConversation).where(SmsConversation.phone_index.in_(_phone_keys(phone)))
                                  .options(joinedload(SmsConversation.intake)))
    if conversation is None or (conversation.language is None and conversation.intake is None):
        return None
    return conversation_language(conversation)


def _touched(last: datetime | None, now: datetime) -> bool:
    """Tell whether a text now changes when the number last texted (see TOUCH_EVERY)."""
    return last is None or now - last >= TOUCH_EVERY or now < last


def _combine(first: str, second: str) -> tuple[str, ...]:
    """Send a hint and the question again as one text only when that is one segment; else as two
    texts, so the question costs what it costs alone (one segment for almost every question)."""
    joined = f"{first}\n{second}"
    return (joined,) if segments(joined) <= 1 else (first, second)


class Conversation:
    """Handle one inbound text for one phone number, inside the caller's app context."""

    def __init__(self, session: Session, *, phone: str, resume_days: int = 7,
                 weights: Mapping[str, int] | None = None, now: datetime | None = None,
                 throttle: status_service.Throttle | None = None,
                 config: Mapping[str, Any] | None = None, limits: Sequence[RateLimitItem] = ()) -> None:
        self.session = session
        self.phone = phone
        self.resume_days = resume_days
        self.weights = weights
        self.now = now or utcnow()
        self.key = phone_key(phone)
        self.keys = _phone_keys(phone)
        self.offered = phone if _E164.fullmatch(phone) else None
        self.opted_out = False
        self.throttle = throttle
        self.config: Mapping[str, Any] = config or {}
        #: The per-number limits (``SMS_RATE_LIMIT``), counted in the text's own transaction.
        self.limits = limits
        self.locked = False
        self.started = time.monotonic()
        self.slow_after = float(self.config.get("SMS_SLOW_REPLY_SECONDS", SLOW_REPLY_SECONDS))

    # -- the entry point ------------------------------------------------------------------
    def handle(self, body: str | None, message_sid: str | None) -> Reply:
        """Record the text, advance the conversation one step and return the replies.

        Everything is read first and written in one flush at the end, so that on SQLite the write
        lock is held for as short a time as possible.
        """
        sid = (message_sid or "").strip()[:64] or f"local-{uuid.uuid4().hex}"
        dropped = False
        for attempt in range(1, COLLISION_RETRIES + 2):  # one more when a dropped connection took one
            try:
                return self._handle(body or "", sid)
            except IntegrityError:
                self.session.rollback()
                # The same MessageSid delivered twice at once: the other delivery recorded it.
                if self.session.scalar(_SEEN, {"sid": sid}):
                    return Reply((), languages.DEFAULT, duplicate=True)
                # Another text from this number was answered at the same moment (SQLite reads
                # before it locks): read the conversation again and take this one after it.
                if attempt == COLLISION_RETRIES:
                    raise
            except DBAPIError as error:
                # The database dropped the connection (a restart, a failover, an idle cut; pooled
                # connections are not pinged per request: ``app.ping_after_idle``). Nothing of
                # this text was written, or, when the drop came at the commit, its MessageSid
                # says so: take it again, once, on a fresh connection.
                if not error.connection_invalidated or dropped:
                    raise
                dropped = True
                self.session.rollback()
                log.warning("a database connection was dropped; the text is taken again on a new one")
        raise AssertionError("unreachable")  # pragma: no cover

    def _handle(self, body: str, sid: str) -> Reply:
        # On PostgreSQL the count comes first: its upsert locks the number's count rows until the
        # commit, so texts from one number wait for each other there (other numbers do not), and
        # the conversation needs no lock of its own. On SQLite any write takes the one database
        # lock, held to the commit: the common answer reads and decides first (reads take no
        # lock) and counts just before its writes, so the lock is held for the writes alone; a
        # text from the same number answered in between is caught by the answer's and the
        # MessageSid's unique keys and taken again (``handle``).
        late = self.session.get_bind().dialect.name == "sqlite"
        if not late:
            if not self._count():
                return self._too_fast(body)
            self.locked = bool(self.limits)
        quick = self._answer(body, sid, count=late)
        if quick is not None:
            return quick
        if late and not self._count():
            return self._too_fast(body)
        conversation, created, seen = self._conversation(sid)
        if seen:
            # Twilio sends the same MessageSid again only when our answer failed to reach it:
            # the person saw nothing, so send the question they are on (and change nothing).
            language = self._language(conversation)
            with force_locale(language):
                messages = () if self.opted_out else tuple(self._ask_current(conversation))
            self.session.rollback()
            return Reply(messages, language, duplicate=True)
        self.session.add(InboundMessage(message_sid=sid, phone_index=self.key,
                                        conversation_id=conversation.id, received_at=self.now))
        return self._step(conversation, body, created=created)

    def _count(self) -> bool:
        """Count this text against the number's limits (``store.count_text``); False when over."""
        return store.count_text(self.session, self.key, self.limits, self.now)

    def _too_fast(self, body: str) -> Reply:
        """A text over the per-number limit: keep its count, change nothing else, answer kindly
        (with 200 so that Twilio delivers the reply: never a silent drop)."""
        self.session.commit()
        log.info("an SMS sender went over the rate limit")
        language = known_language(self.session, self.phone) or detect_language(body) or languages.DEFAULT
        with force_locale(language):
            return Reply((render.rate_limited(),), language, limited=True)

    def _answer(self, text: str, sid: str, *, count: bool) -> Reply | None:
        """The common text, an answer to the question an intake in progress is on: decided on a
        snapshot read in two statements and written with Core statements, one commit
        (``services.conversation_store``). None for any other text, which ``_step`` takes; this
        decides as ``_step`` and ``_active`` would for the texts it keeps. ``count``: count the
        text (``count_text``) just before the writes, which all come together at the end."""
        found = store.load(self.session, self.keys, sid, locked=self.locked)
        if found is None or found.seen or found.opted_out or found.no_phone:
            return None
        intake = found.intake
        if (found.state is not ConversationState.ACTIVE or intake is None
                or intake.status is not IntakeStatus.IN_PROGRESS
                or found.last_inbound_at < self.now - timedelta(days=self.resume_days)):
            return None  # _refresh has something to change
        words = normalize(text)
        if (words in NOT_AN_ANSWER or status_service.status_request(text) is not None
                or resume_service.resume_request(text) is not None):
            return None
        q = next_question(intake.codes)
        body_index = current_cipher().blind_index(f"sms-body:{words}")
        if q is None or self._repeated(found, body_index):
            return None
        if words in SKIP_WORDS:
            result = ParseResult(ok=True, code=q.skip_code)
        else:
            result = intakes.read_answer(self.session, q.key, text, intake.language,
                                         offered=self.offered if q.kind is Kind.PHONE else None)
        step = intakes.step_after(q.key, result, {**intake.codes, q.key: result.code}
                                  if result.ok and result.code else intake.codes)
        if step.ok and step.next is None:
            return None  # the last answer: _active submits
        value, own = None, {}
        if step.ok and result.code is not None:
            value = current_cipher().encrypt(result.value) if result.value is not None else None
            own = intakes.intake_changes(q.key, result.code, result.value, intake.last_activity_at, self.now)
        language = str(own.get("language", intake.language))
        changes: dict[str, Any] = {}
        if _touched(found.last_inbound_at, self.now):
            changes["last_inbound_at"] = self.now
        if q.kind is Kind.LANGUAGE:
            changes["language"] = found.language = language
        with force_locale(language):
            messages = self._answered(q, step)
        kept = self._kept(body_index)
        if kept is not None or found.last_body_index is not None:
            changes.update(last_body_index=kept, last_body_at=self.now)
        # The writes, together: on SQLite the first takes the write lock, held to the commit.
        if count and not self._count():
            return self._too_fast(text)
        store.record_inbound(self.session, sid=sid, phone_index=self.key, conversation_id=found.id, now=self.now)
        if step.ok and result.code is not None:
            store.put_answer(self.session, intake, q.key, result.code, value, self.now)
            store.update_intake(self.session, intake, own)
        if changes:  # most answers leave the conversation's row alone
            store.update_conversation(self.session, found.id, **changes)
        self.session.commit()
        return Reply(tuple(messages), _language_of(language, found.language))

    def _step(self, conversation: SmsConversation, text: str, *, created: bool) -> Reply:
        words = normalize(text)
        if words in STOP_WORDS:
            outbox.opt_out(self.session, indexed_value(self.phone), source="keyword")
            checkins.stopped(self.session, self.keys, self.now)
            self._touch(conversation)
            language = self._language(conversation)
            self.session.commit()
            return Reply((), language)
        if self.opted_out:
            if words not in START_WHEN_OPTED_OUT:
                self._refresh(conversation)
                if self._belongs_to_intake(conversation, words):
                    self._keep(conversation, text)
                language = self._language(conversation)
                self.session.commit()  # they asked for no texts: send nothing, keep everything
                return Reply((), language)
            self._opt_in()
            self._refresh(conversation)
            self._touch(conversation)
            language = self._language(conversation)
            with force_locale(language):
                messages = (render.stop_reminder(), *self._ask_current(conversation))
            self.session.commit()
            return Reply(messages, language)

        self._refresh(conversation)
        self._touch(conversation)
        asked = status_service.status_request(text)
        if asked is not None:  # a status lookup in any state; it never becomes an answer
            language, messages = self._status(conversation, *asked)
            self.session.commit()
            return Reply(messages, language)
        check_in = self._check_in(conversation, words)
        if check_in is not None:  # the reply to "Do you still need help?" from the number it went to
            with force_locale(self._check_in_language(check_in)):
                message = checkins.reply(self.session, check_in, text, self.now, current_cipher())
            language = self._check_in_language(check_in)
            self.session.commit()
            return Reply((message,), language)
        taken_up = resume_service.resume_request(text)
        if taken_up is not None:  # continue here an intake begun elsewhere
            language, messages = self._resume(conversation, *taken_up)
            self.session.commit()
            return Reply(messages, language)
        if (words in resume_service.CODE_WORDS and conversation.state is ConversationState.ACTIVE
                and conversation.intake is not None):
            language = self._language(conversation)
            code = resume_service.give_code(self.session, conversation.intake)
            with force_locale(language):
                messages = (render.resume_code(code), *self._ask_current(conversation))
            self.session.commit()
            return Reply(messages, language)
        body_index = current_cipher().blind_index(f"sms-body:{words}")
        if self._repeated(conversation, body_index):
            language = self._language(conversation)
            with force_locale(language):
                messages = self._ask_current(conversation)
            conversation.last_body_index = self._kept(body_index)
            self.session.commit()
            return Reply(tuple(messages), language)
        conversation.last_body_at = self.now
        if conversation.state is ConversationState.ACTIVE and conversation.intake is not None:
            messages = self._active(conversation, conversation.intake, text, words)
        elif conversation.state is ConversationState.DONE and conversation.intake is not None:
            messages = self._done(conversation, conversation.intake, text, words)
        elif conversation.state is ConversationState.INTERPRETER and conversation.intake is not None:
            messages = self._interpreter(conversation, conversation.intake, text, words)
        else:
            messages = self._new(conversation, text, words, first=created)
        language = self._language(conversation)
        conversation.last_body_index = self._kept(body_index)
        self.session.commit()  # the one commit: the inbound text, the conversation and the intake
        return Reply(tuple(messages), language)

    def _check_in(self, conversation: SmsConversation, words: str) -> CheckIn | None:
        """Return the check-in this text answers: one waits for this number, and the number is not
        in the middle of a form (its answers are numbers too) nor asking for HELP or a new form."""
        if words in HELP_WORDS or words in RESTART_WORDS or words in START_WORDS:
            return None
        if (conversation.state in _IN_PROGRESS and conversation.intake is not None
                and conversation.intake.status is IntakeStatus.IN_PROGRESS):
            return None
        with self.session.no_autoflush:  # a read: the text's rows are still written in one flush at the end
            return checkins.waiting(self.session, self.keys, self.now, self.config)

    def _check_in_language(self, check_in: CheckIn) -> str:
        intake = self.session.get(Intake, check_in.intake_id)
        return intake.language if intake is not None and intake.language in LANGUAGES else "en"

    def _kept(self, body_index: str) -> str | None:
        """The text's hash to keep on the conversation: only when its reply took so long that
        Twilio most likely gave up on it (``SLOW_REPLY_SECONDS``), else None."""
        return body_index if time.monotonic() - self.started > self.slow_after else None

    def _repeated(self, conversation: SmsConversation | store.ConversationSnapshot, body_index: str) -> bool:
        """Tell whether this text repeats the last one, whose reply most likely never reached Twilio."""
        last = conversation.last_body_at
        return (conversation.state is ConversationState.ACTIVE
                and conversation.last_body_index == body_index
                and last is not None and self.now - last <= REPEAT_WINDOW)

    def _status(self, conversation: SmsConversation, language: str, code: str) -> tuple[str, tuple[str, ...]]:
        """Answer STATUS <code>: only for the number that was given on that intake."""
        if conversation.intake is not None and conversation.state is not ConversationState.NEW:
            language = self._language(conversation)
        if not code:
            with force_locale(language):
                return language, (render.status_how_to(),)
        client = indexed_value(self.phone)
        if self.throttle is not None and self.throttle.blocked(code, client):
            with force_locale(language):
                return language, (render.status_too_many(),)
        found = status_service.lookup(self.session, code, current_cipher(), sender=indexed_value(self.phone),
                                      now=self.now)
        if found is None:
            if self.throttle is not None:
                self.throttle.miss(code, client)
            with force_locale(language):
                return language, (render.status_not_found(),)
        with force_locale(found.language):
            return found.language, (render.status(found, self.now),)

    def _resume(self, conversation: SmsConversation, language: str, code: str) -> tuple[str, tuple[str, ...]]:
        """Answer RESUME <code>: take up an unfinished intake that knows this number, where it stopped."""
        client = indexed_value(self.phone)
        if self.throttle is not None and self.throttle.blocked(code, client):
            with force_locale(language):
                return language, (render.status_too_many(),)
        found = resume_service.find(self.session, code, current_cipher(), sender=client) if code else None
        if found is None:
            if self.throttle is not None and code:
                self.throttle.miss(code, client)
            with force_locale(language):
                return language, (render.resume_not_found(),)
        current = conversation.intake
        if current is not None and current.id != found.id and current.status is IntakeStatus.IN_PROGRESS:
            intakes.abandon(self.session, current, commit=False)
        resume_service.reopen(self.session, found)
        conversation.intake = found
        conversation.language = found.language
        conversation.state = ConversationState.ACTIVE
        with force_locale(found.language):
            return found.language, (render.resumed(), *self._ask_current(conversation))

    # -- bookkeeping ----------------------------------------------------------------------
    def _conversation(self, sid: str) -> tuple[SmsConversation, bool, bool]:
        """Return (conversation, created, seen): seen when this MessageSid was recorded before."""
        params = {"keys": self.keys, "sid": sid}
        if self.session.get_bind().dialect.name == "postgresql" and not self.locked:
            self.session.execute(_LOCK, params)
        row = self.session.execute(_LOAD, params).first()
        if row is not None:
            self.opted_out = bool(row.opted_out)
            if row[0].phone_enc is None:  # recorded before numbers were kept for key rotation
                row[0].phone_enc = current_cipher().encrypt(indexed_value(self.phone))
            return row[0], False, bool(row.seen)
        self.opted_out = bool(self.session.scalar(_IS_OPTED_OUT, params))
        try:
            with self.session.begin_nested():
                conversation = SmsConversation(
                    phone_index=self.key, phone_enc=current_cipher().encrypt(indexed_value(self.phone)),
                    state=ConversationState.NEW, last_inbound_at=self.now)
                self.session.add(conversation)
        except IntegrityError:  # the same number texted twice at once
            found = self.session.execute(_LOAD, params).first()
            if found is None:
                raise
            return found[0], False, bool(found.seen)
        return conversation, True, False

    def _touch(self, conversation: SmsConversation) -> None:
        """Note when this number last texted; at most once a minute (see TOUCH_EVERY)."""
        if _touched(conversation.last_inbound_at, self.now):
            conversation.last_inbound_at = self.now

    def _opt_in(self) -> None:
        for row in self.session.scalars(select(SmsOptOut).where(SmsOptOut.phone_index.in_(self.keys))):
            self.session.delete(row)

    def _refresh(self, conversation: SmsConversation) -> None:
        """Drop an intake that is gone, closed elsewhere, or idle longer than the resume window."""
        intake = conversation.intake
        if conversation.state is ConversationState.NEW:
            return
        if intake is None:
            conversation.state = ConversationState.NEW
            return
        if conversation.state in _IN_PROGRESS:
            if intake.status is not IntakeStatus.IN_PROGRESS:
                conversation.state = (ConversationState.DONE if intake.status is IntakeStatus.SUBMITTED
                                      else ConversationState.NEW)
                if conversation.state is ConversationState.NEW:
                    conversation.intake = None
            elif conversation.last_inbound_at < self.now - timedelta(days=self.resume_days):
                intakes.abandon(self.session, intake, commit=False)
                conversation.intake = None
                conversation.state = ConversationState.NEW

    def _language(self, conversation: SmsConversation) -> str:
        return conversation_language(conversation)

    # -- states ---------------------------------------------------------------------------
    def _new(self, conversation: SmsConversation, text: str, words: str, *, first: bool) -> list[str]:
        """No intake yet: choose the language (a Spanish first text chooses Spanish), then start."""
        chosen: str | None = None
        if words in HELP_WORDS:
            # HELP in the source language keeps the menu; AYUDA, INFORMACION... choose their language.
            asked_in = languages.keyword("help", words) or languages.DEFAULT
            language = asked_in if asked_in != languages.DEFAULT else self._language(conversation)
            with force_locale(language):
                messages = [render.help_text()]
            if asked_in != languages.DEFAULT:
                return messages + self._start(conversation, asked_in, welcome=False)
            return [*messages, *render.language_menu()]
        if interpreter.is_other(words):
            return self._begin_interpreter(conversation, None)
        parsed = parse_answer(question_for("language"), text, languages.DEFAULT)
        detected = detect_language(text)
        named = interpreter.match(text) if not parsed.ok and detected is None else None
        if named is not None and not languages.known(named):  # "Kiswahili": a language we do not offer
            return self._begin_interpreter(conversation, text)
        if parsed.ok and parsed.code in LANGUAGES and words not in SKIP_WORDS and len(words) <= 40:
            chosen = parsed.code
        elif detected is not None and detected != languages.DEFAULT:
            chosen = detected
        if chosen is not None:
            return self._start(conversation, chosen)
        if first or not words or words in RESTART_WORDS:
            return list(render.language_menu())
        menu = render.language_menu()
        with force_locale(self._language(conversation)):
            return [*_combine(render.hint_text(question_for("language"), parsed.error), menu[0]), *menu[1:]]

    def _begin_interpreter(self, conversation: SmsConversation, said: str | None) -> list[str]:
        """"Another language": queue a callback with an interpreter; ask which language unless
        the text already named one."""
        intake = interpreter_service.start(self.session, channel=Channel.SMS, commit=False)
        if said is not None:
            interpreter_service.name_language(intake, said)
        conversation.intake = intake
        conversation.language = intake.language
        conversation.state = ConversationState.INTERPRETER
        return [self._interpreter_prompt(intake)]

    @staticmethod
    def _interpreter_prompt(intake: Intake) -> str:
        if intake.interpreter_language is None:
            return render.interpreter_ask_language()
        return render.interpreter_ask_phone()

    def _interpreter(self, conversation: SmsConversation, intake: Intake, text: str, words: str) -> list[str]:
        """The steps of "another language": the language's name (any words), then the number."""
        if words in HELP_WORDS:
            with force_locale(intake.language):
                return [render.help_text(), self._interpreter_prompt(intake)]
        if words in RESTART_WORDS:
            intakes.abandon(self.session, intake, commit=False)
            conversation.intake = None
            conversation.state = ConversationState.NEW
            return list(render.language_menu())
        if intake.interpreter_language is None:
            interpreter_service.name_language(intake, text)
            return [render.interpreter_ask_phone()]
        parsed = parse_answer(question_for("phone"), text, languages.DEFAULT, offered=self.offered)
        if not parsed.ok or parsed.value is None:
            return list(_combine(render.interpreter_phone_hint(), render.interpreter_ask_phone()))
        conversation.state = ConversationState.DONE  # committed with the submission
        result = interpreter_service.finish(self.session, intake, phone=parsed.value, channel=Channel.SMS,
                                            weights=self.weights)
        return [render.interpreter_queued(result)]

    def _start(self, conversation: SmsConversation, language: str, *, welcome: bool = True) -> list[str]:
        intake = intakes.start_intake(self.session, channel=Channel.SMS, language=language, commit=False)
        conversation.intake = intake
        conversation.language = language
        conversation.state = ConversationState.ACTIVE
        with force_locale(language):
            first = self._ask(intakes.current_question(intake))
            return [render.welcome(), *first] if welcome else first

    def _done(self, conversation: SmsConversation, intake: Intake, text: str, words: str) -> list[str]:
        """After submitting: a new intake on request, help, else the text is a message for staff."""
        language = self._language(conversation)
        if words in RESTART_WORDS or words in START_WORDS:
            return self._start(conversation, language)
        with force_locale(language):
            if words in HELP_WORDS:
                return [render.help_text()]
            other = routing.coc_contact_for_code(intake.out_of_area_coc_code) if intake.out_of_area else None
            result = intakes.SubmitResult(intake, intake.routed_access_point, other, already=True)
            if self._belongs_to_intake(conversation, words):
                self._keep(conversation, text)
                return [render.message_received(result)]
            return [render.reminder(result)]

    @staticmethod
    def _belongs_to_intake(conversation: SmsConversation, words: str) -> bool:
        """Tell whether a text is a message for staff: after submitting, anything but a keyword."""
        keywords = RESTART_WORDS | START_WORDS | HELP_WORDS | STOP_WORDS
        return (conversation.state is ConversationState.DONE and conversation.intake is not None
                and conversation.intake.status is IntakeStatus.SUBMITTED
                and bool(words) and words not in keywords)

    def _keep(self, conversation: SmsConversation, text: str) -> None:
        """Store the text with the submitted intake, encrypted, and mark it new for staff."""
        assert conversation.intake is not None  # noqa: S101 - checked by _belongs_to_intake
        household_messages.record(self.session, conversation.intake, text, channel=Channel.SMS,
                                  cipher=current_cipher(), now=self.now)

    def _active(self, conversation: SmsConversation, intake: Intake, text: str, words: str) -> list[str]:
        """An intake in progress: keywords, else an answer to the current question."""
        q = intakes.current_question(intake)
        if q is None:
            return self._submit(conversation, intake, [])
        if words in HELP_WORDS:
            with force_locale(intake.language):
                return [render.help_text(), *self._ask(q)]
        if words in RESTART_WORDS:
            intakes.restart(self.session, intake, commit=False)
            with force_locale(intake.language):
                return self._ask(intakes.current_question(intake))
        if words in BACK_WORDS:
            before = previous_question(intakes.codes(intake), q.key)
            if before is not None:
                intakes.clear_answer(self.session, intake, before.key, commit=False)
            with force_locale(intake.language):
                return self._ask(intakes.current_question(intake))
        if words in LANGUAGE_WORDS and q.kind is not Kind.LANGUAGE:
            intakes.set_code(self.session, intake, "language", LANGUAGE_WORDS[words], commit=False)
            conversation.language = intake.language
            with force_locale(intake.language):
                return self._ask(q)
        if words in SKIP_WORDS:
            step = intakes.record(self.session, intake, q.key, ParseResult(ok=True, code=q.skip_code),
                                  commit=False)
        else:
            offered = self.offered if q.kind is Kind.PHONE else None
            step = intakes.answer(self.session, intake, q.key, text, offered=offered, commit=False)
        if q.kind is Kind.LANGUAGE:
            conversation.language = intake.language
        with force_locale(intake.language):
            if step.ok and step.next is None:
                return self._submit(conversation, intake, [render.notice_text(n) for n in step.notices])
            return self._answered(q, step)

    def _answered(self, q: Question, step: intakes.StepResult) -> list[str]:
        """Reply to an answer that does not end the intake: why it was not taken and the question
        again, or its notices and the next question."""
        if not step.ok:
            return list(_combine(render.hint_text(q, step.error), self._question(q)))
        return [render.notice_text(n) for n in step.notices] + self._ask(step.next)

    def _submit(self, conversation: SmsConversation, intake: Intake, messages: list[str]) -> list[str]:
        language = intake.language
        conversation.state = ConversationState.DONE  # committed with the submission
        result = intakes.submit(self.session, intake, weights=self.weights, channel=Channel.SMS)
        with force_locale(language):
            if result.intake.status is IntakeStatus.WITHDRAWN:
                # The intake, this conversation and the texts seen on it are gone: the next text
                # is answered as from someone new.
                return [*messages, render.withdrawn()]
            return [*messages, render.confirmation(result)]

    # -- rendering ------------------------------------------------------------------------
    def _question(self, q: Question) -> str:
        return render.question_text(q, offered_phone=self.offered)

    def _ask(self, q: Question | None) -> list[str]:
        return [self._question(q)] if q is not None else []

    def _ask_current(self, conversation: SmsConversation) -> list[str]:
        if conversation.state is ConversationState.ACTIVE and conversation.intake is not None:
            return self._ask(intakes.current_question(conversation.intake))
        if conversation.state is ConversationState.NEW:
            return list(render.language_menu())
        if conversation.state is ConversationState.INTERPRETER and conversation.intake is not None:
            return [self._interpreter_prompt(conversation.intake)]
        return []

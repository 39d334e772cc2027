"""The outbox: outbound texts and e-mails written in the caller's transaction, sent later by a worker.

``enqueue_sms`` only adds a row (it never commits), so a text exists exactly when the change that
caused it was committed. ``deliver_pending`` (``flask outbox work``, or in-process in development)
hands queued rows to an ``SmsSender``; ``record_status`` stores what Twilio's status callback says.
Numbers that opted out get nothing: at enqueue time, at send time, and after Twilio error 21610.

Delivery is at least once: a row is claimed (``sending``) and committed before the send, and the
result committed after it. A worker that dies in between leaves a ``sending`` row without a
Twilio sid; ``recover_stale`` puts such rows back in the queue once they are older than
``OUTBOX_STALE_SECONDS``, and the resend carries the same idempotency key (``outbox-<id>``).

E-mails (``enqueue_email``, channel ``email``) take the same path to a ``MailSender``; their key
becomes the Message-ID. A sent e-mail is ``sent`` at once (there is no status callback), so only
an e-mail whose worker died mid-send is still ``sending`` without a sid.

A failed attempt (the mail server or Twilio down, a timeout, a temporary refusal) puts the
message back in the queue with ``next_attempt_at`` set by exponential back-off
(``OUTBOX_RETRY_SECONDS`` doubled after each attempt, at most ``OUTBOX_RETRY_MAX_SECONDS``); the
worker picks only messages whose ``next_attempt_at`` has passed. After ``MAX_ATTEMPTS`` attempts
the message is ``failed``: the intake page shows it for a text to a household, the admin page
counts failed alerts (``failed_alerts``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.base import utcnow
from models.sms import (
    ConversationState,
    InboundMessage,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    SmsConversation,
    SmsOptOut,
    SmsSenderCount,
)

from . import sms_text
from .mail import MailSender, get_mail_sender
from .pii import current_cipher
from .sms_sender import OPTED_OUT_ERROR, SendResult, SmsSender, get_sender

log = logging.getLogger(__name__)

#: After this many failed attempts a message is marked failed and left alone.
MAX_ATTEMPTS = 5

#: A ``sending`` row without a Twilio sid older than this was stranded by a worker that died.
DEFAULT_STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Backoff:
    """How long a failed message waits before its next attempt: ``base`` doubled per attempt, up to ``cap``."""

    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        """Return the wait after the ``attempts``-th failed attempt (1 -> base, 2 -> 2 x base, ...)."""
        doublings = min(max(attempts - 1, 0), 20)
        wait: timedelta = self.base * (2 ** doublings)
        return min(wait, self.cap)

    @classmethod
    def from_config(cls, config: Any) -> Backoff:
        """Read OUTBOX_RETRY_SECONDS and OUTBOX_RETRY_MAX_SECONDS (defaults 60 and 3600)."""
        return cls(timedelta(seconds=int(config.get("OUTBOX_RETRY_SECONDS", 60))),
                   timedelta(seconds=int(config.get("OUTBOX_RETRY_MAX_SECONDS", 3600))))


DEFAULT_BACKOFF = Backoff()

#: Twilio's message statuses mapped to ours; later states never go back to earlier ones.
TWILIO_STATUSES: dict[str, OutboxStatus] = {
    "accepted": OutboxStatus.SENDING,
    "scheduled": OutboxStatus.SENDING,
    "queued": OutboxStatus.SENDING,
    "sending": OutboxStatus.SENDING,
    "sent": OutboxStatus.SENT,
    "delivered": OutboxStatus.DELIVERED,
    "read": OutboxStatus.DELIVERED,
    "undelivered": OutboxStatus.UNDELIVERED,
    "failed": OutboxStatus.FAILED,
    "canceled": OutboxStatus.FAILED,
}
_RANK = {
    OutboxStatus.QUEUED: 0,
    OutboxStatus.SENDING: 1,
    OutboxStatus.SENT: 2,
    OutboxStatus.UNDELIVERED: 3,
    OutboxStatus.FAILED: 3,
    OutboxStatus.DELIVERED: 4,
    OutboxStatus.OPTED_OUT: 5,
}
_PENDING_FLAG = "_frontdoor_outbox_pending"


# Opt-outs ------------------------------------------------------------------------------------

def is_opted_out(session: Session, phone: str) -> bool:
    """Tell whether the E.164 number ``phone`` has opted out of texts."""
    indexes = current_cipher().phone_indexes(phone)
    return session.scalar(select(SmsOptOut.id).where(SmsOptOut.phone_index.in_(indexes))) is not None


def opt_out(session: Session, number: str, *, source: str = "keyword") -> None:
    """Record that ``number`` wants no more texts (in the caller's transaction).

    ``number`` is the sender as indexed: an E.164 number, or ``sms.conversation``'s text for
    another kind of address. It is kept encrypted beside its index so key rotation can re-derive it.
    """
    cipher = current_cipher()
    phone_index = cipher.blind_index(number)
    if session.scalar(select(SmsOptOut.id).where(SmsOptOut.phone_index == phone_index)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(SmsOptOut(phone_index=phone_index, phone_enc=cipher.encrypt(number), source=source))
    except IntegrityError:
        pass  # recorded at the same moment by another request
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.to_index == phone_index, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.OPTED_OUT, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def opt_in(session: Session, phone: str) -> bool:
    """Forget the opt-out of ``phone`` (START); return whether there was one."""
    indexes = current_cipher().phone_indexes(phone)
    result = session.execute(delete(SmsOptOut).where(SmsOptOut.phone_index.in_(indexes)))
    return bool(result.rowcount)  # type: ignore[attr-defined]


# Enqueue -------------------------------------------------------------------------------------

def enqueue_sms(session: Session, *, to: str, body: str, language: str, intake_id: int | None = None,
                purpose: str) -> OutboxMessage | None:
    """Add a text to the outbox in the caller's transaction (no commit); None if ``to`` opted out.

    Every outbound text passes ``sms_text.outbound`` here: folded by the policy of ``language``
    (the household's, or the staff member's for an alert) and checked against the segment budget,
    whoever wrote it (a staff template, a reminder, a check-in, the kiosk).
    """
    cipher = current_cipher()
    if is_opted_out(session, to):
        return None
    message = OutboxMessage(
        to_enc=cipher.encrypt(to),
        to_index=cipher.phone_index(to),
        body_enc=cipher.encrypt(sms_text.outbound(body, language=language, purpose=purpose)),
        purpose=purpose,
        intake_id=intake_id,
        status=OutboxStatus.QUEUED,
    )
    return _queued(session, message)


def _queued(session: Session, message: OutboxMessage) -> OutboxMessage:
    """Add ``message`` to the caller's transaction; in a request, deliver in-process after it (development)."""
    session.add(message)
    if has_request_context():
        setattr(g, _PENDING_FLAG, True)
    return message


def enqueue_email(session: Session, *, to: str, subject: str, body: str, intake_id: int | None = None,
                  purpose: str) -> OutboxMessage:
    """Add an e-mail to the outbox in the caller's transaction (no commit)."""
    cipher = current_cipher()
    address = to.strip().lower()
    message = OutboxMessage(
        channel=OutboxChannel.EMAIL,
        to_enc=cipher.encrypt(address),
        to_index=cipher.blind_index(address),
        subject_enc=cipher.encrypt(subject),
        body_enc=cipher.encrypt(body),
        purpose=purpose,
        intake_id=intake_id,
        status=OutboxStatus.QUEUED,
    )
    return _queued(session, message)


# Deliver -------------------------------------------------------------------------------------

def status_callback_url(config: Any) -> str | None:
    """Return the public URL of the status callback, when PUBLIC_BASE_URL is set."""
    base = config.get("PUBLIC_BASE_URL")
    return f"{str(base).rstrip('/')}/sms/status" if base else None


def _ready(now: datetime) -> Any:
    """SQL: a queued message whose back-off (if any) is over."""
    return or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    """Mark one queued message as being sent; False when another worker took it first (or it
    failed meanwhile and waits for its next attempt)."""
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.QUEUED, _ready(now))
        .values(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1,
                last_attempt_at=utcnow(), updated_at=utcnow(), next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _claim_next(session: Session, channels: list[OutboxChannel], now: datetime) -> int | None:
    """PostgreSQL: claim the oldest queued message no other worker is claiming; its id, or None.

    ``FOR UPDATE SKIP LOCKED`` hands each worker a different row, so no claim is wasted on a row
    another worker took a moment before (with a shared list of ids, two thirds of the claims of
    three workers were), in one statement.
    """
    oldest = (select(OutboxMessage.id)
              .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.channel.in_(channels),
                     _ready(now))
              .order_by(OutboxMessage.id).limit(1)
              .with_for_update(skip_locked=True).scalar_subquery())
    claimed = session.scalar(
        update(OutboxMessage)
        .where(OutboxMessage.id == oldest, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1,
                last_attempt_at=utcnow(), updated_at=utcnow(), next_attempt_at=None)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return claimed


def idempotency_key(message_id: int) -> str:
    """Return the key that is the same for every attempt at one outbox message."""
    return f"outbox-{message_id}"


def recover_stale(session: Session, *, older_than: timedelta = DEFAULT_STALE_AFTER) -> int:
    """Queue again the ``sending`` rows a dead worker left without a Twilio sid; commit; return how many.

    A row that already used its last attempt is marked failed instead.
    """
    cutoff = utcnow() - older_than
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.twilio_sid.is_(None),
               OutboxMessage.last_attempt_at < cutoff)
        .values(status=case((OutboxMessage.attempts >= MAX_ATTEMPTS, OutboxStatus.FAILED.value),
                            else_=OutboxStatus.QUEUED.value),
                updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    recovered = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if recovered:
        log.warning("put %d outbox message(s) stranded in 'sending' back in the queue", recovered)
    return recovered


def _retry_later(message: OutboxMessage, now: datetime, backoff: Backoff, *, permanent: bool = False) -> None:
    """After a failed attempt: queue the message again after its back-off, or mark it failed for good."""
    if permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        message.next_attempt_at = None
        log.warning("outbox message %s failed for good after %d attempt(s)", message.id, message.attempts)
        return
    message.status = OutboxStatus.QUEUED
    message.next_attempt_at = now + backoff.delay(message.attempts)


def _send_email(mailer: MailSender, message: OutboxMessage) -> SendResult:
    cipher = current_cipher()
    subject = cipher.decrypt(message.subject_enc) if message.subject_enc is not None else ""
    return mailer.send(cipher.decrypt(message.to_enc), subject, cipher.decrypt(message.body_enc),
                       idempotency_key=idempotency_key(message.id))


def deliver_pending(session: Session, sender: SmsSender, *, limit: int = 100,
                    status_callback: str | None = None,
                    stale_after: timedelta = DEFAULT_STALE_AFTER,
                    mailer: MailSender | None = None, backoff: Backoff = DEFAULT_BACKOFF,
                    now: datetime | None = None, skip_locked: bool | None = None) -> int:
    """Send up to ``limit`` queued messages that are ready, oldest first; return how many the
    backends accepted.

    E-mails are sent only when a ``mailer`` is given; without one they stay queued. A message
    that failed waits until its ``next_attempt_at`` (``now`` stands for the clock in tests). Each
    message is claimed just before it is sent: on PostgreSQL (``skip_locked``, the default there)
    with ``FOR UPDATE SKIP LOCKED``, so several workers never reach for the same row.
    """
    now = now or utcnow()
    recover_stale(session, older_than=stale_after)
    channels = [OutboxChannel.SMS] if mailer is None else [OutboxChannel.SMS, OutboxChannel.EMAIL]
    accepted = 0
    if skip_locked is None:
        skip_locked = session.get_bind().dialect.name == "postgresql"
    if skip_locked:
        for _ in range(limit):
            message_id = _claim_next(session, channels, now)
            if message_id is None:
                break
            accepted += _send_claimed(session, message_id, sender, mailer, status_callback, now, backoff)
        return accepted
    # SQLite has one writer at a time and no row locks: claim from a list of ids, one by one.
    ids = list(session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.channel.in_(channels), _ready(now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ))
    session.commit()
    for message_id in ids:
        if not _claim(session, message_id, now):
            CLAIMS_LOST[0] += 1
            continue
        accepted += _send_claimed(session, message_id, sender, mailer, status_callback, now, backoff)
    return accepted


#: Claims this process lost to another worker (the list-of-ids path); PostgreSQL loses none.
CLAIMS_LOST = [0]


def _send_claimed(session: Session, message_id: int, sender: SmsSender, mailer: MailSender | None,
                  status_callback: str | None, now: datetime, backoff: Backoff) -> int:
    """Send one message this worker claimed and commit what happened; 1 when the backend took it."""
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        return 0
    if message.channel == OutboxChannel.EMAIL and mailer is not None:
        return _deliver_email(session, mailer, message, now, backoff)
    if session.scalar(select(SmsOptOut.id).where(SmsOptOut.phone_index == message.to_index)):
        message.status = OutboxStatus.OPTED_OUT
        session.commit()
        return 0
    cipher = current_cipher()
    to = cipher.decrypt(message.to_enc)
    try:
        result = sender.send(to, cipher.decrypt(message.body_enc), status_callback=status_callback,
                             idempotency_key=idempotency_key(message.id))
    except Exception:
        log.exception("sending outbox message %s failed", message.id)
        _retry_later(message, now, backoff)
        session.commit()
        return 0
    accepted = 0
    if result.error_code == OPTED_OUT_ERROR:
        message.status = OutboxStatus.OPTED_OUT
        message.error_code = result.error_code
        opt_out(session, to, source="carrier")
    elif not result.ok:
        message.error_code = result.error_code
        _retry_later(message, now, backoff)
    else:
        accepted = 1
        message.twilio_sid = result.sid
        message.status = TWILIO_STATUSES.get(result.status, OutboxStatus.SENDING)
        message.sent_at = utcnow()
    session.commit()
    return accepted


def _deliver_email(session: Session, mailer: MailSender, message: OutboxMessage, now: datetime,
                   backoff: Backoff) -> int:
    """Send one claimed e-mail and commit what happened; return 1 when the server took it."""
    try:
        result = _send_email(mailer, message)
    except Exception:
        log.exception("sending outbox e-mail %s failed", message.id)
        result = SendResult(sid=None, status="failed", error_code="connect")
    if result.ok:
        message.status = OutboxStatus.SENT
        message.sent_at = utcnow()
        session.commit()
        return 1
    message.error_code = (result.error_code or "failed")[:16]
    # A permanent refusal (5xx) is not worth retrying; anything else is tried again later.
    permanent = (result.error_code or "").startswith("5")
    _retry_later(message, now, backoff, permanent=permanent)
    session.commit()
    return 0


def record_status(session: Session, sid: str, status: str, error_code: str | None) -> bool:
    """Store a delivery status from Twilio's callback and commit; False for an unknown sid."""
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.twilio_sid == sid))
    if message is None:
        return False
    new = TWILIO_STATUSES.get(status.strip().lower())
    if new is not None and _RANK[new] >= _RANK[message.status]:
        message.status = new
    if error_code:
        message.error_code = error_code[:16]
        if error_code == OPTED_OUT_ERROR:
            message.status = OutboxStatus.OPTED_OUT
            opt_out(session, current_cipher().decrypt(message.to_enc), source="carrier")
    session.commit()
    return True


def failed_alerts(session: Session, since: datetime) -> dict[str, int]:
    """Count the staff alerts (purposes starting ``alert_``) that failed for good since ``since``, per purpose."""
    rows = session.execute(
        select(OutboxMessage.purpose, func.count())
        .where(OutboxMessage.status == OutboxStatus.FAILED, OutboxMessage.purpose.startswith("alert_", autoescape=True),
               OutboxMessage.updated_at >= since)
        .group_by(OutboxMessage.purpose)
    )
    return {purpose: int(count) for purpose, count in rows}


# Retention ------------------------------------------------------------------------------------

#: Outbox states after which nothing more happens to a message.
FINISHED = (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.UNDELIVERED, OutboxStatus.FAILED,
            OutboxStatus.OPTED_OUT)


def purge_sms_history(session: Session, older_than: timedelta, resume: timedelta,
                      longest_window: timedelta = timedelta(0)) -> dict[str, int]:
    """Delete SMS history no longer needed; commit; return how many rows of each kind went.

    Inbound message ids older than ``older_than`` (Twilio retries within minutes), finished
    outbox messages (recipient and body) older than ``older_than``, conversations that
    are not in progress and were last used longer ago than ``resume``, and per-number text
    counts whose window began longer ago than ``older_than`` and the longest limit window (a
    count that old is over: the next text starts a new window anyway).
    """
    now = utcnow()
    count_cutoff = int((now - max(older_than, longest_window)).timestamp())
    counts = session.execute(delete(SmsSenderCount).where(SmsSenderCount.window_start < count_cutoff))
    inbound = session.execute(delete(InboundMessage).where(InboundMessage.received_at < now - older_than))
    sent = session.execute(delete(OutboxMessage).where(OutboxMessage.status.in_(FINISHED),
                                                       OutboxMessage.updated_at < now - older_than))
    conversations = session.execute(delete(SmsConversation).where(
        SmsConversation.state != ConversationState.ACTIVE, SmsConversation.last_inbound_at < now - resume))
    session.commit()
    return {"inbound": int(inbound.rowcount or 0),  # type: ignore[attr-defined]
            "outbox": int(sent.rowcount or 0),  # type: ignore[attr-defined]
            "conversations": int(conversations.rowcount or 0),  # type: ignore[attr-defined]
            "sender_counts": int(counts.rowcount or 0)}  # type: ignore[attr-defined]


# In-process delivery (development) -----------------------------------------------------------

def deliver_in_process(app: Flask) -> bool:
    """Tell whether this app sends queued texts at the end of the request that queued them."""
    configured = app.config.get("SMS_DELIVER_IN_PROCESS")
    if configured is None:
        return bool(app.config.get("FRONTDOOR_ENV") == "development")
    return bool(configured)


def init_app(app: Flask) -> None:
    """Send texts queued during a request right after it, when SMS_DELIVER_IN_PROCESS (development)."""
    if app.extensions.get("frontdoor.outbox_hook"):
        return
    app.extensions["frontdoor.outbox_hook"] = True

    @app.after_request
    def deliver_queued_texts(response: Response) -> Response:
        if not getattr(g, _PENDING_FLAG, False) or not deliver_in_process(current_app):
            return response
        setattr(g, _PENDING_FLAG, False)
        session: Session = current_app.extensions["sqlalchemy"].session
        try:
            deliver_pending(session, get_sender(current_app), status_callback=status_callback_url(current_app.config),
                            mailer=get_mail_sender(current_app), backoff=Backoff.from_config(current_app.config))
        except Exception:  # a failed send must not fail the page; the worker retries later
            session.rollback()
            log.exception("in-process delivery of queued texts failed")
        return response

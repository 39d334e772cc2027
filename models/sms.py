"""Text messages: the outbox, opt-outs, conversations and the inbound messages already seen.

Phone numbers are never stored in the clear here: a keyed blind index finds them
(``PiiCipher.phone_index``) and, where a number must be dialled later (the outbox), it is
encrypted with the PII cipher. Message bodies are encrypted in the outbox and not kept at all
for inbound messages.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BlindIndex, Encrypted, str_enum, utcnow

if TYPE_CHECKING:
    from .intake import Intake


class OutboxStatus(enum.StrEnum):
    """Where an outbound message is; Twilio's own statuses after ``sent`` come from the callback."""

    QUEUED = "queued"  # waiting in our outbox
    SENDING = "sending"  # handed to Twilio (accepted, queued or sending there)
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    OPTED_OUT = "opted_out"  # not sent: the number opted out before we got to it


class ConversationState(enum.StrEnum):
    """Where an SMS conversation stands."""

    NEW = "new"  # no intake yet, or the last one ended without a code
    ACTIVE = "active"  # an intake in progress
    DONE = "done"  # the intake was submitted; a new text gets the reference code
    INTERPRETER = "interpreter"  # "another language": which one, then the number to call with an interpreter


class OutboxChannel(enum.StrEnum):
    """How an outbox message travels."""

    SMS = "sms"  # a text through the SMS sender (Twilio)
    EMAIL = "email"  # an e-mail through the mail sender (SMTP)


class OutboxMessage(Base):
    """One outbound text or e-mail, written in the same transaction as the change that causes it.

    For an e-mail ``to_enc`` holds the address and ``to_index`` its blind index.
    """

    __tablename__ = "sms_outbox"
    __table_args__ = (Index("ix_sms_outbox_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[OutboxChannel] = mapped_column(
        str_enum(OutboxChannel, 8), default=OutboxChannel.SMS, server_default=OutboxChannel.SMS.value
    )
    to_enc: Mapped[bytes] = mapped_column(Encrypted)
    to_index: Mapped[str] = mapped_column(BlindIndex("to_enc"), index=True)
    # An e-mail's subject line; None for a text.
    subject_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    body_enc: Mapped[bytes] = mapped_column(Encrypted)
    # What the message is for ("confirmation", "staff_message", ...): never its text.
    purpose: Mapped[str] = mapped_column(String(32))
    intake_id: Mapped[int | None] = mapped_column(
        ForeignKey("intakes.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, 16), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    # After a failed attempt, the worker leaves a queued message alone until this moment
    # (exponential back-off, services.outbox.next_attempt); None: send at the next look.
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()

    intake: Mapped[Intake | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.purpose} {self.status}>"


class SmsOptOut(Base):
    """A phone number that texted STOP (or that Twilio reports as opted out, error 21610)."""

    __tablename__ = "sms_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_index: Mapped[str] = mapped_column(BlindIndex("phone_enc"), unique=True)
    # The indexed value (E.164 number), encrypted, so that key rotation can re-derive the index.
    phone_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    # "keyword" (the person texted STOP) or "carrier" (Twilio error 21610).
    source: Mapped[str] = mapped_column(String(16), default="keyword")
    opted_out_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SmsOptOut {self.id} {self.source}>"


class SmsConversation(Base):
    """The conversation with one phone number: which intake it walks and where it stands."""

    __tablename__ = "sms_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_index: Mapped[str] = mapped_column(BlindIndex("phone_enc"), unique=True)
    # The indexed value (the sender's E.164 number), encrypted, so that key rotation can
    # re-derive the index.
    phone_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    intake_id: Mapped[int | None] = mapped_column(
        ForeignKey("intakes.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[ConversationState] = mapped_column(
        str_enum(ConversationState, 16), default=ConversationState.NEW
    )
    # The language of the conversation before (and after) an intake holds it.
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_inbound_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A keyed hash of the last text taken as an answer (never the text) and when it came, kept
    # until its reply was written: a new text with the same hash soon after is the person
    # sending again because no reply came.
    last_body_index: Mapped[str | None] = mapped_column(BlindIndex())
    last_body_at: Mapped[datetime | None] = mapped_column()

    intake: Mapped[Intake | None] = relationship()

    def __repr__(self) -> str:
        return f"<SmsConversation {self.id} {self.state}>"


class InboundMessage(Base):
    """A message Twilio delivered to us, by MessageSid: the same sid twice is processed once."""

    __tablename__ = "sms_inbound"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    # The sender's index; re-derived from the conversation's on key rotation.
    phone_index: Mapped[str] = mapped_column(BlindIndex(), index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("sms_conversations.id", ondelete="SET NULL"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<InboundMessage {self.id}>"


class SmsSenderCount(Base):
    """How many texts a number sent in the current window of one limit of ``SMS_RATE_LIMIT``.

    One row per number and limit (``window`` names the limit, e.g. ``20/60``), counted in the same
    transaction that answers the text: the upsert that counts also locks the row, so the count is
    exact across workers and hosts. ``sender_key`` is the number's blind index under the newest
    key; after a key rotation counts start again, at most one window early.
    """

    __tablename__ = "sms_sender_counts"
    __table_args__ = (UniqueConstraint("sender_key", "window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_key: Mapped[str] = mapped_column(String(64))
    window: Mapped[str] = mapped_column(String(32))
    #: The window's start, in seconds since the epoch (a multiple of the limit's period).
    window_start: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<SmsSenderCount {self.id}>"

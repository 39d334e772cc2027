"""Phone calls to the access line: one session per Twilio CallSid and the steps it has processed."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BlindIndex, Encrypted, str_enum, utcnow

if TYPE_CHECKING:
    from .intake import Intake


class CallStatus(enum.StrEnum):
    ACTIVE = "active"  # the caller is answering
    SUBMITTED = "submitted"  # the intake was queued (finished or as a callback request)
    ABANDONED = "abandoned"  # ended early with no callback number
    ENDED = "ended"  # ended before an intake was started (no language picked)


class CallPhase(enum.StrEnum):
    """What the caller is being asked right now."""

    LANGUAGE = "language"
    QUESTION = "question"  # an intake question: ``question_key``
    QUESTION_MORE = "question_more"  # the second half of a long list of options (the caller waited)
    PHONE_CONFIRM = "phone_confirm"  # "Can staff call you at the number you are calling from?"
    PHONE_ENTRY = "phone_entry"  # ten digits
    CALLBACK_OFFER = "callback_offer"  # after three unreadable answers to ``question_key``
    INTERPRETER_NAME = "interpreter_name"  # another language: its name, said (or # to go on)
    STATUS_LANGUAGE = "status_language"  # the shared status key: which language the lookup is in
    STATUS_CODE = "status_code"  # a status lookup: the reference code on the keypad
    STATUS_CHECK = "status_check"  # then the phone's last 4 digits (or the date of birth)
    DONE = "done"


class VoiceCall(Base):
    """One call (Twilio CallSid): where the caller is in the intake and how many tries are left."""

    __tablename__ = "voice_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    # The caller's E.164 number, encrypted (services.crypto), and its blind index for look-ups.
    caller_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    caller_index: Mapped[str | None] = mapped_column(BlindIndex("caller_enc"), index=True)
    intake_id: Mapped[int | None] = mapped_column(
        ForeignKey("intakes.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(8))
    phase: Mapped[CallPhase] = mapped_column(str_enum(CallPhase, 20), default=CallPhase.LANGUAGE)
    # The intake question being asked (or, in CALLBACK_OFFER, the one that could not be read).
    question_key: Mapped[str | None] = mapped_column(String(64))
    # The number in the action URL of the Gather now waiting for input; bumped on every step.
    step: Mapped[int] = mapped_column(Integer, default=1)
    # Unreadable or silent answers to the current prompt.
    retries: Mapped[int] = mapped_column(Integer, default=0)
    # The caller asked to be called back (after unreadable answers); the phone prompts then submit.
    callback: Mapped[bool] = mapped_column(Boolean, default=False)
    # How consent to share was given: "keypad" or "speech" (models.intake.ConsentMethod values).
    consent_method: Mapped[str | None] = mapped_column(String(16))
    # A status lookup: the reference code as keyed in (keypad digits), until the check is keyed.
    status_keys: Mapped[str | None] = mapped_column(String(6))
    status: Mapped[CallStatus] = mapped_column(str_enum(CallStatus, 16), default=CallStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()

    intake: Mapped[Intake | None] = relationship()

    def __repr__(self) -> str:
        return f"<VoiceCall {self.id} {self.phase} step {self.step}>"


class VoiceStep(Base):
    """A step of a call that has been processed; the unique pair makes Twilio retries harmless."""

    __tablename__ = "voice_steps"
    __table_args__ = (UniqueConstraint("call_sid", "step", name="uq_voice_steps_call_sid_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64))
    step: Mapped[int] = mapped_column(Integer)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<VoiceStep {self.step}>"

"""Check-ins: the one text an intake still open after CHECKIN_AFTER_DAYS gets per period."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BlindIndex, Encrypted, str_enum, utcnow


class CheckInState(enum.StrEnum):
    """Where a check-in stands."""

    WAITING = "waiting"  # sent; a reply 1, 2 or 3 from that number is its answer
    NEW_NUMBER = "new_number"  # answered 3: the next text from that number is the new number
    ANSWERED = "answered"
    SKIPPED = "skipped"  # not sent (``reason``): texting not safe, no phone, opted out
    STOPPED = "stopped"  # the number texted STOP while it waited


class CheckIn(Base):
    """One check-in of one intake in one period (``period`` n: n * CHECKIN_AFTER_DAYS after submission).

    The unique (intake, period) pair is what makes "at most one per period" hold with several
    workers: a second insert for the same period fails, and its text is rolled back with it.
    """

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("intake_id", "period", name="uq_check_ins_intake_id_period"),
        Index("ix_check_ins_phone_index_state", "phone_index", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id", ondelete="CASCADE"), index=True)
    period: Mapped[int] = mapped_column(Integer)
    # The number the check-in went to (E.164), encrypted, and its blind index to match replies.
    phone_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    phone_index: Mapped[str | None] = mapped_column(BlindIndex("phone_enc"))
    state: Mapped[CheckInState] = mapped_column(str_enum(CheckInState, 16), default=CheckInState.WAITING)
    # Why it was not sent ("unsafe", "no_phone", "opted_out"), or the answer ("yes", "no", "number_changed").
    reason: Mapped[str | None] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(String(16))
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<CheckIn {self.intake_id}:{self.period} {self.state}>"

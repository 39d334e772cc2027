"""What staff do: append-only intake events and the audit logs of page views, searches and admin changes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from .base import Base, BlindIndex, Encrypted, str_enum, utcnow


class EventKind(enum.StrEnum):
    CLAIMED = "claimed"
    RELEASED = "released"
    REASSIGNED = "reassigned"
    CONTACT_ATTEMPT = "contact_attempt"
    SMS_SENT = "sms_sent"
    ASSESSMENT_SCHEDULED = "assessment_scheduled"
    OUTCOME = "outcome"
    TRANSFERRED = "transferred"
    # Recorded by the worker or the household's reply (no actor): services.reminders, services.checkins.
    REMINDER = "reminder"
    CHECK_IN = "check_in"
    CHECK_IN_REPLY = "check_in_reply"


class Outcome(enum.StrEnum):
    ASSESSED_IN_HMIS = "assessed_in_hmis"
    DIVERTED = "diverted"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    UNABLE_TO_CONTACT = "unable_to_contact"
    DECLINED = "declined"
    DUPLICATE = "duplicate"


def _no_data() -> dict[str, Any]:
    return {}


class IntakeEvent(Base):
    """One thing a staff member did with an intake: who, what, when. Never edited or deleted.

    ``data`` holds codes and ids only (no personal data); anything a person typed (a note, an
    HMIS client id, a meeting place) is encrypted together in ``private_enc`` as JSON.
    """

    __tablename__ = "intake_events"
    __table_args__ = (
        Index("ix_intake_events_intake_id_created_at", "intake_id", "created_at"),
        # Reports: each intake's first claim and first contact, read from the index alone.
        Index("ix_intake_events_kind_created_at_intake_id", "kind", "created_at", "intake_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=_no_data)
    private_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Keyed hash of the previous row's row_hash and this row (services.audit): tampering shows.
    row_hash: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<IntakeEvent {self.intake_id}:{self.kind}>"


class IntakeView(Base):
    """An audit row: a user opened an intake page (and whether identities were shown)."""

    __tablename__ = "intake_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    identity_shown: Mapped[bool] = mapped_column(Boolean)
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    row_hash: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<IntakeView {self.intake_id} by {self.user_id}>"


class IntakeSearch(Base):
    """An audit row: a user searched for intakes (by reference code or by phone).

    A searched phone number is never stored: only its blind index (``term_index``). A searched
    reference code is not personal data and is kept as typed after normalizing.
    """

    __tablename__ = "intake_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # "code" or "phone"
    kind: Mapped[str] = mapped_column(String(8))
    code: Mapped[str | None] = mapped_column(String(16))
    term_index: Mapped[str | None] = mapped_column(BlindIndex())
    results: Mapped[int] = mapped_column(Integer)
    searched_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<IntakeSearch {self.kind} by {self.user_id}>"


class IntakeMatchKey(Base):
    """Blind index of an intake's name and date of birth, for finding possible duplicates.

    Filled in lazily by ``services.queue.possible_duplicates``; the names themselves stay
    encrypted in ``answers``.
    """

    __tablename__ = "intake_match_keys"

    intake_id: Mapped[int] = mapped_column(
        ForeignKey("intakes.id", ondelete="CASCADE"), primary_key=True
    )
    # None when the intake has no usable name and date of birth.
    name_dob_index: Mapped[str | None] = mapped_column(BlindIndex(), index=True)


class AdminChange(Base):
    """An audit row for a change made in the admin area: who, when, what, before -> after.

    ``before`` and ``after`` hold the changed fields only (never a password or a token); a
    creation has an empty ``before``, a deactivation shows ``active`` going to false.
    """

    __tablename__ = "admin_changes"
    __table_args__ = (Index("ix_admin_changes_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # "access_point", "user", "kiosk", "region_table", "directory_import".
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=_no_data)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=_no_data)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<AdminChange {self.entity}:{self.entity_id} {self.action}>"


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a recorded event or audit row."""


def _refuse(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    raise AppendOnlyError(f"{type(target).__name__} rows are append-only")


for _model in (IntakeEvent, IntakeView, IntakeSearch, AdminChange):
    event.listen(_model, "before_update", _refuse)
    event.listen(_model, "before_delete", _refuse)

"""An intake (one household's pass through the front door), its answers and consents."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BlindIndex, Encrypted, str_enum, utcnow

if TYPE_CHECKING:
    from .access_point import AccessPoint, Kiosk
    from .geo import ContinuumOfCare
    from .user import User


class Channel(enum.StrEnum):
    KIOSK = "kiosk"
    WEB = "web"
    SMS = "sms"
    VOICE = "voice"
    ASSISTED = "assisted"  # a staff or outreach worker walks the intake with the household


class IntakeStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    ABANDONED = "abandoned"
    WITHDRAWN = "withdrawn"


class Track(enum.StrEnum):
    HOMELESS = "homeless"
    PREVENTION = "prevention"


class ConsentKind(enum.StrEnum):
    SHARE_ANSWERS = "share_answers"
    CONTACT = "contact"
    VSP_REFERRAL = "vsp_referral"
    SMS = "sms"


class ConsentMethod(enum.StrEnum):
    TAP = "tap"
    TYPED = "typed"
    KEYPAD = "keypad"
    SPEECH = "speech"
    STAFF = "staff"


def _new_public_id() -> str:
    return uuid.uuid4().hex


def _no_reasons() -> list[str]:
    return []


#: The open intakes of the staff queue, as the partial indexes below are defined (SQL text).
OPEN_INTAKE = "status = 'submitted' AND closed_at IS NULL"
OPEN_CONFIDENTIAL = OPEN_INTAKE + " AND confidential = true"
#: The intakes whose response clocks still run: open, and not yet both claimed and contacted.
WAITING = "closed_at IS NULL AND (first_claimed_at IS NULL OR first_contact_at IS NULL)"
#: The filter-bar counts of the queue that few open intakes match, each with its own partial index
#: (``ix_intakes_count_<name>``, by access point): a capped count reads at most its matches
#: (services.queue). The others (total, unclaimed, track) reach the cap within a few pages.
QUEUE_COUNTED = {
    "confidential": "confidential = true",
    "diversion_candidate": "diversion_candidate = true",
    "out_of_area": "out_of_area = true",
    "callback_requested": "callback_requested = true",
    "needs_interpreter": "interpreter_language IS NOT NULL",
    "possible_flood": "possible_flood = true",
    "escalated": "escalation > 0",
}


#: Urgent whatever its priority (services.queue.urgent_condition), as ix_intakes_open_no_safe_place states it.
NO_SAFE_PLACE = "CAST(priority_reasons AS VARCHAR) LIKE '%no_safe_place_tonight%'"
#: The queue's order and what its pages filter on, after the column an index narrows by.
OPEN_IN_ORDER = (text("priority DESC"), "submitted_at", "id", "routed_access_point_id", "claimed_by_id",
                 "confidential", "due_at", "escalation", "closed_at")


class Intake(Base):
    """One household's intake, from the first answer to submission and routing."""

    __tablename__ = "intakes"
    __table_args__ = (
        # The staff queue: an access point's submitted intakes, most urgent first, then oldest.
        Index(
            "ix_intakes_queue", "routed_access_point_id", "status", "priority", "submitted_at"
        ),
        Index("ix_intakes_status_last_activity_at", "status", "last_activity_at"),
        # The open queue in its order, with what a page filters on: services.queue.queue_page reads
        # one page from it alone; and the confidential referrals, which sort by submission alone
        # for people outside their provider.
        Index("ix_intakes_open_order", *OPEN_IN_ORDER, "status",
              sqlite_where=text(OPEN_INTAKE), postgresql_where=text(OPEN_INTAKE)),
        Index("ix_intakes_open_confidential", "submitted_at", "id",
              sqlite_where=text(OPEN_CONFIDENTIAL), postgresql_where=text(OPEN_CONFIDENTIAL)),
        # The queue's capped counts (services.queue), each read from its index alone: the open
        # intakes by access point and due time with what the common counts read, by holder (mine),
        # and one small index per rare count (QUEUE_COUNTED, with the column it reads). Status
        # follows the columns that narrow (PostgreSQL reads no range of a condition the partial
        # index implies) and is one more equality term for SQLite's planner, which then prefers
        # these to ix_intakes_queue and ix_intakes_report_timings; closed_at (always null here) is
        # held so that SQLite need not read it from the table.
        Index("ix_intakes_open_counts", "routed_access_point_id", "status", "due_at", "claimed_by_id", "track",
              "confidential", "escalation", "priority", "closed_at",
              sqlite_where=text(OPEN_INTAKE), postgresql_where=text(OPEN_INTAKE)),
        Index("ix_intakes_open_holder", "claimed_by_id", "routed_access_point_id", "status", "confidential",
              "closed_at", sqlite_where=text(OPEN_INTAKE), postgresql_where=text(OPEN_INTAKE)),
        *(Index(f"ix_intakes_count_{name}", "routed_access_point_id", "status", "confidential", "due_at",
                *({cond.split()[0]} - {"confidential"}), "closed_at",
                sqlite_where=text(f"{OPEN_INTAKE} AND {cond}"), postgresql_where=text(f"{OPEN_INTAKE} AND {cond}"))
          for name, cond in QUEUE_COUNTED.items()),
        # The queue filtered by channel or language: one range in the queue's order, with what the
        # page and its count filter on (status after the channel, as above).
        *(Index(f"ix_intakes_open_{column}", column, "status", *OPEN_IN_ORDER,
                sqlite_where=text(OPEN_INTAKE), postgresql_where=text(OPEN_INTAKE))
          for column in ("channel", "language")),
        # Urgent whatever the priority (services.queue.urgent_condition): the icon's capped count.
        Index("ix_intakes_open_no_safe_place", "routed_access_point_id", "claimed_by_id", "status", "confidential",
              "priority", "closed_at", sqlite_where=text(f"{OPEN_INTAKE} AND {NO_SAFE_PLACE}"),
              postgresql_where=text(f"{OPEN_INTAKE} AND {NO_SAFE_PLACE}")),
        # Reports (services.reports): every breakdown of the intakes submitted in a date range is
        # read from this index alone (a covering index: SQLite has no INCLUDE, so all are keys).
        Index("ix_intakes_report", "status", "submitted_at", "routed_access_point_id", "confidential",
              "channel", "track", "homeless_category", "language", "outcome", "diversion_candidate",
              "out_of_area", "callback_requested", "county_fips"),
        # Reports: waiting times and the overdue share from the stamped timings, index only.
        Index("ix_intakes_report_timings", "status", "submitted_at", "routed_access_point_id", "confidential",
              "claim_minutes", "contact_minutes", "first_claimed_at", "first_contact_at", "closed_at",
              "claim_due_at", "contact_due_at"),
        # Reports: the intakes whose response clocks still run, counted live for missed targets.
        Index("ix_intakes_report_waiting", "status", "submitted_at", "routed_access_point_id", "confidential",
              "first_claimed_at", "first_contact_at", "claim_due_at", "contact_due_at",
              sqlite_where=text(WAITING), postgresql_where=text(WAITING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=_new_public_id)
    # "XXX-XXX" in Crockford base32, given at submission.
    reference_code: Mapped[str | None] = mapped_column(String(7), unique=True)
    # The code as a phone keypad types it (letters on their keys: "7KQ-2MD" -> "757263"), so a
    # caller can key it in; several codes can share it, the status check tells them apart.
    reference_keypad: Mapped[str | None] = mapped_column(String(6), index=True)
    # Where the intake began, and where it was submitted (another channel when it was resumed there).
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 16))
    finished_channel: Mapped[Channel | None] = mapped_column(str_enum(Channel, 16))
    language: Mapped[str] = mapped_column(String(8), default="en")
    flow_version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[IntakeStatus] = mapped_column(
        str_enum(IntakeStatus, 16), default=IntakeStatus.IN_PROGRESS
    )
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"), index=True)
    routed_access_point_id: Mapped[int | None] = mapped_column(ForeignKey("access_points.id"))
    # The CoC whose queue holds the intake (the home CoC, even for out-of-area households).
    coc_id: Mapped[int | None] = mapped_column(ForeignKey("continuums_of_care.id"), index=True)
    county_fips: Mapped[str | None] = mapped_column(String(5))
    # The CoC the household's location belongs to when it is not ours ("KS-502"); None if unknown.
    out_of_area_coc_code: Mapped[str | None] = mapped_column(String(6))
    homeless_category: Mapped[int | None] = mapped_column(Integer)
    track: Mapped[Track | None] = mapped_column(str_enum(Track, 16))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    priority_reasons: Mapped[list[str]] = mapped_column(JSON, default=_no_reasons)
    diversion_candidate: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    out_of_area: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language staff call back in with an interpreter (intake_forms.interpreter): a registered
    # language the phone line cannot speak, a listed Kansas language, or "other"; None: no interpreter
    # asked for. ``language`` stays a registered code (the words shown), so exports are unchanged.
    interpreter_language: Mapped[str | None] = mapped_column(String(16))
    # What the household typed or said for its language, encrypted (free text).
    interpreter_said_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    # Blind index of the E.164 phone number answer (re-derived from ``answers`` on key rotation).
    contact_phone_index: Mapped[str | None] = mapped_column(BlindIndex(), index=True)
    # Keyed hashes (never the address or the cookie) of the web client and device that started
    # this intake, to spot many intakes from one place in a short time. Cleared on key rotation
    # (services.rekey): they only matter for minutes.
    source_index: Mapped[str | None] = mapped_column(BlindIndex(), index=True)
    device_index: Mapped[str | None] = mapped_column(BlindIndex(), index=True)
    possible_flood: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column()
    # Why the intake was routed where it was (a reason code and place names, never personal data).
    routing_note: Mapped[str | None] = mapped_column(Text)
    # Staff work (services.queue): who holds the intake, and how it left the queue.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    # The next response target of a waiting intake (services.timers) and how far its escalation
    # went (0 none, 1 staff reminded, 2 coordinators alerted): the worker reads only rows due now.
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    # When staff first logged a contact attempt (the "time to first contact" clock stops).
    first_contact_at: Mapped[datetime | None] = mapped_column()
    escalation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the claim clock last started again because a holder released the intake (None: it runs
    # from submission), and how far the escalation of the first-contact target went: that target
    # runs once from submission, so a release and a new claim must not remind or escalate it twice.
    claim_clock_from: Mapped[datetime | None] = mapped_column()
    contact_escalation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What reports count, stamped when it happens (services.timers.stamp_*): the first claim (a
    # release clears ``claimed_at``, not this), business minutes from submission to the first
    # claim and to the first contact attempt, and when each response was due.
    first_claimed_at: Mapped[datetime | None] = mapped_column()
    claim_minutes: Mapped[int | None] = mapped_column(Integer)
    contact_minutes: Mapped[int | None] = mapped_column(Integer)
    claim_due_at: Mapped[datetime | None] = mapped_column()
    contact_due_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(32))
    # When the household sent a message staff have not read yet (services.household_messages).
    new_message_at: Mapped[datetime | None] = mapped_column()
    # The staff member who walked an assisted intake with the household (Channel.ASSISTED).
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Where an outreach worker met the household: a rounded position ("38.879,-99.327") or typed
    # county / cross streets, encrypted; the county alone (for the outreach map) in the clear.
    met_where_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    met_county_fips: Mapped[str | None] = mapped_column(String(5))
    # The one-time key of the page that started an assisted intake: sending that page again
    # (a "Try again" after the answer was lost on the way back) finds this intake, not a new one.
    start_key: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)

    kiosk: Mapped[Kiosk | None] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    assisted_by: Mapped[User | None] = relationship(foreign_keys=[assisted_by_id])
    routed_access_point: Mapped[AccessPoint | None] = relationship()
    coc: Mapped[ContinuumOfCare | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="intake",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Answer.id",
    )
    consents: Mapped[list[ConsentRecord]] = relationship(
        back_populates="intake",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ConsentRecord.id",
    )
    messages: Mapped[list[HouseholdMessage]] = relationship(
        back_populates="intake",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="HouseholdMessage.id",
    )

    def __repr__(self) -> str:
        return f"<Intake {self.id} {self.status}>"


class Answer(Base):
    """One answer, stored as a code; identifying values are encrypted in ``value_enc``."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("intake_id", "key", name="uq_answers_intake_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(255))
    value_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    intake: Mapped[Intake] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<Answer {self.intake_id}:{self.key}={self.code}>"


class ConsentRecord(Base):
    """What a household agreed to, how and when (never edited; a change is a new record)."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(
        ForeignKey("intakes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsentKind] = mapped_column(str_enum(ConsentKind, 20))
    granted: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod, 16))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 16))
    flow_version: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The staff member through whom the household gave it (ConsentMethod.STAFF), else None.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    intake: Mapped[Intake] = relationship(back_populates="consents")

    def __repr__(self) -> str:
        return f"<ConsentRecord {self.intake_id}:{self.kind}={self.granted}>"


class HouseholdMessage(Base):
    """Something the household sent after submitting (a text), kept with its intake, encrypted."""

    __tablename__ = "household_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(
        ForeignKey("intakes.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 16))
    body_enc: Mapped[bytes] = mapped_column(Encrypted)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    intake: Mapped[Intake] = relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"<HouseholdMessage {self.intake_id}:{self.id}>"

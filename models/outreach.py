"""Street outreach: people met who do not want an intake yet (no names, only counts)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Encrypted, str_enum, utcnow


class ContactResult(enum.StrEnum):
    ENGAGED = "engaged"
    DECLINED = "declined"
    REFERRED_SHELTER = "referred_shelter"


class OutreachContact(Base):
    """One meeting with one or more people, logged by an outreach worker; never a name."""

    __tablename__ = "outreach_contacts"
    __table_args__ = (Index("ix_outreach_contacts_region_id_met_on", "region_id", "met_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    met_on: Mapped[date] = mapped_column(Date)
    county_fips: Mapped[str | None] = mapped_column(String(5))
    # Cross streets or a rounded position, encrypted like other identifying data.
    place_enc: Mapped[bytes | None] = mapped_column(Encrypted)
    people: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str] = mapped_column(String(8), default="en")
    result: Mapped[ContactResult] = mapped_column(str_enum(ContactResult, 20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The one-time key of the form that logged it: sending it again ("Try again" after the
    # answer was lost on the way back) returns this row instead of logging a second one.
    submission_key: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)

    def __repr__(self) -> str:
        return f"<OutreachContact {self.id} {self.result}>"

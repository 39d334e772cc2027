"""Access points (where a household enters coordinated entry) and the kiosks placed at them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from .geo import ContinuumOfCare, County, Region


class AccessPointKind(enum.StrEnum):
    PHYSICAL = "physical"
    VIRTUAL = "virtual"
    OUTREACH = "outreach"
    VSP = "vsp"  # victim service provider: confidential referrals only


# Population codes an access point may serve; "all" means anyone.
POPULATIONS = ("all", "families", "single_adults", "youth", "veterans", "survivors")


def _all_populations() -> list[str]:
    return ["all"]


def _english() -> list[str]:
    return ["en"]


def _no_hours() -> dict[str, Any]:
    return {}


def _none() -> list[str]:
    return []


class AccessPoint(Base):
    """A physical, virtual, outreach or victim-service access point with its own queue."""

    __tablename__ = "access_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AccessPointKind] = mapped_column(
        str_enum(AccessPointKind), default=AccessPointKind.PHYSICAL
    )
    address: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    zip: Mapped[str | None] = mapped_column(String(10))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"), index=True)
    coc_id: Mapped[int] = mapped_column(ForeignKey("continuums_of_care.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="America/Chicago")
    # Weekly opening hours in local time, several intervals a day allowed:
    # {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], ...}; a missing day is closed.
    # Read it through services.hours, never directly.
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=_no_hours)
    # Local dates (ISO "2026-12-25") on which the access point is closed all day: holidays.
    closed_dates: Mapped[list[str]] = mapped_column(JSON, default=_none)
    # Where alerts about this access point's queue go (staff of the access point read them).
    alert_emails: Mapped[list[str]] = mapped_column(JSON, default=_none)
    # An on-call phone (E.164) that gets a text for each new intake; None sends none.
    oncall_phone: Mapped[str | None] = mapped_column(String(32))
    # Response targets in business minutes; None takes the CoC default from the configuration.
    claim_target_minutes: Mapped[int | None] = mapped_column(Integer)
    contact_target_minutes: Mapped[int | None] = mapped_column(Integer)
    urgent_target_minutes: Mapped[int | None] = mapped_column(Integer)
    # Language codes staff can serve in, e.g. ["en", "es"].
    languages: Mapped[list[str]] = mapped_column(JSON, default=_english)
    # ["all"] or any of POPULATIONS.
    populations: Mapped[list[str]] = mapped_column(JSON, default=_all_populations)
    is_remote: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    coc: Mapped[ContinuumOfCare] = relationship(back_populates="access_points")
    county: Mapped[County | None] = relationship()
    region: Mapped[Region | None] = relationship()
    kiosks: Mapped[list[Kiosk]] = relationship(back_populates="access_point")

    def serves(self, populations: frozenset[str] | set[str]) -> bool:
        """Tell whether this access point serves a household described by ``populations``.

        A household is always "families" or "single_adults", plus e.g. "youth" or "veterans";
        an access point for specific populations serves it when any of them match.
        """
        offered = set(self.populations or ["all"])
        return "all" in offered or bool(offered & set(populations))

    def __repr__(self) -> str:
        return f"<AccessPoint {self.slug}>"


class Kiosk(Base):
    """A tablet placed at an access point; paired with a one-time code."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    access_point_id: Mapped[int] = mapped_column(ForeignKey("access_points.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paired_at: Mapped[datetime | None] = mapped_column()
    pairing_code_hash: Mapped[str | None] = mapped_column(String(128))
    pairing_expires_at: Mapped[datetime | None] = mapped_column()
    # Bumped on every (re)pairing so that older device cookies stop working.
    device_generation: Mapped[int] = mapped_column(Integer, default=0)
    # The last time the paired tablet asked for a page (updated at most every few minutes).
    last_seen_at: Mapped[datetime | None] = mapped_column()

    access_point: Mapped[AccessPoint] = relationship(back_populates="kiosks")

    def __repr__(self) -> str:
        return f"<Kiosk {self.id} {self.label!r}>"

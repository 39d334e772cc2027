"""Geography: Continuums of Care, their regions, and counties."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

if TYPE_CHECKING:
    from .access_point import AccessPoint


class ContinuumOfCare(Base):
    """A HUD Continuum of Care (e.g. KS-507); exactly one is the deployment's home CoC."""

    __tablename__ = "continuums_of_care"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Who to contact for this CoC's coordinated entry; when empty the app points to 211.
    ce_contact: Mapped[str | None] = mapped_column(Text)
    ce_phone: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    is_home: Mapped[bool] = mapped_column(Boolean, default=False)

    regions: Mapped[list[Region]] = relationship(
        back_populates="coc", order_by="Region.number"
    )
    counties: Mapped[list[County]] = relationship(back_populates="coc")
    access_points: Mapped[list[AccessPoint]] = relationship(back_populates="coc")

    def __repr__(self) -> str:
        return f"<ContinuumOfCare {self.code}>"


class Region(Base):
    """A region of a CoC (KS-507 has nine); queues and coordinators are grouped by region."""

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("coc_id", "number", name="uq_regions_coc_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coc_id: Mapped[int] = mapped_column(ForeignKey("continuums_of_care.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))

    coc: Mapped[ContinuumOfCare] = relationship(back_populates="regions")
    counties: Mapped[list[County]] = relationship(back_populates="region")

    def __repr__(self) -> str:
        return f"<Region {self.number} {self.name!r}>"


class County(Base):
    """A county, identified by its 5-digit FIPS code, and the CoC that serves it."""

    __tablename__ = "counties"

    id: Mapped[int] = mapped_column(primary_key=True)
    fips: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(2), default="KS")
    coc_id: Mapped[int] = mapped_column(ForeignKey("continuums_of_care.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)

    coc: Mapped[ContinuumOfCare] = relationship(back_populates="counties")
    region: Mapped[Region | None] = relationship(back_populates="counties")

    def __repr__(self) -> str:
        return f"<County {self.fips} {self.name}>"

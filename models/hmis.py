"""The audit log of HMIS exports: who exported which households' data, when, and for what range."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from .base import Base, utcnow
from .staff import AppendOnlyError


def _no_slugs() -> list[str]:
    return []


class HmisExport(Base):
    """One HMIS CSV export: never edited or deleted. ``user_id`` is None for the command line."""

    __tablename__ = "hmis_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The ExportID written in every row of the export.
    export_id: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # "staff" (the download page) or "cli" (flask hmis export).
    via: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # The access points the export covered (slugs, never personal data).
    access_points: Mapped[list[str]] = mapped_column(JSON, default=_no_slugs)
    hashed: Mapped[bool] = mapped_column(Boolean, default=False)
    households: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<HmisExport {self.export_id} {self.households} households>"


def _refuse(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    raise AppendOnlyError("HmisExport rows are append-only")


event.listen(HmisExport, "before_update", _refuse)
event.listen(HmisExport, "before_delete", _refuse)

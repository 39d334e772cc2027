"""Staff accounts and the access points whose queues they work."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin  # type: ignore[import-untyped]  # ships no type hints
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from .access_point import AccessPoint
    from .geo import Region


class Role(enum.StrEnum):
    STAFF = "staff"  # works the queues of their access points
    COORDINATOR = "coordinator"  # every queue in their region
    VSP_STAFF = "vsp_staff"  # confidential referrals at their victim service provider only
    ADMIN = "admin"  # everything, plus users, access points and kiosks


user_access_points = Table(
    "user_access_points",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "access_point_id", ForeignKey("access_points.id", ondelete="CASCADE"), primary_key=True
    ),
)


class User(UserMixin, Base):  # type: ignore[misc]  # UserMixin is untyped
    """A staff member, coordinator, victim service provider staff member or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, 16), default=Role.STAFF)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()

    region: Mapped[Region | None] = relationship()
    access_points: Mapped[list[AccessPoint]] = relationship(
        secondary=user_access_points, order_by="AccessPoint.name"
    )

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"

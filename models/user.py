"""Staff accounts and the access points whose queues they work."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin  # type: ignore[import-untyped]  # ships no type hints
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import Base, BlindIndex, str_enum, utcnow

if TYPE_CHECKING:
    from .access_point import AccessPoint
    from .geo import Region


class Role(enum.StrEnum):
    STAFF = "staff"  # works the queues of their access points
    COORDINATOR = "coordinator"  # every queue in their region
    VSP_STAFF = "vsp_staff"  # confidential referrals at their victim service provider only
    ADMIN = "admin"  # everything, plus users, access points and kiosks
    OUTREACH = "outreach"  # street outreach: intakes they started, their region's queue, contacts


user_access_points = Table(
    "user_access_points",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "access_point_id", ForeignKey("access_points.id", ondelete="CASCADE"), primary_key=True
    ),
)


class AlertPreference(enum.StrEnum):
    """Which new intakes of their access points a staff member hears about by e-mail."""

    NONE = "none"
    EVERY = "every"  # an e-mail for every intake
    URGENT = "urgent"  # only urgent ones (services.notify.is_urgent)
    DIGEST = "digest"  # one e-mail a day listing what arrived


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
    # Every signed-in session carries the generation it began in; bumping it (sign-out,
    # deactivation, a new password) ends all of this person's sessions at their next request.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    alert_preference: Mapped[AlertPreference] = mapped_column(
        str_enum(AlertPreference, 16), default=AlertPreference.NONE, server_default=AlertPreference.NONE.value
    )

    region: Mapped[Region | None] = relationship()
    access_points: Mapped[list[AccessPoint]] = relationship(
        secondary=user_access_points, order_by="AccessPoint.name"
    )

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    @validates("active", "password_hash")
    def _end_sessions_on_change(self, key: str, value: object) -> object:
        # Deactivating an account or changing its password ends every session it has.
        if getattr(self, key) is not None and getattr(self, key) != value:
            self.session_generation = (self.session_generation or 0) + 1
        return value

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """Return what the session cookie holds: the id and the session generation it began in."""
        return f"{self.id}:{self.session_generation or 0}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginLock(Base):
    """Failed sign-ins to one account from one address, and until when that pair is locked.

    Per account *and* address, so that someone elsewhere cannot keep a known account locked.
    The address is kept only as a blind index.
    """

    __tablename__ = "login_locks"
    __table_args__ = (UniqueConstraint("user_id", "address_index", name="uq_login_locks_user_id_address_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Re-derived by dropping the row on key rotation (services.rekey): it only lives minutes.
    address_index: Mapped[str] = mapped_column(BlindIndex())
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<LoginLock {self.user_id} {self.failures}>"

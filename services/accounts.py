"""Staff accounts: password hashing (argon2id) and creating users."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from models import AccessPoint, ContinuumOfCare, LoginLock, Region, Role, User

from .routing import DbSession

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """The account cannot be created as asked."""


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    """Check ``password`` against the user's hash, upgrading the hash if parameters changed.

    The caller commits: a rehash only changes ``user.password_hash`` in the session.
    """
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def _check_length(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def set_password(session: DbSession, user: User, password: str) -> None:
    """Give ``user`` a new password (ending their sessions); raise AccountError if too short."""
    _check_length(password)
    user.password_hash = hash_password(password)
    session.commit()


def create_user(
    session: DbSession,
    email: str,
    password: str,
    role: Role | str,
    access_point_slugs: Sequence[str] = (),
    region_number: int | None = None,
    *,
    display_name: str | None = None,
    language: str = "en",
) -> User:
    """Add a user to the session (the caller commits); raise AccountError on bad input."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError("an email address is required")
    _check_length(password)
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}") from None
    if session.scalars(select(User).where(User.email == email)).first() is not None:
        raise AccountError(f"a user with email {email} already exists")

    access_points: list[AccessPoint] = []
    for slug in access_point_slugs:
        ap = session.scalars(select(AccessPoint).where(AccessPoint.slug == slug)).first()
        if ap is None:
            raise AccountError(f"no access point with slug {slug!r}")
        access_points.append(ap)

    region: Region | None = None
    if region_number is not None:
        region = session.scalars(
            select(Region)
            .join(ContinuumOfCare)
            .where(Region.number == region_number, ContinuumOfCare.is_home.is_(True))
        ).first()
        if region is None:
            raise AccountError(f"no region number {region_number} in the home CoC")

    if role is Role.COORDINATOR and region is None:
        raise AccountError("a coordinator needs a region")
    if role is Role.OUTREACH and region is None:
        raise AccountError("an outreach worker needs a region")
    if role in (Role.STAFF, Role.VSP_STAFF) and not access_points:
        raise AccountError("staff need at least one access point")

    user = User(
        email=email,
        display_name=display_name or email.split("@", 1)[0],
        password_hash=hash_password(password),
        role=role,
        region=region,
        language=language,
        access_points=access_points,
    )
    session.add(user)
    return user


def end_sessions(user: User) -> None:
    """End every signed-in session of ``user``, copied cookies included (sign-out, deactivation,
    password reset): the sign-in check compares the per-user ``session_generation``. The caller commits."""
    user.session_generation = (user.session_generation or 0) + 1


def unlock_account(session: DbSession, user: User) -> int:
    """Lift every sign-in lock of ``user`` (each address it was locked from); return how many. The caller commits."""
    locks = list(session.scalars(select(LoginLock).where(LoginLock.user_id == user.id)))
    for lock in locks:
        session.delete(lock)
    return len(locks)


#: Minutes without a click after which a staff session ends, and the longest a session lasts.
DEFAULT_IDLE_MINUTES = 30
DEFAULT_SESSION_HOURS = 12


def staff_session_over(state: Mapping[str, Any], config: Mapping[str, Any], now: float) -> bool:
    """Tell whether a signed-in staff session has been idle too long or lasted too long.

    ``state`` is the session (``staff_seen`` and ``staff_started`` times); every page a staff
    member uses while signed in (the staff pages and the assisted intake pages) checks it.
    """
    idle = 60 * int(config.get("STAFF_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))
    longest = 3600 * int(config.get("STAFF_SESSION_HOURS", DEFAULT_SESSION_HOURS))
    seen = float(state.get("staff_seen", 0))
    started = float(state.get("staff_started", 0))
    return now - seen > idle or now - started > longest

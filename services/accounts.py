"""Staff accounts: password hashing (argon2id) and creating users."""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from models import AccessPoint, ContinuumOfCare, Region, Role, User

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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
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
    """End every signed-in session of ``user`` (deactivation, password reset); the caller commits.

    Sessions end by bumping the per-user ``session_generation`` that the sign-in check compares;
    where that column is not there yet, a deactivated account is refused by Flask-Login anyway
    (``is_active``) and the reset password no longer matches.
    """
    if hasattr(user, "session_generation"):
        user.session_generation = (user.session_generation or 0) + 1


# -- admin "unlock" (kept separate: the sign-in lockout rules may grow per account and address) --


def unlock_account(user: User) -> None:
    """Clear the sign-in lockout of ``user`` (failed attempts and lock time); the caller commits."""
    user.failed_logins = 0
    user.locked_until = None

"""People in the admin area: invite by e-mail, set role, region and access points, deactivate,
reset a password, unlock. Audited.

Rules: admins manage everyone; a coordinator manages the staff and VSP staff of their region's
access points (and coordinators of their region) but never admins; only admins make admins;
nobody removes the last active admin. An invitation (and a reset) is a one-time link, signed
with the app's secret and bound to the current password hash, so it stops working once used.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from flask import render_template
from flask_babel import force_locale, gettext  # type: ignore[import-untyped]  # ships no type hints
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AccessPoint, Region, Role, User

from . import accounts, admin_log, outbox
from .routing import DbSession

ENTITY = "user"
INVITE_HOURS = 72
_SALT = "frontdoor.set-password"


class PeopleError(ValueError):
    """The change is not allowed or not valid; ``field`` names the form field at fault."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class PersonData:
    email: str
    display_name: str
    role: Role
    region_id: int | None
    access_point_ids: Sequence[int]
    language: str = "en"


def snapshot(user: User) -> dict[str, object]:
    """Return the audited fields of a person (never the password hash)."""
    return {
        "email": user.email, "display_name": user.display_name, "role": user.role.value,
        "region_id": user.region_id, "access_points": sorted(ap.id for ap in user.access_points),
        "language": user.language, "active": user.active,
    }


# -- scope -------------------------------------------------------------------------------------


def _in_region(user: User, region_id: int | None) -> bool:
    if region_id is None:
        return False
    if user.region_id == region_id:
        return True
    return bool(user.access_points) and all(ap.region_id == region_id for ap in user.access_points)


def may_manage(actor: User, person: User) -> bool:
    """Tell whether ``actor`` may change ``person``."""
    if actor.role is Role.ADMIN:
        return True
    if actor.role is not Role.COORDINATOR or person.role is Role.ADMIN:
        return False
    return _in_region(person, actor.region_id)


def people(session: DbSession, actor: User) -> list[User]:
    """Return the people ``actor`` may see and manage."""
    if actor.role not in (Role.ADMIN, Role.COORDINATOR):
        return []
    everyone = session.scalars(select(User).order_by(User.active.desc(), User.display_name))
    return [u for u in everyone if may_manage(actor, u)]


def find(session: DbSession, actor: User, user_id: int) -> User | None:
    """Return the person if ``actor`` may manage them, else None (the page answers 404)."""
    person = session.get(User, user_id)
    return person if person is not None and may_manage(actor, person) else None


def roles_for(actor: User) -> list[Role]:
    """Return the roles ``actor`` may give."""
    if actor.role is Role.ADMIN:
        return [Role.STAFF, Role.VSP_STAFF, Role.OUTREACH, Role.COORDINATOR, Role.ADMIN]
    return [Role.STAFF, Role.VSP_STAFF, Role.OUTREACH, Role.COORDINATOR]


def regions_for(session: DbSession, actor: User) -> list[Region]:
    query = select(Region).order_by(Region.number)
    if actor.role is Role.COORDINATOR:
        query = query.where(Region.id == actor.region_id)
    return list(session.scalars(query))


def access_points_for(session: DbSession, actor: User) -> list[AccessPoint]:
    query = select(AccessPoint).where(AccessPoint.active.is_(True)).order_by(AccessPoint.name)
    if actor.role is Role.COORDINATOR:
        query = query.where(AccessPoint.region_id == actor.region_id)
    return list(session.scalars(query))


def _active_admins(session: DbSession) -> int:
    return int(session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active.is_(True))) or 0)


# -- changes ---------------------------------------------------------------------------------


def _apply(session: DbSession, actor: User, person: User, data: PersonData) -> None:
    if data.role not in roles_for(actor):
        raise PeopleError("role", "not_allowed")
    regions = {r.id: r for r in regions_for(session, actor)}
    if data.region_id is not None and data.region_id not in regions:
        raise PeopleError("region", "not_allowed")
    allowed = {ap.id: ap for ap in access_points_for(session, actor)}
    kept = [ap for ap in person.access_points if ap.id in data.access_point_ids and ap.id not in allowed]
    if any(ap_id not in allowed and ap_id not in {ap.id for ap in kept} for ap_id in data.access_point_ids):
        raise PeopleError("access_points", "not_allowed")
    chosen = [*kept, *(allowed[i] for i in data.access_point_ids if i in allowed)]
    if data.role in (Role.COORDINATOR, Role.OUTREACH) and data.region_id is None:
        raise PeopleError("region", "required")
    if data.role in (Role.STAFF, Role.VSP_STAFF) and not chosen:
        raise PeopleError("access_points", "required")
    if data.role is Role.VSP_STAFF and any(ap.kind.value != "vsp" for ap in chosen):
        raise PeopleError("access_points", "vsp_only")
    if actor.role is Role.COORDINATOR and data.role is Role.COORDINATOR and data.region_id != actor.region_id:
        raise PeopleError("region", "not_allowed")
    if person.role is Role.ADMIN and data.role is not Role.ADMIN and person.active and _active_admins(session) <= 1:
        raise PeopleError("role", "last_admin")
    email = data.email.strip().lower()
    clash = session.scalar(select(User.id).where(User.email == email))
    if clash is not None and clash != person.id:
        raise PeopleError("email", "taken")
    person.email = email
    person.display_name = data.display_name.strip()
    person.role = data.role
    person.region_id = data.region_id
    person.access_points = chosen
    person.language = data.language


def invite(session: DbSession, actor: User, data: PersonData) -> User:
    """Add a person with no usable password and audit it (commits); send them ``invite_token``."""
    person = User(password_hash=accounts.hash_password(secrets.token_urlsafe(32)), active=True)
    with session.no_autoflush:
        _apply(session, actor, person, data)
    session.add(person)
    session.flush()
    admin_log.record(session, actor, ENTITY, person.id, "invited", {}, snapshot(person))
    session.commit()
    return person


def update(session: DbSession, actor: User, person: User, data: PersonData) -> User:
    """Save a person's role, region, access points and details; audit what changed (commits)."""
    before = snapshot(person)
    with session.no_autoflush:
        _apply(session, actor, person, data)
    admin_log.record(session, actor, ENTITY, person.id, "updated", before, snapshot(person))
    session.commit()
    return person


def set_active(session: DbSession, actor: User, person: User, active: bool) -> User:
    """Deactivate (their sessions end) or reactivate a person; never the last admin (commits)."""
    if not active and person.role is Role.ADMIN and person.active and _active_admins(session) <= 1:
        raise PeopleError("active", "last_admin")
    before = snapshot(person)
    person.active = active
    if not active:
        accounts.end_sessions(person)
    admin_log.record(session, actor, ENTITY, person.id, "reactivated" if active else "deactivated",
                 before, snapshot(person))
    session.commit()
    return person


def reset_password(session: DbSession, actor: User, person: User) -> User:
    """Make the current password unusable and end sessions; send them ``invite_token`` (commits)."""
    person.password_hash = accounts.hash_password(secrets.token_urlsafe(32))
    accounts.end_sessions(person)
    admin_log.record(session, actor, ENTITY, person.id, "password_reset", {}, {})
    session.commit()
    return person


def unlock(session: DbSession, actor: User, person: User) -> User:
    """Clear a sign-in lockout (commits)."""
    lifted = accounts.unlock_account(session, person)
    admin_log.record(session, actor, ENTITY, person.id, "unlocked", {"locks": lifted}, {"locks": 0})
    session.commit()
    return person


# -- the one-time link ------------------------------------------------------------------------


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]


def send_link(session: DbSession, person: User, link: str, *, invited: bool) -> None:
    """E-mail ``person`` their one-time set-password link through the outbox, in their language (commits).

    The admin page shows the same link too, for when mail is not set up or does not arrive.
    """
    with force_locale(person.language or "en"):
        subject = gettext("Your Front Door account")
        body = render_template("mail/account_link.txt", name=person.display_name, link=link, invited=invited,
                               hours=INVITE_HOURS)
    outbox.enqueue_email(cast(Session, session), to=person.email, subject=subject, body=body, purpose="account_link")
    session.commit()


def invite_token(secret_key: str, user: User) -> str:
    """Return the token of a one-time set-password link for ``user``."""
    return URLSafeTimedSerializer(secret_key, salt=_SALT).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_token(session: DbSession, secret_key: str, token: str) -> User | None:
    """Return the active user a set-password link is for, or None if forged, used or expired."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=_SALT).loads(token, max_age=INVITE_HOURS * 3600)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = session.get(User, data["u"])
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def set_password(session: DbSession, user: User, password: str) -> None:
    """Set a new password from the one-time link (which stops working) and audit it (commits)."""
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise PeopleError("password", "too_short")
    user.password_hash = accounts.hash_password(password)
    accounts.unlock_account(session, user)
    admin_log.record(session, user, ENTITY, user.id, "password_set", {}, {})
    session.commit()

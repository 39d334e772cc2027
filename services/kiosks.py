"""Kiosks from the admin area: add one, pair it by a one-time link and QR code, see it, revoke it.

The pairing code is stored hashed and works once, until it expires; pairing again or revoking
bumps the device generation, so a lost tablet's cookie stops working at once.
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import qrcode  # type: ignore[import-untyped]  # ships no type hints
import qrcode.image.svg  # type: ignore[import-untyped]
from sqlalchemy import select

from models import AccessPoint, Kiosk, Role, User
from models.base import utcnow

from . import admin_log
from .routing import DbSession

ENTITY = "kiosk"
PAIRING_VALID_FOR = timedelta(hours=24)
#: Record a tablet's visit at most this often (one write per few minutes, not per page).
SEEN_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class PairingLink:
    """A one-time pairing code for a kiosk; only its hash is stored."""

    kiosk: Kiosk
    code: str
    expires_in: timedelta


def hash_code(code: str) -> str:
    """Return the stored form of a pairing code."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def start_pairing(session: DbSession, kiosk: Kiosk, *, valid_for: timedelta = PAIRING_VALID_FOR) -> PairingLink:
    """Give the kiosk a fresh one-time code (replacing any earlier one) and save it."""
    code = secrets.token_urlsafe(18)
    kiosk.pairing_code_hash = hash_code(code)
    kiosk.pairing_expires_at = utcnow() + valid_for
    kiosk.active = True
    session.commit()
    return PairingLink(kiosk=kiosk, code=code, expires_in=valid_for)


def snapshot(kiosk: Kiosk) -> dict[str, object]:
    return {"label": kiosk.label, "access_point_id": kiosk.access_point_id, "active": kiosk.active,
            "device_generation": kiosk.device_generation}


def kiosks(session: DbSession, user: User) -> list[Kiosk]:
    """Return the kiosks ``user`` manages: all for admins, their region's for coordinators."""
    query = select(Kiosk).join(AccessPoint).order_by(AccessPoint.name, Kiosk.label)
    if user.role is Role.COORDINATOR:
        query = query.where(AccessPoint.region_id == user.region_id)
    elif user.role is not Role.ADMIN:
        return []
    return list(session.scalars(query))


def find(session: DbSession, user: User, kiosk_id: int) -> Kiosk | None:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None or user.role not in (Role.ADMIN, Role.COORDINATOR):
        return None
    if user.role is Role.COORDINATOR and kiosk.access_point.region_id != user.region_id:
        return None
    return kiosk


def create(session: DbSession, user: User, access_point: AccessPoint, label: str) -> Kiosk:
    """Add a kiosk at an access point and audit it (commits)."""
    kiosk = Kiosk(label=label.strip(), access_point=access_point, active=True, device_generation=0)
    session.add(kiosk)
    session.flush()
    admin_log.record(session, user, ENTITY, kiosk.id, "created", {}, snapshot(kiosk))
    session.commit()
    return kiosk


def pair(session: DbSession, user: User, kiosk: Kiosk) -> PairingLink:
    """Start a pairing (audited, without the code) and return the one-time link's code."""
    admin_log.record(session, user, ENTITY, kiosk.id, "pairing_started", {},
                 {"expires_in_hours": int(PAIRING_VALID_FOR.total_seconds() // 3600)})
    return start_pairing(session, kiosk)


def revoke(session: DbSession, user: User, kiosk: Kiosk) -> Kiosk:
    """Unpair a lost tablet at once: its cookie stops working and any pending code is void (commits)."""
    before = snapshot(kiosk)
    kiosk.active = False
    kiosk.pairing_code_hash = None
    kiosk.pairing_expires_at = None
    kiosk.device_generation = (kiosk.device_generation or 0) + 1
    admin_log.record(session, user, ENTITY, kiosk.id, "revoked", before, snapshot(kiosk))
    session.commit()
    return kiosk


def seen(session: DbSession, kiosk: Kiosk, now: datetime | None = None) -> bool:
    """Record that the paired tablet asked for a page; write at most every SEEN_EVERY (commits)."""
    now = now or utcnow()
    if kiosk.last_seen_at is not None and now - kiosk.last_seen_at < SEEN_EVERY:
        return False
    kiosk.last_seen_at = now
    session.commit()
    return True


def qr_svg_data_uri(text: str) -> str:
    """Return ``text`` as a QR code, an SVG in a data: URI for an <img> (no script, no inline style)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

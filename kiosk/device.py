"""Pair a tablet with a kiosk: one-time codes (services.kiosks) and a signed device cookie."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from models import AccessPoint, Kiosk
from models.base import utcnow
from services.kiosks import PairingLink, hash_code, start_pairing

COOKIE_NAME = "fd_kiosk"
#: A paired tablet stays paired for five years, or until it is paired again.
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
_SALT = "frontdoor.kiosk-device"

DbSession = Session | scoped_session[Session]

__all__ = [
    "PairingError",
    "PairingLink",
    "complete_pairing",
    "device_token",
    "find_kiosk",
    "hash_code",
    "kiosk_for_code",
    "kiosk_from_token",
    "start_pairing",
]


class PairingError(Exception):
    """The kiosk to pair cannot be found or made."""


def find_kiosk(session: DbSession, ref: str | None, access_point_slug: str | None, *,
               create: bool = False) -> Kiosk:
    """Find a kiosk by id or label (or the only one at an access point); create it if asked."""
    access_point = None
    if access_point_slug:
        access_point = session.scalar(select(AccessPoint).where(AccessPoint.slug == access_point_slug))
        if access_point is None:
            raise PairingError(f"no access point with slug {access_point_slug!r}")
    query = select(Kiosk)
    if access_point is not None:
        query = query.where(Kiosk.access_point_id == access_point.id)
    if ref:
        query = query.where(Kiosk.id == int(ref)) if ref.isdigit() else query.where(Kiosk.label == ref)
    found = list(session.scalars(query.order_by(Kiosk.id)))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise PairingError("more than one kiosk matches; give its id")
    if not create:
        raise PairingError("no such kiosk (use --create with --access-point to add one)")
    if access_point is None or not ref or ref.isdigit():
        raise PairingError("to create a kiosk, give a label and --access-point")
    kiosk = Kiosk(label=ref, access_point=access_point, active=True)
    session.add(kiosk)
    session.flush()
    return kiosk


def kiosk_for_code(session: DbSession, code: str) -> Kiosk | None:
    """Return the kiosk waiting to be paired with this code, if the code is still valid."""
    if not code or len(code) > 100:
        return None
    kiosk = session.scalar(select(Kiosk).where(Kiosk.pairing_code_hash == hash_code(code)))
    if kiosk is None or not kiosk.active or kiosk.pairing_expires_at is None:
        return None
    if kiosk.pairing_expires_at < utcnow():
        return None
    return kiosk


def complete_pairing(session: DbSession, kiosk: Kiosk) -> int:
    """Use up the code and start a new device generation (older cookies stop working)."""
    kiosk.pairing_code_hash = None
    kiosk.pairing_expires_at = None
    kiosk.paired_at = utcnow()
    kiosk.device_generation = (kiosk.device_generation or 0) + 1
    session.commit()
    return kiosk.device_generation


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_SALT)


def device_token(secret_key: str, kiosk: Kiosk) -> str:
    """Return the signed cookie value that binds a browser to a kiosk and its generation."""
    return _serializer(secret_key).dumps({"k": kiosk.id, "g": kiosk.device_generation})


def kiosk_from_token(session: DbSession, secret_key: str, token: str | None) -> Kiosk | None:
    """Return the paired kiosk for a device cookie, or None if it is missing, forged or stale."""
    if not token:
        return None
    try:
        data = _serializer(secret_key).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), int):
        return None
    kiosk = session.get(Kiosk, data["k"])
    if kiosk is None or not kiosk.active or kiosk.paired_at is None:
        return None
    if data.get("g") != kiosk.device_generation:
        return None
    return kiosk

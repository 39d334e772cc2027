"""Pair a tablet with a kiosk once, then recognise it by a long-lived signed device cookie."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from models import AccessPoint, Kiosk
from models.base import utcnow

DbSession = Session | scoped_session[Session]

COOKIE_NAME = "fd_kiosk"
#: Ten years: a paired tablet stays paired until it is paired again or the kiosk is retired.
COOKIE_MAX_AGE = int(timedelta(days=3650).total_seconds())
PAIRING_TTL = timedelta(hours=24)
_SALT = "frontdoor.kiosk-device"


@dataclass(frozen=True)
class PairingLink:
    """A one-time pairing code for a kiosk (only its hash is stored)."""

    kiosk: Kiosk
    code: str


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii", "ignore")).hexdigest()


def issue_pairing_code(session: DbSession, kiosk: Kiosk) -> PairingLink:
    """Give the kiosk a fresh one-time pairing code, valid for 24 hours, and save it."""
    code = secrets.token_urlsafe(18)
    kiosk.pairing_code_hash = _hash(code)
    kiosk.pairing_expires_at = utcnow() + PAIRING_TTL
    session.commit()
    return PairingLink(kiosk=kiosk, code=code)


def kiosk_for_code(session: DbSession, code: str) -> Kiosk | None:
    """Return the active kiosk this unexpired, unused pairing code belongs to."""
    if not code or len(code) > 64:
        return None
    kiosk = session.scalar(select(Kiosk).where(Kiosk.pairing_code_hash == _hash(code)))
    if kiosk is None or not kiosk.active or kiosk.pairing_expires_at is None:
        return None
    if kiosk.pairing_expires_at < utcnow():
        return None
    return kiosk


def pair(session: DbSession, kiosk: Kiosk) -> int:
    """Use up the pairing code and start a new device generation (older cookies stop working)."""
    kiosk.pairing_code_hash = None
    kiosk.pairing_expires_at = None
    kiosk.paired_at = utcnow()
    kiosk.device_generation = (kiosk.device_generation or 0) + 1
    session.commit()
    return kiosk.device_generation


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_SALT)


def device_token(secret_key: str, kiosk: Kiosk) -> str:
    """Return the signed cookie value binding this browser to the kiosk and its generation."""
    return _serializer(secret_key).dumps({"k": kiosk.id, "g": kiosk.device_generation})


def kiosk_for_token(session: DbSession, secret_key: str, token: str | None) -> Kiosk | None:
    """Return the active kiosk a device cookie names, if its signature and generation hold."""
    if not token:
        return None
    try:
        data = _serializer(secret_key).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), int):
        return None
    kiosk = session.get(Kiosk, data["k"])
    if kiosk is None or not kiosk.active or kiosk.device_generation != data.get("g"):
        return None
    return kiosk


def find_or_create_kiosk(session: DbSession, *, kiosk_id: int | None = None,
                         access_point_slug: str | None = None, label: str | None = None) -> Kiosk:
    """Return the kiosk to pair: by id, or by label at an access point (created when missing)."""
    if kiosk_id is not None:
        kiosk = session.get(Kiosk, kiosk_id)
        if kiosk is None:
            raise LookupError(f"there is no kiosk {kiosk_id}")
        return kiosk
    query = select(Kiosk).order_by(Kiosk.id)
    ap: AccessPoint | None = None
    if access_point_slug is not None:
        ap = session.scalar(select(AccessPoint).where(AccessPoint.slug == access_point_slug))
        if ap is None:
            raise LookupError(f"there is no access point {access_point_slug!r}")
        query = query.where(Kiosk.access_point_id == ap.id)
    if label is not None:
        query = query.where(Kiosk.label == label)
    kiosk = session.scalars(query).first()
    if kiosk is not None:
        return kiosk
    if ap is None or label is None:
        raise LookupError("no kiosk found; give --access-point and --label to add one")
    kiosk = Kiosk(label=label, access_point=ap)
    session.add(kiosk)
    session.flush()
    return kiosk

"""Create, edit and deactivate access points from the admin area; every change is audited.

Addresses are geocoded offline from the ZIP code (``zipcodes``) when no latitude and longitude
are given. Routing reads the access point table on every intake, so a change applies at once.
An access point is never deleted (intakes and kiosks point to it): it is deactivated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from sqlalchemy import func, select

from models import AccessPoint, AccessPointKind, County, Intake, Region, Role, User

from . import admin_log
from .routing import DbSession, find_county, home_coc, lookup_zip

ENTITY = "access_point"
_SLUG = re.compile(r"[^a-z0-9]+")


class AccessPointError(ValueError):
    """The access point cannot be saved as asked; ``field`` names the form field at fault."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class AccessPointData:
    """Everything the form (or an import) says about an access point."""

    name: str
    kind: AccessPointKind = AccessPointKind.PHYSICAL
    slug: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    lat: float | None = None
    lon: float | None = None
    county_fips: str | None = None
    region_id: int | None = None
    phone: str | None = None
    timezone: str = "America/Chicago"
    hours: dict[str, list[list[str]]] = field(default_factory=dict)
    closed_dates: list[str] = field(default_factory=list)
    alert_emails: list[str] = field(default_factory=list)
    oncall_phone: str | None = None
    claim_target_minutes: int | None = None
    contact_target_minutes: int | None = None
    urgent_target_minutes: int | None = None
    languages: list[str] = field(default_factory=lambda: ["en"])
    populations: list[str] = field(default_factory=lambda: ["all"])
    is_remote: bool = False


def oncall_e164(text: str | None) -> str | None:
    """Return an on-call phone as E.164 (US numbers may be typed locally); raise AccessPointError."""
    if not (text or "").strip():
        return None
    try:
        number = phonenumbers.parse(str(text), "US")
    except phonenumbers.NumberParseException:
        raise AccessPointError("oncall_phone", "phone") from None
    if not phonenumbers.is_valid_number(number):
        raise AccessPointError("oncall_phone", "phone")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def slugify(name: str) -> str:
    """Return a URL-safe identifier made from a name: "Hays Center #2" -> "hays-center-2"."""
    return _SLUG.sub("-", name.lower()).strip("-")[:60] or "access-point"


def snapshot(ap: AccessPoint) -> dict[str, Any]:
    """Return the audited fields of an access point as plain JSON values."""
    return {
        "name": ap.name, "slug": ap.slug, "kind": ap.kind.value if ap.kind else None,
        "address": ap.address, "city": ap.city, "state": ap.state, "zip": ap.zip,
        "lat": ap.lat, "lon": ap.lon, "county": ap.county.fips if ap.county else None,
        "region_id": ap.region_id, "phone": ap.phone, "timezone": ap.timezone,
        "hours": ap.hours or {}, "closed_dates": list(ap.closed_dates or []),
        "alert_emails": list(ap.alert_emails or []), "oncall_phone": ap.oncall_phone,
        "claim_target_minutes": ap.claim_target_minutes, "contact_target_minutes": ap.contact_target_minutes,
        "urgent_target_minutes": ap.urgent_target_minutes, "languages": list(ap.languages or []),
        "populations": list(ap.populations or []), "is_remote": ap.is_remote, "active": ap.active,
    }


# -- who may do what ---------------------------------------------------------------------------


def may_administer(user: User) -> bool:
    """Tell whether the user may open the admin area at all (admins and coordinators)."""
    return user.role in (Role.ADMIN, Role.COORDINATOR)


def manageable(session: DbSession, user: User) -> list[AccessPoint]:
    """Return the access points the user may edit: all for admins, their region's for coordinators."""
    query = select(AccessPoint).order_by(AccessPoint.active.desc(), AccessPoint.name)
    if user.role is Role.COORDINATOR:
        query = query.where(AccessPoint.region_id == user.region_id)
    elif user.role is not Role.ADMIN:
        return []
    return list(session.scalars(query))


def find(session: DbSession, user: User, ap_id: int) -> AccessPoint | None:
    """Return the access point if the user may edit it, else None (the page answers 404)."""
    ap = session.get(AccessPoint, ap_id)
    if ap is None or not may_administer(user):
        return None
    if user.role is Role.COORDINATOR and ap.region_id != user.region_id:
        return None
    return ap


def regions_for(session: DbSession, user: User | None) -> list[Region]:
    """Return the regions the user (None: the command line) may put an access point in."""
    home = home_coc(session)
    query = select(Region).order_by(Region.number)
    if home is not None:
        query = query.where(Region.coc_id == home.id)
    if user is not None and user.role is Role.COORDINATOR:
        query = query.where(Region.id == user.region_id)
    return list(session.scalars(query))


def open_intake_counts(session: DbSession) -> dict[int, int]:
    """Return the number of open submitted intakes per access point id."""
    rows = session.execute(
        select(Intake.routed_access_point_id, func.count())
        .where(Intake.closed_at.is_(None), Intake.status == "submitted", Intake.routed_access_point_id.is_not(None))
        .group_by(Intake.routed_access_point_id)
    )
    return {int(ap_id): int(count) for ap_id, count in rows if ap_id is not None}


# -- changes ---------------------------------------------------------------------------------


def _apply(session: DbSession, ap: AccessPoint, data: AccessPointData, user: User | None) -> None:
    allowed_regions = {r.id for r in regions_for(session, user)}
    if data.region_id is not None and data.region_id not in allowed_regions:
        raise AccessPointError("region", "not_allowed")
    if user is not None and user.role is Role.COORDINATOR and data.region_id is None:
        raise AccessPointError("region", "required")
    lat, lon = data.lat, data.lon
    if (lat is None) != (lon is None):
        raise AccessPointError("lat", "both")
    city, state, county = data.city, data.state, None
    if data.zip:
        info = lookup_zip(data.zip)
        if info is None:
            raise AccessPointError("zip", "unknown")
        if lat is None:
            lat, lon = info.lat, info.lon
        city = city or info.city.title()
        state = state or info.state
        if info.county and not data.county_fips:
            county = find_county(session, info.county, info.state)
    if data.county_fips:
        county = session.scalar(select(County).where(County.fips == data.county_fips))
        if county is None:
            raise AccessPointError("county", "unknown")
    ap.name = data.name.strip()
    ap.kind = data.kind
    ap.address, ap.city, ap.state, ap.zip = data.address or None, city or None, state or None, data.zip or None
    ap.lat, ap.lon = lat, lon
    ap.county = county
    ap.region_id = data.region_id if data.region_id is not None else (county.region_id if county else None)
    ap.phone = data.phone or None
    ap.timezone = data.timezone
    ap.hours = {day: spans for day, spans in data.hours.items() if spans}
    ap.closed_dates = list(data.closed_dates)
    ap.alert_emails = [e.strip().lower() for e in data.alert_emails if e.strip()]
    ap.oncall_phone = oncall_e164(data.oncall_phone)
    ap.claim_target_minutes = data.claim_target_minutes or None
    ap.contact_target_minutes = data.contact_target_minutes or None
    ap.urgent_target_minutes = data.urgent_target_minutes or None
    ap.languages = list(data.languages) or ["en"]
    ap.populations = list(data.populations) or ["all"]
    ap.is_remote = data.is_remote or data.kind is AccessPointKind.VIRTUAL


def create(session: DbSession, user: User | None, data: AccessPointData, *, commit: bool = True) -> AccessPoint:
    """Add an access point in the home CoC and audit it; raise AccessPointError."""
    home = home_coc(session)
    if home is None:
        raise AccessPointError("name", "no_home_coc")
    slug = data.slug or slugify(data.name)
    if session.scalar(select(AccessPoint.id).where(AccessPoint.slug == slug)) is not None:
        raise AccessPointError("slug" if data.slug else "name", "taken")
    ap = AccessPoint(slug=slug, coc_id=home.id, active=True)
    _apply(session, ap, data, user)
    session.add(ap)
    session.flush()
    admin_log.record(session, user, ENTITY, ap.id, "created", {}, snapshot(ap))
    if commit:
        session.commit()
    return ap


def update(session: DbSession, user: User | None, ap: AccessPoint, data: AccessPointData, *,
           commit: bool = True) -> AccessPoint:
    """Save new values for an access point and audit what changed."""
    before = snapshot(ap)
    with session.no_autoflush:
        _apply(session, ap, data, user)
    admin_log.record(session, user, ENTITY, ap.id, "updated", before, snapshot(ap))
    if commit:
        session.commit()
    return ap


def set_active(session: DbSession, user: User, ap: AccessPoint, active: bool) -> AccessPoint:
    """Deactivate (routing stops sending intakes there) or reactivate an access point (commits)."""
    before = snapshot(ap)
    ap.active = active
    admin_log.record(session, user, ENTITY, ap.id, "reactivated" if active else "deactivated", before, snapshot(ap))
    session.commit()
    return ap

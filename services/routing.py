"""Where an intake goes: ZIP or county to a CoC, then to the nearest suitable access point.

Rules (nobody is turned away; every result names an access point while any active one exists):

- A ZIP code gives a county and coordinates (``zipcodes``, offline); a county gives its CoC.
- In the home CoC: the nearest active access point, by great-circle distance, that serves the
  household (``populations`` "all", or one the household belongs to). Remote (virtual) and victim
  service provider access points are not ranked by distance; they are fallbacks or special queues.
- Confidential intakes (fleeing violence) go only to a victim service provider ("vsp") access
  point, the nearest one; without any, to the home CoC's remote access point.
- A county in another CoC, or a ZIP in a state we have no counties for, is *out of area*: the
  result carries that CoC (its contact, or 211 as fallback; None when unknown) and the intake is
  still queued, at the kiosk's access point if there is one, else at the home remote access point.
- No usable location: the kiosk's access point, else the home remote access point.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, TypeAlias

import zipcodes
from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from intake_forms import count_value, is_non_answer, location_parts
from models import AccessPoint, AccessPointKind, ContinuumOfCare, County

DbSession: TypeAlias = Session | scoped_session[Session]

# Mean Earth radius in miles as used by ``zipcodes.haversine`` (Hays to Lawrence = 221.8 mi).
EARTH_RADIUS_MILES = 3956.0

# Reason codes (stored in ``intakes.routing_note`` and shown to staff, translated).
NEAREST = "nearest"
NEAREST_ANY_POPULATION = "nearest_any_population"
KIOSK_DEFAULT = "kiosk_default"
NO_LOCATION = "no_location"
OUT_OF_AREA = "out_of_area"
CONFIDENTIAL_VSP = "confidential_vsp"
CONFIDENTIAL_REMOTE = "confidential_remote"
NO_ACCESS_POINT = "no_access_point"

_ZIP = re.compile(r"^\s*(\d{5})(?:[-\s]?\d{4})?\s*$")
_COUNTY_WORDS = re.compile(r"\b(county|co|condado de|condado|parish)\b")


# --- geometry ------------------------------------------------------------------------------


def great_circle_miles(*, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the haversine distance in miles (keyword-only: no latitude/longitude mix-ups)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


# --- ZIP codes and county names ------------------------------------------------------------


@dataclass(frozen=True)
class ZipInfo:
    """What the offline ZIP database knows about a 5-digit ZIP code."""

    zip: str
    city: str
    state: str
    county: str | None  # as spelled by zipcodes, e.g. "Ellis County"
    lat: float | None
    lon: float | None
    timezone: str | None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _zip_records(zip5: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = zipcodes.matching(zip5)  # type: ignore[no-untyped-call]
    return records


def warm_up() -> None:
    """Load the offline ZIP database now rather than during someone's first lookup."""
    _zip_records("66603")


@functools.cache
def _state_records(state: str) -> tuple[dict[str, Any], ...]:
    records: list[dict[str, Any]] = zipcodes.filter_by(state=state)  # type: ignore[no-untyped-call]
    return tuple(records)


def normalize_zip(value: str) -> str | None:
    """Return the 5-digit ZIP in ``value`` ("67601", "67601-1234", "676011234"), else None."""
    match = _ZIP.match(value)
    return match.group(1) if match else None


@functools.lru_cache(maxsize=4096)
def lookup_zip(zip_code: str) -> ZipInfo | None:
    """Look a ZIP (or ZIP+4) up offline; None when it is malformed or unknown."""
    zip5 = normalize_zip(zip_code)
    if zip5 is None:
        return None
    try:
        records = _zip_records(zip5)
    except (TypeError, ValueError):
        return None
    if not records:
        return None
    record = records[0]
    city = str(record.get("city") or "")
    state = str(record.get("state") or "")
    county = str(record.get("county") or "") or _county_of_city(city, state)
    return ZipInfo(
        zip=zip5,
        city=city,
        state=state,
        county=county,
        lat=_float(record.get("lat")),
        lon=_float(record.get("long")),  # zipcodes calls it "long", and it is a string
        timezone=str(record.get("timezone") or "") or None,
    )


def _county_of_city(city: str, state: str) -> str | None:
    """Return the county most ZIP codes of ``city`` lie in (some records lack a county)."""
    if not city or not state:
        return None
    counts: dict[str, int] = {}
    for record in _state_records(state):
        county = record.get("county")
        if county and record.get("city") == city:
            counts[str(county)] = counts.get(str(county), 0) + 1
    return max(counts, key=lambda name: counts[name]) if counts else None


def normalize_county_name(name: str) -> str:
    """Return a comparable county name: lowercase, no accents, no "County"/"condado".

    "Ellis County" -> "ellis"; "Condado de Ford" -> "ford"; "McPherson Co." -> "mcpherson".
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _COUNTY_WORDS.sub(" ", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=4096)
def _county_key(name: str) -> str:
    # Spaces are ignored when comparing, so "mc pherson" matches "mcpherson".
    return normalize_county_name(name).replace(" ", "")


@functools.cache
def county_centroid(state: str, county_name: str) -> tuple[float, float] | None:
    """Return the mean (lat, lon) of the ZIP codes of a county, or None when it has none."""
    key = _county_key(county_name)
    points = [
        (lat, lon)
        for record in _state_records(state.upper())
        if record.get("county") and _county_key(str(record["county"])) == key
        for lat, lon in [(_float(record.get("lat")), _float(record.get("long")))]
        if lat is not None and lon is not None
    ]
    if not points:
        return None
    return (
        sum(lat for lat, _ in points) / len(points),
        sum(lon for _, lon in points) / len(points),
    )


# --- locations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where the household wants help, as far as we know it."""

    known: bool
    zip: str | None = None
    county: County | None = None
    county_name: str | None = None  # from the ZIP database when the county is not in our table
    state: str | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def county_fips(self) -> str | None:
        return self.county.fips if self.county is not None else None


UNKNOWN_LOCATION = Location(known=False)


def find_county(session: DbSession, name: str, state: str | None = None) -> County | None:
    """Return the county called ``name`` (any spelling normalize_county_name accepts)."""
    key = _county_key(name)
    if not key:
        return None
    # The names alone (a state has about a hundred counties), then the one county that matches.
    stmt = select(County.id, County.name, County.fips, ContinuumOfCare.is_home).join(County.coc)
    if state:
        stmt = stmt.where(County.state == state.upper())
    candidates = [row for row in session.execute(stmt) if _county_key(row.name) == key]
    if not candidates:
        return None
    # Prefer the home CoC's county when a name exists in several states.
    candidates.sort(key=lambda row: (not row.is_home, row.fips))
    return session.get(County, candidates[0].id)


def _access_point_centroid(session: DbSession, county: County) -> tuple[float, float] | None:
    points = [
        (ap.lat, ap.lon)
        for ap in session.scalars(select(AccessPoint).where(AccessPoint.county_id == county.id))
        if ap.lat is not None and ap.lon is not None
    ]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def describe_location(code: str) -> str:
    """Say where a stored location answer points, for staff: "67601 (Hays, Ellis County, KS)".

    Offline and without the database; place names are not translated. Codes it does not know
    are returned as they are.
    """
    parts = location_parts(code)
    if parts is None:
        return code
    kind, rest = parts
    if kind == "zip":
        info = lookup_zip(rest)
        if info is None:
            return rest
        place = ", ".join(part for part in (info.city.title(), info.county, info.state) if part)
        return f"{info.zip} ({place})" if place else info.zip
    name = " ".join(word.capitalize() for word in rest.split())
    return name if name.lower().endswith("county") else f"{name} County"


def resolve_location(session: DbSession, code: str | None) -> Location:
    """Turn a stored location answer ("zip:67601", "county:ellis", a decline) into a Location."""
    if code is None:
        return UNKNOWN_LOCATION
    value = code.strip()
    if not value or is_non_answer(value):
        return UNKNOWN_LOCATION
    parts = location_parts(value)
    if parts is None and ":" not in value:  # tolerate a bare ZIP or county name
        parts = ("zip", value) if normalize_zip(value) else ("county", value)
    kind, rest = parts or ("", "")
    if kind == "zip":
        return _resolve_zip(session, rest)
    if kind == "county":
        return _resolve_county(session, rest)
    return UNKNOWN_LOCATION


def _resolve_zip(session: DbSession, zip_code: str) -> Location:
    info = lookup_zip(zip_code)
    if info is None:
        return Location(known=False, zip=normalize_zip(zip_code))
    county = find_county(session, info.county, info.state) if info.county else None
    return Location(
        known=True,
        zip=info.zip,
        county=county,
        county_name=info.county,
        state=info.state or None,
        lat=info.lat,
        lon=info.lon,
    )


def _resolve_county(session: DbSession, name: str) -> Location:
    county = find_county(session, name)
    if county is None:
        return UNKNOWN_LOCATION
    point = county_centroid(county.state, county.name) or _access_point_centroid(session, county)
    return Location(
        known=True,
        county=county,
        county_name=county.name,
        state=county.state,
        lat=point[0] if point else None,
        lon=point[1] if point else None,
    )


# --- other CoCs' coordinated entry contacts ----------------------------------------------

FALLBACK_PHONE = "211"

# Who to contact for coordinated entry in each Kansas CoC (used when the database has no text).
# No phone numbers are invented: without a ce_phone people are pointed to 211, which knows every
# CoC's current entry points.
DEFAULT_CE_CONTACTS = {
    "KS-507": "Kansas Statewide Homeless Coalition (KSHC), the coordinated entry lead for the "
    "Kansas Balance of State CoC",
    "KS-502": "Wichita/Sedgwick County CoC coordinated entry. Call 211 to be connected.",
    "KS-503": "Topeka/Shawnee County CoC coordinated entry. Call 211 to be connected.",
    "KS-505": "Johnson County CoC coordinated entry. Call 211 to be connected.",
    "MO-604": "Greater Kansas City CoC coordinated entry (covers Wyandotte County). "
    "Call 211 to be connected.",
}


@dataclass(frozen=True)
class CocContact:
    """How a household reaches another CoC's coordinated entry; ``phone`` falls back to 211."""

    code: str | None  # None: the household's CoC is not known (e.g. a ZIP in another state)
    name: str | None
    contact: str | None
    phone: str = FALLBACK_PHONE

    @property
    def is_fallback(self) -> bool:
        """Tell whether ``phone`` is the 211 fallback rather than the CoC's own number."""
        return self.phone == FALLBACK_PHONE

    @classmethod
    def from_coc(cls, coc: ContinuumOfCare) -> CocContact:
        return cls(
            code=coc.code,
            name=coc.name,
            contact=coc.ce_contact or DEFAULT_CE_CONTACTS.get(coc.code),
            phone=coc.ce_phone or FALLBACK_PHONE,
        )


UNKNOWN_COC = CocContact(code=None, name=None, contact=None)


@functools.cache
def _csv_cocs() -> dict[str, CocContact]:
    raw = resources.files(__package__).joinpath("data/continuums_of_care.csv")
    rows = csv.DictReader(io.StringIO(raw.read_text(encoding="utf-8")))
    return {
        row["coc_code"].strip(): CocContact(
            code=row["coc_code"].strip(),
            name=row["name"].strip(),
            contact=DEFAULT_CE_CONTACTS.get(row["coc_code"].strip()),
        )
        for row in rows
    }


def coc_contact_for_code(code: str | None, session: DbSession | None = None) -> CocContact:
    """Return the coordinated entry contact of CoC ``code`` (from the database when given one).

    Unknown or missing codes give ``UNKNOWN_COC``: no name, phone 211.
    """
    if not code:
        return UNKNOWN_COC
    if session is not None:
        coc = session.scalars(select(ContinuumOfCare).where(ContinuumOfCare.code == code)).first()
        if coc is not None:
            return CocContact.from_coc(coc)
    return _csv_cocs().get(code, CocContact(code=code, name=None, contact=None))


# --- households ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdProfile:
    """What routing needs to know about a household: populations it belongs to, its language."""

    populations: frozenset[str] = field(default_factory=lambda: frozenset({"single_adults"}))
    language: str = "en"

    @classmethod
    def from_answers(
        cls, codes: Mapping[str, str | None], language: str | None = None
    ) -> HouseholdProfile:
        """Build a profile from stored answer codes (age_band, adults, children, veteran...)."""

        def count(key: str) -> int:
            return count_value(codes.get(key)) or 0

        populations = {"families" if count("children") > 0 else "single_adults"}
        age_band = codes.get("age_band")
        if age_band == "under18" or (age_band == "18_24" and count("adults") <= 1):
            populations.add("youth")
        if codes.get("veteran") == "1":
            populations.add("veterans")
        if codes.get("fleeing_violence") == "1":
            populations.add("survivors")
        return cls(frozenset(populations), language or codes.get("language") or "en")


# --- routing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingResult:
    """Where an intake is queued and why."""

    access_point: AccessPoint | None
    coc: ContinuumOfCare | None  # the CoC whose queue holds the intake
    out_of_area: bool
    # The household's own CoC when out of area (UNKNOWN_COC when we cannot tell which), else None.
    out_of_area_coc: CocContact | None
    distance_miles: float | None
    reason: str

    @property
    def note(self) -> str:
        """Return a short, PII-free explanation for ``intakes.routing_note``."""
        parts = [self.reason]
        if self.access_point is not None:
            parts.append(f"to {self.access_point.slug}")
        if self.distance_miles is not None:
            parts.append(f"{self.distance_miles:.1f} mi")
        if self.out_of_area:
            code = self.out_of_area_coc.code if self.out_of_area_coc else None
            parts.append(f"household in {code or 'unknown CoC'}")
        return " ".join(parts)


def home_coc(session: DbSession) -> ContinuumOfCare | None:
    """Return the CoC this deployment serves."""
    return session.scalars(
        select(ContinuumOfCare).where(ContinuumOfCare.is_home.is_(True)).order_by(ContinuumOfCare.id)
    ).first()


def _distance(location: Location, ap: AccessPoint) -> float | None:
    if location.lat is None or location.lon is None or ap.lat is None or ap.lon is None:
        return None
    return great_circle_miles(lat1=location.lat, lon1=location.lon, lat2=ap.lat, lon2=ap.lon)


def _nearest(
    location: Location, candidates: Sequence[AccessPoint], language: str
) -> tuple[AccessPoint, float] | None:
    ranked = [
        (distance, language not in (ap.languages or []), ap.id, ap)
        for ap in candidates
        if (distance := _distance(location, ap)) is not None
    ]
    if not ranked:
        return None
    distance, _, _, ap = min(ranked, key=lambda item: item[:3])
    return ap, distance


def route(
    session: DbSession,
    location: Location,
    *,
    confidential: bool,
    kiosk_access_point_id: int | None,
    household: HouseholdProfile,
) -> RoutingResult:
    """Choose the access point whose queue receives the intake (see the module docstring)."""
    home = home_coc(session)
    active = list(
        session.scalars(
            select(AccessPoint).where(AccessPoint.active.is_(True)).order_by(AccessPoint.id)
        )
    )
    kiosk_ap = next((ap for ap in active if ap.id == kiosk_access_point_id), None)
    remote = _remote_access_point(active, home)

    # Where does the household's location belong?
    out_of_area = False
    other_coc: CocContact | None = None
    if location.known:
        if location.county is not None:
            if home is not None and location.county.coc_id != home.id:
                out_of_area, other_coc = True, CocContact.from_coc(location.county.coc)
        elif location.state and location.state not in _home_states(session, home):
            out_of_area, other_coc = True, UNKNOWN_COC

    def result(ap: AccessPoint | None, reason: str, distance: float | None = None) -> RoutingResult:
        # A distance is reported only when it decided the choice (nearest, nearest VSP).
        return RoutingResult(
            access_point=ap,
            coc=ap.coc if ap is not None else home,
            out_of_area=out_of_area,
            out_of_area_coc=other_coc,
            distance_miles=round(distance, 1) if distance is not None else None,
            reason=reason,
        )

    if not active:
        return result(None, NO_ACCESS_POINT)

    if confidential:
        vsps = [ap for ap in active if ap.kind == AccessPointKind.VSP]
        if vsps:
            # Nearest to the household, else to the kiosk, else the first one.
            origin = location if location.has_coordinates else _location_of(kiosk_ap)
            nearest = _nearest(origin, vsps, household.language) if origin else None
            if nearest is not None:
                return result(nearest[0], CONFIDENTIAL_VSP, _distance(location, nearest[0]))
            return result(vsps[0], CONFIDENTIAL_VSP)
        return result(remote or kiosk_ap or active[0], CONFIDENTIAL_REMOTE)

    fallback = kiosk_ap or remote or _first_general(active)
    fallback_reason = KIOSK_DEFAULT if kiosk_ap is not None else NO_LOCATION
    if out_of_area:
        return result(fallback, OUT_OF_AREA)
    if not location.known or not location.has_coordinates:
        return result(fallback, fallback_reason)

    target_coc_id = location.county.coc_id if location.county is not None else home.id if home else None
    general = [
        ap
        for ap in active
        if ap.kind != AccessPointKind.VSP
        and not ap.is_remote
        and ap.kind != AccessPointKind.VIRTUAL
        and (target_coc_id is None or ap.coc_id == target_coc_id)
    ]
    serving = [ap for ap in general if ap.serves(household.populations)]
    nearest = _nearest(location, serving, household.language)
    if nearest is not None:
        return result(nearest[0], NEAREST, nearest[1])
    nearest = _nearest(location, general, household.language)
    if nearest is not None:
        return result(nearest[0], NEAREST_ANY_POPULATION, nearest[1])
    return result(fallback, fallback_reason)


def _location_of(ap: AccessPoint | None) -> Location | None:
    if ap is None or ap.lat is None or ap.lon is None:
        return None
    return Location(known=True, lat=ap.lat, lon=ap.lon, state=ap.state)


def _remote_access_point(
    active: Sequence[AccessPoint], home: ContinuumOfCare | None
) -> AccessPoint | None:
    remotes = [ap for ap in active if ap.is_remote and ap.kind != AccessPointKind.VSP]
    if home is not None:
        own = [ap for ap in remotes if ap.coc_id == home.id]
        if own:
            return own[0]
    return remotes[0] if remotes else None


def _first_general(active: Sequence[AccessPoint]) -> AccessPoint:
    general = [ap for ap in active if ap.kind != AccessPointKind.VSP]
    return general[0] if general else active[0]


def _home_states(session: DbSession, home: ContinuumOfCare | None) -> set[str]:
    stmt = select(County.state).distinct()
    if home is not None:
        stmt = stmt.where(County.coc_id == home.id)
    return set(session.scalars(stmt))

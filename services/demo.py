"""Reference data (CoCs, regions, counties) and SAMPLE demo data (access points, kiosk, users).

Everything is matched on natural keys (CoC code, region number, county FIPS, access point slug,
kiosk label, user email) and only missing rows are added, so loading twice changes nothing and
never overwrites what an admin edited.

SAMPLE DATA: the access points, their addresses, phone numbers (555-01xx, fictional), hours and
the demo accounts are invented for demonstration. The KS-507 region of each county is ALSO a
sample: KSHC's real region map is not public, so counties are put into nine regions by a simple
geographic rule (see ``sample_region_number``). Replace it with KSHC's table before going live.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import select

from models import (
    AccessPoint,
    AccessPointKind,
    ContinuumOfCare,
    County,
    Kiosk,
    Region,
    Role,
    User,
)

from .accounts import create_user
from .routing import DEFAULT_CE_CONTACTS, DbSession, county_centroid, lookup_zip

HOME_COC_CODE = "KS-507"
HOME_STATE = "KS"
REMOTE_SLUG = "kshc-remote"
DEMO_EMAIL_DOMAIN = "demo.frontdoor.invalid"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _weekdays(open_at: str, close_at: str, **extra: list[list[str]]) -> dict[str, Any]:
    hours: dict[str, Any] = {day: [[open_at, close_at]] for day in WEEKDAYS}
    hours.update(extra)
    return hours


@dataclass(frozen=True)
class SampleAccessPoint:
    slug: str
    name: str
    zip: str
    address: str
    phone: str
    hours: dict[str, Any]
    languages: tuple[str, ...] = ("en",)
    populations: tuple[str, ...] = ("all",)
    kind: AccessPointKind = AccessPointKind.PHYSICAL
    is_remote: bool = False


# SAMPLE access points in real Kansas towns; names, street addresses and phones are fictional.
SAMPLE_ACCESS_POINTS: tuple[SampleAccessPoint, ...] = (
    SampleAccessPoint(
        "sample-hays", "Sample: Hays Community Resource Center", "67601",
        "100 Sample St (sample address)", "785-555-0100", _weekdays("09:00", "17:00"),
        ("en", "es"),
    ),
    SampleAccessPoint(
        "sample-colby", "Sample: Colby Family Services", "67701",
        "110 Sample Ave (sample address)", "785-555-0101",
        _weekdays("08:30", "16:30", fri=[["08:30", "12:00"]]),
    ),
    SampleAccessPoint(
        "sample-garden-city", "Sample: Garden City Housing Help", "67846",
        "120 Sample St (sample address)", "620-555-0102", _weekdays("08:00", "17:00"),
        ("en", "es"),
    ),
    SampleAccessPoint(
        "sample-dodge-city", "Sample: Dodge City Community Center", "67801",
        "130 Sample St (sample address)", "620-555-0103",
        _weekdays("09:00", "18:00", sat=[["10:00", "14:00"]]), ("en", "es"),
    ),
    SampleAccessPoint(
        "sample-liberal", "Sample: Liberal Resource Center", "67901",
        "140 Sample Ave (sample address)", "620-555-0104", _weekdays("08:00", "16:00"),
        ("en", "es"),
    ),
    SampleAccessPoint(
        "sample-salina", "Sample: Salina Shelter Services", "67401",
        "150 Sample St (sample address)", "785-555-0105",
        _weekdays("08:00", "20:00", sat=[["09:00", "17:00"]], sun=[["12:00", "17:00"]]),
    ),
    SampleAccessPoint(
        "sample-hutchinson", "Sample: Hutchinson Veterans Outreach", "67501",
        "160 Sample St (sample address)", "620-555-0106", _weekdays("09:00", "16:00"),
        populations=("veterans",),
    ),
    SampleAccessPoint(
        "sample-manhattan", "Sample: Manhattan Youth Drop-In Center", "66502",
        "170 Sample Ave (sample address)", "785-555-0107",
        _weekdays("12:00", "19:00", sat=[["12:00", "17:00"]]), populations=("youth",),
    ),
    SampleAccessPoint(
        "sample-lawrence", "Sample: Lawrence Community Shelter Intake", "66044",
        "180 Sample St (sample address)", "785-555-0108",
        _weekdays("08:00", "18:00", sat=[["10:00", "14:00"]]), ("en", "es"),
    ),
    SampleAccessPoint(
        "sample-emporia", "Sample: Emporia Housing Resource Center", "66801",
        "190 Sample St (sample address)", "620-555-0109", _weekdays("08:00", "17:00"),
        ("en", "es"),
    ),
    SampleAccessPoint(
        "sample-pittsburg", "Sample: Pittsburg Family Resource Center", "66762",
        "200 Sample Ave (sample address)", "620-555-0110", _weekdays("08:00", "17:00"),
    ),
    # The CoC's remote access point. KSHC's street address is public; the phone and hours
    # here are SAMPLE values.
    SampleAccessPoint(
        REMOTE_SLUG, "Kansas Statewide Homeless Coalition (remote access point)", "66046",
        "2001 Haskell Ave", "785-555-0150 (sample number)", _weekdays("09:00", "17:00"),
        ("en", "es"), kind=AccessPointKind.VIRTUAL, is_remote=True,
    ),
    # A victim service provider: its location is withheld; the town's coordinates are used
    # for routing only.
    SampleAccessPoint(
        "sample-vsp", "Sample: Safe Harbor Advocacy (victim service provider)", "67530",
        "Confidential location", "620-555-0160",
        {day: [["00:00", "24:00"]] for day in (*WEEKDAYS, "sat", "sun")}, ("en", "es"),
        populations=("survivors",), kind=AccessPointKind.VSP,
    ),
)

KIOSK_LABEL = "Sample: Hays lobby kiosk"
KIOSK_ACCESS_POINT = "sample-hays"


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    role: Role
    access_points: tuple[str, ...] = ()
    region_of_access_point: str | None = None  # coordinators and outreach get that access point's region


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        f"staff@{DEMO_EMAIL_DOMAIN}", "Demo Staff", Role.STAFF, ("sample-hays", REMOTE_SLUG)
    ),
    DemoUser(
        f"coordinator@{DEMO_EMAIL_DOMAIN}", "Demo Coordinator", Role.COORDINATOR,
        region_of_access_point="sample-hays",
    ),
    DemoUser(
        f"outreach@{DEMO_EMAIL_DOMAIN}", "Demo Outreach Worker", Role.OUTREACH,
        region_of_access_point="sample-hays",
    ),
    DemoUser(f"vsp@{DEMO_EMAIL_DOMAIN}", "Demo VSP Advocate", Role.VSP_STAFF, ("sample-vsp",)),
    DemoUser(f"admin@{DEMO_EMAIL_DOMAIN}", "Demo Admin", Role.ADMIN),
)


@dataclass
class LoadResult:
    """What a load added; ``credentials`` holds (email, password) of accounts created now."""

    added: dict[str, int] = field(default_factory=dict)
    credentials: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.added.values())

    def count(self, what: str) -> None:
        self.added[what] = self.added.get(what, 0) + 1


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# Nine SAMPLE regions: three longitude bands (west to east) times three latitude bands (north to
# south) across Kansas. Region 1 is the north-west corner, 3 the north-east, 7 the south-west
# and 9 the south-east. This is NOT KSHC's region map (which is not public).
KANSAS_WEST, KANSAS_EAST = -102.05, -94.59
KANSAS_SOUTH, KANSAS_NORTH = 37.0, 40.0


def sample_region_number(lat: float, lon: float) -> int:
    """Return the SAMPLE region (1-9) of a point in Kansas by longitude and latitude bands."""
    col = int((lon - KANSAS_WEST) / (KANSAS_EAST - KANSAS_WEST) * 3)
    row = int((KANSAS_NORTH - lat) / (KANSAS_NORTH - KANSAS_SOUTH) * 3)
    return min(max(row, 0), 2) * 3 + min(max(col, 0), 2) + 1


def load_reference_data(session: DbSession, result: LoadResult | None = None) -> LoadResult:
    """Add the Kansas CoCs, KS-507's nine regions and all 105 counties (missing rows only)."""
    result = result or LoadResult()
    cocs = {c.code: c for c in session.scalars(select(ContinuumOfCare))}
    for row in _read_csv("continuums_of_care.csv"):
        code = row["coc_code"].strip()
        if code in cocs:
            continue
        coc = ContinuumOfCare(
            code=code,
            name=row["name"].strip(),
            ce_contact=DEFAULT_CE_CONTACTS.get(code),
            ce_phone=None,
            note=row["ce_note"].strip() or None,
            is_home=code == HOME_COC_CODE,
        )
        session.add(coc)
        cocs[code] = coc
        result.count("continuums_of_care")
    home = cocs[HOME_COC_CODE]
    session.flush()

    regions = {
        r.number: r for r in session.scalars(select(Region).where(Region.coc_id == home.id))
    }
    for number in range(1, 10):
        if number not in regions:
            regions[number] = Region(coc=home, number=number, name=f"Region {number}")
            session.add(regions[number])
            result.count("regions")
    session.flush()

    existing = set(session.scalars(select(County.fips)))
    for row in _read_csv("kansas_counties.csv"):
        fips = row["fips"].strip()
        if fips in existing:
            continue
        coc = cocs[row["coc_code"].strip()]
        region = None
        if coc is home:
            centroid = county_centroid(HOME_STATE, row["county"])
            if centroid is not None:
                region = regions[sample_region_number(*centroid)]
        session.add(
            County(fips=fips, name=row["county"].strip(), state=HOME_STATE, coc=coc, region=region)
        )
        result.count("counties")
    session.flush()
    return result


def load_demo(session: DbSession, *, users: bool = True) -> LoadResult:
    """Add reference data plus SAMPLE access points, one kiosk and demo accounts; commit.

    ``users=False`` leaves the accounts out (tests that need only places skip password hashing).
    """
    result = load_reference_data(session)
    home = session.scalars(
        select(ContinuumOfCare).where(ContinuumOfCare.code == HOME_COC_CODE)
    ).one()
    counties = {c.name.lower(): c for c in session.scalars(select(County))}

    slugs = set(session.scalars(select(AccessPoint.slug)))
    for sample in SAMPLE_ACCESS_POINTS:
        if sample.slug in slugs:
            continue
        info = lookup_zip(sample.zip)
        if info is None:  # pragma: no cover - the ZIPs above are real
            raise RuntimeError(f"unknown sample ZIP {sample.zip}")
        county = counties.get((info.county or "").removesuffix(" County").lower())
        session.add(
            AccessPoint(
                slug=sample.slug,
                name=sample.name,
                kind=sample.kind,
                address=sample.address,
                city=info.city,
                state=info.state,
                zip=info.zip,
                lat=info.lat,
                lon=info.lon,
                county=county,
                coc=county.coc if county is not None else home,
                region=county.region if county is not None else None,
                phone=sample.phone,
                timezone=info.timezone or "America/Chicago",
                hours=sample.hours,
                languages=list(sample.languages),
                populations=list(sample.populations),
                is_remote=sample.is_remote,
                is_sample=True,
                active=True,
            )
        )
        result.count("access_points")
    session.flush()

    access_points = {ap.slug: ap for ap in session.scalars(select(AccessPoint))}
    kiosk_ap = access_points[KIOSK_ACCESS_POINT]
    kiosk = session.scalars(
        select(Kiosk).where(Kiosk.label == KIOSK_LABEL, Kiosk.access_point_id == kiosk_ap.id)
    ).first()
    if kiosk is None:
        session.add(Kiosk(label=KIOSK_LABEL, access_point=kiosk_ap))
        result.count("kiosks")

    emails = set(session.scalars(select(User.email)))
    for demo in DEMO_USERS if users else ():
        if demo.email in emails:
            continue
        region_number = None
        if demo.region_of_access_point is not None:
            region = access_points[demo.region_of_access_point].region
            region_number = region.number if region is not None else None
        password = secrets.token_urlsafe(12)
        create_user(
            session,
            demo.email,
            password,
            demo.role,
            demo.access_points,
            region_number,
            display_name=demo.display_name,
        )
        result.credentials.append((demo.email, password))
        result.count("users")

    session.commit()
    return result

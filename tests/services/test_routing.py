"""Routing real ZIP codes and counties to the SAMPLE access points of the demo data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zipcodes
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from extensions import db
from intake_forms import DECLINE, DONT_KNOW
from models import AccessPoint, AccessPointKind, Kiosk
from services import routing
from services.demo import load_demo
from services.routing import (
    HouseholdProfile,
    great_circle_miles,
    lookup_zip,
    normalize_county_name,
    resolve_location,
    route,
)

ADULT = HouseholdProfile(frozenset({"single_adults"}))
YOUTH = HouseholdProfile(frozenset({"single_adults", "youth"}))
VETERAN = HouseholdProfile(frozenset({"single_adults", "veterans"}))


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        load_demo(db.session, users=False)
        yield db.session  # type: ignore[misc]


def ap(session: Session, slug: str) -> AccessPoint:
    return session.scalars(select(AccessPoint).where(AccessPoint.slug == slug)).one()


def routed(
    session: Session,
    code: str | None,
    *,
    household: HouseholdProfile = ADULT,
    confidential: bool = False,
    kiosk: int | None = None,
) -> routing.RoutingResult:
    location = resolve_location(session, code)
    return route(
        session,
        location,
        confidential=confidential,
        kiosk_access_point_id=kiosk,
        household=household,
    )


# -- pure helpers ----------------------------------------------------------------------------


def test_haversine_hays_to_lawrence() -> None:
    hays, lawrence = lookup_zip("67601"), lookup_zip("66044")
    assert hays and lawrence and hays.lat and hays.lon and lawrence.lat and lawrence.lon
    miles = great_circle_miles(lat1=hays.lat, lon1=hays.lon, lat2=lawrence.lat, lon2=lawrence.lon)
    assert miles == pytest.approx(221.8, abs=0.1)
    # zipcodes takes LONGITUDE first; our helper agrees with it when called that way.
    assert miles == pytest.approx(zipcodes.haversine(hays.lon, hays.lat, lawrence.lon, lawrence.lat))


@pytest.mark.parametrize(
    ("zip_code", "state", "county", "city"),
    [
        ("67601", "KS", "Ellis County", "Hays"),
        ("67601-1234", "KS", "Ellis County", "Hays"),
        ("66044", "KS", "Douglas County", "Lawrence"),
        ("67202", "KS", "Sedgwick County", "Wichita"),
        ("64106", "MO", "Jackson County", "Kansas City"),
        ("66630", "KS", "Shawnee County", "Topeka"),  # the record has no county; the city's is used
    ],
)
def test_lookup_zip(zip_code: str, state: str, county: str, city: str) -> None:
    info = lookup_zip(zip_code)
    assert info is not None
    assert (info.state, info.county, info.city) == (state, county, city)
    assert isinstance(info.lat, float) and isinstance(info.lon, float)
    assert info.timezone == "America/Chicago"


@pytest.mark.parametrize("zip_code", ["00000", "6760", "abcde", "", "676011"])
def test_lookup_zip_unknown(zip_code: str) -> None:
    assert lookup_zip(zip_code) is None


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Ellis County", "ellis"),
        ("  ELLIS  ", "ellis"),
        ("Condado de Ford", "ford"),
        ("condado Sedgwick", "sedgwick"),
        ("McPherson Co.", "mcpherson"),
        ("Doñiphan", "doniphan"),
    ],
)
def test_normalize_county_name(raw: str, normalized: str) -> None:
    assert normalize_county_name(raw) == normalized


# -- locations -------------------------------------------------------------------------------


def test_resolve_zip(session: Session) -> None:
    location = resolve_location(session, "zip:67601")
    assert location.known and location.county is not None
    assert (location.county.fips, location.zip, location.state) == ("20051", "67601", "KS")
    assert location.lat == pytest.approx(38.8782)


@pytest.mark.parametrize("code", ["county:ellis", "county:Ellis County", "county:condado de ellis"])
def test_resolve_county_uses_its_centroid(session: Session, code: str) -> None:
    location = resolve_location(session, code)
    assert location.known and location.county is not None and location.county.fips == "20051"
    assert location.lat is not None and location.lon is not None
    assert 38.6 < location.lat < 39.2 and -99.7 < location.lon < -99.0


@pytest.mark.parametrize("code", [None, "", DECLINE, DONT_KNOW, "county:atlantis", "zip:00000", "what:ever"])
def test_unknown_locations(session: Session, code: str | None) -> None:
    assert not resolve_location(session, code).known


# -- routing ---------------------------------------------------------------------------------


def test_hays_goes_to_hays(session: Session) -> None:
    result = routed(session, "zip:67601")
    assert result.access_point is not None and result.access_point.slug == "sample-hays"
    assert result.reason == routing.NEAREST
    assert result.out_of_area is False and result.out_of_area_coc is None
    assert result.coc is not None and result.coc.code == "KS-507"
    assert result.distance_miles is not None and result.distance_miles < 5


def test_lawrence_goes_to_lawrence_not_the_remote_access_point(session: Session) -> None:
    result = routed(session, "zip:66044")
    assert result.access_point is not None and result.access_point.slug == "sample-lawrence"


def test_county_name_routes_like_its_zip(session: Session) -> None:
    result = routed(session, "county:Ford")
    assert result.access_point is not None and result.access_point.slug == "sample-dodge-city"


def test_wichita_is_out_of_area_and_queued_at_the_remote_access_point(session: Session) -> None:
    result = routed(session, "zip:67202")
    assert result.out_of_area is True
    assert result.out_of_area_coc is not None and result.out_of_area_coc.code == "KS-502"
    assert result.out_of_area_coc.phone == "211" and result.out_of_area_coc.is_fallback
    assert result.access_point is not None and result.access_point.slug == "kshc-remote"
    assert result.coc is not None and result.coc.code == "KS-507"
    assert result.reason == routing.OUT_OF_AREA


def test_out_of_area_at_a_kiosk_stays_at_the_kiosk(session: Session) -> None:
    kiosk = session.scalars(select(Kiosk)).one()
    result = routed(session, "zip:67202", kiosk=kiosk.access_point_id)
    assert result.out_of_area is True
    assert result.access_point is not None and result.access_point.id == kiosk.access_point_id


def test_olathe_is_johnson_county_coc(session: Session) -> None:
    result = routed(session, "zip:66061")
    assert result.out_of_area is True
    assert result.out_of_area_coc is not None and result.out_of_area_coc.code == "KS-505"
    assert result.access_point is not None and result.access_point.slug == "kshc-remote"


def test_wyandotte_county_is_the_bistate_coc(session: Session) -> None:
    result = routed(session, "county:wyandotte")
    assert result.out_of_area_coc is not None and result.out_of_area_coc.code == "MO-604"


@pytest.mark.parametrize("code", ["zip:64106", "zip:10001"])
def test_zip_outside_kansas_is_out_of_area_with_unknown_coc(session: Session, code: str) -> None:
    result = routed(session, code)
    assert result.out_of_area is True
    assert result.out_of_area_coc is routing.UNKNOWN_COC
    assert result.out_of_area_coc.code is None and result.out_of_area_coc.phone == "211"
    assert result.access_point is not None and result.access_point.slug == "kshc-remote"


def test_unknown_zip_falls_back_without_turning_anyone_away(session: Session) -> None:
    result = routed(session, "zip:00000")
    assert result.reason == routing.NO_LOCATION
    assert result.out_of_area is False
    assert result.access_point is not None and result.access_point.slug == "kshc-remote"


def test_no_location_at_a_kiosk_is_the_kiosk(session: Session) -> None:
    kiosk = session.scalars(select(Kiosk)).one()
    result = routed(session, DECLINE, kiosk=kiosk.access_point_id)
    assert result.reason == routing.KIOSK_DEFAULT
    assert result.access_point is not None and result.access_point.id == kiosk.access_point_id


def test_confidential_goes_only_to_the_victim_service_provider(session: Session) -> None:
    for code in ["zip:66044", "zip:67601", "zip:67202", None]:
        result = routed(session, code, confidential=True)
        assert result.access_point is not None
        assert result.access_point.kind == AccessPointKind.VSP, code
        assert result.reason == routing.CONFIDENTIAL_VSP


def test_confidential_without_a_vsp_goes_to_the_remote_access_point(session: Session) -> None:
    ap(session, "sample-vsp").active = False
    session.flush()
    result = routed(session, "zip:67601", confidential=True)
    assert result.access_point is not None and result.access_point.slug == "kshc-remote"
    assert result.reason == routing.CONFIDENTIAL_REMOTE


def test_youth_only_access_point_is_not_for_a_40_year_old(session: Session) -> None:
    adult = routed(session, "zip:66502")  # Manhattan, where the youth drop-in centre is
    assert adult.access_point is not None and adult.access_point.slug != "sample-manhattan"
    youth = routed(session, "zip:66502", household=YOUTH)
    assert youth.access_point is not None and youth.access_point.slug == "sample-manhattan"


def test_veterans_access_point_serves_veterans_only(session: Session) -> None:
    assert routed(session, "zip:67501", household=VETERAN).access_point.slug == (  # type: ignore[union-attr]
        "sample-hutchinson"
    )
    assert routed(session, "zip:67501").access_point.slug != "sample-hutchinson"  # type: ignore[union-attr]


def test_inactive_access_point_is_never_chosen(session: Session) -> None:
    ap(session, "sample-hays").active = False
    session.flush()
    result = routed(session, "zip:67601")
    assert result.access_point is not None and result.access_point.slug != "sample-hays"
    assert result.access_point.active


def test_somebody_always_gets_a_place(session: Session) -> None:
    for access_point in session.scalars(select(AccessPoint)):
        access_point.active = access_point.slug == "sample-manhattan"  # youth only
    session.flush()
    result = routed(session, "zip:67601")
    assert result.access_point is not None and result.access_point.slug == "sample-manhattan"
    assert result.reason == routing.NEAREST_ANY_POPULATION


def test_household_profile_from_answers() -> None:
    assert HouseholdProfile.from_answers({"age_band": "25_54", "adults": "1"}).populations == {
        "single_adults"
    }
    assert HouseholdProfile.from_answers(
        {"age_band": "18_24", "adults": "1", "children": "2", "veteran": "1"}, "es"
    ) == HouseholdProfile(frozenset({"families", "youth", "veterans"}), "es")
    assert "youth" not in HouseholdProfile.from_answers({"age_band": "18_24", "adults": "3"}).populations
    assert "youth" in HouseholdProfile.from_answers({"age_band": "under18"}).populations


def test_coc_contact_for_code(session: Session) -> None:
    assert routing.coc_contact_for_code(None) is routing.UNKNOWN_COC
    from_csv = routing.coc_contact_for_code("KS-503")
    assert from_csv.name == "Topeka/Shawnee County CoC" and from_csv.phone == "211"
    from_db = routing.coc_contact_for_code("KS-503", session)
    assert from_db == from_csv
    assert routing.coc_contact_for_code("XX-999").phone == "211"


@pytest.mark.parametrize(("code", "shown"), [
    ("zip:67601", "67601 (Hays, Ellis County, KS)"),
    ("zip:66044", "66044 (Lawrence, Douglas County, KS)"),
    ("zip:00000", "00000"),
    ("county:ellis", "Ellis County"),
    ("county:ellis county", "Ellis County"),
    (DECLINE, DECLINE),
])
def test_describe_location_for_staff(code: str, shown: str) -> None:
    assert routing.describe_location(code) == shown

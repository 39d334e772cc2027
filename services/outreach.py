"""Assisted and street-outreach intake: who may assist, where a household was met, the contact log.

Who may start an intake with a household: staff, outreach workers and coordinators (admins run the
system and victim service provider staff work confidential referrals; neither walks new intakes
here). Where an outreach worker met someone is identifying (it is where a person sleeps): it is
kept encrypted, a browser position only rounded to about 100 m, and it is never sent anywhere.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import Channel, County, Intake, IntakeStatus, Role, User
from models.base import utcnow
from models.outreach import ContactResult, OutreachContact
from services import intake as intakes
from services import regions
from services.pii import current_cipher
from services.routing import DbSession as Session

#: Roles that may start an intake with a household (Channel.ASSISTED).
ASSISTING_ROLES = frozenset({Role.STAFF, Role.OUTREACH, Role.COORDINATOR})
#: Roles that may log contacts and record where a household was met.
OUTREACH_ROLES = frozenset({Role.OUTREACH, Role.COORDINATOR})
#: Decimal places kept of a browser position: 0.001 degree is about 111 m north-south.
POSITION_DECIMALS = 3
#: The longest typed place (cross streets) kept.
MAX_PLACE = 120
#: The Permissions-Policy of pages that may read this device's location (after consent and a tap).
GEOLOCATION_POLICY = "camera=(), microphone=(), geolocation=(self)"
#: Most people logged in one contact.
MAX_PEOPLE = 50

_FIPS = re.compile(r"^20\d{3}$")  # a Kansas county
#: A one-time submission key as a page carries it (new_submission_key makes 32 such characters).
_SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def N_(msgid: str) -> str:
    """Mark a message for extraction; the pages translate it when they show it."""
    return msgid


#: What each OutreachError code tells the worker.
ERRORS = {
    "position": N_("That location could not be read. Choose the county instead."),
    "place_long": N_("Please keep the place short (cross streets or a landmark)."),
    "county": N_("Please choose the county where you met."),
    "where_empty": N_("Please choose the county, type cross streets, or share the location."),
    "people": N_("Please enter how many people you met (1 to 50)."),
    "date": N_("Please choose a date within the last month."),
    "result": N_("Please choose what happened."),
    "used_key": N_("This form was already sent. Open the page again to log another contact."),
}


class OutreachError(ValueError):
    """Input that cannot be kept as it is; ``code`` names the kind message to show."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def may_assist(user: Any) -> bool:
    """Tell whether this signed-in person may start an intake with a household."""
    return getattr(user, "role", None) in ASSISTING_ROLES and bool(getattr(user, "active", False))


def does_outreach(user: Any) -> bool:
    return getattr(user, "role", None) in OUTREACH_ROLES and bool(getattr(user, "active", False))


def rounded_position(latitude: str | float, longitude: str | float) -> str:
    """Return a browser position rounded to about 100 m as "lat,lon" text, or raise OutreachError."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise OutreachError("position") from None
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise OutreachError("position")
    places = POSITION_DECIMALS
    return f"{round(lat, places):.{places}f},{round(lon, places):.{places}f}"


def clean_place(text: str | None) -> str | None:
    """Return typed cross streets trimmed to one line, or None when nothing was typed."""
    words = " ".join((text or "").split())
    if not words:
        return None
    if len(words) > MAX_PLACE:
        raise OutreachError("place_long")
    return words


def county_of(position: str | None) -> str | None:
    """Return the county of a rounded "lat,lon" position, found in the shipped shapes (never online)."""
    if not position:
        return None
    lat, lon = (float(part) for part in position.split(","))
    return regions.county_at(lon, lat)


def clean_county(fips: str | None) -> str | None:
    value = (fips or "").strip()
    if not value:
        return None
    if not _FIPS.match(value):
        raise OutreachError("county")
    return value


def record_met_where(session: Session, intake: Intake, *, county_fips: str | None = None,
                     place: str | None = None, latitude: str | None = None,
                     longitude: str | None = None) -> None:
    """Keep where the household was met on its intake: encrypted position or place, plain county.

    A position is kept only when both coordinates came (the worker tapped, the household agreed);
    it is rounded before it is encrypted, so the exact point is never stored.
    """
    county = clean_county(county_fips)
    typed = clean_place(place)
    position = rounded_position(latitude, longitude) if latitude and longitude else None
    if not (county or typed or position):
        raise OutreachError("where_empty")
    county = county or county_of(position)
    where = "; ".join(part for part in (position, typed) if part)
    intake.met_where_enc = current_cipher().encrypt(where) if where else None
    intake.met_county_fips = county
    session.commit()


def met_where(intake: Intake) -> str | None:
    """Return the decrypted place an intake's household was met, if any (for its staff page)."""
    if intake.met_where_enc is None:
        return None
    return current_cipher().decrypt(intake.met_where_enc)


def new_submission_key() -> str:
    """Return a fresh one-time key for a form that must not be kept twice (put in the page)."""
    return secrets.token_urlsafe(24)


def submission_key(value: str | None) -> str | None:
    """Return a posted one-time key if it is well formed, else None (a page from before keys)."""
    text = (value or "").strip()
    return text if _SUBMISSION_KEY.match(text) else None


def _contact_with_key(session: Session, user: User, key: str) -> OutreachContact | None:
    contact = session.scalar(select(OutreachContact).where(OutreachContact.submission_key == key))
    if contact is not None and contact.user_id != user.id:
        raise OutreachError("used_key")
    return contact


def log_contact(session: Session, user: User, *, met_on: date, county_fips: str | None, people: int,
                language: str, result: str, place: str | None = None,
                latitude: str | None = None, longitude: str | None = None,
                key: str | None = None) -> OutreachContact:
    """Log people met who do not want an intake yet: counts and a place, never a name.

    ``key`` is the form's one-time submission key: the same form sent again (a "Try again" after
    the answer was lost on the way back, or two sends at once) returns the contact it logged.
    """
    key = submission_key(key)
    if key is not None and (earlier := _contact_with_key(session, user, key)) is not None:
        return earlier
    if not 1 <= people <= MAX_PEOPLE:
        raise OutreachError("people")
    if met_on > utcnow().date() + timedelta(days=1) or met_on < utcnow().date() - timedelta(days=31):
        raise OutreachError("date")
    try:
        outcome = ContactResult(result)
    except ValueError:
        raise OutreachError("result") from None
    county = clean_county(county_fips)
    typed = clean_place(place)
    position = rounded_position(latitude, longitude) if latitude and longitude else None
    county = county or county_of(position)
    if county is None:
        raise OutreachError("county")
    where = "; ".join(part for part in (position, typed) if part)
    contact = OutreachContact(user_id=user.id, region_id=user.region_id, met_on=met_on, county_fips=county,
                              place_enc=current_cipher().encrypt(where) if where else None, people=people,
                              language=language, result=outcome, submission_key=key)
    session.add(contact)
    try:
        session.commit()
    except IntegrityError:  # the same form, sent twice at once: the other send logged it
        session.rollback()
        earlier = _contact_with_key(session, user, key) if key is not None else None
        if earlier is None:
            raise
        return earlier
    return contact


def start_with_household(session: Session, user: User, *, language: str, key: str | None) -> Intake:
    """Start an assisted intake walked by ``user``, once per start page.

    ``key`` is the start page's one-time submission key: that page sent again (its answer was lost
    on the way back) finds the intake it started, still in progress, instead of starting another.
    A key already used otherwise (a page kept open after that intake ended) starts a fresh intake.
    """
    key = submission_key(key)
    if key is not None:
        earlier = _intake_with_key(session, key)
        if earlier is not None:
            if earlier.assisted_by_id == user.id and earlier.status == IntakeStatus.IN_PROGRESS:
                return earlier
            key = None
    try:
        return intakes.start_intake(session, channel=Channel.ASSISTED, language=language,
                                    assisted_by_id=user.id, start_key=key)
    except IntegrityError:  # the same page, sent twice at once: the other send started it
        session.rollback()
        earlier = _intake_with_key(session, key) if key is not None else None
        if earlier is None or earlier.assisted_by_id != user.id:
            raise
        return earlier


def _intake_with_key(session: Session, key: str) -> Intake | None:
    return session.scalar(select(Intake).where(Intake.start_key == key))


def contacts_of(session: Session, user: User, limit: int = 20) -> list[OutreachContact]:
    """Return this worker's latest contacts."""
    return list(session.scalars(select(OutreachContact).where(OutreachContact.user_id == user.id)
                                .order_by(OutreachContact.met_on.desc(), OutreachContact.id.desc()).limit(limit)))


def started_by(session: Session, user: User, limit: int = 50) -> list[Intake]:
    """Return the submitted intakes this person walked with a household, newest first."""
    return list(session.scalars(select(Intake).where(Intake.assisted_by_id == user.id,
                                                     Intake.status == IntakeStatus.SUBMITTED)
                                .order_by(Intake.submitted_at.desc()).limit(limit)))


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Return the UTC datetimes from the start of ``start`` to the end of ``end``."""
    return (datetime.combine(start, time.min, tzinfo=UTC),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC))


# -- the outreach map ----------------------------------------------------------------------------

#: Counts below this are shown as "fewer than 5", never as a number (small cells can name people).
SMALLEST_SHOWN = 5
#: The longest date range the map covers.
MAX_RANGE = timedelta(days=366)


@dataclass(frozen=True)
class CountyCount:
    """One county's outreach over a date range: people met (contacts) and outreach intakes."""

    fips: str
    name: str
    contacts: int
    intakes: int

    @property
    def total(self) -> int:
        return self.contacts + self.intakes

    @property
    def total_shown(self) -> int | None:
        """The total as a number only when both parts are: else the total minus the part shown
        would give the hidden small count away."""
        if shown(self.contacts) is None or shown(self.intakes) is None:
            return None
        return self.total


def shown(count: int) -> int | None:
    """Return a count as it may be shown, or None for "fewer than 5"."""
    return count if count >= SMALLEST_SHOWN else None


def band(count: int) -> int:
    """Return the map shade of a county's total: 0 none, 1 fewer than 5, 2 5-19, 3 20 or more."""
    if count == 0:
        return 0
    if count < SMALLEST_SHOWN:
        return 1
    return 2 if count < 20 else 3


def county_counts(session: Session, region_id: int, start: date, end: date) -> list[CountyCount]:
    """Count unsheltered contacts (people) and outreach intakes per county of a region, start..end.

    Only aggregate counts: never a position or a place. Confidential intakes are never counted.
    An outreach intake is an assisted intake with the county where the household was met.
    """
    counties = {c.fips: c.name for c in session.scalars(select(County).where(County.region_id == region_id))}
    if not counties:
        return []
    people: dict[str, int] = dict(session.execute(  # type: ignore[arg-type]
        select(OutreachContact.county_fips, func.sum(OutreachContact.people))
        .where(OutreachContact.county_fips.in_(sorted(counties)), OutreachContact.met_on >= start,
               OutreachContact.met_on <= end)
        .group_by(OutreachContact.county_fips)).all())
    low, high = day_bounds(start, end)
    intakes: dict[str, int] = dict(session.execute(  # type: ignore[arg-type]
        select(Intake.met_county_fips, func.count(Intake.id))
        .where(Intake.met_county_fips.in_(sorted(counties)), Intake.channel == Channel.ASSISTED,
               Intake.status == IntakeStatus.SUBMITTED, Intake.confidential.is_(False),
               Intake.submitted_at >= low, Intake.submitted_at < high)
        .group_by(Intake.met_county_fips)).all())
    rows = [CountyCount(fips, counties[fips], int(people.get(fips) or 0), int(intakes.get(fips) or 0))
            for fips in counties]
    return sorted((r for r in rows if r.total), key=lambda r: (-r.total, r.name))


def county_choices(session: Session) -> list[tuple[str, str]]:
    """Return (FIPS, name) of every county we know, by name."""
    return [(c.fips, c.name) for c in session.scalars(select(County).order_by(County.name))]


def region_counties(session: Session, region_id: int) -> list[tuple[str, str]]:
    return [(c.fips, c.name) for c in session.scalars(select(County).where(County.region_id == region_id)
                                                       .order_by(County.name))]

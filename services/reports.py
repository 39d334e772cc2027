"""The aggregate queries behind every report: the dashboard and the case-conferencing list.

Every figure is counted by the database (``GROUP BY``, ``count``, percentiles) and only the
aggregates come back; no intake rows are loaded into Python for a figure.

Who sees which scope (anything else answers 404 in the views, as ``NotFound``):

- **admins**: the CoC, any region, any access point;
- **coordinators**: their region and its access points;
- **staff**: their access points; **victim service provider staff**: their own access points.

Privacy in numbers:

- counts that involve confidential (victim service provider) intakes are never broken down below
  the region: an access point report and the county map leave confidential intakes out (except
  for the victim service provider's own staff looking at their own access point, who hold them);
- any count from 1 to 4 is replaced by ``None`` here, before it reaches a page, a chart or a
  download, and shown as "fewer than 5"; a share or a median drawn from fewer than 5 intakes is
  withheld the same way. Zero is shown: it describes nobody.
- no names: the case-conferencing list names the staff member holding an intake, never a household.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, func, or_, select
from sqlalchemy import cast as sa_cast
from sqlalchemy.sql.elements import ColumnElement

from models import AccessPoint, EventKind, Intake, IntakeEvent, IntakeStatus, Region, Role, User
from models.base import utcnow

from .queue import NotFound
from .routing import DbSession, home_coc

#: Cells below this are shown as "fewer than 5".
SMALL = 5
#: The percentiles of the waiting times.
PERCENTILES: tuple[float, ...] = (0.5, 0.9)
#: A report covers at most this many days (a year and a day, for leap years).
MAX_DAYS = 366
#: Staff actions that count as contacting the household.
CONTACT_KINDS: tuple[EventKind, ...] = (EventKind.CONTACT_ATTEMPT, EventKind.SMS_SENT)


def shown(count: int) -> int | None:
    """Return ``count``, or None when it is a small cell (1 to 4) that must not be shown."""
    return None if 0 < count < SMALL else count


# -- scope -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """What a report counts: the CoC, a region or an access point."""

    kind: str  # "coc", "region", "access_point"
    key: str  # as in the URL: "coc", "region-3", "ap-<slug>"
    label: str
    region_id: int | None = None
    access_point_id: int | None = None
    # Whether confidential intakes are counted (never below the region, except for their VSP).
    include_confidential: bool = True
    confidential_only: bool = False


def scopes_for(session: DbSession, user: User) -> list[ReportScope]:
    """Return the scopes ``user`` may report on, widest first."""
    scopes: list[ReportScope] = []
    home = home_coc(session)
    if user.role is Role.ADMIN and home is not None:
        scopes.append(ReportScope("coc", "coc", f"{home.code} {home.name}"))
    regions: Sequence[Region] = ()
    if user.role is Role.ADMIN and home is not None:
        regions = session.scalars(select(Region).where(Region.coc_id == home.id).order_by(Region.number)).all()
    elif user.role is Role.COORDINATOR and user.region is not None:
        regions = [user.region]
    scopes += [ReportScope("region", f"region-{r.number}", f"{r.number}. {r.name}", region_id=r.id) for r in regions]
    if user.role is Role.ADMIN:
        aps: Iterable[AccessPoint] = session.scalars(select(AccessPoint).order_by(AccessPoint.name))
    elif user.role is Role.COORDINATOR:
        aps = session.scalars(select(AccessPoint).where(AccessPoint.region_id == (user.region_id or -1))
                              .order_by(AccessPoint.name))
    else:
        aps = sorted(user.access_points, key=lambda ap: ap.name)
    vsp = user.role is Role.VSP_STAFF
    own = {ap.id for ap in user.access_points}
    for ap in aps:
        scopes.append(ReportScope("access_point", f"ap-{ap.slug}", ap.name, access_point_id=ap.id,
                                  include_confidential=vsp and ap.id in own, confidential_only=vsp))
    return scopes


def resolve_scope(session: DbSession, user: User, key: str | None) -> ReportScope:
    """Return the scope named ``key`` (or the widest) if ``user`` may see it; raise ``NotFound``."""
    scopes = scopes_for(session, user)
    if not scopes:
        raise NotFound(key or "")
    if not key:
        return scopes[0]
    for scope in scopes:
        if scope.key == key:
            return scope
    raise NotFound(key)


def _in_scope(scope: ReportScope) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Intake.status == IntakeStatus.SUBMITTED]
    if scope.kind == "region":
        conditions.append(Intake.routed_access_point_id.in_(
            select(AccessPoint.id).where(AccessPoint.region_id == scope.region_id).scalar_subquery()))
    elif scope.kind == "access_point":
        conditions.append(Intake.routed_access_point_id == scope.access_point_id)
    if not scope.include_confidential:
        conditions.append(Intake.confidential.is_(False))
    if scope.confidential_only:
        conditions.append(Intake.confidential.is_(True))
    return conditions


# -- dates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # inclusive
    zone: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """Return the range as aware UTC instants: local midnight of ``start`` to after ``end``."""
        tz = ZoneInfo(self.zone)
        first = datetime.combine(self.start, time(), tz)
        after = datetime.combine(self.end + timedelta(days=1), time(), tz)
        return first.astimezone(ZoneInfo("UTC")), after.astimezone(ZoneInfo("UTC"))


def default_range(zone: str, days: int = 30) -> DateRange:
    """Return the last ``days`` days up to today (local), the dashboard's first view."""
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    return DateRange(today - timedelta(days=days - 1), today, zone)


def parse_range(start: str | None, end: str | None, zone: str) -> tuple[DateRange, str | None]:
    """Read two ISO dates; return the range and None, or the default range and a problem code.

    Codes: "date" (not a date), "order" (start after end), "long" (over ``MAX_DAYS``).
    """
    if not start and not end:
        return default_range(zone), None
    try:
        first, last = date.fromisoformat((start or "").strip()), date.fromisoformat((end or "").strip())
    except ValueError:
        return default_range(zone), "date"
    if first > last:
        return default_range(zone), "order"
    if (last - first).days + 1 > MAX_DAYS:
        return default_range(zone), "long"
    return DateRange(first, last, zone), None


# -- durations and percentiles ----------------------------------------------------------------


def duration_seconds(session: DbSession, start: Any, end: Any) -> ColumnElement[float]:
    """SQL: the time from ``start`` to ``end`` in seconds, as the dashboard counts it.

    Wall time for now; the one place to switch to business hours.
    """
    if session.get_bind().dialect.name == "postgresql":
        return cast(ColumnElement[float], func.extract("epoch", end - start))
    return (func.julianday(end) - func.julianday(start)) * 86400.0


@dataclass(frozen=True)
class Timing:
    """Percentiles of a waiting time, in seconds (None when fewer than 5 intakes count)."""

    count: int | None
    median: float | None
    p90: float | None


def percentiles(session: DbSession, durations: Select[Any], fractions: Sequence[float] = PERCENTILES
                ) -> tuple[int, list[float | None]]:
    """Return (how many, [the continuous percentile for each fraction]) of a one-column select.

    PostgreSQL computes them with ``percentile_cont``. SQLite has no percentile function, so the
    same definition is computed portably: number the values in order with a window function, and
    keep only the (at most two) rows on either side of position ``fraction * (n - 1)``; the
    database returns those rows alone and they are interpolated linearly here, which is exactly
    what ``percentile_cont`` does.
    """
    sub = durations.subquery()
    value = sub.c[0]
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(select(func.count(value), *[
            func.percentile_cont(f).within_group(value) for f in fractions])).one()
        return int(row[0]), [None if v is None else float(v) for v in row[1:]]
    ranked = select(value.label("v"), (func.row_number().over(order_by=value) - 1).label("rn"),
                    func.count().over().label("n")).where(value.is_not(None)).subquery()
    # One pass: the rows at floor(f * (n - 1)) and the next one, for every fraction f.
    wanted = []
    for fraction in fractions:
        floor_at = cast_int(fraction * (ranked.c.n - 1))
        wanted += [ranked.c.rn == floor_at, ranked.c.rn == floor_at + 1]
    rows = session.execute(select(ranked.c.rn, ranked.c.v, ranked.c.n).where(or_(*wanted))).all()
    if not rows:
        return 0, [None for _ in fractions]
    total = int(rows[0][2])
    at = {int(rn): float(v) for rn, v, _ in rows}
    results: list[float | None] = []
    for fraction in fractions:
        position = fraction * (total - 1)
        low = math.floor(position)
        below, above = at[low], at[min(low + 1, total - 1)]
        results.append(below + (above - below) * (position - low))
    return total, results


def cast_int(value: Any) -> ColumnElement[int]:
    """SQL: a non-negative number rounded down to an integer (what CAST does to it in SQLite)."""
    return sa_cast(value, Integer)


# -- the dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a table: a code (translated by the page) and its count (None: fewer than 5)."""

    code: str
    count: int | None


@dataclass(frozen=True)
class Dashboard:
    scope: ReportScope
    dates: DateRange
    total: int | None
    by_day: tuple[Row, ...]  # code: ISO date, every day of the range
    by_channel: tuple[Row, ...]
    by_track: tuple[Row, ...]
    by_category: tuple[Row, ...]  # code: HUD homeless category number, or "unknown"
    by_language: tuple[Row, ...]
    outcomes: tuple[Row, ...]  # code: an Outcome value or "open"
    diversion: tuple[Row, ...]  # candidates, then candidates by outcome
    diversion_results: tuple[Row, ...]  # 4.20.A result of diverted intakes: "1", "0", "99"
    flags: tuple[Row, ...]  # out_of_area, callback_requested, diversion_candidate
    out_of_area_share: float | None  # 0..1
    to_claim: Timing
    to_contact: Timing
    by_county: tuple[Row, ...]  # code: county FIPS (confidential intakes never counted)


def _grouped(session: DbSession, column: Any, where: list[ColumnElement[bool]]) -> dict[Any, int]:
    rows = session.execute(select(column, func.count()).where(*where).group_by(column)).all()
    return {key: int(n) for key, n in rows}


def _rows(counts: dict[Any, int], codes: Iterable[str] | None = None) -> tuple[Row, ...]:
    keys = list(codes) if codes is not None else sorted(counts, key=lambda k: (-counts[k], str(k)))
    return tuple(Row(str(key), shown(counts.get(key, 0))) for key in keys)


def _local_day(session: DbSession, column: Any, dates: DateRange) -> ColumnElement[Any]:
    """SQL: the local calendar day of a UTC instant, as ISO text.

    PostgreSQL converts with the time zone rules; SQLite (tests, small installs) applies the zone's
    offset at the start of the range, which is an hour off across a daylight saving change.
    """
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(dates.zone, column), "YYYY-MM-DD")
    offset = datetime.combine(dates.start, time(12), ZoneInfo(dates.zone)).utcoffset() or timedelta()
    return func.date(column, f"{int(offset.total_seconds())} seconds")


def _timing(session: DbSession, where: list[ColumnElement[bool]], kinds: Sequence[EventKind],
            since: datetime) -> Timing:
    # The first such event of each intake, grouped in the database. Nothing happens to an intake
    # before it is submitted, so only events since the range began are read (a range of
    # ix_intake_events_kind_created_at_intake_id), then joined to the intakes in scope.
    first = (select(IntakeEvent.intake_id, func.min(IntakeEvent.created_at).label("at"))
             .where(IntakeEvent.kind.in_([k.value for k in kinds]), IntakeEvent.created_at >= since)
             .group_by(IntakeEvent.intake_id).subquery())
    durations = (select(duration_seconds(session, Intake.submitted_at, first.c.at).label("seconds"))
                 .join(first, first.c.intake_id == Intake.id).where(*where))
    count, (median, p90) = percentiles(session, durations)
    if count < SMALL:
        return Timing(shown(count), None, None)
    return Timing(count, median, p90)


def dashboard(session: DbSession, scope: ReportScope, dates: DateRange) -> Dashboard:
    """Count everything the dashboard shows for ``scope`` over ``dates``."""
    first, after = dates.bounds()
    where = [*_in_scope(scope), Intake.submitted_at >= first, Intake.submitted_at < after]
    days = _grouped(session, _local_day(session, Intake.submitted_at, dates), where)
    every_day = [(dates.start + timedelta(days=n)).isoformat() for n in range(dates.days)]
    # One scan for every breakdown by an attribute of the intake: the database groups by all of
    # them together (a few thousand groups at most, whatever the number of intakes) and each
    # breakdown is the sum of those groups; the covering index ix_intakes_report keeps it to the index.
    dims = (Intake.channel, func.coalesce(Intake.track, "unknown"), Intake.homeless_category, Intake.language,
            func.coalesce(Intake.outcome, "open"), Intake.diversion_candidate, Intake.out_of_area,
            Intake.callback_requested)
    channels: Counter[Any] = Counter()
    tracks: Counter[Any] = Counter()
    categories: Counter[Any] = Counter()
    languages: Counter[Any] = Counter()
    outcomes: Counter[Any] = Counter()
    candidates: Counter[Any] = Counter()
    out_of_area = callbacks = diversion_candidates = total = 0
    for channel, track, category, language, outcome, candidate, away, callback, n in session.execute(
            select(*dims, func.count()).where(*where).group_by(*dims)).all():
        channels[str(channel)] += n
        tracks[str(track)] += n
        categories[category] += n
        languages[language] += n
        outcomes[outcome] += n
        total += n
        if candidate:
            candidates[outcome] += n
            diversion_candidates += n
        out_of_area += n if away else 0
        callbacks += n if callback else 0
    result = IntakeEvent.data["prob_sol_div_rr_result"].as_integer()
    results: dict[int, int] = dict(session.execute(
        select(result, func.count()).join(Intake, Intake.id == IntakeEvent.intake_id)
        .where(*where, IntakeEvent.kind == EventKind.OUTCOME.value, Intake.outcome == "diverted",
               result.is_not(None))
        .group_by(result)).all())
    county_where = [*where, Intake.county_fips.is_not(None)]
    if scope.include_confidential:
        county_where.append(Intake.confidential.is_(False))
    counties = _grouped(session, Intake.county_fips, county_where)
    candidate_total = sum(candidates.values())
    return Dashboard(
        scope=scope,
        dates=dates,
        total=shown(total),
        by_day=_rows(days, every_day),
        by_channel=_rows(channels, ["kiosk", "web", "sms", "voice"]),
        by_track=_rows(tracks, ["homeless", "prevention", *(["unknown"] if "unknown" in tracks else [])]),
        by_category=tuple(Row("unknown" if k is None else str(k), shown(n))
                          for k, n in sorted(categories.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))),
        by_language=_rows(languages),
        outcomes=_rows(outcomes, ["open", "assessed_in_hmis", "diverted", "referred_elsewhere",
                                  "unable_to_contact", "declined", "duplicate"]),
        diversion=(Row("candidates", shown(candidate_total)),
                   *_rows(candidates, ["open", "diverted", "assessed_in_hmis", "referred_elsewhere",
                                       "unable_to_contact", "declined", "duplicate"])),
        diversion_results=tuple(Row(str(k), shown(int(results.get(k, 0)))) for k in (1, 0, 99)),
        flags=(Row("out_of_area", shown(out_of_area)), Row("callback_requested", shown(callbacks)),
               Row("diversion_candidate", shown(diversion_candidates))),
        out_of_area_share=(out_of_area / total) if total >= SMALL and shown(out_of_area) is not None else None,
        to_claim=_timing(session, where, (EventKind.CLAIMED,), first),
        to_contact=_timing(session, where, CONTACT_KINDS, first),
        by_county=_rows(counties),
    )


#: The tables of the dashboard, by the name used in download URLs.
TABLES: tuple[str, ...] = ("by_day", "by_channel", "by_track", "by_category", "by_language", "outcomes",
                           "diversion", "diversion_results", "flags", "by_county")


# -- the case-conferencing list --------------------------------------------------------------


@dataclass(frozen=True)
class WaitingIntake:
    reference_code: str | None
    priority: int
    reasons: tuple[str, ...]
    track: str | None
    flags: tuple[str, ...]
    access_point: str
    submitted_at: datetime
    days_waiting: int
    held_by: str | None


@dataclass(frozen=True)
class CaseConferencing:
    scope: ReportScope
    drawn_at: datetime
    intakes: tuple[WaitingIntake, ...]
    # Confidential referrals waiting in the region: counted, never listed (None: fewer than 5).
    confidential: int | None


LIST_FLAGS: tuple[str, ...] = ("diversion_candidate", "out_of_area", "callback_requested", "possible_flood")


def case_conferencing(session: DbSession, scope: ReportScope) -> CaseConferencing:
    """List the region's open intakes waiting for assessment, most urgent then longest waiting.

    Confidential referrals are sealed as in ``services.queue.sees_details`` (nobody who may draw
    this list may see their details): they are counted, not listed.
    """
    if scope.kind != "region":
        raise NotFound(scope.key)
    now = utcnow()
    base = [*_in_scope(scope), Intake.closed_at.is_(None)]
    holder = User.display_name
    rows = session.execute(
        select(Intake.reference_code, Intake.priority, Intake.priority_reasons, Intake.track,
               Intake.diversion_candidate, Intake.out_of_area, Intake.callback_requested, Intake.possible_flood,
               AccessPoint.name, Intake.submitted_at, holder)
        .join(AccessPoint, AccessPoint.id == Intake.routed_access_point_id)
        .outerjoin(User, User.id == Intake.claimed_by_id)
        .where(*base, Intake.confidential.is_(False))
        .order_by(Intake.priority.desc(), Intake.submitted_at, Intake.id)
    ).all()
    listed: list[WaitingIntake] = []
    for code, priority, reasons, track, *flag_values, ap_name, submitted_at, held_by in rows:
        flags = tuple(name for name, on in zip(LIST_FLAGS, flag_values, strict=True) if on)
        waited = (now - submitted_at).days if submitted_at else 0
        listed.append(WaitingIntake(code, priority, tuple(reasons or ()), track.value if track else None, flags,
                                    ap_name, submitted_at, waited, held_by))
    sealed = session.scalar(select(func.count()).select_from(Intake)
                            .where(*base, Intake.confidential.is_(True))) or 0
    return CaseConferencing(scope, now, tuple(listed), shown(sealed))

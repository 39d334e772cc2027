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
- complementary suppression (``protect``): in a table whose cells add up to a total, a hidden small
  cell that subtraction from the total would give away masks the next smallest cell as well.
- no names: the case-conferencing list names the staff member holding an intake, never a household.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from models import AccessPoint, Intake, IntakeStatus, Region, Role, User, report_day_codes, report_days
from models.base import utcnow
from models.reports import CATEGORIES, CHANNELS, COUNTS, DIVERSION_RESULTS, count_column

from .queue import NotFound
from .routing import DbSession, home_coc

#: Cells below this are shown as "fewer than 5".
SMALL = 5
#: The percentiles of the waiting times.
PERCENTILES: tuple[float, ...] = (0.5, 0.9)
#: A report covers at most this many days (a year and a day, for leap years).
MAX_DAYS = 366


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


@dataclass(frozen=True)
class Timing:
    """Percentiles of a waiting time, in seconds (None when fewer than 5 intakes count)."""

    count: int | None
    median: float | None
    p90: float | None


def percentiles(session: DbSession, durations: Select[Any], fractions: Sequence[float] = PERCENTILES
                ) -> tuple[int, list[float | None]]:
    """Return (how many, [the continuous percentile for each fraction]) of a one-column select.

    The database groups the values (``GROUP BY value``: the waiting times are whole minutes, so a
    year is a few thousand groups, a hash aggregate on PostgreSQL) and the percentiles are read from
    that histogram here, by walking the running count to positions ``fraction * (n - 1)`` and the
    next one and interpolating linearly: exactly what PostgreSQL's ``percentile_cont`` does, on
    both engines (SQLite has no percentile function), without sorting every value.
    """
    sub = durations.subquery()
    value = sub.c[0]
    histogram = [(float(v), int(n)) for v, n in session.execute(
        select(value, func.count()).where(value.is_not(None)).group_by(value).order_by(value)).all()]
    total = sum(n for _, n in histogram)
    if not total:
        return 0, [None for _ in fractions]

    def at(position: int) -> float:
        seen = 0
        for v, n in histogram:
            seen += n
            if position < seen:
                return v
        return histogram[-1][0]

    results: list[float | None] = []
    for fraction in fractions:
        position = fraction * (total - 1)
        low = math.floor(position)
        below, above = at(low), at(min(low + 1, total - 1))
        results.append(below + (above - below) * (position - low))
    return total, results


# -- the dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a table: a code (translated by the page) and its count.

    ``count`` is None when it is not shown: fewer than 5, or ``masked``: a larger count hidden as
    well so that a small one cannot be worked out by subtracting the others from the total.
    """

    code: str
    count: int | None
    masked: bool = False


def _pinned(hidden: Sequence[bool], rest: int, floor: int = SMALL) -> bool:
    """Tell whether a hidden small cell can be worked out from the sum of the hidden cells.

    ``hidden`` says for each hidden cell whether it is small (1 to 4) or masked (at least
    ``floor``: 5, as every shown count is, or 0 once zeros are masked too); ``rest`` is their sum,
    what subtraction from the total leaves. A small cell is pinned when the bounds of the others
    leave it a single possible value.
    """
    for i, small in enumerate(hidden):
        if not small:
            continue
        others = [h for j, h in enumerate(hidden) if j != i]
        least = sum(1 if h else floor for h in others)
        most = sum(SMALL - 1 if h else rest for h in others)
        if min(SMALL - 1, rest - least) <= max(1, rest - most):
            return True
    return False


def protect(counts: Sequence[tuple[str, int]]) -> tuple[tuple[Row, ...], bool]:
    """Return the rows of a table whose parts add up to a total, safe from subtraction.

    Small cells are hidden; then, as long as a hidden small cell could be worked out from the total
    (exactly one hidden, or hidden ones whose sum allows one split), the smallest shown non-zero
    count is masked too. When none is left, the zeros are masked as well (a masked cell may then be
    0 or 5 and more, so the sum no longer splits one way). When there is no zero either, the
    second value says the total must be hidden.
    """
    rows = [Row(code, shown(n)) for code, n in counts]
    rest_of = sum(n for _, n in counts)
    floor = SMALL
    while True:
        hidden = [not r.masked for r in rows if r.count is None]
        if not any(hidden):
            return tuple(rows), False
        rest = rest_of - sum(r.count for r in rows if r.count is not None)
        if not _pinned(hidden, rest, floor):
            return tuple(rows), False
        left = [i for i, r in enumerate(rows) if r.count]
        if left:
            i = min(left, key=lambda k: (rows[k].count or 0, k))
            rows[i] = Row(rows[i].code, None, masked=True)
        elif floor and any(r.count == 0 for r in rows):
            rows = [Row(r.code, None, masked=True) if r.count == 0 else r for r in rows]
            floor = 0
        else:
            return tuple(rows), True


def _hide_one(rows: tuple[Row, ...]) -> tuple[Row, ...]:
    """Mask the smallest shown non-zero count of a table that has none hidden (the total is
    hidden, and a table shown whole would add up to it)."""
    if any(r.count is None for r in rows):
        return rows
    left = [i for i, r in enumerate(rows) if r.count]
    if not left:
        return rows
    i = min(left, key=lambda k: (rows[k].count or 0, k))
    return tuple(Row(r.code, None, True) if k == i else r for k, r in enumerate(rows))


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
    overdue: tuple[Row, ...] = ()  # missed_claim, missed_contact, missed_any
    overdue_share: float | None = None  # 0..1: missed their claim or contact target
    total_masked: bool = False  # the total is hidden so that no small cell can be worked out


def _ordered(counts: dict[Any, int], codes: Iterable[str] | None = None) -> list[tuple[str, int]]:
    keys = list(codes) if codes is not None else sorted(counts, key=lambda k: (-counts[k], str(k)))
    return [(str(key), int(counts.get(key, 0))) for key in keys]


def _share(part: Row, total: int, total_shown: bool) -> float | None:
    return part.count / total if total_shown and total >= SMALL and part.count is not None else None


def _timing(session: DbSession, where: list[ColumnElement[bool]], minutes: Any) -> Timing:
    # Business minutes stamped on the intake when its first claim or contact happened
    # (services.timers, the queue's own clock), read from ix_intakes_report_timings.
    count, (median, p90) = percentiles(session, select(minutes).where(*where, minutes.is_not(None)))
    if count < SMALL or median is None or p90 is None:
        return Timing(shown(count), None, None)
    return Timing(count, median * 60, p90 * 60)


def missed_targets(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """SQL: whether an intake missed its claim target, and its first-contact target, by ``now``.

    Missed when the first claim (contact) came after it was due, or has not come and the due time
    passed while the intake was open (the clock stops when it is closed), as the queue's clock says.
    """
    at = literal(now, Intake.submitted_at.type)
    claim = and_(Intake.claim_due_at.is_not(None),
                 func.coalesce(Intake.first_claimed_at, Intake.closed_at, at) > Intake.claim_due_at)
    contact = and_(Intake.contact_due_at.is_not(None),
                   func.coalesce(Intake.first_contact_at, Intake.closed_at, at) > Intake.contact_due_at)
    return claim, contact


def _summary_scope(scope: ReportScope, table: Any) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if scope.kind == "region":
        conditions.append(table.c.access_point_id.in_(
            select(AccessPoint.id).where(AccessPoint.region_id == scope.region_id).scalar_subquery()))
    elif scope.kind == "access_point":
        conditions.append(table.c.access_point_id == scope.access_point_id)
    if not scope.include_confidential:
        conditions.append(table.c.confidential.is_(False))
    if scope.confidential_only:
        conditions.append(table.c.confidential.is_(True))
    return conditions


def dashboard(session: DbSession, scope: ReportScope, dates: DateRange, now: datetime | None = None) -> Dashboard:
    """Count everything the dashboard shows for ``scope`` over ``dates`` (overdue as of ``now``).

    The counts are sums over the daily summary (``services.report_days``, kept on write by
    deltas: a group can have more than one row, or a row of zeros; a year of the CoC is a few
    thousand rows); waiting times and missed targets are read from the
    timings stamped on the intakes (``ix_intakes_report_timings``).
    """
    first, after = dates.bounds()
    where = [*_in_scope(scope), Intake.submitted_at >= first, Intake.submitted_at < after]
    days_table, codes_table = report_days, report_day_codes
    in_days = [*_summary_scope(scope, days_table), days_table.c.day >= dates.start, days_table.c.day <= dates.end]
    names = [count_column(d, c) for d, c in COUNTS]
    sums = session.execute(select(*[func.coalesce(func.sum(days_table.c[name]), 0) for name in names])
                           .where(*in_days)).one()
    summed = {key: int(value) for key, value in zip(COUNTS, sums, strict=True)}

    def of(dimension: str) -> dict[str, int]:
        return {code: n for (d, code), n in summed.items() if d == dimension}

    days = {day.isoformat() if isinstance(day, date) else str(day): int(n) for day, n in session.execute(
        select(days_table.c.day, func.sum(days_table.c.n)).where(*in_days).group_by(days_table.c.day)).all()}
    every_day = [(dates.start + timedelta(days=n)).isoformat() for n in range(dates.days)]

    def codes(dimension: str, *extra: ColumnElement[bool]) -> dict[str, int]:
        rows = session.execute(
            select(codes_table.c.code, func.sum(codes_table.c.n))
            .where(codes_table.c.dimension == dimension, *_summary_scope(scope, codes_table),
                   codes_table.c.day >= dates.start, codes_table.c.day <= dates.end, *extra)
            .group_by(codes_table.c.code)
            .having(func.sum(codes_table.c.n) != 0)).all()  # a code every intake moved away from
        return {str(code): int(n) for code, n in rows}

    total = summed[("total", "all")]
    channels, tracks, categories, outcomes = of("channel"), of("track"), of("category"), of("outcome")
    candidates, results = of("candidate"), of("diversion_result")
    languages = codes("language")
    # Counties never count confidential intakes, whoever looks.
    counties = codes("county", codes_table.c.confidential.is_(False))
    out_of_area, callbacks = summed[("flag", "out_of_area")], summed[("flag", "callback_requested")]
    # Missed targets: intakes whose clocks have stopped are counted in the summary; those still
    # waiting (a partial index holds only them) are counted now, against ``now``.
    missed_claim, missed_contact = missed_targets(now or utcnow())
    waiting = [*where, Intake.closed_at.is_(None),
               or_(Intake.first_claimed_at.is_(None), Intake.first_contact_at.is_(None))]
    live = session.execute(select(
        func.coalesce(func.sum(case((missed_claim, 1), else_=0)), 0),
        func.coalesce(func.sum(case((missed_contact, 1), else_=0)), 0),
        func.coalesce(func.sum(case((or_(missed_claim, missed_contact), 1), else_=0)), 0)).where(*waiting)).one()
    late = [int(n) + summed[("settled", code)]
            for n, code in zip(live, ("missed_claim", "missed_contact", "missed_any"), strict=True)]

    # Tables whose parts add up to the total: complementary suppression in each, and when one of
    # them has nothing left to mask, the total itself is hidden.
    parts = {
        "by_day": _ordered(days, every_day),
        "by_channel": _ordered(channels, CHANNELS),
        "by_track": _ordered(tracks, ["homeless", "prevention", *(["unknown"] if tracks["unknown"] else [])]),
        "by_category": _ordered(categories, [c for c in CATEGORIES if categories[c]]),
        "by_language": _ordered(languages),
        "outcomes": _ordered(outcomes, ["open", "assessed_in_hmis", "diverted", "referred_elsewhere",
                                        "unable_to_contact", "declined", "duplicate"]),
    }
    tables: dict[str, tuple[Row, ...]] = {}
    total_masked = False
    for name, counts in parts.items():
        tables[name], hide = protect(counts)
        total_masked = total_masked or hide
    if total_masked:
        tables = {name: _hide_one(rows) for name, rows in tables.items()}
    candidate_total = sum(candidates.values())
    by_outcome, hide_candidates = protect(_ordered(candidates, [
        "open", "diverted", "assessed_in_hmis", "referred_elsewhere", "unable_to_contact", "declined", "duplicate"]))
    candidate_row = Row("candidates", None, True) if hide_candidates else Row("candidates", shown(candidate_total))
    diversion_results, _hide = protect(_ordered(results, DIVERSION_RESULTS))
    by_county, _hide = protect(_ordered(counties))
    total_shown = not total_masked and shown(total) is not None
    away_row = Row("out_of_area", shown(out_of_area))
    overdue = (Row("missed_claim", shown(int(late[0]))), Row("missed_contact", shown(int(late[1]))),
               Row("missed_any", shown(int(late[2]))))
    return Dashboard(
        scope=scope,
        dates=dates,
        total=shown(total) if total_shown else None,
        total_masked=total_masked and shown(total) is not None,
        diversion=(candidate_row, *by_outcome),
        diversion_results=diversion_results,
        flags=(away_row, Row("callback_requested", shown(callbacks)),
               Row("diversion_candidate", candidate_row.count, candidate_row.masked)),
        out_of_area_share=_share(away_row, total, total_shown),
        to_claim=_timing(session, where, Intake.claim_minutes),
        to_contact=_timing(session, where, Intake.contact_minutes),
        by_county=by_county,
        overdue=overdue,
        overdue_share=_share(overdue[2], total, total_shown),
        **tables,
    )


#: The tables of the dashboard, by the name used in download URLs.
TABLES: tuple[str, ...] = ("by_day", "by_channel", "by_track", "by_category", "by_language", "outcomes",
                           "overdue", "diversion", "diversion_results", "flags", "by_county")


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

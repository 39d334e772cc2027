"""The daily report summary, kept on write: what the dashboard sums instead of scanning intakes.

``refresh(session, days)`` recounts whole local days (the CoC's ``HMIS_TIMEZONE``) from the
intakes, in the caller's transaction: the rows of those days in ``report_days`` and
``report_day_codes`` are deleted and counted again with one ``GROUP BY`` per day (a day is a few
hundred intakes statewide). Day boundaries are computed here with the zone's rules, so a day on
which the clocks change is 23 or 25 hours long and every intake lands on its local day.

Every ORM change to a submitted intake marks its day (an ``after_flush`` hook), and the marked
days are recounted just before the transaction commits; a write that changes what an intake counts
as with a Core UPDATE calls ``mark`` itself. On PostgreSQL a transaction-scoped advisory lock per
day makes two writers recount the same day one after the other, the second seeing the first's
rows. ``refresh_all`` rebuilds everything (after a bulk load, or when the time zone changes:
``flask reports rebuild-summary``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, String, and_, bindparam, case, delete, event, func, insert, literal, or_, select
from sqlalchemy import cast as sa_cast
from sqlalchemy.orm import Session, attributes

from models import EventKind, Intake, IntakeEvent, IntakeStatus, report_day_codes, report_days
from models.base import UTCDateTime
from models.reports import COUNTS, count_column

from .routing import DbSession

DEFAULT_ZONE = "America/Chicago"
#: Advisory lock keys: this base plus the day's ordinal (PostgreSQL only).
LOCK_BASE = 14_000_000
_PENDING = "report_days_pending"
#: What an intake is counted by: a change to any of these recounts its day.
WATCHED = ("status", "submitted_at", "routed_access_point_id", "confidential", "channel", "track",
           "homeless_category", "language", "outcome", "diversion_candidate", "out_of_area",
           "callback_requested", "county_fips", "first_claimed_at", "first_contact_at", "closed_at",
           "claim_due_at", "contact_due_at")


def zone_name() -> str:
    """Return the CoC's time zone (``HMIS_TIMEZONE``), the zone of every report day."""
    from flask import current_app, has_app_context

    return str(current_app.config.get("HMIS_TIMEZONE") or DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE


def local_day(moment: datetime, zone: str) -> date:
    """Return the local calendar day of an instant."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone)).date()


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """Return the UTC instants of a local day's midnight and the next one (23 to 25 hours apart)."""
    tz = ZoneInfo(zone)
    return (datetime.combine(day, time(), tz).astimezone(UTC),
            datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC))


def _conditions(inner: Any) -> list[Any]:
    """SQL: one 0/1 expression per count column, in the order of ``COUNTS``."""
    found: list[Any] = []
    for dimension, code in COUNTS:
        if dimension == "total":
            found.append(None)
        elif dimension == "channel":
            found.append(inner.c.channel == code)
        elif dimension == "track":
            found.append(inner.c.track == code)
        elif dimension == "category":
            found.append(inner.c.category == code)
        elif dimension == "outcome":
            found.append(inner.c.outcome == code)
        elif dimension == "candidate":
            found.append((inner.c.outcome == code) & inner.c.candidate.is_(True))
        elif dimension == "flag":
            found.append(inner.c[code].is_(True))
        elif dimension == "diversion_result":
            found.append(inner.c.result == int(code))
        elif code == "missed_any":
            late = inner.c.missed_claim.is_(True) | inner.c.missed_contact.is_(True)
            found.append(inner.c.settled.is_(True) & late)
        else:  # settled and missed_claim / missed_contact
            found.append(inner.c.settled.is_(True) & inner.c[code].is_(True))
    return found


def refresh(session: DbSession, days: Iterable[date], zone: str | None = None) -> None:
    """Recount the summary rows of ``days`` from the intakes (in the caller's transaction)."""
    zone = zone or zone_name()
    postgres = session.get_bind().dialect.name == "postgresql"
    statements = _statements()
    for day in sorted(set(days)):
        if postgres:
            session.execute(select(func.pg_advisory_xact_lock(LOCK_BASE + day.toordinal())))
        start, end = day_bounds(day, zone)
        params = {"day": day, "start": start, "end": end}
        for statement in statements:
            session.execute(statement, params)


_STATEMENTS: list[Any] = []


def _statements() -> list[Any]:
    """The statements that recount one day (``day``, its bounds ``start`` and ``end`` bound at
    execution), built once: building them costs more than running them."""
    if not _STATEMENTS:
        _STATEMENTS.extend(_build_statements())
    return _STATEMENTS


def _build_statements() -> list[Any]:
    day = bindparam("day", type_=Date)
    where = [Intake.status == IntakeStatus.SUBMITTED, Intake.submitted_at >= bindparam("start", type_=UTCDateTime()),
             Intake.submitted_at < bindparam("end", type_=UTCDateTime())]
    # The HUD 4.20.A result of a diverted intake: the one its latest outcome recorded.
    result = (select(IntakeEvent.data["prob_sol_div_rr_result"].as_integer())
              .where(IntakeEvent.intake_id == Intake.id, IntakeEvent.kind == EventKind.OUTCOME.value)
              .order_by(IntakeEvent.id.desc()).limit(1).scalar_subquery())
    settled = and_(or_(Intake.first_claimed_at.is_not(None), Intake.closed_at.is_not(None)),
                   or_(Intake.first_contact_at.is_not(None), Intake.closed_at.is_not(None)))
    missed_claim = and_(Intake.claim_due_at.is_not(None),
                        func.coalesce(Intake.first_claimed_at, Intake.closed_at) > Intake.claim_due_at)
    missed_contact = and_(Intake.contact_due_at.is_not(None),
                          func.coalesce(Intake.first_contact_at, Intake.closed_at) > Intake.contact_due_at)
    inner = select(
        Intake.routed_access_point_id.label("ap"), Intake.confidential.label("conf"),
        sa_cast(Intake.channel, String).label("channel"),
        func.coalesce(sa_cast(Intake.track, String), "unknown").label("track"),
        func.coalesce(sa_cast(Intake.homeless_category, String), "unknown").label("category"),
        func.coalesce(Intake.outcome, "open").label("outcome"), Intake.diversion_candidate.label("candidate"),
        Intake.out_of_area.label("out_of_area"), Intake.callback_requested.label("callback_requested"),
        case((Intake.outcome == "diverted", result), else_=None).label("result"),
        settled.label("settled"), missed_claim.label("missed_claim"), missed_contact.label("missed_contact"),
    ).where(*where).subquery()
    sums = [func.count() if cond is None else func.coalesce(func.sum(case((cond, 1), else_=0)), 0)
            for cond in _conditions(inner)]
    names = ["day", "access_point_id", "confidential", *(count_column(d, c) for d, c in COUNTS)]
    statements: list[Any] = [
        delete(report_days).where(report_days.c.day == day),
        delete(report_day_codes).where(report_day_codes.c.day == day),
        insert(report_days).from_select(
            names, select(day, inner.c.ap, inner.c.conf, *sums).group_by(inner.c.ap, inner.c.conf)),
    ]
    for dimension, column in (("language", Intake.language), ("county", Intake.county_fips)):
        statements.append(insert(report_day_codes).from_select(
            ["day", "access_point_id", "confidential", "dimension", "code", "n"],
            select(day, Intake.routed_access_point_id, Intake.confidential, literal(dimension), column, func.count())
            .where(*where, column.is_not(None))
            .group_by(Intake.routed_access_point_id, Intake.confidential, column)))
    return statements


def refresh_all(session: DbSession, zone: str | None = None) -> int:
    """Rebuild the whole summary from the intakes; return how many days it holds."""
    zone = zone or zone_name()
    session.execute(delete(report_days))
    session.execute(delete(report_day_codes))
    first, last = session.execute(select(func.min(Intake.submitted_at), func.max(Intake.submitted_at))
                                  .where(Intake.status == IntakeStatus.SUBMITTED)).one()
    if first is None:
        return 0
    start, end = local_day(first, zone), local_day(last or first, zone)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    refresh(session, days, zone)
    return len(days)


def mark(session: Session | DbSession, intake: Intake) -> None:
    """Recount the intake's day at commit (for writes made with a Core UPDATE)."""
    if intake.submitted_at is not None:
        _pending(session).add(local_day(intake.submitted_at, zone_name()))


def _pending(session: Any) -> set[date]:
    found: set[date] = session.info.setdefault(_PENDING, set())
    return found


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    zone = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Intake):
            continue
        if obj in session.dirty and not any(attributes.get_history(obj, name).has_changes() for name in WATCHED):
            continue  # a clock, a claim or a note: nothing the summary counts
        history = attributes.get_history(obj, "submitted_at")
        moments = [m for m in (*history.added, *history.unchanged, *history.deleted) if m is not None]
        if moments:
            zone = zone or zone_name()
            _pending(session).update(local_day(m, zone) for m in moments)


@event.listens_for(Session, "before_commit")
def _recount(session: Session) -> None:
    if not session.info.get(_PENDING) and not (session.new or session.dirty or session.deleted):
        return
    session.flush()
    days = session.info.pop(_PENDING, None)
    if days:
        refresh(session, days)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)

"""The daily report summary, kept on write: what the dashboard sums instead of scanning intakes.

Every submitted intake adds to one group of ``report_days`` (its local day in the CoC's
``HMIS_TIMEZONE``, its access point, whether it is confidential): 1 to ``n`` and 0 or 1 to every
other count column, and 1 to ``report_day_codes`` for its language and its county. What one intake
adds (its *contribution*) is read from the database by the same SQL that counts whole days
(``_inner`` and ``_conditions``), restricted to the intake's id, so the rules are written once.

A write keeps the summary by deltas, at a cost that depends on the intakes it changed and not on
how many intakes a day has:

- before an intake first changes in a transaction, its contribution is read as the database holds
  it (``before_flush`` for ORM changes to a ``WATCHED`` attribute, a deletion or a new outcome
  event; ``changing`` before a Core UPDATE). On PostgreSQL that read locks the intake's row until
  the commit, so no other writer changes it between this reading and the commit's;
- just before the transaction commits, the contributions of the same intakes are read again, and
  the difference is added to the summary: ``UPDATE ... SET col = col + :delta`` on one row of each
  group whose counts moved (in a fixed order of groups, so two writers never wait on each other in
  a circle), and an INSERT when the group has no row yet.

A savepoint that rolls back forgets the intakes first changed inside it (they are as they were);
nothing is added to the summary before the outermost commit, so it always holds what the
committed intakes count as. Additions commute, so concurrent writers need no lock beyond the row
locks of the UPDATEs. Two writers that both find no row for a new group each insert one: a group
can have more than one row, and a row can hold zeros after an intake moved away. Every reader sums
the rows of a range (``services.reports.dashboard``: ``SUM`` per column, per day and per code,
the codes with a zero sum left out), so neither changes a figure.

``refresh(session, days)`` recounts whole days from scratch (bulk loads: ``services.sample_intakes``),
``refresh_all`` the whole summary (``flask reports rebuild-summary``, needed after changing the
time zone; migration 0021). Day boundaries are computed with the zone's rules, so a day on which
the clocks change is 23 or 25 hours long and every intake lands on its local day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, String, and_, bindparam, case, delete, event, func, insert, literal, or_, select
from sqlalchemy import cast as sa_cast
from sqlalchemy import update as sa_update
from sqlalchemy.orm import Session, SessionTransaction, attributes, scoped_session

from models import EventKind, Intake, IntakeEvent, IntakeStatus, report_day_codes, report_days
from models.base import UTCDateTime
from models.reports import COUNTS, count_column

from .routing import DbSession

DEFAULT_ZONE = "America/Chicago"
#: session.info: intake id -> (the savepoint it was first changed in, its contribution before).
_TOUCHED = "report_days_touched"
#: What an intake is counted by: a change to any of these changes its contribution.
WATCHED = ("status", "submitted_at", "routed_access_point_id", "confidential", "channel", "track",
           "homeless_category", "language", "outcome", "diversion_candidate", "out_of_area",
           "callback_requested", "county_fips", "first_claimed_at", "first_contact_at", "closed_at",
           "claim_due_at", "contact_due_at")
#: The open lists of ``report_day_codes``: (dimension, the intake's column).
CODES = (("language", Intake.language), ("county", Intake.county_fips))
NAMES = tuple(count_column(d, c) for d, c in COUNTS)


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


# -- what an intake counts as: one definition for the recount and for the deltas ----------------


def _counted() -> list[Any]:
    """SQL: the intakes the summary counts."""
    return [Intake.status == IntakeStatus.SUBMITTED, Intake.submitted_at.is_not(None)]


def _inner(*where: Any) -> Any:
    """SELECT: per intake, every attribute the summary counts it by (a subquery's columns)."""
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
    return select(
        Intake.id.label("id"), Intake.submitted_at.label("at"),
        Intake.routed_access_point_id.label("ap"), Intake.confidential.label("conf"),
        sa_cast(Intake.channel, String).label("channel"),
        func.coalesce(sa_cast(Intake.track, String), "unknown").label("track"),
        func.coalesce(sa_cast(Intake.homeless_category, String), "unknown").label("category"),
        func.coalesce(Intake.outcome, "open").label("outcome"), Intake.diversion_candidate.label("candidate"),
        Intake.out_of_area.label("out_of_area"), Intake.callback_requested.label("callback_requested"),
        case((Intake.outcome == "diverted", result), else_=None).label("result"),
        settled.label("settled"), missed_claim.label("missed_claim"), missed_contact.label("missed_contact"),
        *(column.label(dimension) for dimension, column in CODES),
    ).where(*where)


def _conditions(inner: Any) -> list[Any]:
    """SQL: one 0/1 expression per count column, in the order of ``COUNTS`` (None: always 1)."""
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


def _code_counted(inner: Any, dimension: str) -> Any:
    """SQL: whether an intake counts under its code of ``dimension`` (it has one)."""
    return inner.c[dimension].is_not(None)


# -- the statements, built once per process: building them costs more than running them ---------


class _Statements:
    def __init__(self) -> None:
        self.recount = _build_recount()
        self.read_locked, self.read = _build_read(lock=True), _build_read(lock=False)
        self.add_days = {ap_known: _build_add(report_days, ap_known, NAMES) for ap_known in (True, False)}
        self.add_codes = {ap_known: _build_add(report_day_codes, ap_known, ("n",)) for ap_known in (True, False)}


_STATEMENTS: list[_Statements] = []


def _statements() -> _Statements:
    if not _STATEMENTS:
        _STATEMENTS.append(_Statements())
    return _STATEMENTS[0]


def _build_recount() -> list[Any]:
    """The statements that recount one day (``day``, its bounds ``start`` and ``end`` bound at
    execution)."""
    day = bindparam("day", type_=Date)
    inner = _inner(*_counted(), Intake.submitted_at >= bindparam("start", type_=UTCDateTime()),
                   Intake.submitted_at < bindparam("end", type_=UTCDateTime())).subquery()
    sums = [func.count() if cond is None else func.coalesce(func.sum(case((cond, 1), else_=0)), 0)
            for cond in _conditions(inner)]
    statements: list[Any] = [
        delete(report_days).where(report_days.c.day == day),
        delete(report_day_codes).where(report_day_codes.c.day == day),
        insert(report_days).from_select(
            ["day", "access_point_id", "confidential", *NAMES],
            select(day, inner.c.ap, inner.c.conf, *sums).group_by(inner.c.ap, inner.c.conf)),
    ]
    for dimension, _column in CODES:
        code = inner.c[dimension]
        statements.append(insert(report_day_codes).from_select(
            ["day", "access_point_id", "confidential", "dimension", "code", "n"],
            select(day, inner.c.ap, inner.c.conf, literal(dimension), code, func.count())
            .where(_code_counted(inner, dimension))
            .group_by(inner.c.ap, inner.c.conf, code)))
    return statements


def _build_read(*, lock: bool) -> Any:
    """SELECT the contributions of the intakes ``ids``: per intake its id, submission time, access
    point, confidential flag, whether it is counted, the 0/1 of every count column and its codes
    (NULL where it counts under none). ``lock``: FOR UPDATE of every intake row read, counted or
    not (PostgreSQL; SQLite has one writer at a time)."""
    chosen = _inner(Intake.id.in_(bindparam("ids", expanding=True)))
    chosen = chosen.add_columns(and_(*_counted()).label("counted")).order_by(Intake.id)
    if lock:
        chosen = chosen.with_for_update(of=Intake)
    inner = chosen.subquery()
    ones = [literal(1, Integer) if cond is None else case((cond, 1), else_=0) for cond in _conditions(inner)]
    codes = [case((_code_counted(inner, dimension), inner.c[dimension]), else_=None) for dimension, _ in CODES]
    return select(inner.c.id, inner.c.at, inner.c.ap, inner.c.conf, inner.c.counted, *ones, *codes)


def _build_add(table: Any, ap_known: bool, columns: Sequence[str]) -> Any:
    """UPDATE one row of a group (the first by id): every column in ``columns`` plus its delta
    (bound as ``d_<column>``). The group is bound as ``b_day``, ``b_conf`` (and ``b_ap`` when
    ``ap_known``, else the access point is NULL), and for ``report_day_codes`` ``b_dimension`` and
    ``b_code``."""
    where = [table.c.day == bindparam("b_day", type_=Date), table.c.confidential == bindparam("b_conf")]
    where.append(table.c.access_point_id == bindparam("b_ap") if ap_known else table.c.access_point_id.is_(None))
    if "dimension" in table.c:
        where += [table.c.dimension == bindparam("b_dimension"), table.c.code == bindparam("b_code")]
    first = select(table.c.id).where(*where).order_by(table.c.id).limit(1).scalar_subquery()
    return (sa_update(table).where(table.c.id == first)
            .values({name: table.c[name] + bindparam(f"d_{name}", type_=Integer) for name in columns}))


# -- reading contributions and adding deltas ---------------------------------------------------

DayKey = tuple[date, int | None, bool]


def _read(session: Session | DbSession, ids: Iterable[int], *, lock: bool) -> dict[int, list[tuple[Any, ...]]]:
    """Return the contribution of each intake in ``ids`` as the database holds it now: a list of
    (group, counts) pairs, empty for an intake the summary does not count (or that is gone)."""
    wanted = sorted(set(ids))
    found: dict[int, list[tuple[Any, ...]]] = {i: [] for i in wanted}
    if not wanted:
        return found
    statements = _statements()
    zone = zone_name()
    rows = session.connection().execute(statements.read_locked if lock else statements.read, {"ids": wanted})
    width = len(COUNTS)
    for row in rows:
        if not row[4]:
            continue
        day = local_day(row[1], zone)
        group: DayKey = (day, row[2], bool(row[3]))
        parts: list[tuple[Any, ...]] = [(group, tuple(int(v) for v in row[5:5 + width]))]
        for (dimension, _), code in zip(CODES, row[5 + width:], strict=True):
            if code is not None:
                parts.append(((*group, dimension, str(code)), (1,)))
        found[int(row[0])] = parts
    return found


def _add(session: Session | DbSession, before: Iterable[list[tuple[Any, ...]]],
         after: Iterable[list[tuple[Any, ...]]]) -> None:
    """Add ``after`` minus ``before`` to the summary (groups whose counts did not move are left
    alone)."""
    deltas: dict[tuple[Any, ...], list[int]] = {}
    for sign, contributions in ((-1, before), (1, after)):
        for parts in contributions:
            for group, counts in parts:
                total = deltas.setdefault(group, [0] * len(counts))
                for i, value in enumerate(counts):
                    total[i] += sign * value
    moved = sorted((group for group, values in deltas.items() if any(values)),
                   key=lambda g: (len(g), g[0], g[1] is not None, g[1] or 0, g[2], *g[3:]))
    if not moved:
        return
    statements, connection = _statements(), session.connection()
    for group in moved:
        values = deltas[group]
        params: dict[str, Any] = {"b_day": group[0], "b_ap": group[1], "b_conf": group[2]}
        if len(group) == 3:
            table, add, columns = report_days, statements.add_days, NAMES
        else:
            table, add, columns = report_day_codes, statements.add_codes, ("n",)
            params.update(b_dimension=group[3], b_code=group[4])
        params.update({f"d_{name}": value for name, value in zip(columns, values, strict=True)})
        if connection.execute(add[group[1] is not None], params).rowcount == 0:
            row = {"day": group[0], "access_point_id": group[1], "confidential": group[2],
                   **dict(zip(columns, values, strict=True))}
            if len(group) == 5:
                row.update(dimension=group[3], code=group[4])
            connection.execute(insert(table), row)


# -- the hooks ----------------------------------------------------------------------------------


def _touched(session: Any) -> dict[int, tuple[SessionTransaction | None, list[tuple[Any, ...]]]]:
    found: dict[int, tuple[SessionTransaction | None, list[tuple[Any, ...]]]] = (
        session.info.setdefault(_TOUCHED, {}))
    return found


def changing(session: Session | DbSession, ids: Iterable[int], *, unsubmitted: bool = False) -> None:
    """Call before changing what intakes count as without the ORM (a Core UPDATE or DELETE): reads
    their contributions now (locking their rows on PostgreSQL); the summary follows at commit.

    ``unsubmitted``: the caller's statement only changes intakes not yet submitted (its WHERE says
    so), which count for nothing: there is nothing to read. The caller rolls back when its
    statement matched nothing (as ``services.intake.submit`` does), which forgets them again.
    """
    if isinstance(session, scoped_session):
        session = session()
    touched = _touched(session)
    new = [i for i in ids if i not in touched]
    if not new:
        return
    savepoint = session.get_nested_transaction()
    before = {i: [] for i in new} if unsubmitted else _read(session, new, lock=True)
    for intake_id, parts in before.items():
        touched[intake_id] = (savepoint, parts)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    touched = session.info.get(_TOUCHED) or {}
    ids = []
    for obj in session.dirty:
        if (isinstance(obj, Intake) and obj.id not in touched
                and any(attributes.get_history(obj, name).has_changes() for name in WATCHED)):
            ids.append(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Intake) and obj.id not in touched:
            ids.append(obj.id)
    for obj in session.new:
        # A diverted intake counts under the result its latest outcome event recorded.
        if (isinstance(obj, IntakeEvent) and obj.kind == EventKind.OUTCOME and obj.intake_id is not None
                and obj.intake_id not in touched):
            ids.append(obj.intake_id)
    if ids:
        changing(session, ids)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    # A new intake counted for nothing before; one not yet submitted is read when it changes next.
    for obj in session.new:
        if isinstance(obj, Intake) and obj.status == IntakeStatus.SUBMITTED:
            touched = _touched(session)
            if obj.id not in touched:
                touched[obj.id] = (session.get_nested_transaction(), [])


def _settle(session: Session | DbSession) -> None:
    """Add to the summary what the intakes changed in this transaction now count as, minus what
    they counted as before."""
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        after = _read(session, touched, lock=False)
        _add(session, (parts for _, parts in touched.values()), after.values())


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its changes are the enclosing transaction's now
    if session.new or session.dirty or session.deleted:
        session.flush()
    _settle(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    touched = session.info.get(_TOUCHED)
    if not touched or not previous.nested:
        return
    # The intakes first changed inside the savepoint (or inside one it held) are as they were.
    for intake_id, (savepoint, _) in list(touched.items()):
        inside = savepoint
        while inside is not None and inside is not previous:
            inside = inside.parent
        if inside is previous:
            del touched[intake_id]


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed, rolled back or closed: nothing is pending
        session.info.pop(_TOUCHED, None)


# -- recounting from scratch --------------------------------------------------------------------


def refresh(session: DbSession, days: Iterable[date], zone: str | None = None) -> None:
    """Recount the summary rows of ``days`` from the intakes (in the caller's transaction), once
    the changes this transaction made so far are added to the summary (rows of other days stay
    right)."""
    zone = zone or zone_name()
    session.flush()
    _settle(session)
    statements = _statements().recount
    for day in sorted(set(days)):
        start, end = day_bounds(day, zone)
        params = {"day": day, "start": start, "end": end}
        for statement in statements:
            session.execute(statement, params)


def refresh_all(session: DbSession, zone: str | None = None) -> int:
    """Rebuild the whole summary from the intakes; return how many days it holds."""
    zone = zone or zone_name()
    session.flush()
    session.info.pop(_TOUCHED, None)  # counted below, as they are now
    session.execute(delete(report_days))
    session.execute(delete(report_day_codes))
    first, last = session.execute(select(func.min(Intake.submitted_at), func.max(Intake.submitted_at))
                                  .where(*_counted())).one()
    if first is None:
        return 0
    start, end = local_day(first, zone), local_day(last or first, zone)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    refresh(session, days, zone)
    return len(days)

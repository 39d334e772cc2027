"""The staff queue: who may see which intakes, the queue page, claims and possible duplicates.

Rules (see docs/staff.md):

- **staff** see the submitted intakes routed to their access points;
- **victim service provider staff** see only the *confidential* intakes of their access points;
- **coordinators** see every access point of their region; **admins** see everything;
- an intake outside a person's scope does not exist for them (views answer 404);
- the identifying answers of a confidential intake are shown only to victim service provider
  staff of the access point it is routed to; those of an intake whose household declined to share
  are shown only to staff of that access point (not to coordinators or admins).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import Select, String, and_, case, exists, false, func, literal, or_, select, text, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from models import (
    AccessPoint,
    AccessPointKind,
    Answer,
    ConsentKind,
    EventKind,
    Intake,
    IntakeEvent,
    IntakeMatchKey,
    IntakeSearch,
    IntakeStatus,
    Role,
    User,
)
from models.base import utcnow
from models.intake import NO_SAFE_PLACE, QUEUE_COUNTED
from services.crypto import PiiCipher
from services.intake import normalize_reference_code

from . import hours, timers
from .routing import DbSession

PER_PAGE = 25
#: Kansas is mostly on Central time; an intake without an access point is shown in it.
DEFAULT_ZONE = "America/Chicago"

#: Flags a queue row can carry, in the order they are shown; each is an Intake boolean column.
FLAGS: tuple[str, ...] = ("diversion_candidate", "out_of_area", "callback_requested", "needs_interpreter",
                          "confidential", "possible_flood")


def flag_column(flag: str) -> Any:
    """Return the Intake column a flag reads: a boolean, or for "needs_interpreter" the language
    staff call back in (``Intake.interpreter_language``, a code; any value is the flag)."""
    return Intake.interpreter_language if flag == "needs_interpreter" else getattr(Intake, flag)


#: Filters on who holds an intake.
CLAIM_FILTERS: tuple[str, ...] = ("unclaimed", "mine", "claimed")


# -- scope and visibility --------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The intakes a person may see: access points (None = all) and whether only confidential."""

    access_point_ids: frozenset[int] | None
    confidential_only: bool = False

    def allows(self, access_point_id: int | None) -> bool:
        """Tell whether an access point is inside this scope."""
        if self.access_point_ids is None:
            return True
        return access_point_id is not None and access_point_id in self.access_point_ids


def scope_for(session: DbSession, user: User) -> Scope:
    """Return the scope of ``user`` by role."""
    if user.role is Role.ADMIN:
        return Scope(None)
    if user.role is Role.COORDINATOR:
        if user.region_id is None:
            return Scope(frozenset())
        ids = session.scalars(select(AccessPoint.id).where(AccessPoint.region_id == user.region_id))
        return Scope(frozenset(ids))
    if user.role is Role.OUTREACH:
        # Their region's queue as a staff member of every (non victim service provider) access
        # point of the region would see it; the intakes they walked are listed on their own page.
        if user.region_id is None:
            return Scope(frozenset())
        ids = session.scalars(select(AccessPoint.id).where(AccessPoint.region_id == user.region_id,
                                                           AccessPoint.kind != AccessPointKind.VSP))
        return Scope(frozenset(ids))
    own = frozenset(ap.id for ap in user.access_points)
    return Scope(own, confidential_only=user.role is Role.VSP_STAFF)


def _visible(scope: Scope) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Intake.status == IntakeStatus.SUBMITTED]
    if scope.access_point_ids is not None:
        conditions.append(Intake.routed_access_point_id.in_(sorted(scope.access_point_ids)))
    if scope.confidential_only:
        conditions.append(Intake.confidential.is_(True))
    return conditions


def find_intake(session: DbSession, user: User, public_id: str, *, by_reference: bool = False) -> Intake | None:
    """Return the submitted intake ``public_id`` when ``user`` may see it, else None.

    With ``by_reference``, ``public_id`` may also be a reference code as people type it.
    """
    scope = scope_for(session, user)
    match = Intake.public_id == public_id.strip()
    if by_reference:
        code = normalize_reference_code(public_id)
        if code is not None:
            match = or_(match, Intake.reference_code == code)
    return session.scalar(select(Intake).where(match, *_visible(scope)))



def share_declined(intake: Intake) -> bool:
    """Tell whether the household's latest answer to sharing was no."""
    shares = [c for c in intake.consents if c.kind is ConsentKind.SHARE_ANSWERS]
    return bool(shares) and not shares[-1].granted


def identity_visible(user: User, intake: Intake) -> bool:
    """Tell whether ``user`` may read the identifying answers of ``intake`` (already in scope)."""
    own = intake.routed_access_point_id in {ap.id for ap in user.access_points}
    if intake.confidential:
        return user.role is Role.VSP_STAFF and own
    if user.role is Role.VSP_STAFF:
        return False
    if share_declined(intake):
        return user.role is Role.STAFF and own
    return True


class NotFound(LookupError):
    """The intake does not exist for this person, as far as they can tell (views answer 404)."""


def may_act(user: User, intake: Intake) -> bool:
    """Tell whether ``user`` may do anything to ``intake`` beyond seeing that it exists.

    A confidential intake is for victim service provider staff of its access point only: nobody
    else may claim, release, reassign, contact, text, schedule, close or transfer it.
    """
    return sees_details(user, intake.confidential, intake.routed_access_point_id)


def sees_details(user: User, confidential: bool, access_point_id: int | None) -> bool:
    """Tell whether ``user`` may see more of an intake than that it exists.

    Of a confidential referral, anyone else in scope sees only that it exists: not its household,
    its place, its reasons, its history or its appointments.
    """
    if not confidential:
        return True
    return user.role is Role.VSP_STAFF and access_point_id in {ap.id for ap in user.access_points}


def _sealed(user: User) -> ColumnElement[bool]:
    """SQL: the intakes of which ``user`` sees only that they exist (``sees_details`` is False)."""
    if user.role is Role.VSP_STAFF:
        own = sorted(ap.id for ap in user.access_points)
        return and_(Intake.confidential.is_(True), Intake.routed_access_point_id.not_in(own))
    return Intake.confidential.is_(True)


def authorize(session: DbSession, user: User, intake: Intake) -> None:
    """Raise ``NotFound`` unless ``user`` may act on ``intake``: the one check every action makes."""
    scope = scope_for(session, user)
    in_scope = (intake.status is IntakeStatus.SUBMITTED and scope.allows(intake.routed_access_point_id)
                and (intake.confidential or not scope.confidential_only))
    if not in_scope or not may_act(user, intake):
        raise NotFound(intake.public_id)


def find_for_action(session: DbSession, user: User, public_id: str) -> Intake:
    """Return the intake ``public_id`` when ``user`` may act on it; raise ``NotFound`` otherwise."""
    intake = find_intake(session, user, public_id)
    if intake is None:
        raise NotFound(public_id)
    authorize(session, user, intake)
    return intake


def may_manage(user: User) -> bool:
    """Tell whether ``user`` may reassign, release or transfer intakes held by someone else."""
    return user.role in (Role.COORDINATOR, Role.ADMIN)


# -- the queue page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """What the queue page is narrowed to; every field is optional."""

    access_point_id: int | None = None
    track: str | None = None
    channel: str | None = None
    language: str | None = None
    flag: str | None = None
    claim: str | None = None
    #: "overdue" (a response target passed) or "today" (falls due before midnight, not yet overdue).
    due: str | None = None


@dataclass(frozen=True)
class QueueRow:
    """One intake as the queue shows it: codes and names of places, never personal data."""

    public_id: str
    reference_code: str | None
    priority: int
    reasons: tuple[str, ...]
    track: str | None
    channel: str
    language: str
    submitted_at: datetime
    flags: tuple[str, ...]
    access_point: str | None
    claimed_by: str | None
    claimed_by_me: bool
    claimed_at: datetime | None
    new_message: bool = False
    #: False for an intake handed on outside this person's queues (it has a read-only page).
    in_scope: bool = True
    closed_at: datetime | None = None
    outcome: str | None = None
    #: The access point's time zone, for showing times.
    zone: str = "America/Chicago"
    #: A confidential referral this person may not act on: only that it exists is shown.
    sealed: bool = False
    #: The response clock (services.timers), None when nothing is awaited.
    clock: timers.Clock | None = None
    #: The language to call back in with an interpreter (a code, ``intake_forms.interpreter``).
    interpreter: str | None = None


@dataclass(frozen=True)
class QueuePage:
    """A page of the queue, the total after filters and counts for the filter bar."""

    rows: tuple[QueueRow, ...]
    total: int
    page: int
    pages: int
    per_page: int
    #: Each count stops past COUNT_CAP (the page shows "1,000+").
    counts: dict[str, int] = field(default_factory=dict)
    #: True when ``total`` stopped counting: there are more pages than ``pages`` says.
    more: bool = False
    #: The cursor of the next page (``Cursor``), None on the last page.
    next_after: str | None = None
    #: The cursor of the previous page, None on the first page.
    previous_before: str | None = None


#: The response-time filters of the queue.
DUE_FILTERS = ("overdue", "today")


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """An open intake whose response target passed: due already, or reminded or escalated since."""
    return or_(Intake.due_at <= now, Intake.escalation > 0)


def _next_midnight(now: datetime, zone: str | None) -> datetime:
    local = now.astimezone(hours.zone(zone))
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)


def access_point_zones(session: DbSession, scope: Scope) -> dict[str, list[int]]:
    """Return the ids of the access points in ``scope``, grouped by their time zone."""
    query = select(AccessPoint.id, AccessPoint.timezone).order_by(AccessPoint.id)
    if scope.access_point_ids is not None:
        query = query.where(AccessPoint.id.in_(sorted(scope.access_point_ids)))
    zones: dict[str, list[int]] = {}
    for ap_id, zone in session.execute(query):
        zones.setdefault(zone or DEFAULT_ZONE, []).append(ap_id)
    return zones


def due_today_condition(now: datetime, zones: Mapping[str, Sequence[int]] | None = None) -> ColumnElement[bool]:
    """An intake not yet overdue whose target falls before the coming midnight of its access
    point's own time zone (``zones``: access point ids by zone; any other intake: Central time)."""
    before: list[ColumnElement[bool]] = []
    listed: list[int] = []
    for zone, ids in (zones or {}).items():
        before.append(and_(Intake.routed_access_point_id.in_(list(ids)), Intake.due_at < _next_midnight(now, zone)))
        listed.extend(ids)
    elsewhere: ColumnElement[bool] = Intake.routed_access_point_id.is_(None)
    if listed:
        elsewhere = or_(elsewhere, Intake.routed_access_point_id.not_in(listed))
    before.append(and_(elsewhere, Intake.due_at < _next_midnight(now, DEFAULT_ZONE)))
    return and_(Intake.due_at > now, or_(*before), Intake.escalation == 0)


def urgent_condition(threshold: int) -> ColumnElement[bool]:
    """The SQL of ``timers.is_urgent``: priority at the threshold, or no safe place tonight."""
    return or_(Intake.priority >= threshold,
               sql_cast(Intake.priority_reasons, String).like("%no_safe_place_tonight%"))


#: The icon's urgent count stops past this many (it shows "99+").
ICON_CAP = 99


def urgent_parts(threshold: int) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """``urgent_condition`` as two conditions that do not overlap, each read from an index (an OR
    of the two would read every open intake): priority at the threshold (ix_intakes_open_counts);
    or below it with no safe place tonight (ix_intakes_open_no_safe_place, its condition word for
    word). Two capped counts of them add up exactly below the cap, as each is exact."""
    no_safe_place = text(f"CAST(intakes.{NO_SAFE_PLACE.removeprefix('CAST(')}")
    return Intake.priority >= threshold, and_(Intake.priority < threshold, no_safe_place)


def urgent_waiting(session: DbSession, user: User, threshold: int, *, cap: int = ICON_CAP) -> int:
    """Count the open, unclaimed urgent intakes ``user`` may see (sealed referrals not counted),
    at most ``cap + 1`` of them (more than ``cap`` reads "99+"): a count that costs what it shows."""
    scope = scope_for(session, user)
    conditions = [*_visible(scope)[1:], Intake.claimed_by_id.is_(None), ~_sealed(user)]
    counted = sum((_capped([*conditions, part], cap, index)
                   for part, index in zip(urgent_parts(threshold), URGENT_INDEXES, strict=True)), literal(0))
    return min(int(session.scalar(select(counted)) or 0), cap + 1)


def _filter_conditions(filters: QueueFilters, user_id: int, now: datetime | None = None,
                       zones: Mapping[str, Sequence[int]] | None = None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    moment = now or utcnow()
    if filters.due == "overdue":
        conditions.append(overdue_condition(moment))
    elif filters.due == "today":
        conditions.append(due_today_condition(moment, zones))
    if filters.track:
        conditions.append(Intake.track == filters.track)
    if filters.channel:
        conditions.append(Intake.channel == filters.channel)
    if filters.language:
        conditions.append(Intake.language == filters.language)
    if filters.flag in FLAGS:
        # Word for word as the flag's partial index states it (ix_intakes_count_<flag>).
        conditions.append(cast(ColumnElement[bool], text(f"intakes.{QUEUE_COUNTED[filters.flag]}")))
    if filters.claim == "unclaimed":
        conditions.append(Intake.claimed_by_id.is_(None))
    elif filters.claim == "mine":
        conditions.append(Intake.claimed_by_id == user_id)
    elif filters.claim == "claimed":
        conditions.append(Intake.claimed_by_id.is_not(None))
    return conditions


#: The filter-bar counts stop at this many: beyond it the page says "1,000+".
COUNT_CAP = 1000


def _sqlite_from_hint(compiler: SQLiteCompiler, table: Any, hint: str) -> str:
    """SQLite's table hints (``Select.with_hint(..., dialect_name="sqlite")``), which SQLAlchemy
    does not write for SQLite: the hint follows the table's name, as in ``intakes INDEXED BY ix``."""
    return hint


SQLiteCompiler.get_from_hint_text = _sqlite_from_hint  # type: ignore[method-assign,assignment]


def _capped(conditions: Sequence[ColumnElement[bool]], cap: int, index: str | None = None) -> Any:
    """SQL: how many open intakes match ``conditions``, counting at most ``cap + 1``.

    ``index``: the index SQLite must read (``INDEXED BY``) where its planner would rather take one
    with more equality terms or a range that reads far more rows (the holder's index for an
    escalated count of the unclaimed; ix_intakes_queue, not covering, for a priority range).
    """
    matching = select(literal(1)).select_from(Intake).where(_OPEN, *conditions).limit(cap + 1)
    if index is not None:
        matching = matching.with_hint(Intake, f"INDEXED BY {index}", dialect_name="sqlite")
    return select(func.count()).select_from(matching.subquery()).scalar_subquery()


def _count_columns(user_id: int, sealed: ColumnElement[bool], now: datetime | None = None,
                   threshold: int = 4, zones: Mapping[str, Sequence[int]] | None = None, *,
                   scope: Sequence[ColumnElement[bool]] = (), cap: int | None = None) -> list[Any]:
    """The filter-bar counts as capped counts, one statement: each counts at most ``cap + 1`` of
    the open intakes in ``scope`` that match it, so a count costs what it shows, not the size of
    the scope (a statewide queue has hundreds of thousands). A figure above ``cap`` reads "1,000+".

    Capped counts rather than a counter table kept up to date on every change: nothing to drift,
    nothing to repair, exact below the cap. The rare ones (a flag, an overdue intake) read their
    own partial index (``models.intake.QUEUE_COUNTED``, word for word, as the planners need), the
    common ones reach the cap within a few pages of any index (the total, unclaimed, a track).
    """
    cap = COUNT_CAP if cap is None else cap

    def count_if(condition: ColumnElement[bool], name: str, index: str | None = None) -> Any:
        return unlabeled(condition, name, index).label(name)

    def unlabeled(condition: ColumnElement[bool], name: str, index: str | None = None) -> Any:
        conditions = [*scope, condition]
        # A sealed intake counts in the total and as confidential, and nowhere else.
        if name != "confidential":
            conditions.append(~sealed)
        return _capped(conditions, cap, index)

    def counted(name: str) -> Any:  # SQL text, word for word as the index states it
        return text(f"intakes.{QUEUE_COUNTED[name]}")

    columns: list[Any] = [_capped(scope, cap).label("total")]
    columns.append(count_if(Intake.claimed_by_id.is_(None), "unclaimed"))
    columns.append(count_if(Intake.claimed_by_id == user_id, "mine"))
    # Each from its own index: with no access point to narrow by (an admin), SQLite would rather
    # read ix_intakes_report_timings by status, every submitted intake for a count of none.
    columns.extend(count_if(counted(flag), flag, f"ix_intakes_count_{flag}") for flag in FLAGS)
    columns.append(count_if(Intake.track == "homeless", "homeless"))
    columns.append(count_if(Intake.track == "prevention", "prevention"))
    moment = now or utcnow()
    columns.append(sum((unlabeled(part, "overdue", index) for part, index in zip(_overdue_parts(moment),
                                                                                OVERDUE_INDEXES, strict=True)),
                       literal(0)).label("overdue"))
    columns.append(count_if(due_today_condition(moment, zones), "today"))
    # The same figure as urgent_waiting (the page title), from this same statement.
    columns.append(sum((unlabeled(and_(Intake.claimed_by_id.is_(None), part), "urgent_waiting", index)
                        for part, index in zip(urgent_parts(threshold), URGENT_INDEXES, strict=True)),
                       literal(0)).label("urgent_waiting"))
    return columns


#: The index each of ``_overdue_parts`` is read from.
OVERDUE_INDEXES = ("ix_intakes_open_counts", "ix_intakes_count_escalated")
#: The index each of ``urgent_parts`` is read from.
URGENT_INDEXES = ("ix_intakes_open_counts", "ix_intakes_open_no_safe_place")


def _overdue_parts(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """``overdue_condition`` as two conditions that do not overlap, each read from its own index
    (an OR of the two would read every open intake): due already; or reminded or escalated since
    and not yet due. Two capped counts of them add up exactly below the cap, as each is exact."""
    escalated = text(f"intakes.{QUEUE_COUNTED['escalated']}")
    return Intake.due_at <= now, and_(escalated, or_(Intake.due_at.is_(None), Intake.due_at > now))


def queue_page(session: DbSession, user: User, filters: QueueFilters | None = None, *,
               page: int = 1, per_page: int = PER_PAGE, now: datetime | None = None,
               after: str | None = None, before: str | None = None) -> QueuePage:
    """Return one page of the open intakes ``user`` may see.

    Overdue ones first (a requested callback before other urgent ones, urgent before the rest),
    then most urgent, then oldest.

    ``after`` (or ``before``) is a page link's cursor (``Cursor``): the page is the rows that come
    right after (before) that place in the queue's order, read as one index range whatever page it
    is; ``page`` is then only the number shown. Without a cursor, ``page`` is counted from the
    start (every row before it is read). A cursor that no longer leads anywhere (the queue
    changed) gives the first page.
    """
    filters = filters or QueueFilters()
    now = now or utcnow()
    config = current_app.config if has_app_context() else {}
    scope = scope_for(session, user)
    # Who may see what (the open intakes themselves are _OPEN, as the partial indexes state it).
    reach = _visible(scope)[1:]
    if filters.access_point_id is not None:
        if not scope.allows(filters.access_point_id):
            return QueuePage((), 0, 1, 1, per_page, {})
        reach.append(Intake.routed_access_point_id == filters.access_point_id)
    base = [*_visible(scope)[:1], Intake.closed_at.is_(None), *reach]

    sealed = _sealed(user)
    zones = access_point_zones(session, scope)
    narrowing = _filter_conditions(filters, user.id, now, zones)
    if narrowing and filters.flag != "confidential":
        # Filtering on what a sealed intake is (its track, language, holder...) would tell it.
        narrowing.append(~sealed)
    threshold = int(config.get("ALERT_URGENT_PRIORITY", 4))
    columns = _count_columns(user.id, sealed, now, threshold, zones, scope=reach)
    overdue = overdue_condition(now)
    page = max(page, 1)
    forward, backward = Cursor.parse(after), Cursor.parse(before)
    cursor = (forward or backward) if page > 1 else None  # the first page needs no cursor
    if cursor is None:
        # The filtered total is counted as far as this page and one more row (at least to the
        # cap); how many of those are overdue (they head the list) only as far as this page.
        columns.append(_capped([*reach, *narrowing], max(COUNT_CAP, page * per_page)).label("filtered"))
        columns.append(sum((_capped([*reach, *narrowing, part, ~sealed], page * per_page, index)
                            for part, index in zip(_overdue_parts(now), OVERDUE_INDEXES, strict=True)),
                           literal(0)).label("filtered_overdue"))
    else:
        # Reached by a cursor, the page reads no row before it: the total is counted to the cap.
        columns.append(_capped([*reach, *narrowing], COUNT_CAP).label("filtered"))
    counted = session.execute(select(*columns)).one()
    counts = {key: int(value or 0) for key, value in counted._mapping.items()}
    total = counts.pop("filtered")
    heading = counts.pop("filtered_overdue", 0)
    walk = None
    if filters.flag in FLAGS and not (filters.channel or filters.language):
        # SQLite would read every intake with the flag and sort them; that is right for a few,
        # not for many (walking the queue's order finds a page of them sooner).
        few = counts.get(filters.flag, 0) <= COUNT_CAP
        walk = f"ix_intakes_count_{filters.flag}" if few else "ix_intakes_open_order"
    reader = _PageReader(session, [*base, *narrowing], sealed, overdue, threshold, now, walk=walk)
    next_key: SortKey | None = None
    if cursor is not None:
        found = reader.beyond(cursor, per_page + 1, backwards=cursor is not forward)
        if cursor is forward and found:
            keys, next_key = found[:per_page], (found[per_page] if len(found) > per_page else None)
        elif cursor is backward and len(found) > per_page:
            keys, next_key = found[1:], cursor.key()  # rows before it: not the first page
        else:  # the queue changed so that nothing is there any more: the first page
            return queue_page(session, user, filters, per_page=per_page, now=now)
        more = total > COUNT_CAP
        last = page + (1 if next_key is not None else 0)
        pages = last if more else max(last, math.ceil(total / per_page))
    else:
        more = total > max(COUNT_CAP, page * per_page)
        pages = page + 1 if more else max(1, math.ceil(total / per_page))
        page = min(page, pages)
        keys = reader.first(heading, offset=(page - 1) * per_page, limit=per_page + 1)
        next_key = keys[per_page] if len(keys) > per_page else None
        keys = keys[:per_page]
    ids = [key[3] for key in keys]
    rows = _rows(session, user, scope, [Intake.id.in_(ids)], _queue_order(sealed, overdue, threshold),
                 limit=per_page, now=now, config=config) if ids else ()
    return QueuePage(rows, total, page, pages, per_page, counts, more=more,
                     next_after=str(Cursor.of(keys[-1])) if keys and next_key is not None else None,
                     previous_before=str(Cursor.of(keys[0])) if keys and page > 1 else None)


#: A row's place in the queue's order: (overdue group 0 to 3, minus the priority shown,
#: submitted_at, id); tuples compare in the queue's order.
SortKey = tuple[int, int, datetime, int]
#: Where a submitted intake without a submission time sorts (last); there should be none.
_NEVER = datetime.max.replace(tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """A place in the queue's order, carried by the page links: the sort key of a row (its overdue
    group, the priority shown, when it was submitted and its row number), never personal data.

    Written as ``group.minus_priority.microseconds.id``.
    """

    group: int
    minus_priority: int
    submitted_at: datetime
    id: int

    @classmethod
    def of(cls, key: SortKey) -> Cursor:
        return cls(*key)

    @classmethod
    def parse(cls, value: str | None) -> Cursor | None:
        """Return the cursor ``value`` writes, or None when it is not one."""
        parts = (value or "").split(".")
        if len(parts) != 4 or len(value or "") > 80:
            return None
        try:
            group, minus_priority, micros, ident = (int(part) for part in parts)
            submitted = _EPOCH + timedelta(microseconds=micros)
        except (ValueError, OverflowError):
            return None
        if not 0 <= group <= 3:
            return None
        return cls(group, minus_priority, submitted, ident)

    def key(self) -> SortKey:
        return (self.group, self.minus_priority, self.submitted_at, self.id)

    def __str__(self) -> str:
        micros = (self.submitted_at - _EPOCH) // timedelta(microseconds=1)
        return f"{self.group}.{self.minus_priority}.{micros}.{self.id}"


def _urgency(sealed: ColumnElement[bool], overdue: ColumnElement[bool], threshold: int) -> Any:
    """SQL: a row's overdue group (0 to 3, ``_queue_order``)."""
    open_ = ~sealed
    return case(
        (and_(overdue, open_, Intake.callback_requested.is_(True)), 0),
        (and_(overdue, open_, urgent_condition(threshold)), 1),
        (and_(overdue, open_), 2),
        else_=3,
    )


def _queue_order(sealed: ColumnElement[bool], overdue: ColumnElement[bool], threshold: int) -> tuple[Any, ...]:
    """The queue's order: overdue first (a requested callback, then urgent, then the rest), then
    most urgent, then oldest. A sealed intake's place must not tell its priority or flags."""
    return (_urgency(sealed, overdue, threshold).asc(), case((sealed, 0), else_=Intake.priority).desc(),
            Intake.submitted_at.asc(), Intake.id.asc())


#: The open intakes, word for word as the partial indexes ix_intakes_open_* are defined: the
#: planners use a partial index only when the query states its condition (with literals).
_OPEN = text("intakes.status = 'submitted' AND intakes.closed_at IS NULL")
#: Sealed intakes are confidential ones (``_sealed``): ix_intakes_open_confidential, word for word.
_OPEN_CONFIDENTIAL = text("intakes.status = 'submitted' AND intakes.closed_at IS NULL AND intakes.confidential = true")


def open_in_order(conditions: Sequence[ColumnElement[bool]], limit: int, *, backwards: bool = False,
                  index: str | None = None) -> Select[int, int, datetime | None]:
    """SQL: (id, priority, submitted_at) of the first ``limit`` open intakes matching ``conditions``
    by priority, then submission (``backwards``: the last ones, last first), walked in order from
    ``ix_intakes_open_order`` (or with a channel or language filter, that one's index).

    Both planners choose it once they have statistics (PostgreSQL's autovacuum; on SQLite the
    outbox worker's hourly purge runs ``ANALYZE intakes``). ``index``: the index SQLite must read.
    """
    keys = ((Intake.priority, True), (Intake.submitted_at, False), (Intake.id, False))
    query = (select(Intake.id, Intake.priority, Intake.submitted_at)
             .where(_OPEN, *conditions).order_by(*_order_of(keys, backwards)).limit(limit))
    return query.with_hint(Intake, f"INDEXED BY {index}", dialect_name="sqlite") if index else query


def _order_of(keys: Sequence[tuple[Any, bool]], backwards: bool) -> list[Any]:
    """ORDER BY for (column, descending) keys, or its reverse."""
    return [column.desc() if descending != backwards else column.asc() for column, descending in keys]


def _beyond(keys: Sequence[tuple[Any, bool, Any]], backwards: bool) -> list[list[ColumnElement[bool]]]:
    """Conditions for the rows strictly after (``backwards``: before) the values of ``keys``
    ((column, descending, value), the order's keys in turn), as separate ranges, nearest first:
    the same values but the last key beyond it, then the same but the last two, and so on. Each is
    one range of an index in that order; an OR of them would not be read as one."""
    ranges = []
    for depth in range(len(keys) - 1, -1, -1):
        column, descending, value = keys[depth]
        beyond = column < value if descending != backwards else column > value
        ranges.append([*(c == v for c, _, v in keys[:depth]), beyond])
    return ranges


class _PageReader:
    """Reads the sort keys of one page of the queue from the partial indexes rather than sorting
    every open intake in scope.

    The list is: the overdue intakes (few; sorted in full), then the rest by priority, then
    submission, read in order from ``ix_intakes_open_order`` (or the channel or language index),
    merged with the sealed referrals (confidential, priority 0 to this viewer; few, read from
    ``ix_intakes_open_confidential``).
    """

    def __init__(self, session: DbSession, narrowed: Sequence[ColumnElement[bool]], sealed: ColumnElement[bool],
                 overdue: ColumnElement[bool], threshold: int, now: datetime, *, walk: str | None = None) -> None:
        self.session, self.narrowed, self.sealed, self.walk = session, list(narrowed), sealed, walk
        self.overdue, self.threshold = overdue, threshold
        self.not_overdue = and_(or_(Intake.due_at.is_(None), Intake.due_at > now), Intake.escalation <= 0)

    def _heading(self, conditions: Sequence[ColumnElement[bool]], *, limit: int, offset: int = 0,
                 backwards: bool = False) -> list[SortKey]:
        """The overdue intakes (not sealed) matching ``conditions``, in order."""
        urgency = _urgency(self.sealed, self.overdue, self.threshold)
        order = _order_of(((urgency, False), (Intake.priority, True), (Intake.submitted_at, False),
                           (Intake.id, False)), backwards)
        rows = self.session.execute(
            select(urgency, Intake.priority, Intake.submitted_at, Intake.id)
            .where(*self.narrowed, self.overdue, ~self.sealed, *conditions)
            .order_by(*order).limit(limit).offset(offset))
        return [(int(group), -int(priority), submitted or _NEVER, ident) for group, priority, submitted, ident in rows]

    def _rest(self, cursor: Cursor | None, *, limit: int, skip: int = 0, backwards: bool = False) -> list[SortKey]:
        """The intakes after the overdue ones, from the start (``skip`` of them skipped) or beyond
        ``cursor`` (a place among them), in order (``backwards``: nearest first)."""
        wanted = skip + limit
        found: list[SortKey] = []
        open_ = [*self.narrowed, ~self.sealed, self.not_overdue]
        if cursor is None:
            ranges: list[list[ColumnElement[bool]]] = [[]]
        else:
            ranges = _beyond(((Intake.priority, True, -cursor.minus_priority),
                              (Intake.submitted_at, False, cursor.submitted_at), (Intake.id, False, cursor.id)),
                             backwards)
        for extra in ranges:
            if len(found) >= wanted:
                break
            rows = self.session.execute(open_in_order([*open_, *extra], wanted - len(found), backwards=backwards,
                                                      index=self.walk))
            found.extend((3, -priority, submitted or _NEVER, ident) for ident, priority, submitted in rows)
        # The sealed referrals: priority 0 to this viewer, then by submission.
        sealed_keys = ((Intake.submitted_at, False), (Intake.id, False))
        if cursor is None or (cursor.minus_priority < 0 if not backwards else cursor.minus_priority > 0):
            ranges = [[]]  # all of them are beyond the cursor
        elif cursor.minus_priority == 0:
            ranges = _beyond(((Intake.submitted_at, False, cursor.submitted_at), (Intake.id, False, cursor.id)),
                             backwards)
        else:
            ranges = []
        sealed: list[SortKey] = []
        for extra in ranges:
            if len(sealed) >= wanted:
                break
            sealed.extend((3, 0, submitted or _NEVER, ident) for ident, submitted in self.session.execute(
                select(Intake.id, Intake.submitted_at).where(_OPEN_CONFIDENTIAL, *self.narrowed, self.sealed, *extra)
                .order_by(*_order_of(sealed_keys, backwards)).limit(wanted - len(sealed))))
        merged = sorted(found + sealed, reverse=backwards)
        return merged[skip:wanted]

    def first(self, heading: int, *, offset: int, limit: int) -> list[SortKey]:
        """The keys of the rows ``offset`` to ``offset + limit`` from the start (``heading``: how
        many overdue intakes head the list, counted at least that far)."""
        keys: list[SortKey] = []
        if offset < heading:
            keys = self._heading([], limit=limit, offset=offset)
        wanted = limit - len(keys)
        if wanted <= 0:
            return keys
        return keys + self._rest(None, limit=wanted, skip=max(0, offset - heading))

    def beyond(self, cursor: Cursor, limit: int, *, backwards: bool = False) -> list[SortKey]:
        """The keys of up to ``limit`` rows right after (``backwards``: before) ``cursor``, in order."""
        keys: list[SortKey] = []
        in_heading = cursor.group < 3
        if not backwards:
            if in_heading:
                keys = self._heading([self._past(cursor)], limit=limit)
            return keys + self._rest(None if in_heading else cursor, limit=limit - len(keys))
        if not in_heading:
            keys = self._rest(cursor, limit=limit, backwards=True)
        if len(keys) < limit:
            keys += self._heading([self._past(cursor, backwards=True)] if in_heading else [],
                                  limit=limit - len(keys), backwards=True)
        return keys[::-1]

    def _past(self, cursor: Cursor, *, backwards: bool = False) -> ColumnElement[bool]:
        """SQL: an overdue row beyond ``cursor`` (they are few and sorted in full: one condition)."""
        urgency = _urgency(self.sealed, self.overdue, self.threshold)
        ranges = _beyond(((urgency, False, cursor.group), (Intake.priority, True, -cursor.minus_priority),
                          (Intake.submitted_at, False, cursor.submitted_at), (Intake.id, False, cursor.id)), backwards)
        return or_(*(and_(*conditions) for conditions in ranges))


def _rows(session: DbSession, user: User, scope: Scope, conditions: Sequence[ColumnElement[bool]],
          order: Sequence[Any], *, limit: int, offset: int = 0, now: datetime | None = None,
          config: Mapping[str, Any] | None = None) -> tuple[QueueRow, ...]:
    """Return queue rows for the intakes matching ``conditions`` (already limited to what
    ``user`` may list)."""
    holder = aliased(User)
    query: Select[Any] = (
        select(
            Intake.public_id, Intake.reference_code, Intake.priority, Intake.priority_reasons,
            Intake.track, Intake.channel, Intake.language, Intake.submitted_at,
            *(flag_column(flag) for flag in FLAGS),
            AccessPoint.name, holder.display_name, Intake.claimed_by_id, Intake.claimed_at,
            Intake.new_message_at, Intake.routed_access_point_id, Intake.closed_at, Intake.outcome,
            AccessPoint.timezone, Intake.status, Intake.first_contact_at, Intake.claim_clock_from,
        )
        .outerjoin(AccessPoint, AccessPoint.id == Intake.routed_access_point_id)
        .outerjoin(holder, holder.id == Intake.claimed_by_id)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    rows = []
    clocks = _Clocks(session, now or utcnow(), config if config is not None else {})
    for r in session.execute(query):
        flag_values = r[8 : 8 + len(FLAGS)]
        (ap_name, holder_name, holder_id, claimed_at, new_message_at, ap_id, closed_at,
         outcome, zone, status, first_contact_at, claim_clock_from) = r[8 + len(FLAGS) :]
        clock = None
        if status == IntakeStatus.SUBMITTED and closed_at is None and first_contact_at is None and r.submitted_at:
            clock = clocks.clock(ap_id, r.submitted_at, claimed=holder_id is not None, priority=r.priority,
                                 reasons=r.priority_reasons or (), claim_from=claim_clock_from)
        confidential = bool(r.confidential)
        if not sees_details(user, confidential, ap_id):
            rows.append(QueueRow(
                public_id=r.public_id, reference_code=r.reference_code, priority=0, reasons=(),
                track=None, channel="", language="", submitted_at=r.submitted_at or utcnow(),
                flags=("confidential",), access_point=ap_name, claimed_by=None, claimed_by_me=False,
                claimed_at=None, sealed=True, in_scope=scope.allows(ap_id), zone=zone or DEFAULT_ZONE,
            ))  # no clock: its target would tell whether it is urgent
            continue
        rows.append(QueueRow(
            public_id=r.public_id, reference_code=r.reference_code, priority=r.priority,
            reasons=tuple(r.priority_reasons or ()),
            track=str(r.track) if r.track else None, channel=str(r.channel),
            language=r.language, submitted_at=r.submitted_at or utcnow(),
            flags=tuple(flag for flag, on in zip(FLAGS, flag_values, strict=True) if on),
            interpreter=flag_values[FLAGS.index("needs_interpreter")],
            access_point=ap_name, claimed_by=holder_name, claimed_by_me=holder_id == user.id,
            claimed_at=claimed_at, new_message=new_message_at is not None,
            in_scope=scope.allows(ap_id) and (confidential or not scope.confidential_only),
            closed_at=closed_at, outcome=outcome, zone=zone or DEFAULT_ZONE, clock=clock,
        ))
    return tuple(rows)


class _Clocks:
    """Response clocks for one page of rows, reading each access point's hours once."""

    def __init__(self, session: DbSession, now: datetime, config: Mapping[str, Any]) -> None:
        self.session, self.now, self.config = session, now, config
        self._places: dict[int | None, tuple[timers.Targets, hours.Schedule | None]] = {}

    def clock(self, ap_id: int | None, submitted_at: datetime, *, claimed: bool, priority: int,
              reasons: Sequence[str], claim_from: datetime | None = None) -> timers.Clock:
        if ap_id not in self._places:
            ap = self.session.get(AccessPoint, ap_id) if ap_id is not None else None
            self._places[ap_id] = (timers.targets_for(ap, self.config), timers.schedule_for(ap))
        targets, schedule = self._places[ap_id]
        threshold = int(self.config.get("ALERT_URGENT_PRIORITY", 4))
        urgent = priority >= threshold or bool(timers.URGENT_REASONS & set(reasons))
        return timers.clock_of(submitted_at, claimed=claimed, urgent=urgent, targets=targets,
                               schedule=schedule, now=self.now, claim_from=claim_from)


# -- closed, transferred out and search ---------------------------------------------------------


#: The views of the queue page besides the open intakes.
VIEWS: tuple[str, ...] = ("closed", "transferred")


@dataclass(frozen=True)
class ListPage:
    """A page of closed or transferred-out intakes, or the results of a search."""

    rows: tuple[QueueRow, ...]
    total: int
    page: int = 1
    pages: int = 1


def _transferred_from(scope: Scope, user: User) -> list[ColumnElement[bool]]:
    """Conditions: submitted intakes moved away from one of the scope's access points."""
    moved = select(IntakeEvent.intake_id).where(IntakeEvent.kind == EventKind.TRANSFERRED)
    if scope.access_point_ids is not None:
        source = IntakeEvent.data["from_access_point_id"].as_integer()
        moved = moved.where(source.in_(sorted(scope.access_point_ids)))
    conditions: list[ColumnElement[bool]] = [Intake.status == IntakeStatus.SUBMITTED, Intake.id.in_(moved)]
    if scope.confidential_only:
        conditions.append(Intake.confidential.is_(True))
    elif user.role is Role.STAFF:
        conditions.append(Intake.confidential.is_(False))
    return conditions


def _paged(session: DbSession, user: User, scope: Scope, conditions: list[ColumnElement[bool]],
           order: Sequence[Any], page: int, per_page: int) -> ListPage:
    total = session.scalar(select(func.count()).select_from(Intake).where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    rows = _rows(session, user, scope, conditions, order, limit=per_page, offset=(page - 1) * per_page)
    return ListPage(rows, total, page, pages)


def closed_page(session: DbSession, user: User, *, page: int = 1, per_page: int = PER_PAGE) -> ListPage:
    """Return the closed intakes ``user`` may see, most recently closed first."""
    scope = scope_for(session, user)
    conditions = [*_visible(scope), Intake.closed_at.is_not(None)]
    return _paged(session, user, scope, conditions, (Intake.closed_at.desc(), Intake.id.desc()), page, per_page)


def transferred_page(session: DbSession, user: User, *, page: int = 1, per_page: int = PER_PAGE) -> ListPage:
    """Return the intakes moved away from ``user``'s access points, most recent first."""
    scope = scope_for(session, user)
    return _paged(session, user, scope, _transferred_from(scope, user),
                  (Intake.last_activity_at.desc(), Intake.id.desc()), page, per_page)


def find_transferred(session: DbSession, user: User, public_id: str) -> Intake | None:
    """Return an intake ``user``'s access points handed on (for its read-only page), else None."""
    scope = scope_for(session, user)
    return session.scalar(select(Intake).where(Intake.public_id == public_id.strip(),
                                               *_transferred_from(scope, user)))


def may_search_phone(user: User) -> bool:
    """Tell whether ``user``'s role may look intakes up by phone (every role that is shown phones).

    Each match is still checked with ``identity_visible``: a phone search never finds an intake
    whose phone number this person may not read.
    """
    return user.role in (Role.STAFF, Role.VSP_STAFF, Role.COORDINATOR, Role.ADMIN)


SEARCH_LIMIT = 50


def search(session: DbSession, user: User, cipher: PiiCipher, *, code: str | None = None,
           phone: str | None = None) -> ListPage | None:
    """Find intakes by reference code (as people type it) or by E.164 phone; audited.

    Returns None when the code cannot be a reference code or there is nothing to search for.
    Finds open, closed and transferred-out intakes within ``user``'s reach. The audit row keeps
    the normalized code, or only the phone's blind index. The caller commits nothing: this does.
    """
    scope = scope_for(session, user)
    reach = or_(and_(*_visible(scope)), and_(*_transferred_from(scope, user)))
    if code is not None:
        normalized = normalize_reference_code(code)
        if normalized is None:
            return None
        match: ColumnElement[bool] = Intake.reference_code == normalized
        ids = list(session.scalars(select(Intake.id).where(match, reach).limit(SEARCH_LIMIT)))
        audit = IntakeSearch(user_id=user.id, kind="code", code=normalized, results=len(ids))
    elif phone is not None and may_search_phone(user):
        found = session.scalars(
            select(Intake).where(Intake.contact_phone_index.in_(cipher.phone_indexes(phone)), reach)
            .order_by(Intake.submitted_at.desc()).limit(SEARCH_LIMIT)
        )
        ids = [i.id for i in found if identity_visible(user, i)]
        audit = IntakeSearch(user_id=user.id, kind="phone", term_index=cipher.phone_index(phone),
                             results=len(ids))
    else:
        return None
    session.add(audit)
    rows = _rows(session, user, scope, [Intake.id.in_(ids)], (Intake.submitted_at.desc(), Intake.id.desc()),
                 limit=SEARCH_LIMIT) if ids else ()
    session.commit()
    return ListPage(rows, len(rows))


# -- claims ------------------------------------------------------------------------------------


def claim(session: DbSession, intake: Intake, user: User) -> bool:
    """Claim an open, unclaimed intake for ``user``; exactly one of many callers wins.

    A conditional UPDATE settles the race in the database: under PostgreSQL's row lock or
    SQLite's write lock, only the first UPDATE still finds ``claimed_by_id IS NULL``.
    """
    authorize(session, user, intake)
    intake_id, user_id, now = intake.id, user.id, utcnow()
    result = cast(CursorResult[Any], session.execute(
        update(Intake)
        .where(Intake.id == intake_id, Intake.claimed_by_id.is_(None), Intake.closed_at.is_(None),
               Intake.status == IntakeStatus.SUBMITTED)
        .values(claimed_by_id=user_id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ))
    if result.rowcount != 1:
        session.rollback()
        return False
    session.add(IntakeEvent(intake_id=intake_id, actor_id=user_id, kind=EventKind.CLAIMED, data={}))
    # The claim target is met: the first-contact target runs now, with its own reminder. That
    # target runs once from submission: after a release and a new claim, its escalation carries on
    # where it stood (nobody is reminded or alerted twice for the same miss).
    claimed = session.get(Intake, intake_id, populate_existing=True)
    if claimed is not None:
        claimed.escalation = claimed.contact_escalation
        timers.refresh_due(claimed, now, current_app.config if has_app_context() else {})
        timers.stamp_claim(claimed, now, claimed.routed_access_point)
    session.commit()
    return True


def release(session: DbSession, intake: Intake, actor: User, *, now: datetime | None = None) -> bool:
    """Give up a claim: the holder may, and so may a coordinator or admin.

    The intake is back in its access point's queue with a fresh claim clock: the claim target
    counts from the release (business hours), its escalation starts again from nothing, and the
    worker looks at it again when that target passes (``timers``).
    """
    now = now or utcnow()
    authorize(session, actor, intake)
    holder = intake.claimed_by_id
    if holder is None or intake.closed_at is not None:
        return False
    if holder != actor.id and not may_manage(actor):
        return False
    result = cast(CursorResult[Any], session.execute(
        update(Intake)
        .where(Intake.id == intake.id, Intake.claimed_by_id == holder)
        .values(claimed_by_id=None, claimed_at=None, claim_clock_from=now, escalation=0)
        .execution_options(synchronize_session=False)
    ))
    if result.rowcount != 1:
        session.rollback()
        return False
    session.add(IntakeEvent(intake_id=intake.id, actor_id=actor.id, kind=EventKind.RELEASED,
                            data={"from_user_id": holder}))
    released = session.get(Intake, intake.id, populate_existing=True)
    if released is not None:
        timers.refresh_due(released, now, current_app.config if has_app_context() else {})
    session.commit()
    session.refresh(intake)
    return True


def assignable_users(session: DbSession, intake: Intake) -> list[User]:
    """Return the active users who could hold ``intake``: staff of its access point (VSP staff
    when it is confidential)."""
    roles = [Role.VSP_STAFF] if intake.confidential else [Role.STAFF]
    users = session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(roles),
               User.access_points.any(AccessPoint.id == intake.routed_access_point_id))
        .order_by(User.display_name)
    )
    return list(users)


def reassign(session: DbSession, intake: Intake, actor: User, to_user_id: int) -> bool:
    """Give an open intake to another staff member of its access point (coordinators, admins)."""
    authorize(session, actor, intake)
    if not may_manage(actor) or intake.closed_at is not None:
        return False
    if to_user_id not in {u.id for u in assignable_users(session, intake)}:
        return False
    previous, now = intake.claimed_by_id, utcnow()
    session.execute(
        update(Intake)
        .where(Intake.id == intake.id, Intake.closed_at.is_(None))
        .values(claimed_by_id=to_user_id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.add(IntakeEvent(intake_id=intake.id, actor_id=actor.id, kind=EventKind.REASSIGNED,
                            data={"from_user_id": previous, "to_user_id": to_user_id}))
    # Giving an intake nobody held to a staff member is its first claim, for the reports.
    timers.stamp_claim(intake, now, intake.routed_access_point)
    session.commit()
    session.refresh(intake)
    return True


# -- possible duplicates -----------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """Another open intake that may be the same household, and why."""

    public_id: str
    reference_code: str | None
    reason: str  # "phone" or "name_dob"
    access_point: str | None
    submitted_at: datetime | None


NAME_KEYS = ("legal_name", "contact_name")


def normalize_name(name: str) -> str:
    """Fold case, accents, punctuation and spacing so that "José  García" matches "jose garcia"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(letters.split())


def name_dob_key(values: dict[str, str], cipher: PiiCipher) -> str | None:
    """Return the blind index of name + date of birth, or None without both."""
    dob = values.get("dob")
    name = next((values[k] for k in NAME_KEYS if values.get(k)), None)
    if not dob or not name or not normalize_name(name):
        return None
    return cipher.blind_index(f"name_dob|{normalize_name(name)}|{dob}")


def _decrypted(session: DbSession, intake_ids: Sequence[int], cipher: PiiCipher) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {i: {} for i in intake_ids}
    rows = session.execute(
        select(Answer.intake_id, Answer.key, Answer.value_enc)
        .where(Answer.intake_id.in_(intake_ids), Answer.key.in_(("dob", *NAME_KEYS)),
               Answer.value_enc.is_not(None))
    )
    for intake_id, key, value_enc in rows:
        if value_enc is not None:
            found[intake_id][key] = cipher.decrypt(value_enc)
    return found


def _fill_match_keys(session: DbSession, conditions: Sequence[ColumnElement[bool]],
                     cipher: PiiCipher, batch: int = 500) -> None:
    """Compute the name + date of birth index of the matching intakes that have none yet."""
    has_dob = exists().where(Answer.intake_id == Intake.id, Answer.key == "dob", Answer.code == "given")
    has_key = exists().where(IntakeMatchKey.intake_id == Intake.id)
    missing = list(session.scalars(select(Intake.id).where(*conditions, has_dob, ~has_key)))
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        for intake_id, values in _decrypted(session, chunk, cipher).items():
            session.add(IntakeMatchKey(intake_id=intake_id, name_dob_index=name_dob_key(values, cipher)))
    session.flush()


def possible_duplicates(session: DbSession, user: User, intake: Intake, cipher: PiiCipher) -> list[Duplicate]:
    """Return other open intakes ``user`` may see with the same phone, or name and birth date.

    Confidential intakes are only ever matched for victim service provider staff. The caller
    commits (new match keys are added to the session).
    """
    scope = scope_for(session, user)
    candidates = [*_visible(scope), Intake.closed_at.is_(None), Intake.id != intake.id]
    if user.role is not Role.VSP_STAFF:
        candidates.append(Intake.confidential.is_(False))
    reasons: list[ColumnElement[bool]] = []
    phone_match = None
    if intake.contact_phone_index:
        phone_match = Intake.contact_phone_index == intake.contact_phone_index
        reasons.append(phone_match)
    own_key = name_dob_key(_decrypted(session, [intake.id], cipher)[intake.id], cipher)
    if own_key is not None:
        _fill_match_keys(session, candidates, cipher)
        reasons.append(Intake.id.in_(select(IntakeMatchKey.intake_id)
                                     .where(IntakeMatchKey.name_dob_index == own_key)))
    if not reasons:
        return []
    rows = session.execute(
        select(Intake.public_id, Intake.reference_code, AccessPoint.name, Intake.submitted_at,
               (phone_match if phone_match is not None else false()).label("by_phone"))
        .outerjoin(AccessPoint, AccessPoint.id == Intake.routed_access_point_id)
        .where(*candidates, or_(*reasons))
        .order_by(Intake.submitted_at)
        .limit(20)
    )
    return [Duplicate(r.public_id, r.reference_code, "phone" if r.by_phone else "name_dob", r.name,
                      r.submitted_at) for r in rows]


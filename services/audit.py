"""The audit trail (staff actions and intake page views): hash-chained, verified, read by admins.

Each row of ``intake_events`` and ``intake_views`` stores ``row_hash``: a keyed hash (the PII
blind-index key) of the previous row's hash and the row's own content, written in the same
transaction as the row. A row changed or deleted with plain SQL breaks the chain after it, and
``verify`` names the first row that no longer matches. Rows written before the chain existed
(``row_hash`` empty) are reported as unchained, not as tampered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, UOWTransaction, scoped_session

from models.staff import IntakeEvent, IntakeView

from .pii import current_cipher

AUDITED: tuple[type[IntakeEvent] | type[IntakeView], ...] = (IntakeEvent, IntakeView)
#: PostgreSQL advisory lock that makes chained inserts take turns.
_CHAIN_LOCK = 4_180_018


def _content(row: Any) -> str:
    values: dict[str, Any] = {}
    for column in row.__table__.columns:
        if column.key == "row_hash":
            continue
        value = getattr(row, column.key)
        if isinstance(value, bytes):
            value = value.hex()
        elif isinstance(value, datetime):
            value = value.isoformat()
        values[column.key] = value
    return json.dumps(values, sort_keys=True, default=str)


def link(previous: str | None, row: Any) -> str:
    """Return the hash that chains ``row`` to the row before it."""
    return current_cipher().blind_index(f"audit:{row.__tablename__}:{previous or ''}:{_content(row)}")


def _matches(previous: str | None, row: Any) -> bool:
    text = f"audit:{row.__tablename__}:{previous or ''}:{_content(row)}"
    return row.row_hash in current_cipher().blind_indexes(text)


def _new_audit_rows(session: Session) -> list[Any]:
    return [obj for obj in session.new if isinstance(obj, AUDITED)]


def _lock(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    if _new_audit_rows(session) and session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_CHAIN_LOCK)))


def _chain(session: Session, flush_context: UOWTransaction) -> None:
    """Hash the rows just inserted (the write lock is held now, so the previous row is final)."""
    for model in AUDITED:
        rows = sorted((obj for obj in _new_audit_rows(session) if isinstance(obj, model)), key=lambda r: r.id)
        if not rows:
            continue
        previous = session.scalar(select(model.row_hash).where(model.id < rows[0].id)
                                  .order_by(model.id.desc()).limit(1))
        for row in rows:
            previous = link(previous, row)
            # Core UPDATE: the ORM refuses to update audit rows (append-only).
            session.execute(update(model).where(model.id == row.id).values(row_hash=previous)
                            .execution_options(synchronize_session=False))


def install() -> None:
    """Chain every audit row any session writes (idempotent)."""
    if not event.contains(Session, "before_flush", _lock):
        event.listen(Session, "before_flush", _lock)
        event.listen(Session, "after_flush", _chain)


@dataclass(frozen=True)
class Finding:
    """One audit row that does not match the chain."""

    table: str
    row_id: int
    problem: str


def verify(session: Session | scoped_session[Session], *, batch: int = 1000) -> tuple[int, list[Finding]]:
    """Walk every chained table in id order; return (rows checked, findings)."""
    checked = 0
    findings: list[Finding] = []
    for model in AUDITED:
        previous: str | None = None
        for row in _rows(session, model, batch):
            checked += 1
            if row.row_hash is None:
                if previous is not None:
                    findings.append(Finding(model.__tablename__, row.id, "hash missing"))
                continue
            if not _matches(previous, row):
                findings.append(Finding(model.__tablename__, row.id,
                                        "changed, or a row before it was deleted or changed"))
            previous = row.row_hash
    return checked, findings


def _rows(session: Session | scoped_session[Session], model: Any, batch: int) -> Iterator[Any]:
    last = 0
    while True:
        rows = list(session.scalars(select(model).where(model.id > last).order_by(model.id).limit(batch)))
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def rechain(session: Session | scoped_session[Session], *, batch: int = 1000) -> int:
    """Seal the whole trail again with the newest key; return how many rows were sealed.

    Key rotation re-encrypts values inside audit rows and retires the key the chain was made
    with, so ``services.rekey`` verifies the trail first and reseals it after. Rows from before
    the chain existed stay unchained.
    """
    sealed = 0
    model: Any
    for model in AUDITED:
        previous: str | None = None
        last = 0
        while True:
            query = select(model).where(model.id > last).order_by(model.id).limit(batch)
            rows: list[Any] = list(session.scalars(query))
            if not rows:
                break
            for row in rows:
                if row.row_hash is None and previous is None:
                    continue
                previous = link(previous, row)
                session.execute(update(model).where(model.id == row.id).values(row_hash=previous)
                                .execution_options(synchronize_session=False))
                sealed += 1
            last = rows[-1].id
            session.commit()
            session.expunge_all()
    return sealed


# Reading the trail (admins) --------------------------------------------------------------------

@dataclass(frozen=True)
class TrailRow:
    """One line of the audit trail: when, who, what, which intake."""

    at: datetime
    who: str | None
    what: str  # an EventKind value, "viewed" or "viewed_identity"
    reference: str | None


@dataclass(frozen=True)
class TrailPage:
    rows: tuple[TrailRow, ...]
    total: int
    page: int
    pages: int


def trail(session: Session, *, reference: str | None = None, user_id: int | None = None,
          since: datetime | None = None, until: datetime | None = None, page: int = 1,
          per_page: int = 50) -> TrailPage:
    """Return one page of staff actions and intake page views, newest first, filtered."""
    from sqlalchemy import String, case, cast, literal, union_all

    from models import Intake, User

    events = select(IntakeEvent.created_at.label("at"), IntakeEvent.actor_id.label("user_id"),
                    cast(IntakeEvent.kind, String).label("what"), IntakeEvent.intake_id.label("intake_id"))
    views = select(IntakeView.viewed_at.label("at"), IntakeView.user_id.label("user_id"),
                   case((IntakeView.identity_shown.is_(True), literal("viewed_identity")),
                        else_=literal("viewed")).label("what"),
                   IntakeView.intake_id.label("intake_id"))
    both = union_all(events, views).subquery()
    query = (select(both.c.at, User.display_name, both.c.what, Intake.reference_code)
             .outerjoin(User, User.id == both.c.user_id).outerjoin(Intake, Intake.id == both.c.intake_id))
    if reference:
        query = query.where(Intake.reference_code == reference.strip().upper())
    if user_id is not None:
        query = query.where(both.c.user_id == user_id)
    if since is not None:
        query = query.where(both.c.at >= since)
    if until is not None:
        query = query.where(both.c.at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(query.order_by(both.c.at.desc()).limit(per_page).offset((page - 1) * per_page))
    return TrailPage(tuple(TrailRow(r[0], r[1], str(r[2]), r[3]) for r in rows), total, page, pages)

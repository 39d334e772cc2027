"""The admin change log: who changed what, when, and each changed field before -> after."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from models import AdminChange, User

from .routing import DbSession


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return only the fields whose value differs, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    keys += [key for key in before if key not in after]
    return {k: before.get(k) for k in keys if k in before}, {k: after.get(k) for k in keys if k in after}


def record(session: DbSession, actor: User | None, entity: str, entity_id: int | None, action: str,
           before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None) -> AdminChange | None:
    """Add an audit row for a change (the caller commits); nothing when an update changed nothing."""
    old, new = changed(before or {}, after or {})
    if action == "updated" and not old and not new:
        return None
    row = AdminChange(actor_id=actor.id if actor is not None else None, entity=entity, entity_id=entity_id,
                      action=action, before=old, after=new)
    session.add(row)
    return row


def history(session: DbSession, entity: str, entity_id: int, limit: int = 20) -> list[AdminChange]:
    """Return the latest changes of one thing, newest first."""
    return list(session.scalars(
        select(AdminChange).where(AdminChange.entity == entity, AdminChange.entity_id == entity_id)
        .order_by(AdminChange.id.desc()).limit(limit)
    ))


def actor_names(session: DbSession, changes: list[AdminChange]) -> dict[int, str]:
    """Return the display name of each person who made one of ``changes``."""
    ids = {c.actor_id for c in changes if c.actor_id is not None}
    if not ids:
        return {}
    return {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))}

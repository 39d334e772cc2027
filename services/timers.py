"""Response timers: when a waiting intake must be claimed, then contacted, in business hours.

``due(intake, access_point, now, config)`` is the one computation; the queue shows it, the
worker escalates by it and reports may count with it. Time is counted in the access point's
opening hours (``services.hours``); a place without weekly hours (a virtual line that is always
open, or hours not entered yet) counts wall time.

Targets, in business minutes: the access point's own columns, else the CoC defaults from the
configuration (TARGET_CLAIM_MINUTES 240, TARGET_CONTACT_MINUTES 480 = one business day of eight
hours, TARGET_URGENT_MINUTES 60 for claiming an urgent intake). Both clocks start when the intake
is submitted: claim by ``submitted + claim target``, first contact attempt by ``submitted +
contact target``. A release starts the claim clock again (``Intake.claim_clock_from``): the
next holder must claim within the claim target of the release; the first-contact clock keeps
running from submission.

``Intake.due_at`` keeps the next moment the worker must look at an intake (the claim due time at
submission, the contact due time after a claim, later the escalation time). It never lies late:
claims and contacts only move the real due time later, so a stale value makes the worker look
early, recompute and move it on; it never makes it miss one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from models import AccessPoint, Intake, IntakeStatus

from . import hours

#: Priority reasons that make an intake urgent whatever its score.
URGENT_REASONS = frozenset({"no_safe_place_tonight"})


class Stage(enum.StrEnum):
    """Which response the clock is waiting for."""

    CLAIM = "claim"
    CONTACT = "contact"


@dataclass(frozen=True)
class Targets:
    """Response targets in business minutes."""

    claim: int
    contact: int
    urgent_claim: int


@dataclass(frozen=True)
class Clock:
    """The running clock of one intake: what is awaited, by when, and how far from it (minutes).

    ``minutes_left`` is in business minutes (wall minutes for an always-open place), negative
    when overdue (and 0 when it fell due while the place was closed).
    """

    stage: Stage
    urgent: bool
    due_at: datetime
    minutes_left: int
    overdue: bool


def targets_for(access_point: AccessPoint | None, config: Mapping[str, Any]) -> Targets:
    """Return the access point's targets, its own where set, else the configured defaults."""
    claim = int(config.get("TARGET_CLAIM_MINUTES", 240))
    contact = int(config.get("TARGET_CONTACT_MINUTES", 480))
    urgent = int(config.get("TARGET_URGENT_MINUTES", 60))
    if access_point is not None:
        claim = access_point.claim_target_minutes or claim
        contact = access_point.contact_target_minutes or contact
        urgent = access_point.urgent_target_minutes or urgent
    return Targets(claim, contact, urgent)


def is_urgent(intake: Intake, config: Mapping[str, Any]) -> bool:
    """Tell whether an intake is urgent: priority at the threshold, or no safe place tonight."""
    return urgent_by(intake.priority, intake.priority_reasons or (), config)


def urgent_by(priority: int, reasons: Iterable[str], config: Mapping[str, Any]) -> bool:
    """Tell whether a priority and its reasons make an intake urgent (``is_urgent`` from facts)."""
    threshold = int(config.get("ALERT_URGENT_PRIORITY", 4))
    return priority >= threshold or bool(URGENT_REASONS & set(reasons))


def schedule_for(access_point: AccessPoint | None) -> hours.Schedule | None:
    """Return the schedule time is counted in; None means wall time (always open)."""
    if access_point is None:
        return None
    schedule = hours.schedule_of(access_point)
    return schedule if schedule.weekly else None


def add_minutes(schedule: hours.Schedule | None, start: datetime, minutes: int) -> datetime:
    """Return ``start`` plus ``minutes`` of business time (wall time without a schedule)."""
    if schedule is None:
        return start + timedelta(minutes=minutes)
    found = hours.add_business_minutes(schedule, start, minutes)
    # A place that never opens within a year: count wall time rather than never fall due.
    return found if found is not None else start + timedelta(minutes=minutes)


def refresh_due(intake: Intake, now: datetime, config: Mapping[str, Any]) -> None:
    """Set ``intake.due_at`` to its running clock's due time, or None when nothing is awaited."""
    clock = due(intake, intake.routed_access_point, now, config)
    intake.due_at = clock.due_at if clock is not None else None


def minutes_between(schedule: hours.Schedule | None, start: datetime, end: datetime) -> int:
    if schedule is None:
        return max(int((end - start).total_seconds() // 60), 0)
    return hours.business_minutes(schedule, start, end)


def due(intake: Intake, access_point: AccessPoint | None, now: datetime, config: Mapping[str, Any],
        *, schedule: hours.Schedule | None = None, targets: Targets | None = None) -> Clock | None:
    """Return the running clock of ``intake`` at ``now``; None when nothing is awaited.

    Nothing is awaited before submission, after closing or withdrawal, and once a contact
    attempt is logged. ``schedule`` and ``targets`` may be passed to skip reading the access
    point's hours and targets again (many intakes of one access point).
    """
    if intake.status != IntakeStatus.SUBMITTED or intake.closed_at is not None or intake.submitted_at is None:
        return None
    if intake.first_contact_at is not None:
        return None
    if schedule is None:
        schedule = schedule_for(access_point)
    return clock_of(_aware(intake.submitted_at), claimed=intake.claimed_by_id is not None,
                    urgent=is_urgent(intake, config),
                    targets=targets if targets is not None else targets_for(access_point, config),
                    schedule=schedule, now=now, claim_from=intake.claim_clock_from)


def clock_of(submitted_at: datetime, *, claimed: bool, urgent: bool, targets: Targets,
             schedule: hours.Schedule | None, now: datetime, claim_from: datetime | None = None) -> Clock:
    """Return the clock of a waiting, uncontacted intake from its facts (``due`` reads them).

    ``claim_from`` is when the claim clock started again after a release (None: at submission).
    """
    start = _aware(submitted_at)
    if not claimed:
        stage, minutes = Stage.CLAIM, targets.urgent_claim if urgent else targets.claim
        if claim_from is not None:
            start = max(start, _aware(claim_from))
    else:
        stage, minutes = Stage.CONTACT, targets.contact
    due_at = add_minutes(schedule, start, minutes)
    overdue = now >= due_at
    left = -minutes_between(schedule, due_at, now) if overdue else minutes_between(schedule, now, due_at)
    return Clock(stage, urgent, due_at, left, overdue)


# -- what reports count, stamped on the intake when it happens ---------------------------------


def stamp_targets(intake: Intake, access_point: AccessPoint | None, config: Mapping[str, Any]) -> None:
    """Keep on ``intake`` when its claim and its first contact were due (at submission, transfer).

    Reports count an intake as overdue when its first claim or first contact came after these
    (or has not come and the due time has passed); the queue's clock uses the same targets.
    """
    if intake.submitted_at is None:
        return
    intake.claim_due_at, intake.contact_due_at = due_times(
        _aware(intake.submitted_at), is_urgent(intake, config), targets_for(access_point, config),
        schedule_for(access_point))


def due_times(submitted_at: datetime, urgent: bool, targets: Targets, schedule: hours.Schedule | None
              ) -> tuple[datetime, datetime]:
    """Return when the claim and the first contact of an intake submitted then are due."""
    claim = targets.urgent_claim if urgent else targets.claim
    return add_minutes(schedule, submitted_at, claim), add_minutes(schedule, submitted_at, targets.contact)


def stamp_claim(intake: Intake, at: datetime, access_point: AccessPoint | None) -> None:
    """Record the intake's first claim and its business minutes since submission (later ones: no-op)."""
    if intake.first_claimed_at is not None or intake.submitted_at is None:
        return
    intake.first_claimed_at = at
    intake.claim_minutes = minutes_between(schedule_for(access_point), _aware(intake.submitted_at), _aware(at))


def stamp_contact(intake: Intake, at: datetime, access_point: AccessPoint | None) -> None:
    """Record the intake's first contact attempt and its business minutes since submission."""
    if intake.first_contact_at is not None or intake.submitted_at is None:
        return
    intake.first_contact_at = at
    intake.contact_minutes = minutes_between(schedule_for(access_point), _aware(intake.submitted_at), _aware(at))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they are UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

"""Timed work of the outbox worker: missed response targets (reminders, escalations), daily digests.

``run_timers`` reads only intakes whose ``due_at`` has come (an index on ``intakes.due_at``),
never the whole table. Each batch is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` on
PostgreSQL: two workers on two hosts take different rows, and the alerts are queued in the
outbox in the same transaction that moves the intake's ``due_at`` and ``escalation`` on, so an
alert exists exactly when its step was recorded, once. SQLite has one writer and needs no lock.

Steps of one overdue intake, per target (claim, then first contact):
0. the target passes: the access point's staff and addresses are reminded once;
1. ESCALATE_AFTER_MINUTES business minutes later, still overdue: the region's coordinators
   are alerted (no personal data); nothing more is sent for that target.
A claim moves on to the contact target, whose step is kept in ``Intake.contact_escalation``
(that target runs once from submission, so a release and a new claim never repeat its alerts);
a release starts the claim target afresh from the release (``queue.release``), so a released
intake that misses it again is reminded once more, then escalated once more, for that new miss.

One tick reads each access point's hours, targets and recipients once (``_Tick``), however many
of its intakes fell due.

Daily digests (``run_digests``): one ``ScheduledJob`` per access point whose staff asked for
one, run at DIGEST_HOUR in the access point's time zone. The job row is locked the same way,
and its ``next_run_at`` moves to the next day in the transaction that queues the e-mails.

Texts to households (``run_household``): the appointment reminders the day before
(``services.reminders``, one ``ScheduledJob`` each, deleted in the transaction that sends it) and
the check-ins of intakes still open after CHECKIN_AFTER_DAYS (``services.checkins``, one row per
intake and period). Both claim their rows the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import AccessPoint, AlertPreference, Intake, IntakeStatus, ScheduledJob, User, user_access_points

from . import checkins, hours, notify, reminders, timers
from .crypto import PiiCipher
from .routing import DbSession

#: Intakes read per batch; the worker loops until a batch comes back short.
BATCH = 200

STEP_NONE = 0
STEP_REMINDED = 1
STEP_ESCALATED = 2


@dataclass
class TimerRun:
    """What one run did."""

    looked_at: int = 0
    reminded: int = 0
    escalated: int = 0
    alerts: int = 0


@dataclass
class _Place:
    schedule: hours.Schedule | None
    targets: timers.Targets


class _Tick:
    """What one tick reads once per access point: hours, targets, who is reminded and escalated to."""

    def __init__(self, session: DbSession, config: Mapping[str, Any]) -> None:
        self.config = config
        self.recipients = notify.Recipients(session)
        self._places: dict[int, _Place] = {}

    def place(self, access_point: AccessPoint) -> _Place:
        found = self._places.get(access_point.id)
        if found is None:
            found = _Place(timers.schedule_for(access_point), timers.targets_for(access_point, self.config))
            self._places[access_point.id] = found
        return found

    def next_look(self, clock: timers.Clock, place: _Place) -> datetime:
        after = int(self.config.get("ESCALATE_AFTER_MINUTES", 60))
        return timers.add_minutes(place.schedule, clock.due_at, after)


def run_timers(session: DbSession, now: datetime, config: Mapping[str, Any], *, batch: int = BATCH) -> TimerRun:
    """Handle every intake whose ``due_at`` has come; commit after each batch; return counts."""
    run = TimerRun()
    tick = _Tick(session, config)
    while True:
        rows = list(session.scalars(
            select(Intake)
            .where(Intake.due_at.is_not(None), Intake.due_at <= now)
            .order_by(Intake.due_at, Intake.id)
            .limit(batch)
            .with_for_update(skip_locked=True, of=Intake)
        ))
        for intake in rows:
            _step(session, intake, now, config, run, tick)
        run.looked_at += len(rows)
        session.commit()
        if len(rows) < batch:
            return run


def _step(session: DbSession, intake: Intake, now: datetime, config: Mapping[str, Any], run: TimerRun,
          tick: _Tick) -> None:
    access_point = intake.routed_access_point
    if access_point is None:
        intake.due_at = None
        return
    place = tick.place(access_point)
    clock = timers.due(intake, access_point, now, config, schedule=place.schedule, targets=place.targets)
    if clock is None:
        intake.due_at = None
        return
    if not clock.overdue:
        intake.due_at = clock.due_at  # claimed or released since, or a target changed: look again when due
        return
    next_look = tick.next_look(clock, place)
    if intake.escalation <= STEP_NONE:
        run.alerts += notify.remind_staff(session, intake, access_point, clock, config, recipients=tick.recipients)
        run.reminded += 1
        intake.escalation = STEP_REMINDED
    if intake.escalation == STEP_REMINDED and now >= next_look:
        run.alerts += notify.alert_coordinators(session, intake, access_point, clock, config,
                                                recipients=tick.recipients)
        run.escalated += 1
        intake.escalation = STEP_ESCALATED
    if clock.stage is timers.Stage.CONTACT:
        intake.contact_escalation = intake.escalation
    intake.due_at = None if intake.escalation >= STEP_ESCALATED else next_look


# -- daily digests ------------------------------------------------------------------------------


def next_digest_time(access_point: AccessPoint, after: datetime, config: Mapping[str, Any]) -> datetime:
    """Return the first DIGEST_HOUR (local to the access point) strictly after ``after``."""
    zone = hours.zone(access_point.timezone)
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), time(int(config.get("DIGEST_HOUR", 8))), tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), candidate.timetz())
    return candidate


def _digest_access_points(session: DbSession) -> list[AccessPoint]:
    ids = select(user_access_points.c.access_point_id).join(User, User.id == user_access_points.c.user_id).where(
        User.active.is_(True), User.alert_preference == AlertPreference.DIGEST)
    return list(session.scalars(select(AccessPoint).where(AccessPoint.id.in_(ids), AccessPoint.active.is_(True))
                                .order_by(AccessPoint.id)))


def _ensure_job(session: DbSession, name: str, first_run: datetime) -> None:
    if session.scalar(select(ScheduledJob.id).where(ScheduledJob.name == name)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(ScheduledJob(name=name, next_run_at=first_run))
    except IntegrityError:
        pass  # another worker made it at the same moment
    session.commit()


def run_digests(session: DbSession, now: datetime, config: Mapping[str, Any]) -> int:
    """Queue each due daily digest once; commit; return how many e-mails were queued."""
    queued = 0
    for access_point in _digest_access_points(session):
        name = f"digest:{access_point.id}"
        _ensure_job(session, name, next_digest_time(access_point, now, config))
        job = session.scalars(
            select(ScheduledJob).where(ScheduledJob.name == name, ScheduledJob.next_run_at <= now)
            .with_for_update(skip_locked=True)
        ).first()
        if job is None:
            session.commit()
            continue
        since = job.last_run_at or now - timedelta(days=1)
        intakes = list(session.scalars(
            select(Intake).where(Intake.routed_access_point_id == access_point.id,
                                 Intake.status == IntakeStatus.SUBMITTED, Intake.confidential.is_(False),
                                 Intake.submitted_at >= since, Intake.submitted_at < now)
            .order_by(Intake.submitted_at)
        ))
        queued += notify.send_digest(session, access_point, intakes, since, config)
        job.last_run_at = now
        job.next_run_at = next_digest_time(access_point, now, config)
        session.commit()
    return queued


# -- texts to households ------------------------------------------------------------------------


@dataclass
class HouseholdRun:
    """Texts queued for households by one run."""

    reminders: int = 0
    check_ins: int = 0


def run_household(session: DbSession, now: datetime, config: Mapping[str, Any], cipher: PiiCipher) -> HouseholdRun:
    """Queue the due appointment reminders and check-ins, each once; commit; return counts."""
    sent = reminders.run_reminders(session, now, cipher)
    run = checkins.run_checkins(session, now, config, cipher)
    return HouseholdRun(reminders=sent, check_ins=run.sent)

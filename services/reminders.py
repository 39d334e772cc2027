"""The reminder text the day before a scheduled assessment, sent by the worker.

Scheduling an assessment (``staff_actions.schedule_assessment``) plans one ``ScheduledJob`` named
``reminder:<event id>`` that runs at REMINDER_HOUR, in the access point's time zone, on the day
before. Scheduling again (a new time) removes the earlier job in the same transaction and notes
on the intake that its reminder will not go: the old time is never sent.

``run_reminders`` claims due jobs with ``SELECT ... FOR UPDATE SKIP LOCKED`` (two workers take
different rows) and deletes each job in the transaction that queues its text and records the
``reminder`` event, so a reminder goes once. At that moment it checks again what may have changed:
the intake closed (cancelled), a newer time (rescheduled), no phone, texting not allowed or not
safe, the number opted out (STOP). Either way an event says what happened, for the intake page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import EventKind, Intake, IntakeEvent, ScheduledJob

from . import hours, household_texts, outbox
from .crypto import PiiCipher
from .routing import DbSession

PREFIX = "reminder:"
BATCH = 100

#: Why a reminder did not go (the intake page says each in words).
SENT = "sent"
TOO_SOON = "too_soon"  # the day before had already passed when it was scheduled
RESCHEDULED = "rescheduled"
CANCELLED = "cancelled"  # the intake was closed
PASSED = "passed"  # the appointment time came before the worker did
NO_PHONE = "no_phone"
UNSAFE = "unsafe"  # no consent to texts, or texting is not safe
OPTED_OUT = "opted_out"


@dataclass(frozen=True)
class ReminderState:
    """What the intake page says about the reminder of the latest scheduled assessment."""

    result: str  # "planned" or one of the results above
    at: datetime  # when it is planned, or when it was decided
    #: For a planned reminder: what would stop it if it ran now (None: it would go).
    blocker: str | None = None


def send_time(intake: Intake, appointment: datetime, config: Mapping[str, Any]) -> datetime:
    """Return REMINDER_HOUR on the day before ``appointment``, in the access point's time zone (UTC)."""
    ap = intake.routed_access_point
    zone = hours.zone(ap.timezone if ap is not None else None)
    day_before = appointment.astimezone(zone).date() - timedelta(days=1)
    local = datetime.combine(day_before, time(int(config.get("REMINDER_HOUR", 10))), tzinfo=zone)
    return local.astimezone(UTC)


def _schedule_events(session: DbSession, intake_id: int) -> list[int]:
    return list(session.scalars(select(IntakeEvent.id).where(
        IntakeEvent.intake_id == intake_id, IntakeEvent.kind == EventKind.ASSESSMENT_SCHEDULED)
        .order_by(IntakeEvent.id)))


def _record(session: DbSession, intake: Intake, for_event: int, result: str, outbox_id: int | None = None) -> None:
    data: dict[str, Any] = {"for_event": for_event, "result": result}
    if outbox_id is not None:
        data["outbox_id"] = outbox_id
    session.add(IntakeEvent(intake_id=intake.id, actor_id=None, kind=EventKind.REMINDER, data=data))


def plan(session: DbSession, intake: Intake, event: IntakeEvent, now: datetime, config: Mapping[str, Any]) -> None:
    """Plan the reminder of a just-recorded schedule ``event`` (flushed); drop the earlier ones.

    Runs in the caller's transaction (no commit).
    """
    earlier = [f"{PREFIX}{n}" for n in _schedule_events(session, intake.id) if n != event.id]
    if earlier:
        dropped = list(session.scalars(select(ScheduledJob.name).where(ScheduledJob.name.in_(earlier))))
        session.execute(delete(ScheduledJob).where(ScheduledJob.name.in_(dropped))
                        .execution_options(synchronize_session=False))
        for name in dropped:
            _record(session, intake, int(name.removeprefix(PREFIX)), RESCHEDULED)
    appointment = datetime.fromisoformat(event.data["at"])
    run_at = send_time(intake, appointment, config)
    if run_at <= now:
        _record(session, intake, event.id, TOO_SOON)
        return
    session.add(ScheduledJob(name=f"{PREFIX}{event.id}", next_run_at=run_at))


def blocker(session: DbSession, intake: Intake, cipher: PiiCipher) -> tuple[str | None, str | None]:
    """Return (why a text to the household cannot go now, the phone number when it can)."""
    from .intake import personal_values  # the intake service is heavy; load on use
    from .staff_actions import contact_safety

    if intake.closed_at is not None:
        return CANCELLED, None
    safety = contact_safety(intake)
    phone = personal_values(intake, cipher).get("phone") if safety.has_phone else None
    if not phone:
        return NO_PHONE, None
    if not safety.can_text:
        return UNSAFE, None
    if outbox.is_opted_out(cast(Session, session), phone):
        return OPTED_OUT, None
    return None, phone


def _run_one(session: DbSession, job: ScheduledJob, now: datetime, cipher: PiiCipher) -> bool:
    """Send (or decide not to send) one claimed reminder; return whether a text was queued."""
    event_id = int(job.name.removeprefix(PREFIX))
    session.delete(job)
    event = session.get(IntakeEvent, event_id)
    intake = session.get(Intake, event.intake_id) if event is not None else None
    if event is None or intake is None:
        return False
    events = _schedule_events(session, intake.id)
    appointment = datetime.fromisoformat(event.data["at"])
    reason, phone = blocker(session, intake, cipher)
    if events and events[-1] != event_id:
        reason = RESCHEDULED
    elif reason is None and appointment <= now:
        reason = PASSED
    if reason is not None or phone is None:
        _record(session, intake, event_id, reason or NO_PHONE)
        return False
    private = json.loads(cipher.decrypt(event.private_enc)) if event.private_enc else {}
    body = household_texts.reminder(intake, appointment, str(private.get("where", "")))
    message = outbox.enqueue_sms(cast(Session, session), to=phone, body=body, language=intake.language,
                                 intake_id=intake.id, purpose="reminder")
    if message is None:
        _record(session, intake, event_id, OPTED_OUT)
        return False
    session.flush()
    _record(session, intake, event_id, SENT, message.id)
    return True


def run_reminders(session: DbSession, now: datetime, cipher: PiiCipher, *, batch: int = BATCH) -> int:
    """Run every due reminder once; commit after each batch; return how many texts were queued."""
    queued = 0
    while True:
        jobs = list(session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.name.like(f"{PREFIX}%"), ScheduledJob.next_run_at <= now)
            .order_by(ScheduledJob.next_run_at, ScheduledJob.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ))
        for job in jobs:
            queued += _run_one(session, job, now, cipher)
        session.commit()
        if len(jobs) < batch:
            return queued


def state(session: DbSession, intake: Intake, cipher: PiiCipher) -> ReminderState | None:
    """Return what became of the reminder of the intake's latest scheduled assessment (None: none)."""
    events = _schedule_events(session, intake.id)
    if not events:
        return None
    latest = events[-1]
    job = session.scalar(select(ScheduledJob).where(ScheduledJob.name == f"{PREFIX}{latest}"))
    if job is not None:
        return ReminderState("planned", job.next_run_at, blocker(session, intake, cipher)[0])
    for ev in session.scalars(select(IntakeEvent).where(
            IntakeEvent.intake_id == intake.id, IntakeEvent.kind == EventKind.REMINDER)
            .order_by(IntakeEvent.id.desc())):
        if ev.data.get("for_event") == latest:
            return ReminderState(str(ev.data.get("result")), ev.created_at)
    return None

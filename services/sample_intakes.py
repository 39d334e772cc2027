"""SAMPLE intakes in bulk for demonstrations and benchmarks: invented, never real households.

``load_sample_intakes`` spreads submitted intakes over the access points already loaded (see
``services.demo``), with claims, contact attempts and outcomes, using bulk inserts so that a
busy statewide year (200,000 intakes) loads in a minute or two. No answers are stored: these
rows carry the codes the reports count and nothing identifying.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from models import AccessPoint, AccessPointKind, County, EventKind, Intake, IntakeEvent, User
from models.base import utcnow

from . import report_days, timers
from .routing import DbSession

CHANNELS = (("kiosk", 30), ("web", 30), ("sms", 25), ("voice", 15))
OUTCOMES = (("assessed_in_hmis", 50), ("diverted", 15), ("referred_elsewhere", 12), ("unable_to_contact", 12),
            ("declined", 6), ("duplicate", 5))
REASONS = ("slept_outside", "no_safe_place_tonight", "children", "veteran", "health_barrier",
           "leave_within_7_days")
BATCH = 5000


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def load_sample_intakes(session: DbSession, count: int, *, days: int = 365, seed: int = 14,
                        now: datetime | None = None) -> int:
    """Add ``count`` SAMPLE submitted intakes over the last ``days`` days; return how many (commits)."""
    rng = random.Random(seed)  # noqa: S311 - invented sample data, not secrets
    now = now or utcnow()
    aps = session.execute(select(AccessPoint.id, AccessPoint.coc_id, AccessPoint.kind, County.fips)
                          .outerjoin(County, County.id == AccessPoint.county_id)).all()
    # The response facts stamped as services.timers stamps them, in each place's opening hours.
    config: dict[str, Any] = {}
    places = {ap.id: (timers.schedule_for(ap), timers.targets_for(ap, config))
              for ap in session.scalars(select(AccessPoint))}
    fips = list(session.scalars(select(County.fips)))
    actor = session.scalar(select(User.id).order_by(User.id))
    if not aps or not fips:
        raise ValueError("load the reference data and access points first")
    # Reference codes like the real ones (XXX-XXX): "S" for sample, then a running number in hex,
    # carried on from earlier loads so that they stay unique.
    first = session.scalar(select(func.count()).select_from(Intake)) or 0
    intakes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for n in range(count):
        ap_id, coc_id, kind, ap_fips = aps[rng.randrange(len(aps))]
        submitted = now - timedelta(seconds=rng.randrange(days * 86400))
        age = now - submitted
        category = rng.choice((1, 1, 1, 2, 2, 4))
        closed = age > timedelta(days=3) and rng.random() < 0.9
        outcome = _pick(rng, OUTCOMES) if closed else None
        claimed = rng.random() < 0.92
        claim_at = submitted + timedelta(minutes=rng.expovariate(1 / 240))
        contact_at = claim_at + timedelta(minutes=rng.expovariate(1 / 600))
        code = f"S{first + n:05X}"
        priority, reasons = rng.randrange(9), rng.sample(REASONS, rng.randrange(3))
        schedule, targets = places[ap_id]
        claim_due, contact_due = timers.due_times(submitted, timers.urgent_by(priority, reasons, config),
                                                  targets, schedule)
        claimed_then = claim_at if claimed and claim_at < now else None
        contacted = claimed_then is not None and rng.random() < 0.85 and contact_at < now
        intakes.append({
            "reference_code": f"{code[:3]}-{code[3:]}", "public_id": uuid.UUID(int=rng.getrandbits(128)).hex,
            "channel": _pick(rng, CHANNELS),
            "language": "es" if rng.random() < 0.14 else "en", "flow_version": 1, "status": "submitted",
            "routed_access_point_id": ap_id, "coc_id": coc_id,
            "county_fips": ap_fips if ap_fips and rng.random() < 0.7 else rng.choice(fips),
            "out_of_area": rng.random() < 0.05, "homeless_category": category,
            "track": "prevention" if category == 2 else "homeless", "priority": priority,
            "priority_reasons": reasons,
            "diversion_candidate": rng.random() < 0.22, "confidential": kind is AccessPointKind.VSP,
            "callback_requested": rng.random() < 0.15, "possible_flood": False,
            "created_at": submitted - timedelta(minutes=8), "updated_at": submitted,
            "last_activity_at": submitted, "submitted_at": submitted,
            "claimed_by_id": actor if claimed else None, "claimed_at": claim_at if claimed else None,
            "closed_at": submitted + timedelta(days=2) if closed else None, "outcome": outcome,
            "first_claimed_at": claimed_then, "first_contact_at": contact_at if contacted else None,
            "claim_minutes": None if claimed_then is None else timers.minutes_between(schedule, submitted, claim_at),
            "contact_minutes": timers.minutes_between(schedule, submitted, contact_at) if contacted else None,
            "claim_due_at": claim_due, "contact_due_at": contact_due,
        })
        if claimed_then is not None:
            events.append({"intake_id": len(intakes) - 1, "actor_id": actor, "kind": EventKind.CLAIMED.value,
                           "data": {}, "created_at": claim_at})
            if contacted:
                events.append({"intake_id": len(intakes) - 1, "actor_id": actor,
                               "kind": EventKind.CONTACT_ATTEMPT.value,
                               "data": {"method": "phone", "result": "reached"}, "created_at": contact_at})
        if outcome is not None:
            data: dict[str, Any] = {"outcome": outcome}
            if outcome == "diverted":
                data.update(hmis_event=2, prob_sol_div_rr_result=rng.choice((1, 1, 1, 0, 99)))
            events.append({"intake_id": len(intakes) - 1, "actor_id": actor, "kind": EventKind.OUTCOME.value,
                           "data": data, "created_at": submitted + timedelta(days=2)})
        if len(intakes) >= BATCH:
            _flush(session, intakes, events)
    _flush(session, intakes, events)
    session.commit()
    # Bulk inserts pass no ORM hook: count the loaded days into the report summary, once the
    # database has statistics for the new rows (a day's recount is then an index range).
    session.execute(text("ANALYZE"))
    report_days.refresh(session, {report_days.local_day(now - timedelta(days=n), report_days.zone_name())
                                  for n in range(days + 1)})
    session.commit()
    return count


def _flush(session: DbSession, intakes: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    """Insert a batch; until then an event names its intake by its place in ``intakes``."""
    if not intakes:
        return
    ids = list(session.scalars(insert(Intake).returning(Intake.id, sort_by_parameter_order=True), intakes))
    for e in events:
        e["intake_id"] = ids[e["intake_id"]]
    if events:
        session.execute(insert(IntakeEvent), events)
    intakes.clear()
    events.clear()

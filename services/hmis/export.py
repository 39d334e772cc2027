"""Export intakes as an HMIS CSV FY2026 zip: who may export what, what never leaves, the audit row.

What never leaves, on every path (command line and staff page alike):

- confidential intakes (fleeing violence: victim service provider only), and anything routed to a
  victim service provider's access point;
- intakes whose household did not say yes to sharing (or whose latest answer to it was no);
- intakes that are not submitted (in progress, abandoned, withdrawn), and intakes staff closed as
  a duplicate of another.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import metadata
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intake_forms import conditions
from models import (
    AccessPoint,
    AccessPointKind,
    ConsentKind,
    ContinuumOfCare,
    EventKind,
    HmisExport,
    Intake,
    IntakeEvent,
    IntakeStatus,
    Outcome,
    Role,
    User,
)
from models.base import utcnow
from services.crypto import PiiCipher
from services.routing import DbSession

from . import mapping, writer

DEFAULT_TIMEZONE = "America/Chicago"


class ExportError(Exception):
    """An export was refused; ``code`` says why ("not_found": outside the person's scope)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ExportRequest:
    """What to export: a date range (submission dates, local), access points (none = all in scope)."""

    start: date | None = None
    end: date | None = None
    access_points: tuple[str, ...] = ()
    hashed: bool = False


@dataclass(frozen=True)
class ExportResult:
    export_id: str
    data: bytes
    households: int
    start: date
    end: date

    @property
    def filename(self) -> str:
        """A file name with no personal data: the dates and the export id."""
        return f"hmis-csv-{self.start.isoformat()}-{self.end.isoformat()}-{self.export_id[:8]}.zip"


# -- settings -----------------------------------------------------------------------------------


def settings_from(config: Mapping[str, Any], home: ContinuumOfCare | None, *, hashed: bool) -> mapping.Settings:
    """Read the export settings from the app config; the implementation id is stable per deployment."""
    code = home.code if home is not None else "frontdoor"
    try:
        version = metadata.version("frontdoor")
    except metadata.PackageNotFoundError:
        version = "0"
    field_names = config.get("HMIS_FIELD_NAMES") or {}
    return mapping.Settings(
        implementation_id=config.get("HMIS_IMPLEMENTATION_ID") or f"frontdoor-{code.lower()}",
        source_name=config.get("HMIS_SOURCE_NAME") or f"Front Door {code}",
        source_id=home.code if home is not None else None,
        software_version=version,
        timezone=config.get("HMIS_TIMEZONE") or DEFAULT_TIMEZONE,
        field_names={str(k): str(v) for k, v in dict(field_names).items()},
        hashed=hashed,
    )


# -- scope --------------------------------------------------------------------------------------


def exportable_access_points(session: DbSession, user: User | None) -> list[AccessPoint]:
    """Return the access points whose intakes ``user`` may export (None: the command line, all).

    Admins: every access point; coordinators: their region's; staff: their own. Victim service
    providers' access points are never exported, so their staff may export nothing.
    """
    query = select(AccessPoint).where(AccessPoint.kind != AccessPointKind.VSP).order_by(AccessPoint.name)
    if user is None or user.role is Role.ADMIN:
        return list(session.scalars(query))
    if user.role is Role.COORDINATOR:
        if user.region_id is None:
            return []
        return list(session.scalars(query.where(AccessPoint.region_id == user.region_id)))
    if user.role is Role.STAFF:
        own = [ap.id for ap in user.access_points]
        return list(session.scalars(query.where(AccessPoint.id.in_(own))))
    return []


def may_export(session: DbSession, user: User) -> bool:
    """Tell whether ``user`` has any access point to export."""
    return bool(exportable_access_points(session, user))


# -- what leaves ------------------------------------------------------------------------------------


def share_granted(intake: Intake) -> bool:
    """Tell whether the household's latest answer to sharing was yes (no answer means no)."""
    shares = [c for c in intake.consents if c.kind is ConsentKind.SHARE_ANSWERS]
    return bool(shares) and shares[-1].granted


def may_leave(intake: Intake) -> bool:
    """Tell whether an intake may be exported at all (see the module docstring)."""
    codes = {a.key: a.code for a in intake.answers if a.code is not None}
    return (
        intake.status is IntakeStatus.SUBMITTED
        and not intake.confidential
        and not conditions.fleeing(codes)
        and intake.routed_access_point is not None
        and intake.routed_access_point.kind is not AccessPointKind.VSP
        and intake.outcome != Outcome.DUPLICATE.value
        and share_granted(intake)
    )


def _bounds(request: ExportRequest, zone: ZoneInfo, today: date) -> tuple[date, date, datetime | None, datetime]:
    end = request.end or today
    start = request.start
    if start is not None and start > end:
        raise ExportError("invalid_range")
    lower = datetime.combine(start, time.min, zone).astimezone(UTC) if start else None
    upper = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    return start or end, end, lower, upper


def _outcomes(session: DbSession, intakes: Sequence[Intake], cipher: PiiCipher) -> dict[int, mapping.StaffOutcome]:
    rows = session.execute(
        select(IntakeEvent, User)
        .outerjoin(User, User.id == IntakeEvent.actor_id)
        .where(IntakeEvent.intake_id.in_([i.id for i in intakes]), IntakeEvent.kind == EventKind.OUTCOME)
        .order_by(IntakeEvent.created_at, IntakeEvent.id)
    )
    found: dict[int, mapping.StaffOutcome] = {}
    for event, user in rows:
        private = json.loads(cipher.decrypt(event.private_enc)) if event.private_enc else {}
        data = dict(event.data or {})
        staff = mapping.StaffUser(user.id, user.display_name, user.created_at) if user is not None else None
        result = data.get("prob_sol_div_rr_result")
        found[event.intake_id] = mapping.StaffOutcome(
            outcome=str(data.get("outcome", "")), recorded_at=event.created_at, user=staff,
            prob_sol_div_rr_result=result if isinstance(result, int) else None,
            hmis_client_id=str(private.get("hmis_client_id") or "") or None,
        )
    return found


def _project(ap: AccessPoint) -> mapping.ProjectRecord:
    return mapping.ProjectRecord(slug=ap.slug, name=ap.name, coc_code=ap.coc.code, coc_name=ap.coc.name,
                                 address=ap.address, city=ap.city, state=ap.state, zip=ap.zip,
                                 created_at=ap.created_at)


def _record(intake: Intake, outcome: mapping.StaffOutcome | None, cipher: PiiCipher) -> mapping.IntakeRecord:
    if intake.routed_access_point is None or intake.submitted_at is None:
        raise ExportError("not_submitted")  # may_leave keeps these out; this keeps the types honest
    codes = {a.key: a.code for a in intake.answers if a.code is not None}
    personal = {a.key: cipher.decrypt(a.value_enc) for a in intake.answers if a.value_enc is not None}
    return mapping.IntakeRecord(
        public_id=intake.public_id, channel=intake.channel.value, flow_version=intake.flow_version,
        codes=codes, personal=personal, created_at=intake.created_at, updated_at=intake.updated_at,
        submitted_at=intake.submitted_at, project=_project(intake.routed_access_point),
        homeless_category=intake.homeless_category, track=intake.track.value if intake.track else None,
        priority=intake.priority, reasons=tuple(intake.priority_reasons or ()),
        diversion_candidate=intake.diversion_candidate, outcome=outcome,
    )


def run_export(session: DbSession, request: ExportRequest, *, config: Mapping[str, Any], cipher: PiiCipher,
               actor: User | None, via: str, now: datetime | None = None) -> ExportResult:
    """Build the zip for ``request`` within ``actor``'s scope and write the audit row (committed).

    An access point outside the scope raises ``ExportError("not_found")``: for the person asking,
    it does not exist.
    """
    now = now or utcnow()
    home = session.scalar(select(ContinuumOfCare).where(ContinuumOfCare.is_home.is_(True)))
    settings = settings_from(config, home, hashed=request.hashed)
    scope = {ap.slug: ap for ap in exportable_access_points(session, actor)}
    if request.access_points:
        if not set(request.access_points) <= set(scope):
            raise ExportError("not_found")
        chosen = [scope[slug] for slug in request.access_points]
    else:
        chosen = list(scope.values())
    start, end, lower, upper = _bounds(request, settings.zone, now.astimezone(settings.zone).date())

    query = (
        select(Intake)
        .options(selectinload(Intake.answers), selectinload(Intake.consents),
                 selectinload(Intake.routed_access_point).selectinload(AccessPoint.coc))
        .where(Intake.status == IntakeStatus.SUBMITTED, Intake.confidential.is_(False),
               Intake.routed_access_point_id.in_([ap.id for ap in chosen]), Intake.submitted_at < upper)
        .order_by(Intake.submitted_at, Intake.id)
    )
    if lower is not None:
        query = query.where(Intake.submitted_at >= lower)
    intakes = [i for i in session.scalars(query) if may_leave(i)]
    if request.start is None and intakes and intakes[0].submitted_at is not None:
        start = min(start, intakes[0].submitted_at.astimezone(settings.zone).date())
    outcomes = _outcomes(session, intakes, cipher) if intakes else {}
    records = [_record(i, outcomes.get(i.id), cipher) for i in intakes]

    export_id = uuid.uuid4().hex
    first, last = (None, None)
    if actor is not None:
        parts = actor.display_name.split()
        first, last = (parts[0] if parts else None), (" ".join(parts[1:]) or None)
    header = mapping.ExportHeader(export_id=export_id, exported_at=now, start=start, end=end,
                                  contact_first=first, contact_last=last,
                                  contact_email=actor.email if actor is not None else None)
    data = writer.write_zip(mapping.build_rows(records, settings, header))
    session.add(HmisExport(export_id=export_id, user_id=actor.id if actor is not None else None, via=via,
                           start_date=start, end_date=end, access_points=[ap.slug for ap in chosen],
                           hashed=request.hashed, households=len(records), created_at=now))
    session.commit()
    return ExportResult(export_id=export_id, data=data, households=len(records), start=start, end=end)

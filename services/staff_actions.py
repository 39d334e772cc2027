"""What staff do with an intake: open it (audited), sign in, and record actions as events.

Every action adds one append-only ``IntakeEvent`` (who, what, when) in the same transaction as
its effect. ``data`` holds codes and ids; what a person typed (notes, an HMIS client id, a place)
is encrypted into ``private_enc``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from intake_forms import DECLINE, DONT_KNOW, Kind, question
from intake_forms.conditions import texting_allowed
from intake_forms.definition import QUESTIONS
from models import (
    AccessPoint,
    AccessPointKind,
    ConsentKind,
    ConsentRecord,
    EventKind,
    Intake,
    IntakeEvent,
    IntakeView,
    Outcome,
    User,
)
from models.base import utcnow
from models.sms import OutboxMessage
from services import queue, routing
from services.accounts import verify_password
from services.crypto import PiiCipher
from services.outbox import enqueue_sms

from .routing import DbSession

CONTACT_METHODS: tuple[str, ...] = ("phone", "sms", "email", "in_person")
CONTACT_RESULTS: tuple[str, ...] = ("reached", "no_answer", "left_voicemail", "wrong_number", "message_sent")
#: HUD 4.20.A ProbSolDivRRResult: 1 housed/re-housed in a safe alternative, 0 no, 99 not collected.
DIVERSION_RESULTS: tuple[int, ...] = (1, 0, 99)
SMS_TEMPLATES: tuple[str, ...] = ("will_call", "missed_call", "appointment")

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15

_ORDER = {q.key: n for n, q in enumerate(QUESTIONS)}
# Used to spend the same time on an unknown email as on a wrong password.
_DUMMY_HASH = PasswordHasher().hash("not-a-real-password")


class ActionError(Exception):
    """An action was refused; ``code`` says why (the view turns it into a message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- signing in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    reason: str  # "ok", "invalid" or "locked"


def authenticate(session: DbSession, email: str, password: str, *, now: datetime | None = None,
                 max_failures: int = MAX_FAILED_LOGINS, lock_minutes: int = LOCK_MINUTES) -> LoginResult:
    """Check a password; count failures and lock the account for a while after too many."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        PasswordHasher().verify(_DUMMY_HASH, "not-a-real-password")
        return LoginResult(None, "invalid")
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, "locked")
    if not verify_password(user, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        locked = user.failed_logins >= max_failures
        if locked:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
        session.commit()
        return LoginResult(None, "locked" if locked else "invalid")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.commit()
    return LoginResult(user, "ok")


# -- the intake page -------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    """One answer for display: msgids to translate (``labels``), or a plain ``value``."""

    key: str
    prompt: str
    labels: tuple[str, ...] = ()
    value: str | None = None
    hidden: bool = False


@dataclass(frozen=True)
class ContactSafety:
    """How the household may be contacted; the flags staff must not miss."""

    has_phone: bool
    has_email: bool
    safe_to_text: bool
    safe_to_voicemail: bool
    sms_consent: bool
    method: str | None
    best_time: str | None

    @property
    def do_not_text(self) -> bool:
        return not self.safe_to_text or not self.sms_consent

    @property
    def no_voicemail(self) -> bool:
        return not self.safe_to_voicemail

    @property
    def can_text(self) -> bool:
        return self.has_phone and self.safe_to_text and self.sms_consent


@dataclass(frozen=True)
class EventLine:
    kind: str
    actor: str | None
    created_at: datetime
    data: dict[str, Any]
    private: dict[str, Any] | None  # None when hidden from this viewer


@dataclass(frozen=True)
class IntakePage:
    intake: Intake
    identity_shown: bool
    answers: tuple[AnswerLine, ...]
    consents: tuple[ConsentRecord, ...]
    safety: ContactSafety
    duplicates: tuple[queue.Duplicate, ...]
    events: tuple[EventLine, ...]
    holder: str | None
    access_point: str | None


def _labels(key: str, code: str) -> tuple[str, ...]:
    q = question(key)
    parts = code.split(",") if q.kind is Kind.MULTI else [code]
    labels = []
    for part in parts:
        option = q.option(part)
        if option is not None:
            labels.append(option.label)
        elif part == DECLINE:
            labels.append("Prefer not to answer")
        elif part == DONT_KNOW:
            labels.append("Not sure")
        else:
            labels.append(part)
    return tuple(labels)


def answer_lines(intake: Intake, personal: dict[str, str] | None) -> tuple[AnswerLine, ...]:
    """Turn stored codes into display lines; identifying values only when ``personal`` is given."""
    lines = []
    for answer in sorted(intake.answers, key=lambda a: _ORDER.get(a.key, len(_ORDER))):
        if answer.key not in _ORDER or answer.code is None:
            continue
        q = question(answer.key)
        if q.identifying and answer.value_enc is not None:
            if personal is None:
                lines.append(AnswerLine(q.key, q.prompt, hidden=True))
            else:
                lines.append(AnswerLine(q.key, q.prompt, value=personal.get(q.key)))
        elif q.options or answer.code in (DECLINE, DONT_KNOW):
            lines.append(AnswerLine(q.key, q.prompt, labels=_labels(q.key, answer.code)))
        elif q.kind is Kind.LOCATION:
            here = answer.code == "here"  # a kiosk's own access point ("Here" is the kiosk's msgid)
            lines.append(AnswerLine(q.key, q.prompt, labels=("Here",) if here else (),
                                    value=None if here else routing.describe_location(answer.code)))
        else:
            lines.append(AnswerLine(q.key, q.prompt, value=answer.code))
    return tuple(lines)


def contact_safety(intake: Intake) -> ContactSafety:
    """Read the contact preferences and the SMS consent of an intake."""
    from services.intake import codes as answer_codes

    codes = answer_codes(intake)
    sms = [c for c in intake.consents if c.kind is ConsentKind.SMS]
    return ContactSafety(
        has_phone=codes.get("phone") == "given",
        has_email=codes.get("email") == "given",
        safe_to_text=texting_allowed(codes),
        safe_to_voicemail=codes.get("safe_to_voicemail") == "1",
        sms_consent=bool(sms) and sms[-1].granted,
        method=codes.get("contact_method"),
        best_time=codes.get("best_time"),
    )


def _encrypt(cipher: PiiCipher, private: dict[str, Any]) -> bytes | None:
    kept = {k: v for k, v in private.items() if v not in (None, "")}
    return cipher.encrypt(json.dumps(kept, sort_keys=True)) if kept else None


def event_lines(session: DbSession, intake: Intake, cipher: PiiCipher, *, show_private: bool) -> tuple[EventLine, ...]:
    """Return an intake's events, oldest first, with the private part when allowed."""
    rows = session.execute(
        select(IntakeEvent, User.display_name)
        .outerjoin(User, User.id == IntakeEvent.actor_id)
        .where(IntakeEvent.intake_id == intake.id)
        .order_by(IntakeEvent.created_at, IntakeEvent.id)
    )
    lines = []
    for ev, actor in rows:
        private: dict[str, Any] | None = None
        if show_private:
            private = json.loads(cipher.decrypt(ev.private_enc)) if ev.private_enc else {}
        lines.append(EventLine(str(ev.kind), actor, ev.created_at, dict(ev.data or {}), private))
    return _with_delivery(session, lines)


def _with_delivery(session: DbSession, lines: list[EventLine]) -> tuple[EventLine, ...]:
    """Add each sent text's real outbox state (``data["delivery"]``): staff see what happened to it."""
    ids = [line.data["outbox_id"] for line in lines if isinstance(line.data.get("outbox_id"), int)]
    if not ids:
        return tuple(lines)
    found = session.execute(select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(ids)))
    states = {row.id: row.status for row in found}
    for line in lines:
        state = states.get(line.data.get("outbox_id"))
        if state is not None:
            line.data["delivery"] = str(state)
    return tuple(lines)


def open_intake_page(session: DbSession, user: User, public_id: str, cipher: PiiCipher) -> IntakePage | None:
    """Return what the intake page shows ``user`` and write the audit row; None when out of scope."""
    from services.intake import personal_values  # the intake service is heavy; load on use

    intake = queue.find_intake(session, user, public_id)
    if intake is None:
        return None
    shown = queue.identity_visible(user, intake)
    personal = personal_values(intake, cipher) if shown else None
    duplicates = queue.possible_duplicates(session, user, intake, cipher) if shown else []
    session.add(IntakeView(intake_id=intake.id, user_id=user.id, identity_shown=shown))
    page = IntakePage(
        intake=intake,
        identity_shown=shown,
        answers=answer_lines(intake, personal),
        consents=tuple(intake.consents),
        safety=contact_safety(intake),
        duplicates=tuple(duplicates),
        events=event_lines(session, intake, cipher, show_private=shown),
        holder=intake.claimed_by.display_name if intake.claimed_by else None,
        access_point=intake.routed_access_point.name if intake.routed_access_point else None,
    )
    session.commit()
    return page


# -- actions -----------------------------------------------------------------------------------


def _require_holder(intake: Intake, actor: User) -> None:
    if intake.closed_at is not None:
        raise ActionError("closed")
    if intake.claimed_by_id != actor.id:
        raise ActionError("not_claimed")


def _add_event(session: DbSession, intake: Intake, actor: User, kind: EventKind, data: dict[str, Any],
               cipher: PiiCipher, private: dict[str, Any] | None = None) -> IntakeEvent:
    ev = IntakeEvent(intake_id=intake.id, actor_id=actor.id, kind=kind, data=data,
                     private_enc=_encrypt(cipher, private or {}))
    session.add(ev)
    intake.last_activity_at = utcnow()
    return ev


def log_contact(session: DbSession, intake: Intake, actor: User, *, method: str, result: str,
                note: str | None, cipher: PiiCipher) -> IntakeEvent:
    """Record a contact attempt (method, result, note)."""
    _require_holder(intake, actor)
    if method not in CONTACT_METHODS or result not in CONTACT_RESULTS:
        raise ActionError("invalid")
    ev = _add_event(session, intake, actor, EventKind.CONTACT_ATTEMPT, {"method": method, "result": result},
                    cipher, {"note": note})
    session.commit()
    return ev


def schedule_assessment(session: DbSession, intake: Intake, actor: User, *, at: datetime, where: str,
                        note: str | None, cipher: PiiCipher) -> IntakeEvent:
    """Record when and where the full assessment will happen."""
    _require_holder(intake, actor)
    if at.tzinfo is None or not where.strip():
        raise ActionError("invalid")
    ev = _add_event(session, intake, actor, EventKind.ASSESSMENT_SCHEDULED, {"at": at.astimezone(UTC).isoformat()},
                    cipher, {"where": where.strip(), "note": note})
    session.commit()
    return ev


def latest_schedule(session: DbSession, intake: Intake, cipher: PiiCipher) -> tuple[datetime, str] | None:
    """Return when and where the latest scheduled assessment is, if any."""
    ev = session.scalar(
        select(IntakeEvent)
        .where(IntakeEvent.intake_id == intake.id, IntakeEvent.kind == EventKind.ASSESSMENT_SCHEDULED)
        .order_by(IntakeEvent.id.desc()).limit(1)
    )
    if ev is None:
        return None
    private = json.loads(cipher.decrypt(ev.private_enc)) if ev.private_enc else {}
    return datetime.fromisoformat(ev.data["at"]), str(private.get("where", ""))


def sms_allowed(user: User, intake: Intake) -> bool:
    """Tell whether texting this household is allowed: consent, safe to text, identity access."""
    return (intake.closed_at is None and queue.identity_visible(user, intake)
            and contact_safety(intake).can_text)


def send_sms(session: DbSession, intake: Intake, actor: User, *, template: str, body: str,
             cipher: PiiCipher) -> bool:
    """Queue a text to the household through the outbox; False when the number opted out.

    ``body`` was rendered by the caller from ``template`` in the household's language.
    """
    from services.intake import personal_values

    _require_holder(intake, actor)
    if template not in SMS_TEMPLATES or not body.strip():
        raise ActionError("invalid")
    if not sms_allowed(actor, intake):
        raise ActionError("unsafe_to_text")
    phone = personal_values(intake, cipher).get("phone")
    if not phone:
        raise ActionError("unsafe_to_text")
    message = enqueue_sms(cast(Session, session), to=phone, body=body, intake_id=intake.id,
                          purpose=f"staff_{template}")
    if message is None:
        session.rollback()
        return False
    session.flush()
    _add_event(session, intake, actor, EventKind.SMS_SENT,
               {"template": template, "language": intake.language, "outbox_id": message.id}, cipher)
    session.commit()
    return True


def record_outcome(session: DbSession, intake: Intake, actor: User, *, outcome: str, cipher: PiiCipher,
                   hmis_client_id: str | None = None, diversion_result: int | None = None,
                   referred_to: str | None = None, duplicate_of: str | None = None,
                   note: str | None = None) -> IntakeEvent:
    """Close an intake with an outcome; it leaves the queue."""
    _require_holder(intake, actor)
    try:
        kind = Outcome(outcome)
    except ValueError:
        raise ActionError("invalid") from None
    data: dict[str, Any] = {"outcome": kind.value}
    private: dict[str, Any] = {"note": note}
    if kind is Outcome.ASSESSED_IN_HMIS:
        private["hmis_client_id"] = (hmis_client_id or "").strip()
    elif kind is Outcome.DIVERTED:
        if diversion_result not in DIVERSION_RESULTS:
            raise ActionError("invalid")
        # HMIS 4.20: Event 2 (problem solving / diversion) with 4.20.A ProbSolDivRRResult.
        data["hmis_event"] = 2
        data["prob_sol_div_rr_result"] = diversion_result
    elif kind is Outcome.REFERRED_ELSEWHERE:
        if not (referred_to or "").strip():
            raise ActionError("invalid")
        private["referred_to"] = (referred_to or "").strip()
    elif kind is Outcome.DUPLICATE:
        other = queue.find_intake(session, actor, duplicate_of or "", by_reference=True)
        if other is None or other.id == intake.id:
            raise ActionError("invalid")
        data["duplicate_of_intake_id"] = other.id
    closed = cast(CursorResult[Any], session.execute(
        update(Intake)
        .where(Intake.id == intake.id, Intake.closed_at.is_(None), Intake.claimed_by_id == actor.id)
        .values(closed_at=utcnow(), outcome=kind.value)
        .execution_options(synchronize_session=False)
    ))
    if closed.rowcount != 1:
        session.rollback()
        raise ActionError("closed")
    ev = _add_event(session, intake, actor, EventKind.OUTCOME, data, cipher, private)
    session.commit()
    session.refresh(intake)
    return ev


def transfer_targets(session: DbSession, intake: Intake) -> list[AccessPoint]:
    """Return the access points an intake may be moved to (victim service providers only when
    it is confidential)."""
    query = select(AccessPoint).where(AccessPoint.active.is_(True), AccessPoint.id != intake.routed_access_point_id)
    if intake.confidential:
        query = query.where(AccessPoint.kind == AccessPointKind.VSP)
    else:
        query = query.where(AccessPoint.kind != AccessPointKind.VSP)
    if intake.coc_id is not None:
        query = query.where(AccessPoint.coc_id == intake.coc_id)
    return list(session.scalars(query.order_by(AccessPoint.name)))


def transfer(session: DbSession, intake: Intake, actor: User, *, access_point_id: int, note: str | None,
             cipher: PiiCipher) -> IntakeEvent:
    """Move an open intake to another access point's queue, unclaimed, with a note."""
    if intake.closed_at is not None:
        raise ActionError("closed")
    if intake.claimed_by_id != actor.id and not queue.may_manage(actor):
        raise ActionError("not_claimed")
    if access_point_id not in {ap.id for ap in transfer_targets(session, intake)}:
        raise ActionError("invalid")
    previous = intake.routed_access_point_id
    intake.routed_access_point_id = access_point_id
    intake.claimed_by_id = None
    intake.claimed_at = None
    ev = _add_event(session, intake, actor, EventKind.TRANSFERRED,
                    {"from_access_point_id": previous, "to_access_point_id": access_point_id}, cipher,
                    {"note": note})
    session.commit()
    return ev

"""What staff do with an intake: open it (audited), sign in, and record actions as events.

Every action adds one append-only ``IntakeEvent`` (who, what, when) in the same transaction as
its effect. ``data`` holds codes and ids; what a person typed (notes, an HMIS client id, a place)
is encrypted into ``private_enc``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from flask import current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from intake_forms import NON_ANSWER_LABELS, Kind, is_non_answer, question
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
    LoginLock,
    OutboxMessage,
    Outcome,
    User,
)
from models.base import utcnow
from services import (
    accounts,
    household_messages,
    household_texts,
    notify,
    queue,
    reminders,
    report_days,
    routing,
    timers,
)
from services.accounts import verify_password
from services.crypto import PiiCipher
from services.outbox import enqueue_sms

from .routing import DbSession

CONTACT_METHODS: tuple[str, ...] = ("phone", "sms", "email", "in_person")
CONTACT_RESULTS: tuple[str, ...] = ("reached", "no_answer", "left_voicemail", "wrong_number", "message_sent")
#: HUD 4.20.A ProbSolDivRRResult: 1 housed/re-housed in a safe alternative, 0 no, 99 not collected.
DIVERSION_RESULTS: tuple[int, ...] = (1, 0, 99)
SMS_TEMPLATES: tuple[str, ...] = household_texts.STAFF_TEMPLATES

#: An assessment may be booked for the current minute (the form has no seconds), not earlier.
SCHEDULE_GRACE = timedelta(minutes=5)

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15

_ORDER = {q.key: n for n, q in enumerate(QUESTIONS)}
# Used to spend the same time on an unknown email as on a wrong password.
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class ActionError(Exception):
    """An action was refused; ``code`` says why (the view turns it into a message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- signing in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    #: "ok", "invalid" or "locked". The sign-in page says the same for "invalid" and "locked", so
    #: that it tells nobody whether an account exists or is locked; the reason is for tests and logs.
    reason: str


def _dummy_verify() -> None:
    # Spend the time of a real password check, so that the answer's timing says nothing either.
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, "a different password")


def authenticate(session: DbSession, email: str, password: str, *, address: str, cipher: PiiCipher,
                 now: datetime | None = None, max_failures: int = MAX_FAILED_LOGINS,
                 lock_minutes: int = LOCK_MINUTES) -> LoginResult:
    """Check a password; after too many failures from one address, lock that account there.

    The lock is per account *and* address (``LoginLock``): someone elsewhere cannot keep a known
    account locked, and the per-address rate limit of the sign-in route slows guessing across
    accounts. An admin can lift a lock (``unlock``).
    """
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        _dummy_verify()
        return LoginResult(None, "invalid")
    address_index = cipher.blind_index(f"login-address:{address}")
    lock = session.scalar(select(LoginLock).where(LoginLock.user_id == user.id,
                                                  LoginLock.address_index == address_index))
    if lock is not None and lock.locked_until is not None and lock.locked_until > now:
        _dummy_verify()
        return LoginResult(None, "locked")
    if not verify_password(user, password):
        if lock is None:
            lock = LoginLock(user_id=user.id, address_index=address_index, failures=0)
            session.add(lock)
        lock.failures = (lock.failures or 0) + 1
        locked = lock.failures >= max_failures
        if locked:
            lock.locked_until = now + timedelta(minutes=lock_minutes)
            lock.failures = 0
        session.commit()
        return LoginResult(None, "locked" if locked else "invalid")
    if lock is not None:
        session.delete(lock)
    user.last_login_at = now
    session.commit()
    return LoginResult(user, "ok")


def unlock(session: DbSession, user: User) -> int:
    """Lift every sign-in lock of ``user`` (an admin's action); return how many were lifted."""
    lifted = accounts.unlock_account(session, user)
    session.commit()
    return lifted


def is_locked(session: DbSession, user: User, *, now: datetime | None = None) -> bool:
    """Tell whether ``user`` is locked out from any address right now."""
    return session.scalar(select(LoginLock.id).where(
        LoginLock.user_id == user.id, LoginLock.locked_until > (now or utcnow())).limit(1)) is not None


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
    #: How staff can reach the household (``intake_forms.conditions.contact_route``).
    route: str = "none"
    #: Asked to be contacted and gave no way to do it (they were told which number to call).
    unreachable: bool = False
    #: The number the household was told to call instead, when unreachable.
    call_us: str | None = None

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
    #: What the household sent after submitting; empty when this viewer may not read them.
    messages: tuple[household_messages.MessageLine, ...] = ()
    #: How many messages there are (shown even when their text is hidden).
    message_count: int = 0
    #: False for a confidential referral this person may not act on: the page then says only
    #: that it exists (``queue.sees_details``).
    details_shown: bool = True


def _labels(key: str, code: str) -> tuple[str, ...]:
    q = question(key)
    parts = code.split(",") if q.kind is Kind.MULTI else [code]
    labels = []
    for part in parts:
        option = q.option(part)
        if option is not None:
            labels.append(option.label)
        elif is_non_answer(part):
            labels.append(NON_ANSWER_LABELS[part])
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
        elif q.options or is_non_answer(answer.code):
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
    from services.intake import reach_back

    codes = answer_codes(intake)
    reach = reach_back(intake)
    sms = [c for c in intake.consents if c.kind is ConsentKind.SMS]
    return ContactSafety(
        has_phone=codes.get("phone") == "given",
        has_email=codes.get("email") == "given",
        safe_to_text=texting_allowed(codes),
        safe_to_voicemail=codes.get("safe_to_voicemail") == "1",
        sms_consent=bool(sms) and sms[-1].granted,
        method=codes.get("contact_method"),
        best_time=codes.get("best_time"),
        route=reach.route,
        unreachable=reach.unreachable,
        call_us=reach.call_us,
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
    details = queue.may_act(user, intake)
    personal = personal_values(intake, cipher) if shown else None
    duplicates = queue.possible_duplicates(session, user, intake, cipher) if shown else []
    messages = household_messages.lines(intake, cipher) if shown else ()
    if messages:  # read by someone who may: no longer new
        household_messages.mark_read(session, intake, max(m.received_at for m in messages))
    session.add(IntakeView(intake_id=intake.id, user_id=user.id, identity_shown=shown))
    page = IntakePage(
        intake=intake,
        identity_shown=shown,
        answers=answer_lines(intake, personal) if details else (),
        consents=tuple(intake.consents) if details else (),
        safety=contact_safety(intake),
        duplicates=tuple(duplicates),
        events=event_lines(session, intake, cipher, show_private=shown) if details else (),
        holder=(intake.claimed_by.display_name if intake.claimed_by else None) if details else None,
        access_point=intake.routed_access_point.name if intake.routed_access_point else None,
        messages=messages,
        message_count=len(intake.messages),
        details_shown=details,
    )
    session.commit()
    return page


@dataclass(frozen=True)
class TransferLine:
    """One transfer of an intake: when, by whom, from where to where, and its note."""

    created_at: datetime
    actor: str | None
    from_access_point: str | None
    to_access_point: str | None
    note: str | None  # only for transfers out of the viewer's own access points


@dataclass(frozen=True)
class HandedOnPage:
    """What the read-only page of an intake handed on shows: no identifying answers."""

    intake: Intake
    access_point: str | None
    transfers: tuple[TransferLine, ...]


def open_handed_on_page(session: DbSession, user: User, public_id: str,
                        cipher: PiiCipher) -> HandedOnPage | None:
    """Return the read-only page of an intake ``user``'s access points transferred on; audited.

    None when it was not handed on from ``user``'s reach.
    """
    intake = queue.find_transferred(session, user, public_id)
    if intake is None:
        return None
    scope = queue.scope_for(session, user)
    names: dict[int | None, str] = dict(session.execute(select(AccessPoint.id, AccessPoint.name)).all())
    rows = session.execute(
        select(IntakeEvent, User.display_name)
        .outerjoin(User, User.id == IntakeEvent.actor_id)
        .where(IntakeEvent.intake_id == intake.id, IntakeEvent.kind == EventKind.TRANSFERRED)
        .order_by(IntakeEvent.created_at, IntakeEvent.id)
    )
    transfers = []
    for ev, actor in rows:
        source = ev.data.get("from_access_point_id")
        note = None
        if scope.allows(source) and ev.private_enc:
            note = json.loads(cipher.decrypt(ev.private_enc)).get("note")
        transfers.append(TransferLine(ev.created_at, actor, names.get(source),
                                      names.get(ev.data.get("to_access_point_id")), note))
    session.add(IntakeView(intake_id=intake.id, user_id=user.id, identity_shown=False))
    page = HandedOnPage(intake, names.get(intake.routed_access_point_id), tuple(transfers))
    session.commit()
    return page


# -- actions -----------------------------------------------------------------------------------


def _require_holder(session: DbSession, intake: Intake, actor: User) -> None:
    queue.authorize(session, actor, intake)
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
                note: str | None, cipher: PiiCipher, confirmed: bool = False) -> IntakeEvent:
    """Record a contact attempt (method, result, note).

    A voice message left for a household that said voice messages are not safe is refused
    ("voicemail_unsafe") unless ``confirmed``: then it is recorded, marked as against their wish.
    """
    _require_holder(session, intake, actor)
    if method not in CONTACT_METHODS or result not in CONTACT_RESULTS:
        raise ActionError("invalid")
    data: dict[str, Any] = {"method": method, "result": result}
    if result == "left_voicemail" and contact_safety(intake).no_voicemail:
        if not confirmed:
            raise ActionError("voicemail_unsafe")
        data["against_preference"] = True
    ev = _add_event(session, intake, actor, EventKind.CONTACT_ATTEMPT, data, cipher, {"note": note})
    _contacted(intake)
    session.commit()
    return ev


def _contacted(intake: Intake) -> None:
    """The household was contacted (a logged attempt or a text): the response clock stops."""
    if intake.first_contact_at is None:
        timers.stamp_contact(intake, utcnow(), intake.routed_access_point)
        intake.due_at = None  # the last response target is met


def schedule_assessment(session: DbSession, intake: Intake, actor: User, *, at: datetime, where: str,
                        note: str | None, cipher: PiiCipher, now: datetime | None = None,
                        config: Mapping[str, Any] | None = None) -> IntakeEvent:
    """Record when and where the full assessment will happen (not in the past: "in_the_past").

    Plans the household's reminder text for the day before (``services.reminders``); a new time
    replaces the reminder of the earlier one in the same transaction.
    """
    now = now or utcnow()
    _require_holder(session, intake, actor)
    if at.tzinfo is None or not where.strip():
        raise ActionError("invalid")
    if at < now - SCHEDULE_GRACE:
        raise ActionError("in_the_past")
    ev = _add_event(session, intake, actor, EventKind.ASSESSMENT_SCHEDULED, {"at": at.astimezone(UTC).isoformat()},
                    cipher, {"where": where.strip(), "note": note})
    session.flush()
    reminders.plan(session, intake, ev, now, config or {})
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


def already_sent(session: DbSession, intake: Intake, body: str, cipher: PiiCipher) -> datetime | None:
    """Return when exactly this text was last sent to the household by staff, or None."""
    rows = session.execute(
        select(IntakeEvent.created_at, OutboxMessage.body_enc)
        .join(OutboxMessage, OutboxMessage.id == IntakeEvent.data["outbox_id"].as_integer())
        .where(IntakeEvent.intake_id == intake.id, IntakeEvent.kind == EventKind.SMS_SENT)
        .order_by(IntakeEvent.id.desc())
    )
    wanted = body.strip()
    for created_at, body_enc in rows:
        if cipher.decrypt(body_enc).strip() == wanted:
            return created_at
    return None


class AlreadySent(ActionError):
    """The same text was sent before; ``sent_at`` says when (send again only when confirmed)."""

    def __init__(self, sent_at: datetime) -> None:
        super().__init__("already_sent")
        self.sent_at = sent_at


def send_sms(session: DbSession, intake: Intake, actor: User, *, template: str, body: str,
             cipher: PiiCipher, confirmed: bool = False) -> bool:
    """Queue a text to the household through the outbox; False when the number opted out.

    ``body`` was rendered by the caller from ``template`` in the household's language. The same
    text a second time raises ``AlreadySent`` unless ``confirmed``.
    """
    from services.intake import personal_values

    _require_holder(session, intake, actor)
    if template not in SMS_TEMPLATES or not body.strip():
        raise ActionError("invalid")
    if not sms_allowed(actor, intake):
        raise ActionError("unsafe_to_text")
    if not confirmed:
        sent_at = already_sent(session, intake, body, cipher)
        if sent_at is not None:
            raise AlreadySent(sent_at)
    phone = personal_values(intake, cipher).get("phone")
    if not phone:
        raise ActionError("unsafe_to_text")
    message = enqueue_sms(cast(Session, session), to=phone, body=body, language=intake.language,
                          intake_id=intake.id, purpose=f"staff_{template}")
    if message is None:
        session.rollback()
        return False
    session.flush()
    _add_event(session, intake, actor, EventKind.SMS_SENT,
               {"template": template, "language": intake.language, "outbox_id": message.id}, cipher)
    _contacted(intake)
    session.commit()
    return True


def record_outcome(session: DbSession, intake: Intake, actor: User, *, outcome: str, cipher: PiiCipher,
                   hmis_client_id: str | None = None, diversion_result: int | None = None,
                   referred_to: str | None = None, duplicate_of: str | None = None,
                   note: str | None = None) -> IntakeEvent:
    """Close an intake with an outcome; it leaves the queue."""
    _require_holder(session, intake, actor)
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
        if other is None or other.id == intake.id or not queue.may_act(actor, other):
            raise ActionError("invalid")
        data["duplicate_of_intake_id"] = other.id
    report_days.changing(session, [intake.id])  # closed below by a Core UPDATE: the summary follows
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


def _config() -> Any:
    return current_app.config if has_app_context() else {}


def transfer(session: DbSession, intake: Intake, actor: User, *, access_point_id: int, note: str | None,
             cipher: PiiCipher) -> IntakeEvent:
    """Move an open intake to another access point's queue, unclaimed, with a note.

    As after a release, the claim clock starts again from now in the new access point's hours and
    targets, and its escalation from nothing (``services.timers``).
    """
    queue.authorize(session, actor, intake)
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
    now = utcnow()
    intake.claim_clock_from = now
    intake.escalation = 0
    target = session.get(AccessPoint, access_point_id)
    clock = timers.due(intake, target, now, _config())
    intake.due_at = clock.due_at if clock is not None else None
    # Its targets are now the new access point's (the queue's clock reads them there too).
    timers.stamp_targets(intake, target, _config())
    ev = _add_event(session, intake, actor, EventKind.TRANSFERRED,
                    {"from_access_point_id": previous, "to_access_point_id": access_point_id}, cipher,
                    {"note": note})
    # The new access point hears of it as of any intake that arrives there (same rules, no PII).
    notify.alert_new_intake(session, intake, target, _config())
    session.commit()
    return ev

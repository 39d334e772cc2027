"""Alerts to staff: decide who hears about an intake and what they read; the outbox sends it.

An alert carries no personal data: the reference code, track, priority, flags and a link to the
intake page (which needs a sign-in). A confidential referral says only that one is waiting, and
only to its victim service provider's own addresses and staff.

Who hears about a new intake of an access point:
- its alert e-mail addresses (``AccessPoint.alert_emails``) and its on-call phone by text;
- staff linked to it and coordinators of its region, by e-mail, per their preference
  (``User.alert_preference``: every intake, only urgent ones, a daily digest, or none).

When the access point has no alert address, no on-call phone and no staff of its own, the alert
goes to its region's coordinators (whatever alerts they chose), else to ``COC_ALERT_EMAILS``, else
to the admins; an intake with no access point at all (an out-of-area household when no access
point could take it) goes to ``COC_ALERT_EMAILS``, else to the admins, who are the only ones who
see it in the queue (``unattended_recipients``). Somebody always hears. A confidential referral
never leaves its victim service provider, so it has no such fallback.

Reminders and escalations when a response target is missed are written here too
(``remind_staff``, ``alert_coordinators``); ``services.scheduler`` decides when, and passes one
``Recipients`` per worker tick so each access point's recipients are read once, not per intake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask import render_template
from flask_babel import force_locale  # type: ignore[import-untyped]  # ships no type hints
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from models import (
    AccessPoint,
    AccessPointKind,
    AlertPreference,
    Intake,
    Role,
    User,
    user_access_points,
)

from . import timers
from .outbox import enqueue_email, enqueue_sms
from .routing import DbSession

PURPOSE_NEW = "alert_new"
PURPOSE_REMINDER = "alert_reminder"
PURPOSE_ESCALATION = "alert_escalation"
PURPOSE_DIGEST = "alert_digest"
PURPOSE_UNATTENDED = "alert_unattended"

#: Flags an alert may name (never anything the household said).
ALERT_FLAGS = ("callback_requested", "no_safe_place_tonight")


@dataclass(frozen=True)
class Recipient:
    """One address to write to, and the language to write in."""

    email: str
    language: str = "en"


@dataclass(frozen=True)
class AlertFacts:
    """Everything an alert may say about an intake: nothing that identifies anyone."""

    reference_code: str
    track: str | None
    priority: int
    flags: tuple[str, ...]
    urgent: bool
    confidential: bool
    link: str


def intake_link(config: Mapping[str, Any], intake: Intake) -> str:
    """Return the staff page of an intake (its random public id; a sign-in is needed to open it)."""
    base = str(config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/staff/intakes/{intake.public_id}"


def queue_link(config: Mapping[str, Any]) -> str:
    """Return the staff queue page."""
    base = str(config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/staff/"


def facts(intake: Intake, config: Mapping[str, Any]) -> AlertFacts:
    """Return what an alert may tell about ``intake``."""
    flags = []
    if intake.callback_requested:
        flags.append("callback_requested")
    if "no_safe_place_tonight" in (intake.priority_reasons or ()):
        flags.append("no_safe_place_tonight")
    return AlertFacts(
        reference_code=intake.reference_code or "",
        track=intake.track.value if intake.track else None,
        priority=intake.priority,
        flags=tuple(flags),
        urgent=timers.is_urgent(intake, config),
        confidential=intake.confidential,
        link=queue_link(config) if intake.confidential else intake_link(config, intake),
    )


def _staff_of(session: DbSession, access_point: AccessPoint, *, confidential: bool) -> list[User]:
    """Return active users who work ``access_point``'s queue (VSP staff only, for a confidential one)."""
    linked = select(user_access_points.c.user_id).where(user_access_points.c.access_point_id == access_point.id)
    if confidential:
        where = [User.id.in_(linked), User.role == Role.VSP_STAFF]
    else:
        reach: list[ColumnElement[bool]] = [User.id.in_(linked)]
        if access_point.region_id is not None:
            reach.append(and_(User.role == Role.COORDINATOR, User.region_id == access_point.region_id))
        where = [or_(*reach), User.role != Role.VSP_STAFF]
    return list(session.scalars(select(User).where(User.active.is_(True), *where).order_by(User.id)))


def wants(user: User, urgent: bool) -> bool:
    """Tell whether ``user`` wants an e-mail now for a new intake (the digest comes later)."""
    preference = user.alert_preference
    return preference is AlertPreference.EVERY or (preference is AlertPreference.URGENT and urgent)


def new_intake_recipients(session: DbSession, access_point: AccessPoint, *, confidential: bool,
                          urgent: bool) -> list[Recipient]:
    """Return who gets an e-mail about a new intake at ``access_point``, each address once."""
    if confidential and access_point.kind is not AccessPointKind.VSP:
        return []  # a confidential referral never alerts anyone outside its victim service provider
    found: dict[str, Recipient] = {}
    for address in access_point.alert_emails or ():
        found.setdefault(address.strip().lower(), Recipient(address.strip().lower()))
    for user in _staff_of(session, access_point, confidential=confidential):
        if wants(user, urgent):
            found.setdefault(user.email, Recipient(user.email, user.language or "en"))
    return list(found.values())


def set_preference(session: DbSession, user: User, value: str) -> bool:
    """Store which alerts ``user`` wants; False (nothing changed) for an unknown choice."""
    try:
        preference = AlertPreference(value)
    except ValueError:
        return False
    user.alert_preference = preference
    session.commit()
    return True


def _render(template: str, language: str, **context: Any) -> tuple[str, str]:
    """Render an alert's subject and body (the template's first line is the subject)."""
    with force_locale(language):
        text = render_template(template, **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def _send_to(session: DbSession, recipients: Iterable[Recipient], template: str, purpose: str,
             intake_id: int | None, **context: Any) -> int:
    count = 0
    rendered: dict[str, tuple[str, str]] = {}  # the same words for everyone who reads one language
    for recipient in recipients:
        if recipient.language not in rendered:
            rendered[recipient.language] = _render(template, recipient.language, **context)
        subject, body = rendered[recipient.language]
        enqueue_email(cast(Session, session), to=recipient.email, subject=subject, body=body, intake_id=intake_id,
                      purpose=purpose)
        count += 1
    return count


def alert_new_intake(session: DbSession, intake: Intake, access_point: AccessPoint | None,
                     config: Mapping[str, Any]) -> int:
    """Queue the alerts about a just-submitted intake in the caller's transaction; return how many."""
    if not intake.reference_code:
        return 0
    about = facts(intake, config)
    if access_point is None or unattended(session, access_point):
        if intake.confidential:
            return 0  # never outside its victim service provider, even when nobody is there
        return _send_to(session, unattended_recipients(session, access_point, config),
                        "alerts/unattended.txt", PURPOSE_UNATTENDED, intake.id, facts=about,
                        access_point_name=access_point.name if access_point is not None else None,
                        out_of_area=intake.out_of_area)
    recipients = new_intake_recipients(session, access_point, confidential=intake.confidential,
                                       urgent=about.urgent)
    count = _send_to(session, recipients, "alerts/new_intake.txt", PURPOSE_NEW, intake.id, facts=about)
    if access_point.oncall_phone and (not intake.confidential or access_point.kind is AccessPointKind.VSP):
        with force_locale("en"):
            text = " ".join(render_template("alerts/new_intake.sms.txt", facts=about).split())
        if enqueue_sms(cast(Session, session), to=access_point.oncall_phone, body=text, language="en",
                       intake_id=intake.id, purpose=PURPOSE_NEW) is not None:
            count += 1
    return count


def unattended(session: DbSession, access_point: AccessPoint) -> bool:
    """Tell whether nobody at ``access_point`` would hear of a new intake: no alert address, no
    on-call phone and no active staff member of its own."""
    if access_point.alert_emails or access_point.oncall_phone:
        return False
    linked = select(user_access_points.c.user_id).where(user_access_points.c.access_point_id == access_point.id)
    return session.scalar(select(User.id).where(User.active.is_(True), User.id.in_(linked),
                                                User.role != Role.VSP_STAFF).limit(1)) is None


def _coordinator_recipients(session: DbSession, region_id: int | None) -> list[Recipient]:
    if region_id is None:
        return []
    return [Recipient(u.email, u.language or "en") for u in session.scalars(select(User).where(
        User.active.is_(True), User.role == Role.COORDINATOR, User.region_id == region_id).order_by(User.id))]


def unattended_recipients(session: DbSession, access_point: AccessPoint | None,
                          config: Mapping[str, Any]) -> list[Recipient]:
    """Return who hears of an intake nobody at its access point would: the coordinators of the
    access point's region, else COC_ALERT_EMAILS, else the admins (an intake without an access
    point: COC_ALERT_EMAILS, else the admins; coordinators do not see it in their queue)."""
    if access_point is not None:
        found = _coordinator_recipients(session, access_point.region_id)
        if found:
            return found
    configured = config.get("COC_ALERT_EMAILS") or ()
    if isinstance(configured, str):
        configured = configured.split(",")
    addresses = sorted({a.strip().lower() for a in configured if a and a.strip()})
    if addresses:
        return [Recipient(a) for a in addresses]
    return [Recipient(u.email, u.language or "en") for u in session.scalars(
        select(User).where(User.active.is_(True), User.role == Role.ADMIN).order_by(User.id))]


class Recipients:
    """Who hears reminders and escalations, per access point, read once and kept (one worker tick)."""

    def __init__(self, session: DbSession) -> None:
        self.session = session
        self._reminded: dict[tuple[int, bool], list[Recipient]] = {}
        self._coordinators: dict[int, list[Recipient]] = {}

    def reminded(self, access_point: AccessPoint, confidential: bool) -> list[Recipient]:
        """The access point's addresses and staff (not coordinators), each once; nobody outside a
        victim service provider for a confidential referral."""
        key = (access_point.id, confidential)
        if key not in self._reminded:
            found: dict[str, Recipient] = {}
            if not confidential or access_point.kind is AccessPointKind.VSP:
                for address in access_point.alert_emails or ():
                    found.setdefault(address.strip().lower(), Recipient(address.strip().lower()))
                for user in _staff_of(self.session, access_point, confidential=confidential):
                    if user.alert_preference is not AlertPreference.NONE and user.role is not Role.COORDINATOR:
                        found.setdefault(user.email, Recipient(user.email, user.language or "en"))
            self._reminded[key] = list(found.values())
        return self._reminded[key]

    def coordinators(self, access_point: AccessPoint) -> list[Recipient]:
        """The active coordinators of the access point's region."""
        if access_point.id not in self._coordinators:
            self._coordinators[access_point.id] = _coordinator_recipients(self.session, access_point.region_id)
        return self._coordinators[access_point.id]


def remind_staff(session: DbSession, intake: Intake, access_point: AccessPoint, clock: timers.Clock,
                 config: Mapping[str, Any], *, recipients: Recipients | None = None) -> int:
    """Queue the one reminder to an access point's addresses and staff that a target was missed."""
    about = facts(intake, config)
    to = (recipients or Recipients(session)).reminded(access_point, intake.confidential)
    return _send_to(session, to, "alerts/reminder.txt", PURPOSE_REMINDER, intake.id, facts=about, clock=clock)


def alert_coordinators(session: DbSession, intake: Intake, access_point: AccessPoint, clock: timers.Clock,
                       config: Mapping[str, Any], *, recipients: Recipients | None = None) -> int:
    """Queue the escalation to the region's coordinators that an intake is still overdue.

    A confidential referral is not escalated outside its victim service provider: its own staff
    get a second reminder instead.
    """
    recipients = recipients or Recipients(session)
    if intake.confidential:
        return remind_staff(session, intake, access_point, clock, config, recipients=recipients)
    about = facts(intake, config)
    return _send_to(session, recipients.coordinators(access_point), "alerts/escalation.txt", PURPOSE_ESCALATION,
                    intake.id, facts=about, clock=clock, access_point_name=access_point.name)


def digest_recipients(session: DbSession, access_point: AccessPoint) -> list[Recipient]:
    """Return the staff of ``access_point`` who asked for a daily digest."""
    return [Recipient(u.email, u.language or "en") for u in _staff_of(session, access_point, confidential=False)
            if u.alert_preference is AlertPreference.DIGEST]


def send_digest(session: DbSession, access_point: AccessPoint, intakes: list[Intake], since: datetime,
                config: Mapping[str, Any]) -> int:
    """Queue the daily digest of ``access_point``: the intakes that arrived since ``since``."""
    if not intakes:
        return 0
    listed = [facts(i, config) for i in intakes]
    return _send_to(session, digest_recipients(session, access_point), "alerts/digest.txt", PURPOSE_DIGEST,
                    None, items=listed, access_point_name=access_point.name, since=since)

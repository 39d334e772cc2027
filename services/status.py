"""What a household may learn about its request by reference code, on any channel.

A code alone is guessable, so every lookup carries a second check: the texting number itself
(SMS), or the last four digits of the phone number given (web, voice), or the date of birth when
no phone number was given. A wrong code and a wrong check get the same answer (``None``), and
wrong tries are counted per code and per client by the rate limiter's storage (``Throttle``), under
keyed hashes only. The answer says the stage, the access point's name, phone and opening hours, and
the emergency numbers; a confidential intake says only "received" and the victim advocate line.

The sentences live here (one definition for every channel); call ``sentences`` and ``hours_line``
inside ``force_locale(language)``.
"""

from __future__ import annotations

import enum
import functools
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date, format_time
from flask_babel import get_locale, gettext  # type: ignore[import-untyped]
from limits import RateLimitItem, parse_many
from limits.strategies import RateLimiter
from sqlalchemy import select

from intake_forms import languages, normalize, parse_answer, question
from models import AccessPoint, Intake
from models.base import utcnow
from models.intake import IntakeStatus
from services import hours as hours_mod
from services import intake as intakes
from services.crypto import PiiCipher
from services.hotlines import Hotline, hotline
from services.staff_actions import latest_schedule

from .routing import DbSession

#: The texts that ask for a status: the keyword, then the code ("STATUS 7KQ-2MD", "ESTADO 7kq2md").
STATUS_WORDS = languages.keyword_languages("status")
#: Wrong tries allowed per code and per client before lookups wait (Flask-Limiter syntax).
DEFAULT_LIMIT = "5 per 15 minutes;20 per day"
#: The line a confidential intake is given instead of its agency (open day and night).
ADVOCATE_LINE = "ks_crisis"


def _(text: str, **values: object) -> str:
    """Translate into the current locale (flask_babel's gettext, typed)."""
    return str(gettext(text, **values))


class Stage(enum.StrEnum):
    RECEIVED = "received"
    WORKING = "working"
    APPOINTMENT = "appointment"
    CLOSED = "closed"


@dataclass(frozen=True)
class StatusAnswer:
    """Everything a status reply may say, and nothing else (no answers, no names)."""

    stage: Stage
    language: str
    place: AccessPoint | None = None
    appointment_at: datetime | None = None  # local time of the access point
    appointment_where: str | None = None
    advocate: Hotline | None = None


def keyword_request(text: str, words: Mapping[str, str]) -> tuple[str, str] | None:
    """Read "<KEYWORD> <rest>" as (the keyword's language, rest); None when the text does not start so.

    A keyword may be several words ("tinh trang" is Vietnamese for status): the longest that
    starts the text wins.
    """
    normalized = normalize(text)
    for keyword in sorted(words, key=len, reverse=True):
        if normalized == keyword or normalized.startswith(keyword + " "):
            return words[keyword], normalized[len(keyword):].strip()
    return None


def status_request(text: str) -> tuple[str, str] | None:
    """Read "STATUS ABC-DEF" / "ESTADO ABC-DEF" as (language, code text); None if it is not one."""
    return keyword_request(text, STATUS_WORDS)


def last_four(text: str) -> str | None:
    """Return the four digits typed for the phone check, or None when it is not four digits."""
    digits = re.sub(r"\D", "", text or "")
    return digits if len(digits) == 4 else None


# -- throttling -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _parsed(limit: str) -> tuple[RateLimitItem, ...]:
    """The limits of a setting such as "5 per hour;20 per day", parsed once (every text and call
    builds a ``Throttle``)."""
    return tuple(parse_many(limit))


class Throttle:
    """Count wrong tries per code and per client in the rate limiter's storage (keyed hashes only)."""

    def __init__(self, strategy: RateLimiter, limit: str, cipher: PiiCipher) -> None:
        self.strategy = strategy
        self.limits = _parsed(limit)
        self.cipher = cipher

    def _keys(self, code_text: str, client: str) -> list[str]:
        # Keyed by the code's keypad digits, so a code typed, texted or keyed on a call counts once.
        typed = intakes.normalize_reference_code(code_text)
        code = intakes.keypad_digits(typed) if typed else normalize(code_text)
        return [f"status-code:{self.cipher.blind_index('status-code:' + code)}",
                f"status-client:{self.cipher.blind_index('status-client:' + client)}"]

    def blocked(self, code_text: str, client: str) -> bool:
        """Tell whether the code or the client has used up its wrong tries."""
        return any(not self.strategy.test(limit, key) for key in self._keys(code_text, client)
                   for limit in self.limits)

    def miss(self, code_text: str, client: str) -> None:
        """Count one wrong try against the code and against the client."""
        for key in self._keys(code_text, client):
            for limit in self.limits:
                self.strategy.hit(limit, key)


# -- the lookup -------------------------------------------------------------------------------


def _submitted(session: DbSession, code_text: str) -> Intake | None:
    code = intakes.normalize_reference_code(code_text)
    if code is None:
        return None
    return session.scalar(select(Intake).where(Intake.reference_code == code,
                                               Intake.status == IntakeStatus.SUBMITTED))


def by_keypad(session: DbSession, keys: str) -> list[Intake]:
    """Return the submitted intakes whose code is keyed as ``keys`` on a phone (usually one or none)."""
    return list(session.scalars(select(Intake).where(Intake.reference_keypad == keys,
                                                     Intake.status == IntakeStatus.SUBMITTED)))


def lookup_by_keypad(session: DbSession, keys: str, cipher: PiiCipher, *, phone_last4: str | None = None,
                     dob: str | None = None, dob_locale: str | None = None,
                     now: datetime | None = None) -> StatusAnswer | None:
    """Like ``lookup`` for a code keyed on a phone: the check picks among codes keyed alike."""
    for intake in by_keypad(session, keys):
        if check_matches(intake, cipher, phone_last4=phone_last4, dob=dob, dob_locale=dob_locale):
            return status_of(session, intake, cipher, now=now)
    return None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def check_matches(intake: Intake, cipher: PiiCipher, *, sender: str | None = None,
                  phone_last4: str | None = None, dob: str | None = None, dob_locale: str | None = None) -> bool:
    """Tell whether the second check fits: the texting number, the phone's last 4, or the birth date.

    The date of birth counts only when no phone number was given (a phone number is the check then).
    """
    values = intakes.personal_values(intake, cipher)
    phone = values.get("phone") if intakes.codes(intake).get("phone") == "given" else None
    if sender is not None:
        return (intake.contact_phone_index is not None and phone is not None
                and intake.contact_phone_index in cipher.blind_indexes(sender))
    if phone_last4 is not None:
        return phone is not None and _same(phone[-4:], phone_last4)
    if dob is not None and phone is None and intakes.codes(intake).get("dob") == "given":
        # Read in the language it was typed in (month/day/year in English, day/month/year in Spanish).
        parsed = parse_answer(question("dob"), dob, dob_locale or intake.language)
        return bool(parsed.ok and parsed.value) and _same(values.get("dob", ""), parsed.value or "")
    return False


def lookup(session: DbSession, code_text: str, cipher: PiiCipher, *, sender: str | None = None,
           phone_last4: str | None = None, dob: str | None = None, dob_locale: str | None = None,
           now: datetime | None = None) -> StatusAnswer | None:
    """Return the status of the submitted intake with this code and check; None when either is wrong."""
    intake = _submitted(session, code_text)
    if intake is None or not check_matches(intake, cipher, sender=sender, phone_last4=phone_last4, dob=dob,
                                           dob_locale=dob_locale):
        return None
    return status_of(session, intake, cipher, now=now)


def status_of(session: DbSession, intake: Intake, cipher: PiiCipher, *,
              now: datetime | None = None) -> StatusAnswer:
    """Return what the household may be told about a submitted intake."""
    if intake.confidential:
        return StatusAnswer(Stage.RECEIVED, intake.language, advocate=hotline(ADVOCATE_LINE))
    place = intake.routed_access_point
    if intake.closed_at is not None:
        return StatusAnswer(Stage.CLOSED, intake.language, place=place)
    booked = latest_schedule(session, intake, cipher)
    if booked is not None:
        zone = hours_mod.zone(place.timezone if place is not None else None)
        return StatusAnswer(Stage.APPOINTMENT, intake.language, place=place,
                            appointment_at=booked[0].astimezone(zone), appointment_where=booked[1] or None)
    stage = Stage.WORKING if intake.claimed_by_id is not None else Stage.RECEIVED
    return StatusAnswer(stage, intake.language, place=place)


# -- what is said -----------------------------------------------------------------------------


def _locale() -> str:
    return str(get_locale() or languages.DEFAULT)


def _clock(moment: datetime) -> str:
    return format_time(moment.replace(tzinfo=None).time(), "short", locale=_locale())


def _day(day: date) -> str:
    code = _locale().split("_")[0]
    return format_date(day, languages.language(code).day_pattern, locale=_locale())


def moment_in_words(moment: datetime) -> str:
    """Say a local moment in words in the current language: "Tuesday, December 1 at 2:30 PM",
    "el martes 1 de diciembre a las 14:30" (the day as the language writes it, never digits only)."""
    return _("%(day)s at %(time)s", day=_day(moment.date()), time=_clock(moment))


def _when(moment: datetime, now: datetime) -> str:
    if moment.date() == now.astimezone(moment.tzinfo).date():
        return _("today at %(time)s", time=_clock(moment))
    return _("%(day)s at %(time)s", day=_day(moment.date()), time=_clock(moment))


def hours_line(place: AccessPoint, now: datetime | None = None) -> str | None:
    """Return "Open now, until ..." or "Closed now. Opens ..." for a place (None: no hours known)."""
    now = now or utcnow()
    schedule = hours_mod.schedule_of(place)
    if not schedule.weekly:
        return None
    state = hours_mod.status(schedule, now)
    if state.always_open:
        return _("Open 24 hours.")
    if state.open_now and state.closes_at is not None:
        return _("Open now, until %(time)s.", time=_clock(state.closes_at))
    if state.opens_at is not None:
        return _("Closed now. Opens %(when)s.", when=_when(state.opens_at, now))
    return None


def sentences(answer: StatusAnswer, now: datetime | None = None) -> list[str]:
    """Return the status reply as short sentences in the current locale (each channel joins them)."""
    now = now or utcnow()
    stage = {
        Stage.RECEIVED: _("We received your request. It is waiting for a staff member."),
        Stage.WORKING: _("A staff member is working on your request."),
        Stage.APPOINTMENT: _("An appointment is set for you."),
        Stage.CLOSED: _("Your request is closed. To ask for help again, start a new form."),
    }[answer.stage]
    lines = [stage]
    if answer.advocate is not None:
        lines.append(_("To talk to a victim advocate, day or night, call %(phone)s.",
                       phone=answer.advocate.phone))
        lines.append(_("Emergency: 911."))
        return lines
    if answer.appointment_at is not None:
        lines.append(_("When: %(when)s.", when=_when(answer.appointment_at, now)))
        if answer.appointment_where:
            lines.append(_("Where: %(where)s.", where=answer.appointment_where))
    place = answer.place
    if place is not None:
        lines.append(_("%(name)s, phone %(phone)s.", name=place.name, phone=place.phone or "211"))
        opening = hours_line(place, now)
        if opening:
            lines.append(opening)
    lines.append(_("Emergency: 911."))
    return lines


def not_found() -> str:
    """Return the one answer to a wrong code and to a wrong check (they must not differ)."""
    return _("We could not find a request with that code and check. Please look at the code and try again. "
             "Emergency: 911.")


def too_many_tries() -> str:
    """Return the answer once the wrong tries are used up."""
    return _("Too many tries. Please try again later, or call 211. Emergency: 911.")


def how_to_ask() -> str:
    """Return how to ask for a status by text (the keyword came without a code)."""
    return _("To see where your request is, text STATUS and your reference code, like STATUS 7KQ-2MD. "
             "Emergency: 911.")

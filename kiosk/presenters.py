"""Turn intakes into what the pages show: answer rows, confirmation details, help lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from babel.dates import format_date, format_time
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from intake_forms import NON_ANSWER_LABELS, QUESTIONS, Kind, is_non_answer, location_parts, relevant_answers
from intake_forms import conditions as flow_conditions
from intake_forms.definition import N_
from models import AccessPoint, Intake
from models.base import utcnow
from services import hours as hours_mod
from services import intake as intakes
from services import routing
from services.hotlines import display_name, emergency_hotlines, hotline, text_how
from services.outbox import enqueue_sms

CONTACT_LABELS = {
    "text": N_("by text message"),
    "call": N_("by phone call"),
    "email": N_("by email"),
}


def locale_name() -> str:
    return str(get_locale() or "en")


def hotline_rows(keys: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """Return the help lines to show (all of them when ``keys`` is None), names translated."""
    lines = emergency_hotlines() if keys is None else tuple(hotline(k) for k in keys)
    return [
        {
            "name": display_name(line),
            "phone": line.phone,
            "tel": "".join(ch for ch in line.phone if ch.isdigit()),
            "text": text_how(line),
        }
        for line in lines
    ]


def location_input(code: str) -> str:
    """Return what a person typed for a stored location code ("zip:67601" -> "67601")."""
    parts = location_parts(code)
    return parts[1] if parts else ""


def mask_value(kind: Kind, value: str) -> str:
    """Hide most of a stored personal value on a shared screen, keeping enough to recognise it.

    ``value`` is the stored value, never a formatted one: a date of birth is ISO (1980-03-25) and
    shows only its year, the month and day (what makes it identifying) hidden in every locale.
    """
    if kind is Kind.PHONE:
        return "•••-•••-" + value[-4:]
    if kind is Kind.EMAIL:
        name, _sep, domain = value.partition("@")
        return f"{name[:1]}•••@{domain}"
    if kind is Kind.DATE:
        return "••/••/" + value[:4]
    if kind is Kind.NAME:
        return value
    return value[:1] + "•••" if len(value) > 1 else value


def show_location(code: str, here: str | None) -> str:
    if code == "here":
        return here or _("Here")
    parts = location_parts(code)
    if parts is None:
        return code
    kind, rest = parts
    if kind == "zip":
        return _("ZIP code %(zip)s", zip=rest)
    return _("%(county)s County", county=rest.title())


def answer_rows(intake: Intake, *, masked: bool = False, here: str | None = None) -> list[dict[str, str]]:
    """Return (question, answer) rows for the review page: labels, never codes."""
    codes = relevant_answers(intakes.codes(intake))
    personal = intakes.personal_values(intake) if any(q.identifying for q in QUESTIONS if q.key in codes) else {}
    rows = []
    for q in QUESTIONS:
        code = codes.get(q.key)
        if code is None:
            continue
        if is_non_answer(code):
            shown = _(NON_ANSWER_LABELS[code])
        elif q.options:
            labels = [_(opt.label) for part in code.split(",") if (opt := q.option(part)) is not None]
            shown = ", ".join(labels) or code
        elif q.kind is Kind.LOCATION:
            shown = show_location(code, here)
        elif q.identifying:
            value = personal.get(q.key, "")
            if masked and value:
                shown = mask_value(q.kind, value)
            elif q.kind is Kind.DATE and value:
                shown = format_date(datetime.fromisoformat(value).date(), "short", locale=locale_name())
            else:
                shown = value
        else:
            shown = code
        rows.append({"key": q.key, "prompt": _(q.prompt), "answer": shown})
    return rows


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page and the confirmation text say."""

    code: str
    access_point: AccessPoint | None
    open_now: bool
    closes_at: str | None
    opens_at: str | None
    week: list[tuple[str, str]]
    contact: str | None
    callback: bool
    confidential: bool
    out_of_area: routing.CocContact | None
    can_text: bool
    phone: str | None
    #: Staff have no way to reach a household that asked to be contacted: the number to call instead.
    call_us: str | None = None
    # Upcoming closed dates (holidays) in the next two weeks, written out in the reader's language.
    closed_days: tuple[str, ...] = ()


def _clock(moment: datetime) -> str:
    return format_time(moment.replace(tzinfo=None).time(), "short", locale=locale_name())


def _when(moment: datetime, now: datetime) -> str:
    local_now = now.astimezone(moment.tzinfo)
    if moment.date() == local_now.date():
        return _("today at %(time)s", time=_clock(moment))
    day = format_date(moment.date(), "EEEE", locale=locale_name())
    return _("%(day)s at %(time)s", day=day, time=_clock(moment))


def week_hours(ap: AccessPoint) -> list[tuple[str, str]]:
    """Return (day name, hours) for each day of the week, in the reader's language."""
    rows = []
    monday = datetime(2024, 1, 1)  # a Monday, for day names only  # noqa: DTZ001
    for offset, day in enumerate(hours_mod.DAYS):
        spans = hours_mod.weekly_intervals(ap.hours).get(day, ())
        name = format_date(monday.replace(day=1 + offset).date(), "EEEE", locale=locale_name())
        if not spans:
            rows.append((name, _("Closed")))
            continue
        if list(spans) == [((0, 0), (24, 0))]:
            rows.append((name, _("Open 24 hours")))
            continue
        text = ", ".join(
            _("%(start)s to %(end)s", start=_hm(a), end=_hm(b)) for a, b in spans
        )
        rows.append((name, text))
    return rows


def _hm(clock: tuple[int, int]) -> str:
    hours, minutes = clock
    if hours >= 24:
        return _("midnight")
    return format_time(time(hours, minutes), "short", locale=locale_name())


def confirmation(session: Any, intake: Intake, now: datetime | None = None) -> Confirmation:
    """Gather the confirmation details of a submitted intake."""
    now = now or utcnow()
    ap = intake.routed_access_point
    codes = intakes.codes(intake)
    schedule = hours_mod.schedule_of(ap) if ap is not None else None
    state = hours_mod.status(schedule, now) if schedule is not None else None
    closed_days = [
        format_date(day, "full", locale=locale_name())
        for day in (hours_mod.upcoming_closed_dates(schedule, now) if schedule is not None else [])
    ]
    other = routing.coc_contact_for_code(intake.out_of_area_coc_code, session) if intake.out_of_area else None
    phone = intakes.personal_values(intake).get("phone") if codes.get("phone") == "given" else None
    method = codes.get("contact_method")
    return Confirmation(
        code=intake.reference_code or "",
        access_point=ap,
        open_now=bool(state and state.open_now),
        closes_at=_clock(state.closes_at) if state and state.closes_at else None,
        opens_at=_when(state.opens_at, now) if state and state.opens_at else None,
        week=week_hours(ap) if ap is not None else [],
        closed_days=tuple(closed_days),
        contact=_(CONTACT_LABELS[method]) if method in CONTACT_LABELS else None,
        callback=intake.callback_requested,
        confidential=intake.confidential,
        out_of_area=other,
        can_text=phone is not None and flow_conditions.texting_allowed(codes),
        phone=phone,
        call_us=intakes.reach_back(intake).call_us,
    )


def confirmation_text(intake: Intake, info: Confirmation) -> str:
    """Write the confirmation text message in the intake's language."""
    with force_locale(intake.language or "en"):
        contact = intakes.confirmation_contact(intake, info.access_point)
        if contact.name is None:
            if info.access_point is not None:  # confidential: staff will call, nobody is named
                return _("Front Door: your code is %(code)s. A staff member will contact you soon. "
                         "In danger? Call 911.", code=info.code)
            return _("Front Door: your code is %(code)s. Help now: call 911 or 211.", code=info.code)
        return _(
            "Front Door: your code is %(code)s. %(place)s %(where)s Phone: %(phone)s. "
            "In danger? Call 911.",
            code=info.code, place=contact.name, where=contact.address or "", phone=contact.phone or "211",
        ).replace("  ", " ")


def send_confirmation_text(session: Any, intake: Intake, info: Confirmation) -> bool:
    """Queue the confirmation text through the outbound SMS interface; False if it cannot go."""
    if info.phone is None:
        return False
    message = enqueue_sms(session, to=info.phone, body=confirmation_text(intake, info), language=intake.language,
                          intake_id=intake.id, purpose="confirmation")
    session.commit()
    return message is not None

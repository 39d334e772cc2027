"""Kiosk (/kiosk/...) and personal-phone (/intake/...) intake pages.

One question per page, server-rendered from ``intake_forms`` through WTForms; every answer is
saved when it is given (``services.intake``), so a dropped connection loses at most one page.
The session holds only the intake's random public id, the language and an activity time.
"""

from __future__ import annotations

import time
from datetime import datetime
from datetime import time as dt_time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import click
from babel import dates
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from extensions import db
from intake_forms import (
    DECLINE,
    DONT_KNOW,
    ERRORS,
    LANGUAGES,
    NOTICES,
    QUESTIONS,
    Kind,
    ParseResult,
    Question,
    path,
    previous_question,
    question,
)
from intake_forms.flow import applies
from models import AccessPoint, Channel, Intake, IntakeStatus, Kiosk
from models.base import utcnow
from services import intake as intakes
from services import routing
from services.hotlines import Hotline, emergency_hotlines, hotline

from . import devices, texting
from .forms import TEXT_KINDS, ActionForm, LanguageForm, build_form, stored_to_data
from .hours import DAYS, open_status, spans

bp = Blueprint(
    "kiosk",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/kiosk/static",
    cli_group="kiosks",
)

AREA = "/<any(kiosk, intake):area>"
CHANNELS = {"kiosk": Channel.KIOSK, "intake": Channel.WEB}
#: Pages a kiosk shows without being paired: help is never gated, exit and reset always work.
UNGATED = {"kiosk.help_now", "kiosk.quick_exit", "kiosk.reset", "kiosk.pair", "kiosk.static"}
#: A warning before an idle reset lasts at least this long (WCAG 2.2.1 asks for 20 seconds).
MIN_WARNING_SECONDS = 20

S_INTAKE, S_DONE, S_SEEN, S_NOTICES, S_TEXTED = "fd_intake", "fd_done", "fd_seen", "fd_notices", "fd_texted"


# -- request plumbing ----------------------------------------------------------------------------


def _area() -> str:
    area = (request.view_args or {}).get("area", "intake")
    return "kiosk" if area == "kiosk" else "intake"


def idle_seconds() -> int:
    return max(int(current_app.config.get("KIOSK_IDLE_SECONDS", 120)), 5)


def warning_seconds() -> int:
    return max(int(current_app.config.get("KIOSK_IDLE_WARNING_SECONDS", 30)), MIN_WARNING_SECONDS)


def current_kiosk() -> Kiosk | None:
    """Return the kiosk this browser is paired with (device cookie), if any."""
    if "kiosk" not in g:
        g.kiosk = devices.kiosk_for_token(db.session, current_app.config["SECRET_KEY"],
                                          request.cookies.get(devices.COOKIE_NAME))
    kiosk: Kiosk | None = g.kiosk
    return kiosk


def _open_intake() -> Intake | None:
    public_id = session.get(S_INTAKE)
    if not public_id:
        return None
    intake = db.session.scalar(select(Intake).where(Intake.public_id == str(public_id)))
    if intake is None or intake.status != IntakeStatus.IN_PROGRESS:
        return None
    if intake.channel != CHANNELS[_area()]:
        return None
    return intake


def wipe_session() -> None:
    """Abandon the unfinished intake of this browser and forget everything about the household."""
    public_id = session.get(S_INTAKE)
    if public_id:
        intake = db.session.scalar(select(Intake).where(Intake.public_id == str(public_id)))
        if intake is not None:
            intakes.abandon(db.session, intake)
    session.clear()


@bp.before_request
def gate_and_idle() -> ResponseReturnValue | None:
    """Keep unpaired browsers out of kiosk intakes and reset a kiosk left idle."""
    if request.endpoint in {"kiosk.static", "kiosk.pair"} or request.view_args is None:
        return None
    if _area() != "kiosk":
        return None
    if request.endpoint not in UNGATED and current_kiosk() is None:
        return Response(render_template("kiosk/unpaired.html"), status=403)
    now = time.time()
    seen = session.get(S_SEEN)
    stale = isinstance(seen, int | float) and now - seen > idle_seconds() + warning_seconds()
    if stale and (session.get(S_INTAKE) or session.get(S_DONE)) and request.endpoint not in UNGATED:
        wipe_session()
        return redirect(url_for("kiosk.start", area="kiosk"))
    if request.endpoint not in {"kiosk.quick_exit", "kiosk.reset"}:
        session[S_SEEN] = int(now)
    return None


@bp.after_request
def no_store(response: Response) -> Response:
    """Nothing of a household stays in the browser's cache or history (back button)."""
    if request.endpoint != "kiosk.static":
        response.headers["Cache-Control"] = "no-store, max-age=0"
        response.headers["Pragma"] = "no-cache"
    return response


@bp.app_context_processor
def page_context() -> dict[str, Any]:
    if request.blueprint != "kiosk" or request.view_args is None:
        return {}
    area = _area()
    return {
        "area": area,
        "is_kiosk": area == "kiosk",
        "idle_seconds": idle_seconds(),
        "warning_seconds": warning_seconds(),
        "language_form": LanguageForm(formdata=None, back_to=request.path),
        "language_names": {"en": "English", "es": "Español"},
        "hotline_by_key": _hotline_or_none,
        "hotline_name": hotline_name,
        "format_time": _format_time,
        "format_span": _format_span,
    }


#: Hotline names in the person's language (the CSV holds the English names).
HOTLINE_NAMES = {
    "emergency": _l("Emergency"),
    "crisis_988": _l("988 Suicide and Crisis Lifeline"),
    "ks_crisis": _l("Kansas Crisis Hotline (violence and sexual assault)"),
    "ndvh": _l("National Domestic Violence Hotline"),
    "ks_211": _l("211 Kansas: shelter and other help"),
    "va_homeless": _l("VA line for veterans without a home"),
    "trafficking": _l("National Human Trafficking Hotline"),
}


def hotline_name(line: Hotline) -> str:
    name = HOTLINE_NAMES.get(line.key)
    return str(name) if name is not None else line.name


def _hotline_or_none(key: str) -> Hotline | None:
    try:
        return hotline(key)
    except KeyError:
        return None


def _format_time(moment: datetime | None, fmt: str = "short", tz: str | None = None) -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(tz) if tz else None
    return dates.format_time(moment, fmt, tzinfo=zone, locale=str(get_locale() or "en"))


def _format_span(start: dt_time, end: dt_time) -> str:
    locale = str(get_locale() or "en")
    return f"{dates.format_time(start, 'short', locale=locale)} \u2013 {dates.format_time(end, 'short', locale=locale)}"


def _to_question(area: str, intake: Intake) -> BaseResponse:
    nxt = intakes.current_question(intake)
    if nxt is None:
        return redirect(url_for("kiosk.review", area=area))
    return redirect(url_for("kiosk.ask", area=area, key=nxt.key))


# -- start, language, questions ------------------------------------------------------------------


@bp.route(f"{AREA}/", methods=["GET", "POST"])
def start(area: str) -> ResponseReturnValue:
    """Show the language picker; picking a language starts the intake."""
    intake = _open_intake()
    if intake is not None:
        return _to_question(area, intake)
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in LANGUAGES:
        session.pop(S_DONE, None)
        session.pop(S_TEXTED, None)
        session["lang"] = form.lang.data
        kiosk = current_kiosk() if area == "kiosk" else None
        intake = intakes.start_intake(db.session, channel=CHANNELS[area], language=form.lang.data,
                                      kiosk_id=kiosk.id if kiosk else None)
        session[S_INTAKE] = intake.public_id
        return _to_question(area, intake)
    kiosk = current_kiosk() if area == "kiosk" else None
    return render_template("kiosk/start.html", form=form, kiosk=kiosk,
                           languages=question("language").options)


@bp.route(f"{AREA}/language", methods=["POST"])
def change_language(area: str) -> ResponseReturnValue:
    """Change the language on any page; answers are kept."""
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in LANGUAGES:
        session["lang"] = form.lang.data
        intake = _open_intake()
        if intake is not None:
            intakes.set_code(db.session, intake, "language", form.lang.data)
    back = form.back_to.data or ""
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not back.startswith(f"/{area}/") or "//" in back:
        back = url_for("kiosk.start", area=area)
    return redirect(back)


def _stored(intake: Intake, key: str) -> tuple[str | None, str | None]:
    for a in intake.answers:
        if a.key == key:
            value = None
            if a.value_enc is not None:
                value = intakes.personal_values(intake).get(key)
            return a.code, value
    return None, None


def progress(answers: dict[str, str]) -> tuple[int, int]:
    """Return (questions answered, questions in all as far as we can tell now)."""
    done = sum(1 for q in path(answers) if q.key in answers and q.key != "language")
    remaining = sum(1 for q in QUESTIONS if q.key not in answers and applies(q, answers))
    return done, done + remaining


def _kiosk_place() -> str | None:
    kiosk = current_kiosk() if _area() == "kiosk" else None
    return kiosk.access_point.name if kiosk is not None else None


@bp.route(f"{AREA}/q/<key>", methods=["GET", "POST"])
def ask(area: str, key: str) -> ResponseReturnValue:
    """Show one question, or save its answer and go on."""
    intake = _open_intake()
    if intake is None:
        return redirect(url_for("kiosk.start", area=area))
    answers = intakes.codes(intake)
    if key not in {q.key for q in path(answers)}:
        return _to_question(area, intake)
    q = question(key)
    here = _kiosk_place() if q.kind is Kind.LOCATION else None
    error: str | None = None
    if request.method == "POST":
        form = build_form(q, kiosk_here=here, formdata=request.form)
        form.validate()  # the answer itself is checked by the intake service below
        csrf_field = getattr(form, "csrf_token", None)
        if csrf_field is not None and csrf_field.errors:
            error = _("This page timed out. Please answer again.")
        else:
            result = _save(intake, q, form)
            if result.ok:
                session[S_NOTICES] = [n.key for n in result.notices]
                return _to_question(area, intake)
            message = ERRORS.get(result.error or "") or ERRORS["not_understood"]
            error = _(message)
    else:
        code, value = _stored(intake, key)
        form = build_form(q, kiosk_here=here, data=stored_to_data(q, code, value))
    notices = [NOTICES[k] for k in session.pop(S_NOTICES, []) if k in NOTICES] if request.method == "GET" else []
    previous = previous_question(answers, key)
    done, total = progress(answers)
    return render_template(
        "kiosk/question.html", q=q, form=form, error=error, notices=notices,
        back_url=url_for("kiosk.ask", area=area, key=previous.key) if previous else None,
        done=done, total=total, text_kind=q.kind in TEXT_KINDS,
        hint=_(q.hint) if q.hint else None, is_multi=q.kind is Kind.MULTI,
        kiosk_here=here, answered=key in answers,
    ), (200 if error is None else 422)


def _save(intake: Intake, q: Question, form: Any) -> intakes.StepResult:
    """Save the answer given on the form (the code for a tap, the parsed text for typing)."""
    if form.skip.data:
        return intakes.record(db.session, intake, q.key, ParseResult(ok=True, code=q.skip_code))
    data = form.answer.data
    if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
        if not data:
            return intakes.record(db.session, intake, q.key, ParseResult.fail("empty"))
        if q.kind is Kind.LANGUAGE:
            session["lang"] = data
        return intakes.set_code(db.session, intake, q.key, data)
    if q.kind is Kind.MULTI:
        picked = [c for c in (data or []) if q.option(c) is not None]
        if not picked:
            return intakes.record(db.session, intake, q.key, ParseResult.fail("empty"))
        exclusive = {o.code for o in q.options if o.exclusive}
        chosen = set(picked) - exclusive or {picked[0]}
        return intakes.set_code(db.session, intake, q.key,
                                ",".join(o.code for o in q.options if o.code in chosen))
    if q.kind is Kind.LOCATION and getattr(form, "where", None) is not None and form.where.data == "here":
        return intakes.set_code(db.session, intake, q.key, "here")
    return intakes.answer(db.session, intake, q.key, data)


# -- review, submit, confirmation ----------------------------------------------------------------


def shown_answer(q: Question, code: str, values: dict[str, str], kiosk_place: str | None) -> str:
    """Say an answer back to the person who gave it, in their language."""
    if code == DECLINE and not q.option(code):
        return _("Prefer not to answer")
    if code == DONT_KNOW and not q.option(code):
        return _("Not sure")
    if q.kind is Kind.LANGUAGE:
        opt = q.option(code)
        return opt.label if opt else code
    if q.kind in (Kind.CHOICE, Kind.MULTI):
        labels = [q.option(part) for part in code.split(",")]
        return ", ".join(_(o.label) for o in labels if o is not None)
    if q.kind is Kind.LOCATION:
        if code == "here":
            return kiosk_place or _("Here")
        kind, _sep, place = code.partition(":")
        return _("ZIP code %(zip)s", zip=place) if kind == "zip" else place.title()
    if q.key in values:
        return values[q.key]
    return code


@bp.route(f"{AREA}/review")
def review(area: str) -> ResponseReturnValue:
    """List every answer with a way to change it, then submit."""
    intake = _open_intake()
    if intake is None:
        return redirect(url_for("kiosk.start", area=area))
    if intakes.current_question(intake) is not None:
        return _to_question(area, intake)
    answers = intakes.codes(intake)
    values = intakes.personal_values(intake)
    kiosk = intake.kiosk
    place = kiosk.access_point.name if kiosk is not None else None
    rows = [(q, shown_answer(q, answers[q.key], values, place)) for q in path(answers)
            if q.key in answers and q.key != "language"]
    done, total = progress(answers)
    return render_template("kiosk/review.html", rows=rows, form=ActionForm(), done=done, total=total)


@bp.route(f"{AREA}/submit", methods=["POST"])
def submit(area: str) -> ResponseReturnValue:
    """Submit the intake (a second post of the same page changes nothing)."""
    form = ActionForm()
    intake = _open_intake()
    if intake is None:
        if session.get(S_DONE):
            return redirect(url_for("kiosk.done", area=area))
        return redirect(url_for("kiosk.start", area=area))
    if not form.validate_on_submit():
        return redirect(url_for("kiosk.review", area=area))
    try:
        intakes.submit(db.session, intake, weights=current_app.config.get("PRIORITY_WEIGHTS"))
    except intakes.IntakeError:
        return _to_question(area, intake)
    session.pop(S_INTAKE, None)
    session[S_DONE] = intake.public_id
    return redirect(url_for("kiosk.done", area=area))


def _finished_intake() -> Intake | None:
    public_id = session.get(S_DONE)
    if not public_id:
        return None
    intake = db.session.scalar(select(Intake).where(Intake.public_id == str(public_id)))
    if intake is None or intake.status not in (IntakeStatus.SUBMITTED, IntakeStatus.WITHDRAWN):
        return None
    return intake


def can_text(intake: Intake) -> bool:
    """A confirmation text is offered when a phone was given and texting it is safe."""
    answers = intakes.codes(intake)
    return (intake.status == IntakeStatus.SUBMITTED and answers.get("phone") == "given"
            and answers.get("safe_to_text") == "1")


def hours_view(ap: AccessPoint) -> dict[str, Any]:
    """Return what the confirmation page says about opening hours, in the place's time zone."""
    status = open_status(ap.hours, ap.timezone, utcnow())
    names = {"mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"), "thu": _("Thursday"),
             "fri": _("Friday"), "sat": _("Saturday"), "sun": _("Sunday")}
    week = []
    for day in DAYS:
        day_spans = spans(ap.hours, day)
        week.append((names[day], day_spans))
    return {"status": status, "week": week, "names": names}


@bp.route(f"{AREA}/done")
def done(area: str) -> ResponseReturnValue:
    """Show the reference code, where the household is queued, what happens next, help lines."""
    intake = _finished_intake()
    if intake is None:
        return redirect(url_for("kiosk.start", area=area))
    ap = intake.routed_access_point
    answers = intakes.codes(intake)
    return render_template(
        "kiosk/done.html", intake=intake, ap=ap, hours=hours_view(ap) if ap else None,
        other_coc=routing.coc_contact_for_code(intake.out_of_area_coc_code) if intake.out_of_area else None,
        withdrawn=intake.status == IntakeStatus.WITHDRAWN, contact_method=answers.get("contact_method"),
        can_text=can_text(intake), texted=session.get(S_TEXTED, False), form=ActionForm(),
        hotlines=emergency_hotlines(), contact_days=current_app.config.get("CONTACT_WITHIN_BUSINESS_DAYS", 2),
    )


@bp.route(f"{AREA}/done/text", methods=["POST"])
def text_me(area: str) -> ResponseReturnValue:
    """Send the reference code and the access point's details to the phone given."""
    form = ActionForm()
    intake = _finished_intake()
    if intake is None or not form.validate_on_submit():
        return redirect(url_for("kiosk.done", area=area))
    if can_text(intake) and not session.get(S_TEXTED):
        phone = intakes.personal_values(intake).get("phone")
        ap = intake.routed_access_point
        if phone and ap is not None:
            body = _("Your code is %(code)s. %(place)s will contact you. %(place)s: %(phone)s, %(address)s.",
                     code=intake.reference_code or "", place=ap.name, phone=ap.phone or "211",
                     address=", ".join(p for p in (ap.address, ap.city) if p))
            texting.send_text(db.session, to=phone, body=body, intake_id=intake.id)
            session[S_TEXTED] = True
    return redirect(url_for("kiosk.done", area=area))


# -- help, quick exit, idle reset ----------------------------------------------------------------


@bp.route(f"{AREA}/help")
def help_now(area: str) -> ResponseReturnValue:
    """Show the emergency numbers; never gated by pairing or progress."""
    back = request.args.get("from", "")
    back_url = back if back.startswith(f"/{area}/") and "//" not in back else url_for("kiosk.start", area=area)
    return render_template("kiosk/help.html", hotlines=emergency_hotlines(), back_url=back_url)


@bp.route(f"{AREA}/exit")
def quick_exit(area: str) -> ResponseReturnValue:
    """Wipe the session and show a neutral page (a GET, so it works even when a form expired)."""
    wipe_session()
    response = Response(render_template("kiosk/neutral.html"))
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route(f"{AREA}/reset")
def reset(area: str) -> ResponseReturnValue:
    """Start over for the next person: abandon the unfinished intake and wipe the session."""
    wipe_session()
    response = redirect(url_for("kiosk.start", area=area))
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route(f"{AREA}/idle")
def idle(area: str) -> ResponseReturnValue:
    """Warn that the screen is about to reset (the page a kiosk without JavaScript goes to)."""
    back = request.args.get("back", "")
    if not (back.startswith(f"/{area}/") and "//" not in back):
        back = url_for("kiosk.start", area=area)
    return render_template("kiosk/idle.html", back=back, form=ActionForm())


@bp.route(f"{AREA}/still-here", methods=["POST"])
def still_here(area: str) -> ResponseReturnValue:
    """Keep the session alive after the idle warning ("I'm still here")."""
    back = request.form.get("back_to", "")
    if back.startswith(f"/{area}/") and "//" not in back:
        return redirect(back)
    return Response(status=204)


# -- pairing -------------------------------------------------------------------------------------


@bp.route("/kiosk/pair/<code>", methods=["GET", "POST"])
def pair(code: str) -> ResponseReturnValue:
    """Pair this browser with a kiosk using a one-time code; sets the device cookie."""
    kiosk = devices.kiosk_for_code(db.session, code)
    if kiosk is None:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("kiosk/pair.html", kiosk=kiosk, form=form, area="kiosk")
    devices.pair(db.session, kiosk)
    response = redirect(url_for("kiosk.start", area="kiosk"))
    response.set_cookie(
        devices.COOKIE_NAME, devices.device_token(current_app.config["SECRET_KEY"], kiosk),
        max_age=devices.COOKIE_MAX_AGE, httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/kiosk/",
    )
    session.clear()
    return response


@bp.cli.command("pair")
@click.option("--kiosk", "kiosk_id", type=int, help="Id of the kiosk to pair.")
@click.option("--access-point", "access_point", help="Slug of the access point the tablet is at.")
@click.option("--label", help="Name of the tablet, e.g. 'Lobby tablet' (created when new).")
@click.option("--base-url", help="Origin for the link (default PUBLIC_BASE_URL or http://127.0.0.1:5000).")
def pair_command(kiosk_id: int | None, access_point: str | None, label: str | None,
                 base_url: str | None) -> None:
    """Print a one-time link that pairs a tablet with a kiosk (valid 24 hours)."""
    try:
        kiosk = devices.find_or_create_kiosk(db.session, kiosk_id=kiosk_id,
                                             access_point_slug=access_point, label=label)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    link = devices.issue_pairing_code(db.session, kiosk)
    origin = (base_url or current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    click.echo(f"Kiosk {kiosk.id} ({kiosk.label}) at {kiosk.access_point.name}")
    click.echo(f"Open this link once on the tablet within 24 hours: {origin}/kiosk/pair/{link.code}")


__all__ = ["bp"]

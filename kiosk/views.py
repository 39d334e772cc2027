"""Kiosk (`/kiosk/…`, paired tablets), personal-phone (`/intake/…`) and assisted intake pages.

Every prefix serves the same views; the rule's ``mode`` default tells them apart. Assisted mode
(`/staff/assist/…`) is a signed-in staff member walking the intake with a household on the staff
member's own device: the same questions in the household's language, with a strip in the staff
member's language around them. The server session holds only the intake's public id, the mode
and the time of the last request (and, in assisted mode, the staff sign-in, which the household's
pages never clear).
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user  # type: ignore[import-untyped]
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy import select

from extensions import db, limiter, login_manager
from intake_forms import (
    ERRORS,
    LANGUAGES,
    NOTICES,
    QUESTIONS,
    Kind,
    Medium,
    Question,
    compute_outcomes,
    interpreter,
    is_non_answer,
    parse_answer,
    path,
    previous_question,
    question,
)
from intake_forms.definition import N_, NO, NOT_SURE, YES
from intake_forms.flow import applies
from kiosk import device
from kiosk.forms import ELSEWHERE, HERE, MetWhereForm, ResumeForm, StatusForm, form_for
from kiosk.presenters import answer_rows, confirmation, hotline_rows, location_input, send_confirmation_text
from models import Intake, IntakeStatus, Kiosk
from models.base import utcnow
from models.intake import Channel
from services import intake as intakes
from services import interpreter as interpreter_service
from services import kiosks, outreach
from services import resume as resume_service
from services import status as status_service
from services.accounts import staff_session_over
from services.pii import address_key, current_cipher

log = logging.getLogger(__name__)

bp = Blueprint(
    "kiosk",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/kiosk/static",
    cli_group="kiosks",
)

WEB = "web"
KIOSK = "kiosk"
ASSISTED = "assisted"
PREFIX = {WEB: "/intake", KIOSK: "/kiosk", ASSISTED: "/staff/assist"}
#: The session keys that belong to the household (all a wipe removes in assisted mode).
HOUSEHOLD_KEYS = ("intake", "mode", "lang", "done", "notices", "texted", "flash", "seen", "device")
#: A confirmation page stays reachable (for "Text me this" and a re-read) this long after submit.
DONE_FOR = timedelta(hours=1)
#: WCAG 2.2.1: a timeout warning gives at least 20 seconds to extend.
MIN_WARNING_SECONDS = 20
#: Extra seconds the server waits beyond the browser's timer before it resets on its own.
SERVER_GRACE_SECONDS = 5


def route(rule: str, endpoint: str, methods: tuple[str, ...] = ("GET",),
          modes: tuple[str, ...] = tuple(PREFIX)) -> Any:
    """Register a view under /intake, /kiosk and /staff/assist (or only ``modes``), telling them
    apart by ``mode``."""

    def decorator(view: Any) -> Any:
        for mode, prefix in PREFIX.items():
            if mode not in modes:
                continue
            bp.add_url_rule(prefix + rule, endpoint, view, methods=list(methods), defaults={"mode": mode})
        return view

    return decorator


@dataclass(frozen=True)
class Timing:
    """Idle limits for a kiosk: seconds before the warning, then seconds of warning."""

    idle: int
    warning: int

    @property
    def total(self) -> int:
        return self.idle + self.warning


def timing() -> Timing:
    """Read the idle limits from the config (the warning is at least 20 s outside tests)."""
    idle = int(current_app.config.get("KIOSK_IDLE_SECONDS", 120))
    warning = int(current_app.config.get("KIOSK_IDLE_WARNING_SECONDS", 30))
    if warning < MIN_WARNING_SECONDS and not current_app.testing:
        warning = MIN_WARNING_SECONDS
    return Timing(idle=max(idle, 1), warning=max(warning, 1))


# -- request set-up ---------------------------------------------------------------------------


def paired_kiosk() -> Kiosk | None:
    """Return the kiosk this browser is paired with, if any (cached per request)."""
    if "kiosk_device" not in g:
        g.kiosk_device = device.kiosk_from_token(
            db.session, current_app.config["SECRET_KEY"], request.cookies.get(device.COOKIE_NAME)
        )
        if g.kiosk_device is not None:  # "last seen" on the admin kiosk list
            kiosks.seen(db.session, g.kiosk_device)
    kiosk: Kiosk | None = g.kiosk_device
    return kiosk


def clear_household() -> None:
    """Empty the session of the household; an assisting staff member stays signed in."""
    if g.get("mode") == ASSISTED:
        for key in HOUSEHOLD_KEYS:
            session.pop(key, None)
    else:
        session.clear()


def wipe(*, abandon: bool = True, keep_done: bool = False) -> None:
    """Forget this browser's household: abandon an unfinished intake, clear the session.

    ``keep_done`` keeps the last confirmation (a personal phone only: see ``keeps_confirmation``).
    """
    public_id = session.get("intake")
    if abandon and public_id:
        intake = db.session.scalar(select(Intake).where(Intake.public_id == public_id))
        if intake is not None:
            intakes.abandon(db.session, intake)
    lang = session.get("lang") if not abandon or keep_done else None
    done = session.get("done") if keep_done else None
    clear_household()
    if lang:
        session["lang"] = lang
    if done:
        session["done"] = done


def keeps_confirmation(mode: str) -> bool:
    """Tell whether this device keeps the last confirmation for a while (DONE_FOR).

    A personal phone does, so Back or a return visit still finds the code; a kiosk never does:
    the next person must see nothing of the last one, nor on a staff member's device.
    """
    return mode == WEB


@bp.before_request
def before() -> Any:
    """Guard kiosk pages (paired tablets only) and reset a kiosk left idle."""
    args = request.view_args or {}
    mode = args.get("mode")
    g.mode = mode
    if mode == ASSISTED:
        return assisting()
    if mode != KIOSK:
        return None
    endpoint = (request.endpoint or "").rpartition(".")[2]
    if endpoint in {"help_now", "pair", "static"}:
        return None
    if paired_kiosk() is None:
        if endpoint == "start":
            return None  # shows how to pair
        return redirect(url_for("kiosk.start", mode=KIOSK))
    now = int(time.time())
    seen = session.get("seen")
    if isinstance(seen, int) and now - seen > timing().total + SERVER_GRACE_SECONDS \
            and (session.get("intake") or session.get("done")):
        log.info("kiosk %s idle: session reset", paired_kiosk().id)  # type: ignore[union-attr]
        wipe()
        session["seen"] = now
        return redirect(url_for("kiosk.start", mode=KIOSK))
    session["seen"] = now
    return None


def assisting() -> Any:
    """Let only a signed-in staff member who may assist in; speak the household's language."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    now = time.time()
    if staff_session_over(session, current_app.config, now):  # the staff pages' own limits
        wipe()
        logout_user()
        session.clear()
        return login_manager.unauthorized()
    session["staff_seen"] = now  # walking an intake with a household is working: the session stays
    if not outreach.may_assist(current_user):
        abort(403)
    if request.endpoint == "kiosk.help_now":
        return None
    intake = current_intake(ASSISTED) or done_intake()
    if intake is not None:  # back from the staff pages: the questions are in the household's language
        household = intakes.codes(intake).get("language")
        if household in LANGUAGES:
            session["lang"] = household
    return None


def staff_strip() -> Markup | None:
    """Return the strip around assisted pages, in the staff member's own language."""
    if g.get("mode") != ASSISTED or not current_user.is_authenticated:
        return None
    with force_locale(current_user.language or "en"):
        html = render_template("kiosk/_assist_strip.html", staff_name=current_user.display_name)
    return Markup(html)  # noqa: S704  (a rendered template: Jinja autoescaped every value in it)


@bp.after_request
def no_store(response: Response) -> Response:
    """Keep intake pages out of every cache so the back button shows nothing later."""
    if request.endpoint != "kiosk.static":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


@bp.after_request
def background_redirect(response: Response) -> Response:
    """Tell a page sent in the background (static/js/outreach.js) where to go, instead of a redirect
    its fetch would follow unseen (taking the next page's notices with it)."""
    if request.headers.get("X-Background-Send") == "1" and response.status_code in (302, 303) \
            and response.location:
        forward = jsonify(next=response.location)
        for name, value in response.headers.items():
            if name.lower() not in ("location", "content-type", "content-length"):
                forward.headers.add(name, value)
        return forward
    return response


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> Any:
    """An old page was sent (the form expired): show the page again, kindly."""
    session["flash"] = "expired"
    mode = g.get("mode") or (request.view_args or {}).get("mode") or WEB
    if request.endpoint == "kiosk.question":
        return redirect(request.path)
    return redirect(url_for("kiosk.start", mode=mode))


@bp.app_context_processor
def kiosk_context() -> dict[str, Any]:
    return {"kiosk_mode": g.get("mode")}


# -- helpers ----------------------------------------------------------------------------------


def channel(mode: str) -> Channel:
    return {KIOSK: Channel.KIOSK, ASSISTED: Channel.ASSISTED}.get(mode, Channel.WEB)


def current_intake(mode: str) -> Intake | None:
    """Return this session's intake for this mode (any status), or None."""
    public_id = session.get("intake")
    if not public_id or session.get("mode") != mode:
        return None
    return db.session.scalar(select(Intake).where(Intake.public_id == public_id))


def here_label(mode: str) -> str | None:
    kiosk = paired_kiosk() if mode == KIOSK else None
    if kiosk is None:
        return None
    return _("Here, at %(place)s", place=kiosk.access_point.name)


def page_context(mode: str, **extra: Any) -> dict[str, Any]:
    """Return what every intake page needs: mode, idle timing, language switch, notices."""
    t = timing()
    return {
        "mode": mode,
        "idle": t.idle if mode == KIOSK else None,
        "warning": t.warning,
        "languages": LANGUAGES,
        "flash": session.pop("flash", None),
        "staff_strip": staff_strip(),
        **extra,
    }


def next_url(mode: str, intake: Intake) -> str:
    """Return where this intake goes next: its next question, or the review page."""
    q = intakes.current_question(intake)
    if q is None:
        return url_for("kiosk.review", mode=mode)
    return url_for("kiosk.question", mode=mode, key=q.key)


def progress(codes: dict[str, str], key: str) -> tuple[int, int]:
    """Return (n, about m): this question's place among those that apply so far."""
    asked = [q.key for q in QUESTIONS if q.key != "language" and applies(q, codes)]
    number = asked.index(key) + 1 if key in asked else len(asked)
    return number, max(len(asked), number)


def safe_next(target: str | None, mode: str) -> str:
    """Allow only a local intake path (or the landing page) as a redirect target."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc
        if local and (parts.path in ("/", url_for("kiosk.status", mode=mode))
                      or parts.path.startswith(PREFIX[mode] + "/")):
            return parts.path
    return url_for("kiosk.start", mode=mode)


def take_notices() -> list[dict[str, Any]]:
    keys = session.pop("notices", None) or []
    return [{"message": _(NOTICES[k].message), "lines": hotline_rows(NOTICES[k].hotlines)}
            for k in keys if k in NOTICES]


def finished_elsewhere(mode: str, intake: Intake | None) -> Any:
    """Send a session whose intake is missing or closed to the right page.

    Back from the confirmation lands here (the review page of a sent intake): it goes to the
    confirmation again while this visit still holds it.
    """
    if intake is not None and intake.status == IntakeStatus.SUBMITTED:
        session.pop("intake", None)
        session["done"] = intake.public_id
        return redirect(url_for("kiosk.done", mode=mode))
    if intake is None and done_intake() is not None:
        return redirect(url_for("kiosk.done", mode=mode))
    wipe(abandon=False)
    return redirect(url_for("kiosk.start", mode=mode))


# -- pages ------------------------------------------------------------------------------------


@route("/", "start")
def start(mode: str) -> Any:
    """Show the language picker (or, on an unpaired tablet, how to pair)."""
    if mode == KIOSK and paired_kiosk() is None:
        return render_template("kiosk/unpaired.html", **page_context(mode)), 200
    intake = current_intake(mode)
    if intake is not None and intake.status == IntakeStatus.IN_PROGRESS:
        return redirect(next_url(mode, intake))
    kiosk = paired_kiosk() if mode == KIOSK else None
    place = kiosk.access_point.name if kiosk is not None else None
    if mode == WEB and not isinstance(session.get("device"), str):
        session["device"] = secrets.token_urlsafe(16)  # the device cookie the throttle counts
    last = keeps_confirmation(mode) and done_intake() is not None
    key = outreach.new_submission_key() if mode == ASSISTED else None
    other = interpreter_service.bridge(interpreter.OTHER_LANGUAGE)
    return render_template("kiosk/start.html", **page_context(mode, place=place, last_confirmation=last,
                                                               submission_key=key, other_language=other))


def _is_kiosk() -> bool:
    """Kiosks (paired tablets at a staffed place, shared by many people) and signed-in staff
    assisting households are not throttled here."""
    return (request.view_args or {}).get("mode") in (KIOSK, ASSISTED)


def _client_key() -> str:
    """Rate-limit key of the web client: a keyed hash of its address, never the address."""
    return "intake-client:" + address_key()


def _device_key() -> str:
    """Rate-limit key of the browser (its device cookie), else of the client."""
    device = session.get("device")
    return f"intake-device:{device}" if isinstance(device, str) else _client_key()


def _intake_limit(name: str) -> Any:
    return lambda: str(current_app.config[name])


def _throttled(view: Any) -> Any:
    """Throttle a web intake action per client address and per device (Flask-Limiter)."""
    view = limiter.limit(_intake_limit("WEB_INTAKE_DEVICE_RATE_LIMIT"), key_func=_device_key,
                         exempt_when=_is_kiosk, methods=["POST"])(view)
    return limiter.limit(_intake_limit("WEB_INTAKE_CLIENT_RATE_LIMIT"), key_func=_client_key,
                         exempt_when=_is_kiosk, methods=["POST"])(view)


@route("/start", "begin", methods=("POST",))
@_throttled
def begin(mode: str) -> Any:
    """Start an intake in the chosen language."""
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        return redirect(url_for("kiosk.start", mode=mode))
    old = current_intake(mode)
    if old is not None and old.status == IntakeStatus.IN_PROGRESS:
        intakes.set_code(db.session, old, "language", lang)
        session["lang"] = lang
        return redirect(next_url(mode, old))
    kiosk = paired_kiosk() if mode == KIOSK else None
    device_token = session.get("device")
    cipher = current_cipher()
    web = mode == WEB
    if mode == ASSISTED:  # the page's one-time key: sent again, it finds the intake it started
        intake = outreach.start_with_household(db.session, current_user, language=lang,
                                               key=request.form.get("submission_key"))
    else:
        intake = intakes.start_intake(
            db.session, channel=channel(mode), language=lang, kiosk_id=kiosk.id if kiosk else None,
            source_index=address_key() if web else None,
            device_index=cipher.blind_index(f"device:{device_token}") if web and device_token else None)
    seen = session.get("seen")
    clear_household()
    session.update(intake=intake.public_id, mode=mode, lang=lang)
    if seen:
        session["seen"] = seen
    if device_token:
        session["device"] = device_token
    if mode == ASSISTED and outreach.does_outreach(current_user):
        return redirect(url_for("kiosk.met_where", mode=ASSISTED))
    return redirect(next_url(mode, intake))


#: Icons beside the answers to "are texts / voice messages safe?" on the "another language" page
#: (the options are the intake question's own, but its decline: leaving it empty declines).
SAFE_ICONS = {YES.code: "✔", NO.code: "✖", NOT_SURE.code: "?"}


def _safe_choices() -> list[tuple[str, str, str]]:
    return [(opt.code, SAFE_ICONS[opt.code], opt.label) for opt in question("safe_to_text").options
            if opt.code in SAFE_ICONS]


def _other_language_page(mode: str, *, error: str | None = None, status: int = 200) -> Any:
    bridge = interpreter_service.bridge
    form = request.form
    return render_template(
        "kiosk/other_language.html",
        **page_context(mode, words={
            "title": bridge(interpreter.OTHER_LANGUAGE), "ask": bridge(interpreter.ASK_LANGUAGE_SCREEN),
            "phone": bridge(question("phone").prompt), "texts": bridge(question("safe_to_text").prompt),
            "voicemail": bridge(question("safe_to_voicemail").prompt), "send": bridge(interpreter.SEND),
            "phone_hint": bridge(question("phone").hint(Medium.SCREEN) or ""),
            "safe": [(code, icon, bridge(label)) for code, icon, label in _safe_choices()],
            "back": bridge(N_("Back"))},
            listed=interpreter.listed(), error=error, form=form)), status


# Not in assisted mode: staff with the household call an interpreter line themselves.
@route("/other-language", "other_language", methods=("GET", "POST"), modes=(WEB, KIOSK))
@_throttled
def other_language(mode: str) -> Any:
    """Another language: which one (typed in any script, or picked), a phone number, then queued as a
    callback with an interpreter. The page speaks English and Spanish with icons; nobody is turned away."""
    if mode == KIOSK and paired_kiosk() is None:
        return redirect(url_for("kiosk.start", mode=mode))
    if request.method == "GET":
        return _other_language_page(mode)
    phone = parse_answer(question("phone"), request.form.get("phone", ""), "en")
    if not phone.ok or phone.value is None:
        return _other_language_page(mode, error="phone", status=422)
    safe = {code for code, _icon, _label in _safe_choices()}
    kiosk = paired_kiosk() if mode == KIOSK else None
    device_token = session.get("device")
    web = mode == WEB
    old = current_intake(mode)
    if old is not None:  # an intake begun in a language of ours gives way to this one
        intakes.abandon(db.session, old, commit=False)
    intake = interpreter_service.start(
        db.session, channel=channel(mode), kiosk_id=kiosk.id if kiosk else None,
        source_index=address_key() if web else None,
        device_index=current_cipher().blind_index(f"device:{device_token}") if web and device_token else None,
        commit=False)
    interpreter_service.name_language(intake, request.form.get("said"), chosen=request.form.get("listed") or None)
    texts = request.form.get("texts")
    voicemail = request.form.get("voicemail")
    interpreter_service.finish(db.session, intake, phone=phone.value,
                               safe_to_text=texts if texts in safe else None,
                               safe_to_voicemail=voicemail if voicemail in safe else None,
                               channel=channel(mode), weights=current_app.config.get("PRIORITY_WEIGHTS"))
    clear_household()
    session.update(done=intake.public_id, mode=mode)
    if device_token:
        session["device"] = device_token
    return redirect(url_for("kiosk.other_language_sent", mode=mode))


@route("/other-language/sent", "other_language_sent", modes=(WEB, KIOSK))
def other_language_sent(mode: str) -> Any:
    """Say, in English and Spanish, that staff will call with an interpreter, and give the code."""
    intake = done_intake()
    if intake is None or intake.interpreter_language is None:
        return redirect(url_for("kiosk.start", mode=mode))
    return render_template("kiosk/other_language_sent.html", **page_context(
        mode, queued=interpreter_service.bridge(interpreter.QUEUED, code=intake.reference_code or ""),
        again=interpreter_service.bridge(N_("Start again")),
        title=interpreter_service.bridge(interpreter.OTHER_LANGUAGE)))


@route("/language", "language", methods=("POST",))
def change_language(mode: str) -> Any:
    """Switch the language on any page without losing answers, then go back."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        intake = current_intake(mode)
        if intake is not None and intake.status == IntakeStatus.IN_PROGRESS:
            intakes.set_code(db.session, intake, "language", lang)
    return redirect(safe_next(request.form.get("next"), mode))


@route("/q/<key>", "question", methods=("GET", "POST"))
def question_page(mode: str, key: str) -> Any:
    """Ask one question; save the answer and go on, or show a kind error and keep the input."""
    try:
        q = question(key)
    except KeyError:
        abort(404)
    intake = current_intake(mode)
    if intake is None or intake.status != IntakeStatus.IN_PROGRESS:
        return finished_elsewhere(mode, intake)
    codes = intakes.codes(intake)
    walked = [w.key for w in path(codes)]
    if key not in walked:
        # Not asked yet, or no longer asked: an old page posted twice lands on the current one.
        return redirect(next_url(mode, intake))

    error = None
    here = here_label(mode) if q.kind is Kind.LOCATION else None
    if request.method == "POST":
        form = form_for(q, here_label=here, formdata=request.form)
        if request.form.get("action") == "skip":
            step = intakes.set_code(db.session, intake, key, q.skip_code)
        else:
            step = save_answer(intake, q, form, mode)
        if step is not None and step.ok:
            session["notices"] = [n.key for n in step.notices]
            if step.next is None:
                return after_last_question(mode, intake)
            return redirect(url_for("kiosk.question", mode=mode, key=step.next.key))
        error = step.error if step is not None else "empty"
    else:
        initial, place = initial_value(intake, q, codes, mode)
        form = form_for(q, here_label=here, initial=initial, place=place)

    number, total = progress(codes, key)
    back = previous_question(codes, current=key)
    notices = take_notices() if request.method == "GET" else []
    status = 200 if error is None else 422
    return render_template(
        "kiosk/question.html",
        **page_context(
            mode, q=q, form=form, error=_(ERRORS[error]) if error else None,
            hint=_(hint) if (hint := q.hint(Medium.SCREEN)) and (error or q.kind is Kind.DATE) else None,
            number=number, total=total, notices=notices,
            back_url=url_for("kiosk.question", mode=mode, key=back.key) if back else None,
        ),
    ), status


def save_answer(intake: Intake, q: Question, form: Any, mode: str) -> intakes.StepResult | None:
    """Save the posted answer through the services (codes for taps, parsing for typing)."""
    if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
        code = form.answer.data
        if not code or q.option(code) is None:
            return None
        step = intakes.set_code(db.session, intake, q.key, code)
        if step.ok and q.kind is Kind.LANGUAGE:
            session["lang"] = code
        return step
    if q.kind is Kind.MULTI:
        picked = [c for c in (form.answer.data or []) if q.option(c) is not None]
        if not picked:
            return None
        # The shared parser applies the "nothing" / "prefer not" rules to the option numbers.
        numbers = " ".join(str(q.option_number(c)) for c in picked)
        return intakes.answer(db.session, intake, q.key, numbers)
    typed = (form.answer.data or "").strip()
    if q.kind is Kind.LOCATION and hasattr(form, "where") and form.where.data != ELSEWHERE and not typed:
        return intakes.set_code(db.session, intake, q.key, HERE)
    return intakes.answer(db.session, intake, q.key, form.answer.data or "")


def initial_value(intake: Intake, q: Question, codes: dict[str, str],
                  mode: str) -> tuple[str | list[str] | None, str | None]:
    """Return what to show in the form for an answered question (its current answer)."""
    code = codes.get(q.key)
    if code is None:
        return None, None
    if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
        return code, None
    if q.kind is Kind.MULTI:
        return code.split(","), None
    if is_non_answer(code):
        return None, None
    if q.kind is Kind.LOCATION:
        if code == HERE:
            return None, HERE
        return location_input(code), ELSEWHERE
    if q.identifying:
        return intakes.personal_values(intake).get(q.key), None
    return code, None


def after_last_question(mode: str, intake: Intake) -> Any:
    """Go to the review page; a household that chose to stop is closed right away."""
    if compute_outcomes(intakes.codes(intake)).withdrawn:
        intakes.submit(db.session, intake)
        wipe(abandon=False)
        session["notices"] = ["dv_stop"]
        return redirect(url_for("kiosk.stopped", mode=mode))
    return redirect(url_for("kiosk.review", mode=mode))


@route("/review", "review")
def review(mode: str) -> Any:
    """List the answers with a way to change each, then submit."""
    intake = current_intake(mode)
    if intake is None or intake.status != IntakeStatus.IN_PROGRESS:
        return finished_elsewhere(mode, intake)
    if intakes.current_question(intake) is not None:
        return redirect(next_url(mode, intake))
    rows = answer_rows(intake, masked=mode == KIOSK, here=here_label(mode))
    return render_template("kiosk/review.html", **page_context(mode, rows=rows, notices=take_notices()))


@route("/submit", "submit", methods=("POST",))
@_throttled
def submit(mode: str) -> Any:
    """Send the intake to the queue (sending twice is harmless) and show the confirmation."""
    intake = current_intake(mode)
    if intake is None:
        done_id = session.get("done")
        if done_id:
            return redirect(url_for("kiosk.done", mode=mode))
        return redirect(url_for("kiosk.start", mode=mode))
    if intake.status == IntakeStatus.IN_PROGRESS and intakes.current_question(intake) is not None:
        return redirect(next_url(mode, intake))
    if intake.status not in (IntakeStatus.IN_PROGRESS, IntakeStatus.SUBMITTED):
        return finished_elsewhere(mode, intake)
    intakes.submit(db.session, intake, weights=current_app.config.get("PRIORITY_WEIGHTS"), channel=channel(mode))
    session.pop("intake", None)
    session.pop("notices", None)
    session["done"] = intake.public_id
    return redirect(url_for("kiosk.done", mode=mode))


def done_intake() -> Intake | None:
    public_id = session.get("done")
    if not public_id:
        return None
    intake = db.session.scalar(select(Intake).where(Intake.public_id == public_id))
    if intake is None or intake.status != IntakeStatus.SUBMITTED or intake.submitted_at is None:
        return None
    if intake.submitted_at + DONE_FOR < utcnow():
        return None
    return intake


@route("/done", "done")
def done(mode: str) -> Any:
    """Show the reference code, where the household is queued, when they open, and help lines."""
    intake = done_intake()
    if intake is None:
        session.pop("done", None)
        return redirect(url_for("kiosk.start", mode=mode))
    info = confirmation(db.session, intake)
    return render_template("kiosk/done.html", **page_context(mode, info=info, sent=session.get("texted"),
                                                              lines=hotline_rows(None)))


@route("/done/text", "text_me", methods=("POST",))
def text_me(mode: str) -> Any:
    """Send the reference code and the access point's details by text message."""
    intake = done_intake()
    if intake is None:
        return redirect(url_for("kiosk.start", mode=mode))
    info = confirmation(db.session, intake)
    if info.can_text and not session.get("texted"):
        session["texted"] = "sent" if send_confirmation_text(db.session, intake, info) else "refused"
    return redirect(url_for("kiosk.done", mode=mode))


@route("/finish", "finish", methods=("POST",))
def finish(mode: str) -> Any:
    """End the visit: forget the household and go back to the start.

    A personal phone keeps its last confirmation a while (the start page links to it); a kiosk
    forgets everything.
    """
    wipe(keep_done=keeps_confirmation(mode))
    if mode == ASSISTED:
        return redirect(url_for("staff.queue_view"))
    return redirect(url_for("kiosk.start", mode=mode))


@route("/stopped", "stopped")
def stopped(mode: str) -> Any:
    """Confirm that nothing was saved, with the help lines."""
    return render_template("kiosk/stopped.html", **page_context(mode, notices=take_notices()))


@route("/help", "help_now")
def help_now(mode: str) -> Any:
    """Show the emergency and help numbers; never gated."""
    back = request.args.get("from")
    return render_template("kiosk/help.html",
                           **page_context(mode, lines=hotline_rows(None), back=safe_next(back, mode)))


def status_page(mode: str) -> Any:
    """Look up a request by reference code and check (POST only: nothing personal in the URL)."""
    form = StatusForm()
    answer: list[str] | None = None
    problem: str | None = None
    if request.method == "POST" and form.validate_on_submit():
        code = form.code.data or ""
        throttle = status_service.Throttle(limiter.limiter, str(current_app.config["STATUS_RATE_LIMIT"]),
                                           current_cipher())
        client = _client_key()
        last4 = status_service.last_four(form.last4.data or "")
        dob = (form.dob.data or "").strip() or None
        if throttle.blocked(code, client):
            problem = status_service.too_many_tries()
        else:
            found = status_service.lookup(db.session, code, current_cipher(), phone_last4=last4,
                                          dob=None if last4 else dob, dob_locale=str(get_locale() or "en"))
            if found is None:
                throttle.miss(code, client)
                problem = status_service.not_found()
            else:
                answer = status_service.sentences(found)
    if answer is None:  # a shared screen does not keep the check typed
        form.last4.data = form.dob.data = ""
    return render_template("kiosk/status.html", **page_context(mode, form=form, answer=answer, problem=problem))


@route("/resume", "resume", methods=("GET", "POST"))
def resume_page(mode: str) -> Any:
    """Go on with a form begun by text or by phone, at its next unanswered question."""
    form = ResumeForm()
    problem: str | None = None
    if request.method == "POST" and form.validate_on_submit():
        code = form.code.data or ""
        throttle = status_service.Throttle(limiter.limiter, str(current_app.config["STATUS_RATE_LIMIT"]),
                                           current_cipher())
        client = _client_key()
        last4 = status_service.last_four(form.last4.data or "")
        if throttle.blocked(code, client):
            problem = status_service.too_many_tries()
        else:
            found = resume_service.find(db.session, code, current_cipher(), phone_last4=last4) if last4 else None
            if found is None:
                throttle.miss(code, client)
                problem = _("We could not find an unfinished form with that code and phone number. "
                            "A form that was sent cannot be opened again: you can look up where it is instead.")
            else:
                wipe()  # an unfinished form of this browser is left; this one goes on
                resume_service.reopen(db.session, found)
                db.session.commit()
                session.update(intake=found.public_id, mode=mode, lang=found.language)
                return redirect(next_url(mode, found))
    form.last4.data = ""
    return render_template("kiosk/resume.html", **page_context(mode, form=form, problem=problem))


# The household's short address is /status; a kiosk shows the same page under /kiosk/status.
bp.add_url_rule("/status", "status", status_page, methods=["GET", "POST"], defaults={"mode": WEB})
bp.add_url_rule("/kiosk/status", "status", status_page, methods=["GET", "POST"], defaults={"mode": KIOSK})


# -- kiosk only: idle reset, keep-alive, pairing ----------------------------------------------


@bp.route("/kiosk/reset", methods=["POST", "GET"], defaults={"mode": KIOSK}, endpoint="reset")
def reset(mode: str) -> Any:
    """Wipe the session after the idle warning ran out (POST from the page, GET without JS)."""
    # GET comes from the no-JavaScript page refresh, which fires only after the full idle time.
    wipe()
    response = redirect(url_for("kiosk.start", mode=KIOSK))
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/kiosk/still-there", defaults={"mode": KIOSK}, endpoint="idle_warning")
def idle_warning(mode: str) -> Any:
    """Warn before an idle reset when JavaScript is off (WCAG 2.2.1): a plain "I'm still here" link.

    The page refreshes to the reset after the warning time; following the link returns to the
    page the person was on, and that request counts as activity, so nothing is lost.
    """
    if not (session.get("intake") or session.get("done")):
        return redirect(url_for("kiosk.start", mode=KIOSK))  # nothing left to keep (after a reset)
    back = safe_next(request.args.get("back"), KIOSK)
    return render_template("kiosk/idle.html", **page_context(mode, back=back, idle_page=True))


@bp.route("/kiosk/ping", methods=["POST"], defaults={"mode": KIOSK}, endpoint="ping")
def ping(mode: str) -> Any:
    """Keep the session alive ("I'm still here")."""
    return "", 204


@bp.route("/kiosk/pair/<code>", methods=["GET", "POST"], defaults={"mode": KIOSK}, endpoint="pair")
def pair(mode: str, code: str) -> Any:
    """Pair this browser with a kiosk: confirm first, so a link preview cannot use up the code."""
    kiosk = device.kiosk_for_code(db.session, code)
    if kiosk is None:
        return render_template("kiosk/pair.html", **page_context(mode, kiosk=None)), 404
    if request.method == "GET":
        return render_template("kiosk/pair.html", **page_context(mode, kiosk=kiosk))
    device.complete_pairing(db.session, kiosk)
    session.clear()
    response = redirect(url_for("kiosk.start", mode=KIOSK))
    response.set_cookie(
        device.COOKIE_NAME,
        device.device_token(current_app.config["SECRET_KEY"], kiosk),
        max_age=device.COOKIE_MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        path="/",
    )
    return response


# -- quick exit and the neutral page ------------------------------------------------------------


@bp.route("/exit", endpoint="quick_exit")
def quick_exit() -> Any:
    """Leave at once: forget this household and show a neutral page."""
    wipe()
    response = redirect(url_for("kiosk.neutral"))
    response.headers["Clear-Site-Data"] = '"cache"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/staff/assist/where", methods=["GET", "POST"], defaults={"mode": ASSISTED}, endpoint="met_where")
def met_where(mode: str) -> Any:
    """Ask the outreach worker where they met the household (county, cross streets, or location).

    The page is for the worker, in the worker's language; the location is read only after the
    household agrees and the worker taps (static/js/outreach.js), rounded to about 100 m.
    """
    intake = current_intake(ASSISTED)
    if intake is None or intake.status != IntakeStatus.IN_PROGRESS or not outreach.does_outreach(current_user):
        return finished_elsewhere(mode, intake)
    form = MetWhereForm(formdata=request.form if request.method == "POST" else None)
    error = None
    if request.method == "POST":
        if request.form.get("action") == "skip":
            return redirect(next_url(mode, intake))
        try:
            outreach.record_met_where(db.session, intake, county_fips=form.county.data, place=form.place.data,
                                      latitude=form.latitude.data, longitude=form.longitude.data)
            return redirect(next_url(mode, intake))
        except outreach.OutreachError as problem:
            db.session.rollback()
            error = problem.code
    with force_locale(current_user.language or "en"):
        form.county.choices = [("", _("Choose the county")), *outreach.county_choices(db.session)]
        html = render_template("kiosk/met_where.html", **page_context(
            mode, form=form, error=_(outreach.ERRORS[error]) if error else None))
    response = Response(html, status=422 if error else 200, mimetype="text/html")
    response.headers["Permissions-Policy"] = outreach.GEOLOCATION_POLICY
    return response


@bp.route("/staff/assist/exit", defaults={"mode": ASSISTED}, endpoint="assisted_exit")
def assisted_exit(mode: str) -> Any:
    """Leave an assisted intake at once: forget the household; the staff member stays signed in."""
    wipe()
    response = redirect(url_for("kiosk.neutral"))
    response.headers["Clear-Site-Data"] = '"cache"'  # the cache only: the sign-in cookie stays
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/forecast", endpoint="neutral")
def neutral() -> Any:
    """A plain weather page that says nothing about housing help."""
    home = url_for("kiosk.start", mode=KIOSK) if paired_kiosk() is not None else None
    return render_template("kiosk/neutral.html", home=home)


from kiosk import cli  # noqa: E402  (adds `flask kiosks …` to bp)

__all__ = ["bp", "cli"]

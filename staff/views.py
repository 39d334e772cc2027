"""Staff pages: sign-in, the queue, the intake page and actions (the admin area is admin/)."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_timedelta
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user  # type: ignore[import-untyped]
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from extensions import db, limiter, login_manager
from intake_forms import LANGUAGES
from intake_forms.outcomes import REASON_LABELS
from models import AccessPoint, Channel, Intake, Role, Track, User
from models.base import utcnow
from services import queue, staff_actions
from services.accounts import AccountError, create_user
from services.pii import current_cipher

from . import forms

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static", cli_group="users")

#: Minutes without a click after which a staff session ends, and the longest a session lasts.
DEFAULT_IDLE_MINUTES = 30
DEFAULT_SESSION_HOURS = 12
#: Seconds between automatic refreshes of the queue page (static/queue.js).
REFRESH_SECONDS = 60

PUBLIC_ENDPOINTS = {"staff.login", "staff.static"}

Reply = str | WerkzeugResponse | tuple[str, int]


@bp.record_once
def _configure(state: Any) -> None:
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "strong"


# -- helpers -----------------------------------------------------------------------------------


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _error_message(code: str) -> str:
    messages = {
        "not_claimed": _("Claim this intake before you record anything on it."),
        "closed": _("This intake is already closed."),
        "invalid": _("Please check the form and try again."),
        "unsafe_to_text": _("Texting this household is not allowed: no consent, or texting is not safe."),
    }
    return messages.get(code, messages["invalid"])


def _zone(intake: Intake) -> ZoneInfo:
    name = intake.routed_access_point.timezone if intake.routed_access_point else "America/Chicago"
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return ZoneInfo("UTC")


def _intake_or_404(public_id: str) -> Intake:
    intake = queue.find_intake(db.session, _user(), public_id)
    if intake is None:
        abort(404)
    return intake


def _back(intake: Intake) -> WerkzeugResponse:
    return redirect(url_for(".intake", public_id=intake.public_id), code=303)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/") or target.startswith("//"):
        return None
    return target


@bp.app_template_filter("staff_datetime")
def staff_datetime(value: datetime | None, zone: str = "America/Chicago") -> str:
    """Show an aware UTC datetime in the access point's time zone, in the viewer's language."""
    if value is None:
        return ""
    try:
        tz = ZoneInfo(zone)
    except ZoneInfoNotFoundError:
        tz = ZoneInfo("UTC")
    return babel_format_datetime(value, "short", tzinfo=tz, locale=str(get_locale()))


@bp.app_template_filter("waiting")
def waiting(value: datetime | None) -> str:
    """Show how long ago ``value`` was, e.g. "3 hours"."""
    if value is None:
        return ""
    return format_timedelta(utcnow() - value, threshold=1.1, locale=str(get_locale()))


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "REASON_LABELS": REASON_LABELS,
        "OUTCOME_LABELS": forms.OUTCOME_LABELS,
        "CONTACT_METHOD_LABELS": forms.CONTACT_METHOD_LABELS,
        "CONTACT_RESULT_LABELS": forms.CONTACT_RESULT_LABELS,
        "DIVERSION_RESULT_LABELS": forms.DIVERSION_RESULT_LABELS,
        "SMS_TEMPLATE_LABELS": forms.SMS_TEMPLATE_LABELS,
        "Role": Role,
        "button_form": forms.ButtonForm(),
    }


# -- session: expiry and language --------------------------------------------------------------


@bp.before_request
def _guard() -> WerkzeugResponse | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        result: WerkzeugResponse = login_manager.unauthorized()
        return result
    now = time.time()
    idle = 60 * int(current_app.config.get("STAFF_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))
    longest = 3600 * int(current_app.config.get("STAFF_SESSION_HOURS", DEFAULT_SESSION_HOURS))
    seen = float(session.get("staff_seen", 0))
    started = float(session.get("staff_started", 0))
    if now - seen > idle or now - started > longest:
        logout_user()
        session.clear()
        flash(_("Your session has ended. Please sign in again."), "info")
        return redirect(url_for(".login"))
    if request.args.get("auto") != "1":  # automatic refreshes do not keep a session alive
        session["staff_seen"] = now
    session["lang"] = _user().language
    return None


@bp.after_request
def _no_store(response: Response) -> Response:
    # Pages with household data must not stay in a shared computer's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_login_email_key)
def login() -> Reply:
    """Sign in with email and password; too many failures lock the account for a while."""
    form = forms.LoginForm()
    if form.validate_on_submit():
        result = staff_actions.authenticate(db.session, form.email.data or "", form.password.data or "")
        if result.user is not None:
            next_url = _safe_next(request.args.get("next"))
            session.clear()
            login_user(result.user)
            session.permanent = False
            session["staff_started"] = session["staff_seen"] = time.time()
            session["lang"] = result.user.language
            return redirect(next_url or url_for(".queue_view"), code=303)
        if result.reason == "locked":
            flash(_("Too many failed attempts. This account is locked for %(minutes)d minutes.",
                    minutes=staff_actions.LOCK_MINUTES), "error")
        else:
            flash(_("The email or password is not right."), "error")
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> WerkzeugResponse:
    """Sign out and forget the session."""
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    return redirect(url_for(".login"), code=303)


# -- the queue ---------------------------------------------------------------------------------


def _choice(name: str, allowed: tuple[str, ...] | list[str]) -> str | None:
    value = request.args.get(name)
    return value if value in allowed else None


@bp.route("/")
def queue_view() -> Reply:
    """Show the open intakes at my access points, most urgent first, then oldest."""
    user = _user()
    scope = queue.scope_for(db.session, user)
    ap_query = select(AccessPoint).order_by(AccessPoint.name)
    if scope.access_point_ids is not None:
        ap_query = ap_query.where(AccessPoint.id.in_(sorted(scope.access_point_ids)))
    access_points = list(db.session.scalars(ap_query))
    ap_arg = request.args.get("ap", type=int)
    filters = queue.QueueFilters(
        access_point_id=ap_arg if ap_arg in {ap.id for ap in access_points} else None,
        track=_choice("track", tuple(t.value for t in Track)),
        channel=_choice("channel", tuple(c.value for c in Channel)),
        language=_choice("language", LANGUAGES),
        flag=_choice("flag", queue.FLAGS),
        claim=_choice("claim", queue.CLAIM_FILTERS),
    )
    page = queue.queue_page(db.session, user, filters, page=request.args.get("page", 1, type=int))
    active = {k: v for k, v in {
        "ap": filters.access_point_id, "track": filters.track, "channel": filters.channel,
        "language": filters.language, "flag": filters.flag, "claim": filters.claim,
    }.items() if v is not None}

    def link(**changes: Any) -> str:
        args = {**active, **changes}
        args = {k: v for k, v in args.items() if v not in (None, "")}
        return url_for(".queue_view") + ("?" + urlencode(args) if args else "")

    return render_template(
        "staff/queue.html", page=page, filters=filters, access_points=access_points, link=link,
        active=active, flags=queue.FLAGS, channels=[c.value for c in Channel], languages=LANGUAGES,
        refresh_url=link(page=page.page if page.page > 1 else None, auto=1), refresh_seconds=REFRESH_SECONDS,
    )


# -- one intake --------------------------------------------------------------------------------


@bp.route("/intakes/<public_id>")
def intake(public_id: str) -> Reply:
    """Show one intake (answers, consent, contact safety, duplicates, history); audited."""
    user = _user()
    cipher = current_cipher()
    page = staff_actions.open_intake_page(db.session, user, public_id, cipher)
    if page is None:
        abort(404)
    item = page.intake
    holds = item.claimed_by_id == user.id and item.closed_at is None
    transfer_form = forms.TransferForm()
    transfer_form.access_point.choices = forms.choices(
        (ap.id, ap.name) for ap in staff_actions.transfer_targets(db.session, item)
    )
    reassign_form = forms.ReassignForm()
    reassign_form.user.choices = forms.choices((u.id, u.display_name) for u in queue.assignable_users(db.session, item))
    return render_template(
        "staff/intake.html", page=page, item=item, holds=holds, user=user,
        manages=queue.may_manage(user), zone=_zone(item).key,
        can_text=staff_actions.sms_allowed(user, item),
        contact_form=forms.ContactForm(), sms_form=forms.SmsForm(), schedule_form=forms.ScheduleForm(),
        outcome_form=forms.OutcomeForm(), transfer_form=transfer_form, reassign_form=reassign_form,
    )


@bp.route("/intakes/<public_id>/claim", methods=["POST"])
def claim(public_id: str) -> WerkzeugResponse:
    """Claim an intake; only one person gets it."""
    item = _intake_or_404(public_id)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    if queue.claim(db.session, item.id, _user().id):
        flash(_("You have claimed this intake."), "success")
    else:
        flash(_("Someone else has already claimed this intake, or it is closed."), "error")
    return _back(item)


@bp.route("/intakes/<public_id>/release", methods=["POST"])
def release(public_id: str) -> WerkzeugResponse:
    """Give up a claim (the holder, a coordinator or an admin)."""
    item = _intake_or_404(public_id)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    if queue.release(db.session, item, _user()):
        flash(_("The intake is back in the queue."), "success")
    else:
        flash(_error_message("not_claimed"), "error")
    return _back(item)


@bp.route("/intakes/<public_id>/reassign", methods=["POST"])
def reassign(public_id: str) -> WerkzeugResponse:
    """Give an intake to another staff member (coordinators and admins)."""
    item = _intake_or_404(public_id)
    user = _user()
    if not queue.may_manage(user):
        abort(403)
    form = forms.ReassignForm()
    form.user.choices = forms.choices((u.id, u.display_name) for u in queue.assignable_users(db.session, item))
    if form.validate_on_submit() and form.user.data is not None and queue.reassign(
        db.session, item, user, form.user.data
    ):
        flash(_("The intake has been reassigned."), "success")
    else:
        flash(_error_message("invalid"), "error")
    return _back(item)


@bp.route("/intakes/<public_id>/contact", methods=["POST"])
def contact(public_id: str) -> WerkzeugResponse:
    """Log a contact attempt."""
    item = _intake_or_404(public_id)
    form = forms.ContactForm()
    if not form.validate_on_submit():
        flash(_error_message("invalid"), "error")
        return _back(item)
    try:
        staff_actions.log_contact(db.session, item, _user(), method=form.method.data or "",
                                  result=form.result.data or "", note=form.note.data, cipher=current_cipher())
    except staff_actions.ActionError as exc:
        flash(_error_message(exc.code), "error")
    else:
        flash(_("The contact attempt has been logged."), "success")
    return _back(item)


def render_sms(template: str, item: Intake, when: datetime | None = None, where: str | None = None) -> str:
    """Render an SMS template in the household's language (never the staff member's)."""
    ap = item.routed_access_point
    values = {"access_point": ap.name if ap else "", "code": item.reference_code or "",
              "phone": (ap.phone if ap else "") or ""}
    with force_locale(item.language):
        if template == "will_call":
            return _("Hello from %(access_point)s. Staff will call you soon about your request %(code)s. "
                     "Reply STOP to stop texts.", **values)
        if template == "missed_call":
            return _("We tried to call you about your request %(code)s. Please call %(access_point)s "
                     "at %(phone)s.", **values)
        if template == "appointment" and when is not None:
            when_text = babel_format_datetime(when, "short", tzinfo=_zone(item), locale=item.language)
            return _("Your housing assessment with %(access_point)s is on %(when)s at %(where)s. "
                     "Request %(code)s.", when=when_text, where=where or "", **values)
    return ""


@bp.route("/intakes/<public_id>/sms", methods=["POST"])
def sms(public_id: str) -> WerkzeugResponse:
    """Send a templated text message through the outbox, when allowed and safe."""
    item = _intake_or_404(public_id)
    form = forms.SmsForm()
    if not form.validate_on_submit():
        flash(_error_message("invalid"), "error")
        return _back(item)
    cipher = current_cipher()
    template = form.template.data or ""
    schedule = staff_actions.latest_schedule(db.session, item, cipher) if template == "appointment" else None
    if template == "appointment" and schedule is None:
        flash(_("Schedule the assessment before sending the appointment message."), "error")
        return _back(item)
    body = render_sms(template, item, *(schedule or (None, None)))
    try:
        sent = staff_actions.send_sms(db.session, item, _user(), template=template, body=body, cipher=cipher)
    except staff_actions.ActionError as exc:
        flash(_error_message(exc.code), "error")
    else:
        if sent:
            flash(_("The text message is on its way."), "success")
        else:
            flash(_("This number has opted out of texts (STOP). Nothing was sent."), "error")
    return _back(item)


@bp.route("/intakes/<public_id>/schedule", methods=["POST"])
def schedule(public_id: str) -> WerkzeugResponse:
    """Record when and where the assessment will take place."""
    item = _intake_or_404(public_id)
    form = forms.ScheduleForm()
    if not form.validate_on_submit() or form.at.data is None:
        flash(_error_message("invalid"), "error")
        return _back(item)
    at = form.at.data.replace(tzinfo=_zone(item))
    try:
        staff_actions.schedule_assessment(db.session, item, _user(), at=at, where=form.where.data or "",
                                          note=form.note.data, cipher=current_cipher())
    except staff_actions.ActionError as exc:
        flash(_error_message(exc.code), "error")
    else:
        flash(_("The assessment has been scheduled."), "success")
    return _back(item)


@bp.route("/intakes/<public_id>/outcome", methods=["POST"])
def outcome(public_id: str) -> WerkzeugResponse:
    """Close the intake with an outcome."""
    item = _intake_or_404(public_id)
    form = forms.OutcomeForm()
    if not form.validate_on_submit():
        flash(_error_message("invalid"), "error")
        return _back(item)
    try:
        staff_actions.record_outcome(
            db.session, item, _user(), outcome=form.outcome.data or "", cipher=current_cipher(),
            hmis_client_id=form.hmis_client_id.data,
            diversion_result=int(form.diversion_result.data or "99"),
            referred_to=form.referred_to.data, duplicate_of=form.duplicate_of.data, note=form.note.data,
        )
    except staff_actions.ActionError as exc:
        flash(_error_message(exc.code), "error")
    else:
        flash(_("The outcome has been recorded and the intake has left the queue."), "success")
    return _back(item)


@bp.route("/intakes/<public_id>/transfer", methods=["POST"])
def transfer(public_id: str) -> WerkzeugResponse:
    """Move the intake to another access point's queue with a note."""
    item = _intake_or_404(public_id)
    form = forms.TransferForm()
    targets = staff_actions.transfer_targets(db.session, item)
    form.access_point.choices = forms.choices((ap.id, ap.name) for ap in targets)
    if not form.validate_on_submit() or form.access_point.data is None:
        flash(_error_message("invalid"), "error")
        return _back(item)
    try:
        staff_actions.transfer(db.session, item, _user(), access_point_id=form.access_point.data,
                               note=form.note.data, cipher=current_cipher())
    except staff_actions.ActionError as exc:
        flash(_error_message(exc.code), "error")
        return _back(item)
    flash(_("The intake has been transferred."), "success")
    # The intake may now be outside this person's scope.
    if queue.find_intake(db.session, _user(), item.public_id) is None:
        return redirect(url_for(".queue_view"), code=303)
    return _back(item)


# -- admin -------------------------------------------------------------------------------------


@bp.route("/admin/users")
def admin_users() -> WerkzeugResponse:
    """The old list of accounts: people are managed in the admin area now."""
    return redirect(url_for("staff.admin.people_list"), code=301)


# -- CLI: flask users create -----------------------------------------------------------------------


@bp.cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STAFF.value, show_default=True)
@click.option("--access-point", "access_points", multiple=True, help="Access point slug (repeatable).")
@click.option("--region", type=int, default=None, help="Region number in the home CoC (coordinators).")
@click.option("--name", default=None, help="Display name (defaults to the part before @).")
@click.option("--language", type=click.Choice(list(LANGUAGES)), default="en", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def create_user_command(email: str, role: str, access_points: tuple[str, ...], region: int | None,
                        name: str | None, language: str, password_stdin: bool) -> None:
    """Create a staff account; the password is asked for (or read from stdin), never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(db.session, email, password, role, access_points, region,
                           display_name=name, language=language)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email}.")


# The HMIS export page lives in its own blueprint, nested here so sign-in and session rules apply.
from .exports.views import bp as exports_bp  # noqa: E402

bp.register_blueprint(exports_bp)

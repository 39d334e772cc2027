"""Staff pages: sign-in, the queue, the intake page and actions (the admin area is admin/)."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
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
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user  # type: ignore[import-untyped]
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as WerkzeugResponse

from extensions import db, limiter, login_manager
from intake_forms import LANGUAGES, parse_answer
from intake_forms import question as question_for
from intake_forms.outcomes import REASON_LABELS
from models import AccessPoint, Channel, Intake, Role, Track, User
from models.base import utcnow
from services import checkins, household_texts, notify, outreach, queue, reminders, staff_actions
from services import interpreter as interpreter_service
from services.accounts import AccountError, create_user, end_sessions, set_password, staff_session_over
from services.pii import current_cipher

from . import forms

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static", cli_group="users")

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
        "voicemail_unsafe": _("The household said a voice message is not safe. Nothing was recorded. If a "
                              "voice message was left anyway, tick the box that says so and log it again."),
        "in_the_past": _("That time has already passed. Please choose a time from now on, in the access "
                         "point's local time."),
    }
    return messages.get(code, messages["invalid"])


def _zone(intake: Intake) -> ZoneInfo:
    name = intake.routed_access_point.timezone if intake.routed_access_point else "America/Chicago"
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return ZoneInfo("UTC")


def _intake_or_404(public_id: str) -> Intake:
    """Return the intake to act on; 404 unless this person may act on it (``queue.authorize``)."""
    return queue.find_for_action(db.session, _user(), public_id)


@bp.errorhandler(queue.NotFound)
def _not_found(_error: queue.NotFound) -> Any:
    # The same answer as for an intake that does not exist.
    return current_app.handle_user_exception(NotFound())


def _back(intake: Intake) -> WerkzeugResponse:
    return redirect(url_for(".intake", public_id=intake.public_id), code=303)


def _safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a plain path inside the staff pages, else None."""
    if not target or any(ch < " " or ch in "\x7f\\" for ch in target):
        return None  # control characters (CR/LF would break the Location header) or backslashes
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/") or target.startswith("//"):
        return None
    return target


@bp.app_template_filter("staff_datetime")
def staff_datetime(value: datetime | str | None, zone: str = "America/Chicago") -> str:
    """Show an aware UTC datetime (or its ISO text, as events store it) in the access point's
    time zone, in the viewer's language."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
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


@bp.app_context_processor
def _outreach_links() -> dict[str, Any]:
    # The staff layout's links, on every page built on it (the admin area's too).
    return {"may_assist": outreach.may_assist, "does_outreach": outreach.does_outreach}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "REASON_LABELS": REASON_LABELS,
        "OUTCOME_LABELS": forms.OUTCOME_LABELS,
        "CONTACT_METHOD_LABELS": forms.CONTACT_METHOD_LABELS,
        "CONTACT_RESULT_LABELS": forms.CONTACT_RESULT_LABELS,
        "DIVERSION_RESULT_LABELS": forms.DIVERSION_RESULT_LABELS,
        "SMS_TEMPLATE_LABELS": forms.SMS_TEMPLATE_LABELS,
        "SMS_DELIVERY_LABELS": forms.SMS_DELIVERY_LABELS,
        "NOT_SENT_LABELS": forms.NOT_SENT_LABELS,
        "CHECK_IN_ANSWER_LABELS": forms.CHECK_IN_ANSWER_LABELS,
        "EVENT_LABELS": forms.EVENT_LABELS,
        "Role": Role,
        "button_form": forms.ButtonForm(),
        "interpreter_names": interpreter_service.code_label,
    }


class _UrgentWaiting:
    """The number of urgent intakes waiting unclaimed, counted only if a page title shows it."""

    def __init__(self, user: User) -> None:
        self.user = user
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = queue.urgent_waiting(db.session, self.user,
                                               int(current_app.config.get("ALERT_URGENT_PRIORITY", 4)))
        return self._count

    def __bool__(self) -> bool:
        return self.count() > 0

    def __str__(self) -> str:
        count = self.count()
        return f"{queue.ICON_CAP}+" if count > queue.ICON_CAP else str(count)


@bp.context_processor
def _title_badge() -> dict[str, Any]:
    """Put the number of urgent intakes waiting unclaimed in front of every staff page title.

    The queue page passes its own figure (from its single counting pass), so this one is never counted there.
    """
    if not current_user.is_authenticated:
        return {}
    return {"title_badge": _UrgentWaiting(_user())}


# -- session: expiry and language --------------------------------------------------------------


@bp.before_request
def _guard() -> WerkzeugResponse | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if request.endpoint == "staff.favicon":
            # The icon of a page fetched as the member signs out: the plain icon, and no sign-in
            # notice written into the session (its cookie would replace the new sign-in page's).
            return redirect(url_for("static", filename="favicon.svg"))
        result: WerkzeugResponse = login_manager.unauthorized()
        return result
    now = time.time()
    if staff_session_over(session, current_app.config, now):
        logout_user()
        session.clear()
        flash(_("Your session has ended. Please sign in again."), "info")
        return redirect(url_for(".login"))
    # Automatic refreshes (and the browser fetching the icon) do not keep a session alive.
    if request.args.get("auto") != "1" and request.endpoint != "staff.favicon":
        session["staff_seen"] = now
    # Written only when it changes: a response that leaves the session alone sends no cookie, so
    # the icon fetched in the background can never overwrite the cookie of a page signed in (or
    # out) meanwhile, which would cost that page its CSRF token ("This page has expired").
    language = _user().language
    if session.get("lang") != language:
        session["lang"] = language
    return None


@bp.after_request
def _no_store(response: Response) -> Response:
    # Pages with household data must not stay in a shared computer's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_email_key() -> str:
    # Per account *and* address, like the lock: guesses from elsewhere cannot keep the owner out.
    # A keyed hash: the limiter's storage (Redis) never holds an e-mail or an address.
    email = (request.form.get("email") or "").strip().lower()[:254]
    return "login:" + current_cipher().blind_index(f"{email}|{request.remote_addr or ''}")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_login_email_key)
def login() -> Reply:
    """Sign in with email and password; too many failures lock the account for a while."""
    form = forms.LoginForm()
    if form.validate_on_submit():
        result = staff_actions.authenticate(db.session, form.email.data or "", form.password.data or "",
                                            address=request.remote_addr or "", cipher=current_cipher())
        if result.user is not None:
            next_url = _safe_next(request.args.get("next"))
            session.clear()
            login_user(result.user)
            session.permanent = False
            session["staff_started"] = session["staff_seen"] = time.time()
            session["lang"] = result.user.language
            return redirect(next_url or url_for(".queue_view"), code=303)
        # One message for a wrong password, an unknown address and a lock: it tells nobody which
        # accounts exist or are locked.
        flash(_("The email or password is not right. After several wrong tries, signing in from here "
                "pauses for %(minutes)d minutes; an admin can lift the pause.",
                minutes=staff_actions.LOCK_MINUTES), "error")
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> WerkzeugResponse:
    """Sign out and forget the session."""
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    end_sessions(_user())
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for(".login"), code=303)


# -- the queue ---------------------------------------------------------------------------------


@bp.route("/favicon.svg")
def favicon() -> Response:
    """The staff pages' icon with the number of urgent intakes waiting unclaimed that I may see
    (the same figure as the page title): drawn here, so no script or inline image is needed
    under the Content-Security-Policy. Never cached: the count changes."""
    badge = _UrgentWaiting(_user())
    svg = render_template("staff/favicon.svg", count=badge.count(), label=str(badge))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Vary"] = "Cookie"
    return response



def _choice(name: str, allowed: tuple[str, ...] | list[str]) -> str | None:
    value = request.args.get(name)
    return value if value in allowed else None


@bp.route("/")
def queue_view() -> Reply:
    """Show the open intakes at my access points (most urgent first), or closed, transferred out
    or found by reference code (``?q=``)."""
    user = _user()
    code = (request.args.get("q") or "").strip()
    if code:
        return _search_results(user, queue.search(db.session, user, current_cipher(), code=code), code=code)
    view = _choice("view", queue.VIEWS)
    if view is not None:
        number = request.args.get("page", 1, type=int)
        listed = (queue.closed_page(db.session, user, page=number) if view == "closed"
                  else queue.transferred_page(db.session, user, page=number))
        return render_template("staff/list.html", view=view, listing=listed, search_form=_search_form(user),
                               link=lambda **args: url_for(".queue_view", view=view, **args))
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
        due=_choice("due", queue.DUE_FILTERS),
    )
    # A page link carries the place of the row it follows (or precedes): any page is one index range.
    place = {key: request.args.get(key) for key in ("after", "before") if request.args.get(key)}
    page = queue.queue_page(db.session, user, filters, page=request.args.get("page", 1, type=int), **place)
    active = {k: v for k, v in {
        "ap": filters.access_point_id, "track": filters.track, "channel": filters.channel,
        "language": filters.language, "flag": filters.flag, "claim": filters.claim, "due": filters.due,
    }.items() if v is not None}

    def link(**changes: Any) -> str:
        args = {**active, **changes}
        args = {k: v for k, v in args.items() if v not in (None, "")}
        return url_for(".queue_view") + ("?" + urlencode(args) if args else "")

    capped = _("%(num)s+", num=format_decimal(queue.COUNT_CAP))
    urgent = page.counts.get("urgent_waiting", 0)

    def shown(count: int) -> str:
        """A filter-bar count as the page shows it: past the cap, "1,000+"."""
        return capped if count > queue.COUNT_CAP else str(count)

    return render_template(
        "staff/queue.html", page=page, filters=filters, access_points=access_points, link=link, shown=shown,
        capped=queue.COUNT_CAP, capped_label=format_decimal(queue.COUNT_CAP),
        active=active, flags=queue.FLAGS, channels=[c.value for c in Channel], languages=LANGUAGES,
        refresh_url=link(page=page.page if page.page > 1 else None, auto=1, **place), refresh_seconds=REFRESH_SECONDS,
        search_form=_search_form(user), title_badge=shown(urgent) if urgent else 0,
    )


def _search_form(user: User) -> forms.PhoneSearchForm | None:
    return forms.PhoneSearchForm() if queue.may_search_phone(user) else None


def _search_results(user: User, found: queue.ListPage | None, *, code: str | None = None,
                    form: forms.PhoneSearchForm | None = None) -> Reply:
    """Show search results; a code that cannot be a reference code gets a kind message."""
    status = 200
    if found is None:
        status = 422
        flash(_("That does not look like a reference code. A code has six letters and numbers, "
                "like 7KQ-M4P."), "error")
    return render_template("staff/list.html", view="search", listing=found, code=code,
                           search_form=form or _search_form(user), link=None), status


@bp.route("/search/phone", methods=["POST"])
def search_phone() -> Reply:
    """Find intakes by phone number (a POST, so the number stays out of URLs and logs)."""
    user = _user()
    if not queue.may_search_phone(user):
        abort(403)
    form = forms.PhoneSearchForm()
    if not form.validate_on_submit():
        flash(_error_message("invalid"), "error")
        return _search_results(user, queue.ListPage((), 0), form=form)
    parsed = parse_answer(question_for("phone"), form.phone.data or "", str(get_locale()))
    if not parsed.ok or not parsed.value:
        flash(_("Please enter a full phone number with its area code, like 785-555-0100."), "error")
        return _search_results(user, queue.ListPage((), 0), form=form)
    found = queue.search(db.session, user, current_cipher(), phone=parsed.value)
    return _search_results(user, found, form=forms.PhoneSearchForm(formdata=None))


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
    if not page.details_shown:
        return render_template("staff/intake_sealed.html", page=page, item=item)
    holds = item.claimed_by_id == user.id and item.closed_at is None
    transfer_form = forms.TransferForm()
    transfer_form.access_point.choices = forms.choices(
        (ap.id, ap.name) for ap in staff_actions.transfer_targets(db.session, item)
    )
    reassign_form = forms.ReassignForm()
    reassign_form.user.choices = forms.choices((u.id, u.display_name) for u in queue.assignable_users(db.session, item))
    return render_template(
        "staff/intake.html", page=page, item=item, holds=holds, user=user,
        met_where=outreach.met_where(item) if queue.identity_visible(user, item) else None,
        manages=queue.may_manage(user), zone=_zone(item).key,
        interpreter=(interpreter_service.label(item) if queue.identity_visible(user, item)
                     else interpreter_service.code_label(item.interpreter_language)),
        can_text=staff_actions.sms_allowed(user, item),
        reminder=reminders.state(db.session, item, cipher), check_in=checkins.latest(db.session, item),
        contact_form=forms.ContactForm(), sms_form=forms.SmsForm(), schedule_form=forms.ScheduleForm(),
        schedule_min=utcnow().astimezone(_zone(item)).strftime("%Y-%m-%dT%H:%M"),
        outcome_form=forms.OutcomeForm(), transfer_form=transfer_form, reassign_form=reassign_form,
    )


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> Reply:
    """Show and change my alert preference."""
    user = _user()
    form = forms.ProfileAlertsForm(data={"alert_preference": user.alert_preference.value})
    if form.validate_on_submit() and notify.set_preference(db.session, user, form.alert_preference.data or ""):
        flash(_("Your alert choice is saved."), "success")
        return redirect(url_for(".profile"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("staff/profile.html", form=form, user=user), status


@bp.route("/intakes/<public_id>/claim", methods=["POST"])
def claim(public_id: str) -> WerkzeugResponse:
    """Claim an intake; only one person gets it."""
    item = _intake_or_404(public_id)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    if queue.claim(db.session, item, _user()):
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
                                  result=form.result.data or "", note=form.note.data, cipher=current_cipher(),
                                  confirmed=bool(form.confirm_voicemail.data))
    except staff_actions.ActionError as exc:
        flash(_error_message(exc.code), "error")
    else:
        flash(_("The contact attempt has been logged."), "success")
    return _back(item)


def render_sms(template: str, item: Intake, when: datetime | None = None, where: str | None = None) -> str:
    """Render an SMS template in the household's language (never the staff member's)."""
    return household_texts.staff_text(template, item, when, where)


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
        sent = staff_actions.send_sms(db.session, item, _user(), template=template, body=body, cipher=cipher,
                                      confirmed=bool(form.confirm_again.data))
    except staff_actions.AlreadySent as exc:
        flash(_("This exact message was already sent to this household on %(when)s. Nothing was sent. To send "
                "it again, tick \"Send it again\" and press Send.",
                when=staff_datetime(exc.sent_at, _zone(item).key)), "error")
    except staff_actions.ActionError as exc:
        flash(_error_message(exc.code), "error")
    else:
        if sent:
            flash(_("The text message is queued. The history below shows whether it was sent."), "success")
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
                                          note=form.note.data, cipher=current_cipher(), config=current_app.config)
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


@bp.route("/handed-on/<public_id>")
def handed_on(public_id: str) -> Reply:
    """Show, read-only, an intake one of my access points transferred elsewhere; audited."""
    user = _user()
    page = staff_actions.open_handed_on_page(db.session, user, public_id, current_cipher())
    if page is None:
        abort(404)
    return render_template("staff/handed_on.html", page=page, item=page.intake, zone=_zone(page.intake).key)


# -- admin -------------------------------------------------------------------------------------


def _admin_only() -> None:
    if _user().role is not Role.ADMIN:
        abort(403)


@bp.route("/admin/audit")
def admin_audit() -> Reply:
    """Read the audit trail: staff actions and intake page views, filtered and paged (admins)."""
    _admin_only()
    from services import audit

    args = request.args
    people = list(db.session.scalars(select(User).order_by(User.display_name)))
    person = args.get("person", type=int)
    since, until = _day(args.get("from")), _day(args.get("to"))
    page = audit.trail(db.session, reference=args.get("ref") or None, user_id=person, since=since,
                       until=until + timedelta(days=1) if until else None, page=args.get("page", 1, type=int))
    filters = {key: args[key] for key in ("ref", "person", "from", "to") if args.get(key)}

    def page_url(number: int) -> str:
        return url_for(".admin_audit", page=number, **filters)

    return render_template("staff/admin_audit.html", trail=page, people=people, person=person,
                           ref=args.get("ref", ""), since=args.get("from", ""), until=args.get("to", ""),
                           page_url=page_url)


def _day(value: str | None) -> datetime | None:
    """Read a YYYY-MM-DD date from a filter (UTC midnight), or None."""
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


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


@bp.cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give the account EMAIL a new password (asked for twice, never an argument); unlocks it."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account {email}")
    try:
        set_password(db.session, user, password)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    staff_actions.unlock(db.session, user)
    click.echo(f"New password set for {user.email}.")


@bp.cli.command("unlock")
@click.argument("email")
def unlock_user_command(email: str) -> None:
    """Lift the sign-in locks of an account (after too many wrong passwords)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account {email}")
    lifted = staff_actions.unlock(db.session, user)
    click.echo(f"Lifted {lifted} sign-in lock(s) of {user.email}.")


# The HMIS export page lives in its own blueprint, nested here so sign-in and session rules apply.
from .exports.views import bp as exports_bp  # noqa: E402

bp.register_blueprint(exports_bp)


from . import outreach as _outreach_pages  # noqa: E402,F401  (adds the outreach pages to bp)

"""The admin area: access points and hours, people, kiosks, regions, directory import and export.

Nested inside the staff blueprint (app.py), so staff sign-in, session expiry and no-store apply;
admins see everything, regional coordinators their own region, everyone else gets 403. Things
outside a coordinator's region answer 404. The set-password page for invited people is public
(``welcome_bp``): its one-time token is the proof.
"""

from __future__ import annotations

import base64
import binascii
import io
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user  # type: ignore[import-untyped]
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from extensions import db
from intake_forms import languages as language_registry
from models import AccessPoint, AccessPointKind, County, Role, User
from models.base import utcnow
from services import admin_access_points as aps
from services import admin_log, hours, hsds, kiosks, outbox, people, regions, staff_actions

from . import forms

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")

#: The admin page counts the staff alerts that failed for good over this many days.
FAILED_ALERT_DAYS = 7
welcome_bp = Blueprint("welcome", __name__, url_prefix="/staff/welcome", template_folder="templates")

Reply = str | WerkzeugResponse | tuple[str, int]

#: What a service's error codes mean, next to the field they name.
ERRORS = {
    "taken": _l("This name or address is already used."),
    "unknown": _l("We do not know this value. Check it and try again."),
    "not_allowed": _l("You cannot choose this."),
    "required": _l("This is needed for this role or kind."),
    "both": _l("Give both latitude and longitude, or neither."),
    "last_admin": _l("This is the last active CoC admin. Make someone else an admin first."),
    "vsp_only": _l("Victim service provider staff can only work at victim service providers."),
    "no_home_coc": _l("Load the CoC first (flask demo load)."),
    "too_short": _l("The password is too short."),
    "phone": _l("This is not a phone number we can text. Use a US number such as 785-555-0100."),
}
REGION_PROBLEMS = {
    "columns": _l("The first line must name the columns fips, county, region_number, region_name."),
    "fips_unknown": _l("This FIPS code is not a county of the CoC."),
    "fips_twice": _l("This county appears twice."),
    "region_number": _l("The region number must be a whole number from 1 to 99."),
    "region_name": _l("Each region needs one name, the same on every line."),
    "missing": _l("This county is missing from the table."),
}
FILE_PROBLEMS = {
    "not_utf8": _l("The file is not UTF-8 text."),
    "columns": _l("The first line must name the columns, including slug and name."),
    "no_locations": _l("The zip has no locations.csv: it is not an HSDS CSV package."),
    "bad_zip": _l("The zip file cannot be opened."),
    "too_big": _l("The file is larger than 5 MB."),
}
ACTION_LABELS = {
    "created": _l("created"), "updated": _l("changed"), "deactivated": _l("deactivated"),
    "reactivated": _l("reactivated"), "invited": _l("invited"), "password_reset": _l("password reset"),
    "password_set": _l("password set"), "unlocked": _l("unlocked"), "pairing_started": _l("pairing link made"),
    "revoked": _l("revoked"), "uploaded": _l("uploaded"), "imported": _l("imported"),
}


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _admin_only() -> None:
    if _user().role is not Role.ADMIN:
        abort(403)


@bp.before_request
def _managers_only() -> None:
    # The staff guard runs first (sign-in, expiry); this one keeps staff and VSP staff out.
    if current_user.is_authenticated and not aps.may_administer(_user()):
        abort(403)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"admin_button": forms.ButtonForm(), "ACTION_LABELS": ACTION_LABELS, "KIND_LABELS": forms.KIND_LABELS,
            "ROLE_LABELS": forms.ROLE_LABELS, "DAY_LABELS": forms.DAY_LABELS}


def _button_ok() -> None:
    if not forms.ButtonForm().validate_on_submit():
        abort(400)


@bp.route("/")
def index() -> Reply:
    """Show what an admin or coordinator can run from here; admins also see alerts that could not be sent."""
    is_admin = _user().role is Role.ADMIN
    failed = outbox.failed_alerts(db.session, utcnow() - timedelta(days=FAILED_ALERT_DAYS)) if is_admin else {}
    return render_template("admin/index.html", is_admin=is_admin, failed_alerts=sum(failed.values()),
                           failed_alert_days=FAILED_ALERT_DAYS)


@bp.route("/languages")
def languages_view() -> Reply:
    """Show every language households can use: where it works and who has read its words."""
    return render_template("admin/languages.html", registry=language_registry.REGISTRY)


# -- access points -------------------------------------------------------------------------------


@bp.route("/access-points")
def access_points() -> Reply:
    """List the access points I manage, with their open intakes."""
    return render_template("admin/access_points.html", access_points=aps.manageable(db.session, _user()),
                           open_counts=aps.open_intake_counts(db.session))


def _ap_form(ap: AccessPoint | None) -> forms.AccessPointForm:
    form = forms.AccessPointForm(obj=None)
    user = _user()
    form.region.choices = forms.choices(
        ([("", _("From the county"))] if user.role is Role.ADMIN else [])
        + [(str(r.id), f"{r.number}. {r.name}") for r in aps.regions_for(db.session, user)])
    form.county.choices = forms.choices(
        [("", _("From the ZIP code"))]
        + [(c.fips, c.name) for c in db.session.scalars(select(County).order_by(County.name))])
    if ap is not None and not form.is_submitted():
        form.name.data, form.kind.data = ap.name, ap.kind.value
        form.address.data, form.city.data, form.state.data, form.zip.data = ap.address, ap.city, ap.state, ap.zip
        form.lat.data, form.lon.data = ap.lat, ap.lon
        form.county.data = ap.county.fips if ap.county else ""
        form.region.data = str(ap.region_id) if ap.region_id else ""
        form.phone.data, form.timezone.data = ap.phone, ap.timezone
        form.closed_dates.data = "\n".join(ap.closed_dates or [])
        form.alert_emails.data = "\n".join(ap.alert_emails or [])
        form.oncall_phone.data = ap.oncall_phone
        form.claim_target_minutes.data = ap.claim_target_minutes
        form.urgent_target_minutes.data = ap.urgent_target_minutes
        form.contact_target_minutes.data = ap.contact_target_minutes
        form.languages.data = ", ".join(ap.languages or [])
        form.populations.data = list(ap.populations or ["all"])
        form.is_remote.data = ap.is_remote
        for day, field in form.day_fields():
            field.data = hours.format_day(ap.hours, day)
    return form


def _ap_data(form: forms.AccessPointForm, slug: str | None) -> aps.AccessPointData:
    return aps.AccessPointData(
        name=form.name.data or "", kind=AccessPointKind(form.kind.data), slug=slug,
        address=form.address.data, city=form.city.data, state=(form.state.data or "").upper() or None,
        zip=form.zip.data, lat=form.lat.data, lon=form.lon.data, county_fips=form.county.data or None,
        region_id=int(form.region.data) if form.region.data else None, phone=form.phone.data,
        timezone=form.timezone.data or hours.DEFAULT_ZONE,
        hours={day: hours.parse_day(field.data or "") for day, field in form.day_fields()},
        closed_dates=hours.parse_closed_dates(form.closed_dates.data or ""),
        alert_emails=forms.email_list(form.alert_emails.data), languages=forms.language_list(form.languages.data),
        oncall_phone=form.oncall_phone.data, claim_target_minutes=form.claim_target_minutes.data,
        contact_target_minutes=form.contact_target_minutes.data,
        urgent_target_minutes=form.urgent_target_minutes.data,
        populations=list(form.populations.data or ["all"]), is_remote=bool(form.is_remote.data),
    )


def _field_error(form: Any, error: aps.AccessPointError | people.PeopleError) -> None:
    fields = form._fields
    field = fields.get(error.field) or fields.get("role") or fields.get("name")
    if field is not None:
        field.errors = [*field.errors, str(ERRORS.get(error.code, ERRORS["unknown"]))]


@bp.route("/access-points/new", methods=["GET", "POST"])
def access_point_new() -> Reply:
    """Add an access point: address (geocoded from the ZIP), hours, holidays, languages."""
    form = _ap_form(None)
    if form.validate_on_submit():
        try:
            ap = aps.create(db.session, _user(), _ap_data(form, None))
        except aps.AccessPointError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            flash(_("The access point has been added. Routing uses it from now on."), "success")
            return redirect(url_for(".access_point_edit", ap_id=ap.id), code=303)
    return render_template("admin/access_point_form.html", form=form, ap=None), 422 if form.errors else 200


@bp.route("/access-points/<int:ap_id>", methods=["GET", "POST"])
def access_point_edit(ap_id: int) -> Reply:
    """Change an access point; the change is audited and routing uses it at once."""
    ap = aps.find(db.session, _user(), ap_id)
    if ap is None:
        abort(404)
    form = _ap_form(ap)
    if form.validate_on_submit():
        try:
            aps.update(db.session, _user(), ap, _ap_data(form, ap.slug))
        except aps.AccessPointError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for(".access_point_edit", ap_id=ap.id), code=303)
    history = admin_log.history(db.session, aps.ENTITY, ap.id)
    return render_template("admin/access_point_form.html", form=form, ap=ap, history=history,
                           actor_names=admin_log.actor_names(db.session, history)), 422 if form.errors else 200


@bp.route("/access-points/<int:ap_id>/active", methods=["POST"])
def access_point_active(ap_id: int) -> WerkzeugResponse:
    """Deactivate or reactivate an access point (never deleted: intakes point to it)."""
    ap = aps.find(db.session, _user(), ap_id)
    if ap is None:
        abort(404)
    _button_ok()
    aps.set_active(db.session, _user(), ap, not ap.active)
    flash(_("The access point is active again.") if ap.active else
          _("The access point is deactivated: new intakes no longer go there."), "success")
    return redirect(url_for(".access_point_edit", ap_id=ap.id), code=303)


# -- people ----------------------------------------------------------------------------------------


@bp.route("/people")
def people_list() -> Reply:
    """List the people I manage."""
    return render_template("admin/people.html", people=people.people(db.session, _user()))


def _person_form(person: User | None) -> forms.PersonForm:
    user = _user()
    form = forms.PersonForm()
    form.role.choices = forms.choices((r.value, forms.ROLE_LABELS[r.value]) for r in people.roles_for(user))
    form.region.choices = forms.choices(
        [("", _("None"))] + [(str(r.id), f"{r.number}. {r.name}") for r in people.regions_for(db.session, user)])
    form.access_points.choices = forms.choices(
        (ap.id, ap.name) for ap in people.access_points_for(db.session, user))
    if person is not None and not form.is_submitted():
        form.display_name.data, form.email.data = person.display_name, person.email
        form.role.data, form.language.data = person.role.value, person.language
        form.region.data = str(person.region_id) if person.region_id else ""
        form.access_points.data = [ap.id for ap in person.access_points]
    return form


def _person_data(form: forms.PersonForm) -> people.PersonData:
    return people.PersonData(
        email=form.email.data or "", display_name=form.display_name.data or "", role=Role(form.role.data),
        region_id=int(form.region.data) if form.region.data else None,
        access_point_ids=list(form.access_points.data or []), language=form.language.data or "en")


def _link(person: User) -> str:
    token = people.invite_token(current_app.config["SECRET_KEY"], person)
    return url_for("welcome.set_password", token=token, _external=True)


@bp.route("/people/new", methods=["GET", "POST"])
def person_new() -> Reply:
    """Invite someone: they get a one-time link to choose their password."""
    form = _person_form(None)
    if form.validate_on_submit():
        try:
            person = people.invite(db.session, _user(), _person_data(form))
        except people.PeopleError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            link = _link(person)
            people.send_link(db.session, person, link, invited=True)
            return render_template("admin/person_link.html", person=person, link=link, invited=True)
    return render_template("admin/person_form.html", form=form, person=None), 422 if form.errors else 200


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
def person_edit(user_id: int) -> Reply:
    """Change someone's role, region, access points or details."""
    person = people.find(db.session, _user(), user_id)
    if person is None:
        abort(404)
    form = _person_form(person)
    if form.validate_on_submit():
        try:
            people.update(db.session, _user(), person, _person_data(form))
        except people.PeopleError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for(".person_edit", user_id=person.id), code=303)
    history = admin_log.history(db.session, people.ENTITY, person.id)
    return render_template("admin/person_form.html", form=form, person=person, history=history,
                           locked=staff_actions.is_locked(db.session, person),
                           actor_names=admin_log.actor_names(db.session, history)), 422 if form.errors else 200


def _person_action(user_id: int) -> User:
    person = people.find(db.session, _user(), user_id)
    if person is None:
        abort(404)
    _button_ok()
    return person


@bp.route("/people/<int:user_id>/active", methods=["POST"])
def person_active(user_id: int) -> WerkzeugResponse:
    """Deactivate (sessions end) or reactivate someone; never the last admin."""
    person = _person_action(user_id)
    try:
        people.set_active(db.session, _user(), person, not person.active)
    except people.PeopleError as exc:
        flash(str(ERRORS[exc.code]), "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for(".person_edit", user_id=person.id), code=303)


@bp.route("/people/<int:user_id>/reset", methods=["POST"])
def person_reset(user_id: int) -> Reply:
    """Reset a password: the old one stops working; show a one-time link to choose a new one."""
    person = _person_action(user_id)
    people.reset_password(db.session, _user(), person)
    link = _link(person)
    people.send_link(db.session, person, link, invited=False)
    return render_template("admin/person_link.html", person=person, link=link, invited=False)


@bp.route("/people/<int:user_id>/unlock", methods=["POST"])
def person_unlock(user_id: int) -> WerkzeugResponse:
    """Unlock an account locked after failed sign-ins."""
    person = _person_action(user_id)
    people.unlock(db.session, _user(), person)
    flash(_("The account is unlocked."), "success")
    return redirect(url_for(".person_edit", user_id=person.id), code=303)


@welcome_bp.route("/<token>", methods=["GET", "POST"])
def set_password(token: str) -> Reply:
    """Choose a password from a one-time link (an invitation or a reset)."""
    person = people.user_for_token(db.session, current_app.config["SECRET_KEY"], token)
    if person is None:
        return render_template("admin/welcome_expired.html"), 404
    form = forms.SetPasswordForm()
    if form.validate_on_submit():
        people.set_password(db.session, person, form.password.data or "")
        flash(_("Your password is set. Sign in with your e-mail address and the new password."), "success")
        return redirect(url_for("staff.login"), code=303)
    return render_template("admin/welcome.html", form=form, person=person), 422 if form.errors else 200


@welcome_bp.context_processor
def _welcome_labels() -> dict[str, Any]:
    # The page extends the staff layout, which reads these when someone is signed in.
    return {"Role": Role, "button_form": forms.ButtonForm()}


@welcome_bp.after_request
def _welcome_no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# -- kiosks ----------------------------------------------------------------------------------------


def _kiosk_form() -> forms.KioskForm:
    form = forms.KioskForm()
    form.access_point.choices = forms.choices(
        (ap.id, ap.name) for ap in aps.manageable(db.session, _user()) if ap.active)
    return form


@bp.route("/kiosks", methods=["GET", "POST"])
def kiosk_list() -> Reply:
    """List kiosks (when each was last seen) and add one."""
    form = _kiosk_form()
    if form.validate_on_submit():
        ap = aps.find(db.session, _user(), form.access_point.data or 0)
        if ap is None:
            abort(404)
        kiosk = kiosks.create(db.session, _user(), ap, form.label.data or "")
        flash(_("The kiosk has been added. Pair its tablet now."), "success")
        return redirect(url_for(".kiosk_pair", kiosk_id=kiosk.id), code=303)
    return render_template("admin/kiosks.html", kiosks=kiosks.kiosks(db.session, _user()), form=form), \
        422 if form.errors else 200


@bp.route("/kiosks/<int:kiosk_id>/pair", methods=["GET", "POST"])
def kiosk_pair(kiosk_id: int) -> Reply:
    """GET offers to make a pairing link; POST makes one and shows it with its QR code, once."""
    kiosk = kiosks.find(db.session, _user(), kiosk_id)
    if kiosk is None:
        abort(404)
    if request.method == "GET":
        return render_template("admin/kiosk_pair.html", kiosk=kiosk, link=None)
    _button_ok()
    pairing = kiosks.pair(db.session, _user(), kiosk)
    link = url_for("kiosk.pair", code=pairing.code, _external=True)
    return render_template("admin/kiosk_pair.html", kiosk=kiosk, link=link, qr=kiosks.qr_svg_data_uri(link),
                           hours_valid=int(pairing.expires_in.total_seconds() // 3600))


@bp.route("/kiosks/<int:kiosk_id>/revoke", methods=["POST"])
def kiosk_revoke(kiosk_id: int) -> WerkzeugResponse:
    """Unpair a lost or stolen tablet at once."""
    kiosk = kiosks.find(db.session, _user(), kiosk_id)
    if kiosk is None:
        abort(404)
    _button_ok()
    kiosks.revoke(db.session, _user(), kiosk)
    flash(_("The kiosk is revoked: that tablet can no longer take intakes."), "success")
    return redirect(url_for(".kiosk_list"), code=303)


# -- regions ---------------------------------------------------------------------------------------


@bp.route("/regions", methods=["GET", "POST"])
def region_view() -> Reply:
    """Show the county -> region table and map; admins upload a new table (checked, then applied)."""
    form = forms.RegionTableForm()
    confirm = forms.ConfirmForm()
    table = None
    status = 200
    if request.method == "POST":
        _admin_only()
        if "payload" in request.form:
            text = _payload(confirm)
            table = regions.parse_table(db.session, text)
            if table.ok:
                regions.apply_table(db.session, _user(), table)
                flash(_("The region table has been saved."), "success")
                return redirect(url_for(".region_view"), code=303)
            status = 422
        elif form.validate_on_submit():
            raw = form.file.data.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.file.errors = [*form.file.errors, str(FILE_PROBLEMS["not_utf8"])]
                status = 422
            else:
                table = regions.parse_table(db.session, text)
                confirm.payload.data = base64.b64encode(raw).decode("ascii")
                confirm.filename.data = "regions.csv"
                status = 200 if table.ok else 422
        else:
            status = 422
    return render_template("admin/regions.html", form=form, confirm=confirm, table=table,
                           map=regions.region_map(db.session), current=_current_rows(),
                           problems=REGION_PROBLEMS, is_admin=_user().role is Role.ADMIN), status


def _current_rows() -> list[tuple[str, str, str]]:
    rows = []
    for c in db.session.scalars(select(County).order_by(County.name)):
        if c.coc.is_home:
            rows.append((c.name, c.fips, f"{c.region.number}. {c.region.name}" if c.region else ""))
    return rows


def _payload(confirm: forms.ConfirmForm) -> str:
    if not confirm.validate_on_submit():
        abort(400)
    try:
        return base64.b64decode(confirm.payload.data or "", validate=True).decode("utf-8-sig")
    except (binascii.Error, UnicodeDecodeError):
        abort(400)


@bp.route("/regions.csv")
def region_csv() -> Response:
    """Download the current table as the CSV the upload reads."""
    return Response(regions.table_csv(db.session), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=regions.csv"})


# -- directory import and export -------------------------------------------------------------------


@bp.route("/directory", methods=["GET", "POST"])
def directory() -> Reply:
    """Import access points from our CSV or an HSDS 3.0 package (dry run first); export both (admins)."""
    _admin_only()
    form, confirm = forms.ImportForm(), forms.ConfirmForm()
    plan, file_error, status, applied = None, None, 200, False
    if request.method == "POST":
        if "payload" in request.form:
            if not confirm.validate_on_submit():
                abort(400)
            try:
                data = base64.b64decode(confirm.payload.data or "", validate=True)
            except binascii.Error:
                abort(400)
            name = confirm.filename.data or "directory.csv"
            applied = True
        elif form.validate_on_submit():
            data, name = form.file.data.read(), form.file.data.filename or "directory.csv"
            confirm.payload.data, confirm.filename.data = base64.b64encode(data).decode("ascii"), name
        else:
            data, name, status = b"", "", 422
        if data:
            try:
                plan = (hsds.apply_import if applied else hsds.plan_import)(db.session, _user(), name, data)
            except hsds.ImportFileError as exc:
                file_error, status = FILE_PROBLEMS.get(exc.args[0], FILE_PROBLEMS["columns"]), 422
            else:
                status = 200 if plan.ok else 422
                if applied and plan.ok:
                    flash(_("The directory has been imported: %(added)d added, %(changed)d changed.",
                            added=len(plan.added), changed=len(plan.changed)), "success")
                    return redirect(url_for(".access_points"), code=303)
    return render_template("admin/directory.html", form=form, confirm=confirm, plan=plan, file_error=file_error,
                           applied=applied), status


@bp.route("/directory/hsds.zip")
def directory_hsds() -> Response:
    """Download the directory as an HSDS 3.0 CSV package (admins)."""
    _admin_only()
    return send_file(io.BytesIO(hsds.export_zip(db.session)), mimetype="application/zip", as_attachment=True,
                     download_name="hsds.zip")


@bp.route("/directory/access-points.csv")
def directory_csv() -> Response:
    """Download the directory in our own CSV format (admins)."""
    _admin_only()
    return Response(hsds.own_csv(db.session), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=access-points.csv"})

"""Street outreach pages: the contact log, the intakes a worker walked, the coordinators' map.

Who: outreach workers and coordinators log contacts (``services.outreach.OUTREACH_ROLES``);
coordinators (their region) and admins (any region) see the map. Everyone else gets 403.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from extensions import db
from intake_forms import languages
from models import Region, Role
from models.base import utcnow
from services import outreach, regions
from services.outreach import OutreachError

from . import forms
from .views import Reply, _user, bp

#: The map's default range: the last this many days.
DEFAULT_DAYS = 30


def _outreach_only() -> None:
    if not outreach.does_outreach(_user()):
        abort(403)


def _contact_form(**kwargs: Any) -> forms.OutreachContactForm:
    form = forms.OutreachContactForm(**kwargs)
    form.county.choices = forms.choices([("", _("Choose the county")), *outreach.county_choices(db.session)])
    form.language.choices = forms.choices((lang.code, lang.native_name) for lang in languages.REGISTRY)
    if request.method == "GET":
        if form.met_on.data is None:
            form.met_on.data = utcnow().date()
        form.submission_key.data = outreach.new_submission_key()
    return form


def _home(form: forms.OutreachContactForm, error: str | None = None) -> Reply:
    user = _user()
    started = outreach.started_by(db.session, user)
    contacts = outreach.contacts_of(db.session, user)
    names = dict(outreach.county_choices(db.session))
    response = make_response(render_template(
        "staff/outreach.html", form=form, error=error, started=started, contacts=contacts, county_names=names,
        outcome_labels=forms.CONTACT_OUTCOME_LABELS), 422 if error else 200)
    response.headers["Permissions-Policy"] = outreach.GEOLOCATION_POLICY
    return response


@bp.route("/outreach")
def outreach_home() -> Reply:
    """The outreach worker's page: log a contact, see what they logged and the intakes they walked."""
    _outreach_only()
    return _home(_contact_form())


@bp.route("/outreach/contacts", methods=["POST"])
def log_contact() -> Reply:
    """Log people met who do not want an intake yet; a mistake keeps what was typed."""
    _outreach_only()
    form = _contact_form()
    if not form.validate():
        return _home(form, _("Please check the form and try again."))
    try:
        outreach.log_contact(db.session, _user(), met_on=form.met_on.data, county_fips=form.county.data,
                             people=form.people.data or 0, language=form.language.data or "en",
                             result=form.result.data or "", place=form.place.data,
                             latitude=form.latitude.data, longitude=form.longitude.data,
                             key=form.submission_key.data)
    except OutreachError as error:
        db.session.rollback()
        return _home(form, _(outreach.ERRORS[error.code]))
    flash(_("Contact logged. No name was kept."), "info")
    if request.headers.get("X-Background-Send") == "1":  # static/js/outreach.js: it goes on by itself
        return jsonify(next=url_for(".outreach_home"))
    return redirect(url_for(".outreach_home"), code=303)


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@bp.route("/outreach/map")
def outreach_map() -> Reply:
    """Unsheltered contacts and outreach intakes of a region per county: counts only, never points."""
    user = _user()
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        abort(403)
    all_regions = list(db.session.scalars(db.select(Region).order_by(Region.number)))
    if user.role is Role.COORDINATOR:
        region = next((r for r in all_regions if r.id == user.region_id), None)
    else:
        wanted = request.args.get("region", type=int)
        region = next((r for r in all_regions if r.number == wanted), all_regions[0] if all_regions else None)
    today = utcnow().date()
    end = _day(request.args.get("end"), today)
    start = _day(request.args.get("start"), end - timedelta(days=DEFAULT_DAYS))
    if start > end:
        start, end = end, start
    if end - start > outreach.MAX_RANGE:
        start = end - outreach.MAX_RANGE
    counts = outreach.county_counts(db.session, region.id, start, end) if region else []
    bands = {row.fips: outreach.band(row.total) for row in counts}
    in_region = {fips for fips, _name in outreach.region_counties(db.session, region.id)} if region else set()
    return render_template("staff/outreach_map.html", layout=regions.county_layout(), counts=counts, bands=bands,
                           in_region=in_region, region=region, regions=all_regions if user.role is Role.ADMIN else [],
                           start=start, end=end, shown=outreach.shown)

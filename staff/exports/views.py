"""GET shows the export form; POST returns the zip. Both answer 404 to anyone with nothing to export."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user  # type: ignore[import-untyped]
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from extensions import db
from models import HmisExport, User
from models.base import utcnow
from services.hmis.export import ExportError, ExportRequest, exportable_access_points, run_export
from services.pii import current_cipher

from .forms import ExportForm

bp = Blueprint("exports", __name__, url_prefix="/exports", template_folder="templates")

RECENT = 10


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.route("/", methods=["GET", "POST"])
def index() -> str | WerkzeugResponse | tuple[str, int]:
    """Download the HMIS CSV FY2026 zip for a date range and the access points in scope; audited."""
    user = _user()
    access_points = exportable_access_points(db.session, user)
    if not access_points:
        abort(404)
    form = ExportForm()
    form.access_points.choices = [(ap.slug, ap.name) for ap in access_points]
    if form.is_submitted() and form.validate():
        request = ExportRequest(start=form.start.data, end=form.end.data,
                                access_points=tuple(form.access_points.data or ()), hashed=form.hashed.data)
        try:
            result = run_export(db.session, request, config=current_app.config, cipher=current_cipher(),
                                actor=user, via="staff")
        except ExportError as error:
            if error.code == "not_found":
                abort(404)
            form.end.errors = [*form.end.errors, _("The start date must be on or before the end date.")]
        else:
            return send_file(io.BytesIO(result.data), mimetype="application/zip", as_attachment=True,
                             download_name=result.filename)
    elif not form.is_submitted():
        today = utcnow().astimezone(ZoneInfo(current_app.config["HMIS_TIMEZONE"])).date()
        form.start.data, form.end.data = today - timedelta(days=30), today
    recent = db.session.scalars(
        select(HmisExport).where(HmisExport.user_id == user.id).order_by(HmisExport.id.desc()).limit(RECENT)
    ).all()
    status = 422 if form.is_submitted() else 200
    return render_template("staff_exports/index.html", form=form, recent=recent), status

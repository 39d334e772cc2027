"""The dashboard, the case-conferencing list and their CSV downloads; 404 outside one's scope."""

from __future__ import annotations

import csv
import io
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user  # type: ignore[import-untyped]

from extensions import db
from models import User
from models.base import utcnow
from services import reports
from services.regions import county_layout

from . import charts
from .labels import LABELS, TABLE_TITLES, label, reason_label

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates",
               static_folder="static", static_url_path="/static")


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _scope(key: str | None) -> reports.ReportScope:
    try:
        return reports.resolve_scope(db.session, _user(), key)
    except reports.NotFound:
        abort(404)


def _zone() -> str:
    return str(current_app.config.get("HMIS_TIMEZONE", "America/Chicago"))


def _problem(code: str | None) -> str | None:
    messages = {
        "date": _("Please give both dates as year-month-day, for example 2026-03-01. Showing the last 30 days."),
        "order": _("The start date must be on or before the end date. Showing the last 30 days."),
        "long": _("A report covers at most one year. Showing the last 30 days."),
    }
    return messages.get(code or "")


def fewer() -> str:
    return _("fewer than 5")


def masked() -> str:
    return _("not shown")


def cell(value: int | reports.Row | None) -> str:
    """Show a count, "fewer than 5" for a small cell, "not shown" for one hidden to protect a
    small one (page and downloads alike)."""
    if isinstance(value, reports.Row):
        if value.masked:
            return masked()
        value = value.count
    return fewer() if value is None else str(value)


def duration(seconds: float | None) -> str:
    """Show a waiting time in minutes, hours or days."""
    if seconds is None:
        return _("not shown (fewer than 5 intakes)")
    minutes = seconds / 60
    if minutes < 120:
        return _("%(n)s min", n=round(minutes))
    if minutes < 48 * 60:
        return _("%(n)s hours", n=f"{minutes / 60:.1f}")
    return _("%(n)s days", n=f"{minutes / 1440:.1f}")


def _tables(board: reports.Dashboard) -> dict[str, tuple[reports.Row, ...]]:
    return {name: getattr(board, name) for name in reports.TABLES}


def _county_names() -> dict[str, str]:
    return {o.fips: o.name for o in county_layout().outlines}


def _rows_for(table: str, rows: tuple[reports.Row, ...], counties: dict[str, str]) -> list[tuple[str, reports.Row]]:
    return [(label(table, row.code, counties), row) for row in rows]


@bp.app_template_filter("report_cell")
def _cell_filter(value: int | reports.Row | None) -> str:
    if isinstance(value, reports.Row):
        if value.masked:
            return masked()
        value = value.count
    return fewer() if value is None else f"{value:,}"


def _county_map(board: reports.Dashboard, counties: dict[str, str]) -> dict[str, Any]:
    counts = {row.code: row.count for row in board.by_county}
    most = max([c for c in counts.values() if c] or [0])
    layout = county_layout()
    rows = {row.code: row for row in board.by_county}
    shapes = [charts.Shape(o.path, charts.shade(counts.get(o.fips, 0), most),
                           f"{o.name}: {_cell_filter(rows.get(o.fips, reports.Row(o.fips, 0)))}")
              for o in layout.outlines]
    legend = [(charts.NONE, _("None")), (charts.BLUES[0], _("fewer than 5, or not shown"))]
    legend += [(colour, f"{low:,} to {high:,}") for colour, low, high in charts.classes(most)]
    return {"width": layout.width, "height": layout.height, "counties": shapes, "legend": legend,
            "rows": [(counties.get(row.code, row.code), row) for row in board.by_county]}


@bp.route("/")
def dashboard() -> tuple[str, int]:
    """The dashboard for a scope and a date range (query: scope, start, end)."""
    scope = _scope(request.args.get("scope"))
    dates, problem = reports.parse_range(request.args.get("start"), request.args.get("end"), _zone())
    board = reports.dashboard(db.session, scope, dates)
    counties = _county_names()
    tables = _tables(board)
    pictures = {name: (charts.columns if name == "by_day" else charts.horizontal)(
        [(row.code[5:] if name == "by_day" else label(name, row.code, counties), row.count) for row in rows])
        for name, rows in tables.items() if name not in ("by_county",)}
    return render_template(
        "reports/dashboard.html", board=board, tables=tables, pictures=pictures, titles=TABLE_TITLES,
        scopes=reports.scopes_for(db.session, _user()), problem=_problem(problem), counties=counties,
        area_map=_county_map(board, counties), label=label, duration=duration, LABELS=LABELS,
        query={"scope": scope.key, "start": dates.start.isoformat(), "end": dates.end.isoformat()},
        drawn=_now_local(),
    ), 200


def _now_local() -> str:
    return babel_format_datetime(utcnow(), "medium", tzinfo=ZoneInfo(_zone()), locale=str(get_locale()))


def _csv(filename: str, preamble: list[list[str]], header: list[str], rows: list[list[str]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in [*preamble, [], header, *rows]:
        # A cell starting with = + - @ would be a formula in a spreadsheet.
        writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") and not v[1:2].isdigit() else v for v in line])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<name>.csv")
def table_csv(name: str) -> Response:
    """One table of the dashboard as CSV, small cells as "fewer than 5"."""
    if name not in (*reports.TABLES, "timings"):
        abort(404)
    scope = _scope(request.args.get("scope"))
    dates, _problem_code = reports.parse_range(request.args.get("start"), request.args.get("end"), _zone())
    board = reports.dashboard(db.session, scope, dates)
    preamble = [[_("Scope"), scope.label], [_("From"), dates.start.isoformat()], [_("To"), dates.end.isoformat()],
                [_("Drawn"), _now_local()]]
    filename = f"{name.replace('_', '-')}-{scope.key}-{dates.start.isoformat()}-{dates.end.isoformat()}.csv"
    if name == "timings":
        header = [_("Waiting time"), _("Intakes counted"), _("Median (minutes)"), _("90th percentile (minutes)")]
        rows = []
        for title, timing in ((_("Time to claim"), board.to_claim), (_("Time to first contact"), board.to_contact)):
            rows.append([title, cell(timing.count),
                         "" if timing.median is None else f"{timing.median / 60:.1f}",
                         "" if timing.p90 is None else f"{timing.p90 / 60:.1f}"])
        return _csv(filename, [[str(_("Waiting times"))], *preamble], header, rows)
    counties = _county_names()
    table = getattr(board, name)
    header = [str(TABLE_TITLES[name]), _("Intakes")]
    return _csv(filename, [[str(TABLE_TITLES[name])], *preamble], header,
                [[text, cell(count)] for text, count in _rows_for(name, table, counties)])


def _region_scope() -> reports.ReportScope:
    key = request.args.get("region")
    scopes = [s for s in reports.scopes_for(db.session, _user()) if s.kind == "region"]
    if not scopes:
        abort(404)
    if key is None:
        return scopes[0]
    found = next((s for s in scopes if s.key == f"region-{key}"), None)
    if found is None:
        abort(404)
    return found


@bp.route("/case-conferencing")
def case_conferencing() -> tuple[str, int]:
    """Every open intake of a region waiting for assessment, most urgent first (query: region)."""
    scope = _region_scope()
    listing = reports.case_conferencing(db.session, scope)
    regions = [s for s in reports.scopes_for(db.session, _user()) if s.kind == "region"]
    return render_template("reports/case_conferencing.html", listing=listing, regions=regions,
                           reason_label=reason_label, LABELS=LABELS, drawn=_now_local(),
                           region_number=scope.key.removeprefix("region-")), 200


@bp.route("/case-conferencing.csv")
def case_conferencing_csv() -> Response:
    """The case-conferencing list as CSV, with the time it was drawn."""
    scope = _region_scope()
    listing = reports.case_conferencing(db.session, scope)
    header = [_("Priority"), _("Reference code"), _("Reasons"), _("Track"), _("Flags"), _("Access point"),
              _("Days waiting"), _("Held by")]
    rows = [[str(i.priority), i.reference_code or "", "; ".join(reason_label(r) for r in i.reasons),
             label("by_track", i.track or "unknown"), "; ".join(str(LABELS["list_flags"][f]) for f in i.flags),
             i.access_point, str(i.days_waiting), i.held_by or _("Nobody yet")] for i in listing.intakes]
    preamble = [[_("Case-conferencing list")], [_("Region"), scope.label], [_("Drawn"), _now_local()],
                [_("Confidential referrals also waiting (not listed)"), cell(listing.confidential)]]
    filename = f"case-conferencing-{scope.key}-{listing.drawn_at.date().isoformat()}.csv"
    return _csv(filename, preamble, header, rows)

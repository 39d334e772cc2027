"""The access point directory in and out: our own CSV, and Open Referral HSDS 3.0 CSV packages.

Import is two steps: ``plan_import`` reads a file and tries every row inside a transaction that
is then rolled back, so the dry run reports exactly what would be added, changed and left alone,
and every bad row with its line (or file and line) and reason; ``apply_import`` does the same
and commits only when no row is bad. Nothing is ever half imported.

Export writes every table of HSDS 3.0 (empty tables as a header line) with ids that stay the
same from one export to the next (UUID 5 of the access point slug). A victim service provider
is listed with its phone only: no address and no map position ever leave.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models import POPULATIONS, AccessPoint, AccessPointKind, User

from . import admin_access_points as aps
from . import admin_log, hours
from .routing import DbSession, home_coc, lookup_zip

NAMESPACE = uuid.UUID("6f1c1f3e-1b7a-4f55-9d7e-3f0c0f1d2a44")
MAX_BYTES = 5 * 1024 * 1024

# HSDS 3.0 tables and their columns, in the order the specification lists them.
TABLES: dict[str, tuple[str, ...]] = {
    "organizations.csv": ("id", "name", "alternate_name", "description", "email", "website", "tax_status",
                          "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"),
    "programs.csv": ("id", "organization_id", "name", "alternate_name", "description"),
    "services.csv": ("id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
                     "email", "status", "interpretation_services", "application_process", "fees_description",
                     "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age",
                     "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified"),
    "attributes.csv": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    "service_at_location.csv": ("id", "service_id", "location_id", "description"),
    "locations.csv": ("id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
                      "transportation", "latitude", "longitude", "external_identifier",
                      "external_identifier_type"),
    "phones.csv": ("id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
                   "number", "extension", "type", "description"),
    "contacts.csv": ("id", "organization_id", "service_id", "service_at_location_id", "location_id", "name",
                     "title", "department", "email"),
    "addresses.csv": ("id", "location_id", "attention", "address_1", "address_2", "city", "region",
                      "state_province", "postal_code", "country", "address_type"),
    "schedules.csv": ("id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to",
                      "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno",
                      "bymonthday", "byyearday", "description", "opens_at", "closes_at", "schedule_link",
                      "attending_type", "notes"),
    "funding.csv": ("id", "organization_id", "service_id", "source"),
    "service_areas.csv": ("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
    "required_documents.csv": ("id", "service_id", "document", "uri"),
    "languages.csv": ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
    "accessibility.csv": ("id", "location_id", "description", "details", "url"),
    "taxonomy_terms.csv": ("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id",
                           "term_uri"),
    "metadata.csv": ("id", "resource_id", "resource_type", "last_action_date", "last_action_type", "field_name",
                     "previous_value", "replacement_value", "updated_by"),
    "meta_table_descriptions.csv": ("id", "name", "language", "character_set"),
    "cost_options.csv": ("id", "service_id", "valid_from", "valid_to", "option", "currency", "amount",
                         "amount_description"),
    "organization_identifiers.csv": ("id", "organization_id", "identifier_scheme", "identifier_type",
                                     "identifier"),
    "taxonomies.csv": ("id", "name", "description", "uri", "version"),
}
BYDAY = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
DAY_OF = {code: day for day, code in BYDAY.items()}

# Our own CSV: one row per access point; hours as "9:00-12:00, 13:00-17:00" per day.
OWN_COLUMNS = ("slug", "name", "kind", "address", "city", "state", "zip", "lat", "lon", "county_fips", "phone",
               "timezone", "languages", "populations", "alert_emails", "closed_dates", "is_remote",
               *(f"hours_{day}" for day in hours.DAYS))


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a CSV, not an HSDS package, too big)."""


@dataclass(frozen=True)
class Row:
    where: str  # "line 4" or "locations.csv line 2"
    slug: str | None
    data: aps.AccessPointData | None
    problem: str | None = None


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str


@dataclass
class ImportPlan:
    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    format: str = "csv"

    @property
    def ok(self) -> bool:
        return not self.problems


def stable_id(kind: str, slug: str) -> str:
    """Return the id an access point's row of ``kind`` has in every export."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{slug}"))


# -- reading -----------------------------------------------------------------------------------


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("not_utf8") from None


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").replace(";", ",").split(",") if p.strip()]


def _float(value: str | None) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"not a number: {value}") from None


def _own_rows(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("slug", "name") if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFileError("columns")
    rows = []
    for line, raw in enumerate(reader, start=2):
        where = f"line {line}"
        try:
            week = {day: hours.parse_day(raw.get(f"hours_{day}") or "") for day in hours.DAYS}
            kind = AccessPointKind((raw.get("kind") or "physical").strip().lower())
            populations = _split(raw.get("populations")) or ["all"]
            if any(p not in POPULATIONS for p in populations):
                raise ValueError(f"unknown population in: {raw.get('populations')}")
            data = aps.AccessPointData(
                name=(raw.get("name") or "").strip(), kind=kind, slug=(raw.get("slug") or "").strip() or None,
                address=(raw.get("address") or "").strip() or None, city=(raw.get("city") or "").strip() or None,
                state=(raw.get("state") or "").strip().upper() or None, zip=(raw.get("zip") or "").strip() or None,
                lat=_float(raw.get("lat")), lon=_float(raw.get("lon")),
                county_fips=(raw.get("county_fips") or "").strip() or None,
                phone=(raw.get("phone") or "").strip() or None,
                timezone=(raw.get("timezone") or "").strip() or "America/Chicago",
                hours={d: s for d, s in week.items() if s},
                closed_dates=hours.parse_closed_dates(raw.get("closed_dates") or ""),
                alert_emails=_split(raw.get("alert_emails")), languages=_split(raw.get("languages")) or ["en"],
                populations=populations,
                is_remote=(raw.get("is_remote") or "").strip().lower() in {"1", "true", "yes"},
            )
            if not data.name:
                raise ValueError("the name is empty")
            if not hours.is_known_zone(data.timezone):
                raise ValueError(f"unknown time zone: {data.timezone}")
        except hours.HoursError as exc:
            rows.append(Row(where, raw.get("slug"), None, f"hours or dates could not be read: {exc.args[0]}"))
            continue
        except ValueError as exc:
            rows.append(Row(where, raw.get("slug"), None, str(exc)))
            continue
        rows.append(Row(where, data.slug, data))
    return rows


def _hsds_tables(archive: zipfile.ZipFile) -> dict[str, list[tuple[int, dict[str, str]]]]:
    names = {Path(n).name: n for n in archive.namelist() if n.endswith(".csv")}
    if "locations.csv" not in names:
        raise ImportFileError("no_locations")
    tables: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for name in ("organizations.csv", "services.csv", "locations.csv", "addresses.csv", "phones.csv",
                 "schedules.csv", "languages.csv", "service_at_location.csv"):
        if name not in names:
            tables[name] = []
            continue
        reader = csv.DictReader(io.StringIO(_text(archive.read(names[name]))))
        tables[name] = [(line, {k: (v or "").strip() for k, v in raw.items() if k}) for line, raw in
                        enumerate(reader, start=2)]
    return tables


def _clean_phone(number: str) -> str:
    return number.strip().strip('"').strip()


def _hsds_rows(session: DbSession, archive: zipfile.ZipFile) -> list[Row]:
    tables = _hsds_tables(archive)
    by_id = {ap_id: ap.slug for ap in session.scalars(select(AccessPoint))
             for ap_id in [stable_id("location", ap.slug)]}
    sal = {r["id"]: r for _, r in tables["service_at_location.csv"]}
    loc_of_service: dict[str, list[str]] = {}
    for _, r in tables["service_at_location.csv"]:
        loc_of_service.setdefault(r.get("service_id", ""), []).append(r.get("location_id", ""))

    def location_ids(r: Mapping[str, str]) -> list[str]:
        if r.get("location_id"):
            return [r["location_id"]]
        if r.get("service_at_location_id") in sal:
            return [sal[r["service_at_location_id"]].get("location_id", "")]
        return loc_of_service.get(r.get("service_id", ""), [])

    schedules: dict[str, dict[str, list[list[str]]]] = {}
    problems: list[Row] = []
    for line, r in tables["schedules.csv"]:
        if (r.get("freq") or "WEEKLY").upper() != "WEEKLY" or not r.get("opens_at") or not r.get("closes_at"):
            continue
        try:
            start = hours.format_clock(hours.parse_clock(r["opens_at"][:5]))
            end = hours.format_clock(hours.parse_clock(r["closes_at"][:5]))
        except hours.HoursError:
            problems.append(Row(f"schedules.csv line {line}", None, None, "opening or closing time is not a time"))
            continue
        days = [DAY_OF.get(code.strip().upper()) for code in (r.get("byday") or "MO,TU,WE,TH,FR,SA,SU").split(",")]
        for loc in location_ids(r):
            week = schedules.setdefault(loc, {})
            for day in filter(None, days):
                week.setdefault(day, []).append([start, end])
    addresses = {r.get("location_id", ""): r for _, r in tables["addresses.csv"]}
    phones: dict[str, str] = {}
    for _, r in tables["phones.csv"]:
        for loc in location_ids(r):
            phones.setdefault(loc, _clean_phone(r.get("number", "")))
    languages: dict[str, list[str]] = {}
    for _, r in tables["languages.csv"]:
        for loc in location_ids(r):
            if r.get("code"):
                languages.setdefault(loc, []).append(r["code"].lower())
    names_of_org = {r["id"]: r.get("name", "") for _, r in tables["organizations.csv"]}

    rows = list(problems)
    for line, r in tables["locations.csv"]:
        where = f"locations.csv line {line}"
        loc = r.get("id", "")
        name = r.get("name") or names_of_org.get(r.get("organization_id", ""), "")
        if not loc or not name:
            rows.append(Row(where, None, None, "a location needs an id and a name"))
            continue
        slug = by_id.get(loc) or aps.slugify(name)
        address = addresses.get(loc, {})
        postal = address.get("postal_code", "")
        zip_code = postal if lookup_zip(postal) is not None else None
        lat, lon = _float_or_none(r.get("latitude")), _float_or_none(r.get("longitude"))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None  # not a position on Earth: geocode from the ZIP code instead, if any
        week = {}
        for day, spans in schedules.get(loc, {}).items():
            try:
                week[day] = hours.parse_day(", ".join(f"{a}-{b}" for a, b in spans))
            except hours.HoursError:
                rows.append(Row(where, slug, None, f"overlapping opening hours on {day}"))
                break
        else:
            virtual = (r.get("location_type") or "physical").lower() == "virtual"
            rows.append(Row(where, slug, aps.AccessPointData(
                name=name[:200], slug=slug,
                kind=AccessPointKind.VIRTUAL if virtual else AccessPointKind.PHYSICAL,
                address=", ".join(p for p in (address.get("address_1"), address.get("address_2")) if p) or None,
                city=address.get("city") or None,
                state=(address.get("state_province") or "")[:2].upper() if zip_code else None,
                zip=zip_code, lat=lat, lon=lon, phone=phones.get(loc) or None, hours=week,
                languages=sorted(set(languages.get(loc, []))) or ["en"], is_remote=virtual,
            )))
    return rows


def _float_or_none(value: str | None) -> float | None:
    try:
        return _float(value)
    except ValueError:
        return None


def read_rows(session: DbSession, filename: str, data: bytes) -> tuple[str, list[Row]]:
    """Read a directory file: a zip is an HSDS CSV package, a .csv is our own format."""
    if len(data) > MAX_BYTES:
        raise ImportFileError("too_big")
    if filename.lower().endswith(".zip") or data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "hsds", _hsds_rows(session, archive)
        except zipfile.BadZipFile:
            raise ImportFileError("bad_zip") from None
    return "csv", _own_rows(_text(data))


# -- planning and applying ----------------------------------------------------------------------


def _run(session: DbSession, actor: User | None, fmt: str, rows: Iterable[Row]) -> ImportPlan:
    plan = ImportPlan(format=fmt)
    seen: set[str] = set()
    for row in rows:
        if row.problem is not None or row.data is None:
            plan.problems.append(Problem(row.where, row.problem or "unreadable"))
            continue
        slug = row.slug or aps.slugify(row.data.name)
        if slug in seen:
            plan.problems.append(Problem(row.where, f"the same access point ({slug}) appears twice"))
            continue
        seen.add(slug)
        existing = session.scalar(select(AccessPoint).where(AccessPoint.slug == slug))
        # A row that fails is refused before it changes anything (the service checks first), so
        # the rows before and after it still show what they would do; the caller rolls back.
        try:
            if existing is None:
                aps.create(session, actor, replace(row.data, slug=slug), commit=False)
                plan.added.append(row.data.name)
            else:
                before = aps.snapshot(existing)
                aps.update(session, actor, existing, replace(row.data, slug=slug), commit=False)
                old, _new = admin_log.changed(before, aps.snapshot(existing))
                if old:
                    plan.changed.append((existing.name, sorted(old)))
                else:
                    plan.unchanged.append(existing.name)
        except aps.AccessPointError as exc:
            plan.problems.append(Problem(row.where, f"{exc.field}: {exc.code}"))
    untouched = session.scalars(select(AccessPoint.name).where(AccessPoint.slug.not_in(seen or {""})))
    plan.unchanged.extend(sorted(untouched))
    return plan


def plan_import(session: DbSession, actor: User | None, filename: str, data: bytes) -> ImportPlan:
    """Dry run: say what the file would add, change and leave alone, and which rows are bad."""
    fmt, rows = read_rows(session, filename, data)
    try:
        return _run(session, actor, fmt, rows)
    finally:
        session.rollback()


def apply_import(session: DbSession, actor: User | None, filename: str, data: bytes) -> ImportPlan:
    """Import the file in one transaction; when any row is bad, change nothing."""
    fmt, rows = read_rows(session, filename, data)
    plan = _run(session, actor, fmt, rows)
    if not plan.ok:
        session.rollback()
        return plan
    admin_log.record(session, actor, "directory_import", None, "imported", {},
                 {"format": fmt, "added": len(plan.added), "changed": len(plan.changed)})
    session.commit()
    return plan


# -- export ------------------------------------------------------------------------------------


def export_tables(session: DbSession) -> dict[str, list[dict[str, Any]]]:
    """Return every HSDS table as rows (empty tables included) for the active access points."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    home = home_coc(session)
    org_id = stable_id("organization", home.code if home else "frontdoor")
    tables["organizations.csv"].append({
        "id": org_id, "name": home.name if home else "Coordinated entry",
        "description": "Coordinated entry access points of the Continuum of Care"
        + (f" {home.code}" if home else "") + ": where a household asks for housing help.",
    })
    for ap in session.scalars(select(AccessPoint).where(AccessPoint.active.is_(True)).order_by(AccessPoint.slug)):
        confidential = ap.kind is AccessPointKind.VSP
        service_id, location_id = stable_id("service", ap.slug), stable_id("location", ap.slug)
        sal_id = stable_id("service_at_location", ap.slug)
        tables["services.csv"].append({
            "id": service_id, "organization_id": org_id, "name": f"Coordinated entry: {ap.name}",
            "status": "active",
            "description": "Confidential help for survivors of violence." if confidential
            else "Ask for housing help; staff contact you about an assessment.",
        })
        remote = confidential or ap.is_remote or ap.kind is AccessPointKind.VIRTUAL
        tables["locations.csv"].append({
            "id": location_id, "location_type": "virtual" if remote else "physical",
            "organization_id": org_id, "name": ap.name,
            "latitude": "" if remote or ap.lat is None else round(ap.lat, 5),
            "longitude": "" if remote or ap.lon is None else round(ap.lon, 5),
            "external_identifier": ap.slug, "external_identifier_type": "frontdoor_slug",
        })
        tables["service_at_location.csv"].append({"id": sal_id, "service_id": service_id,
                                                  "location_id": location_id})
        if not remote and ap.address and ap.city and ap.state and ap.zip:
            tables["addresses.csv"].append({
                "id": stable_id("address", ap.slug), "location_id": location_id, "address_1": ap.address,
                "city": ap.city, "state_province": ap.state, "postal_code": ap.zip, "country": "US",
                "address_type": "physical",
            })
        if ap.phone:
            tables["phones.csv"].append({"id": stable_id("phone", ap.slug), "location_id": location_id,
                                         "service_id": service_id, "number": ap.phone, "type": "voice"})
        for day, spans in hours.weekly_intervals(ap.hours).items():
            for number, (start, end) in enumerate(spans):
                tables["schedules.csv"].append({
                    "id": stable_id("schedule", f"{ap.slug}:{day}:{number}"), "service_id": service_id,
                    "location_id": location_id, "service_at_location_id": sal_id, "freq": "WEEKLY",
                    "byday": BYDAY[day], "opens_at": f"{hours.format_clock(start)}:00",
                    "closes_at": "23:59:59" if start != end and end == (24, 0) else f"{hours.format_clock(end)}:00",
                    "description": f"Times are local ({ap.timezone}).",
                    "notes": "Closed on " + ", ".join(ap.closed_dates) if ap.closed_dates else "",
                })
        for code in ap.languages or []:
            tables["languages.csv"].append({"id": stable_id("language", f"{ap.slug}:{code}"),
                                            "service_id": service_id, "location_id": location_id, "code": code})
    return tables


def write_export(session: DbSession, directory: Path) -> list[Path]:
    """Write the HSDS 3.0 CSV package into ``directory`` (created); return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in export_tables(session).items():
        path = directory / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=TABLES[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written


def export_zip(session: DbSession) -> bytes:
    """Return the HSDS 3.0 CSV package as a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in export_tables(session).items():
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=TABLES[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(name, out.getvalue())
    return buffer.getvalue()


def own_csv(session: DbSession) -> str:
    """Return the directory in our own CSV format (what the import reads)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OWN_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for ap in session.scalars(select(AccessPoint).order_by(AccessPoint.slug)):
        writer.writerow({
            "slug": ap.slug, "name": ap.name, "kind": ap.kind.value, "address": ap.address or "",
            "city": ap.city or "", "state": ap.state or "", "zip": ap.zip or "",
            "lat": ap.lat if ap.lat is not None else "", "lon": ap.lon if ap.lon is not None else "",
            "county_fips": ap.county.fips if ap.county else "", "phone": ap.phone or "", "timezone": ap.timezone,
            "languages": ", ".join(ap.languages or []), "populations": ", ".join(ap.populations or []),
            "alert_emails": ", ".join(ap.alert_emails or []), "closed_dates": ", ".join(ap.closed_dates or []),
            "is_remote": "yes" if ap.is_remote else "no",
            **{f"hours_{day}": hours.format_day(ap.hours, day) for day in hours.DAYS},
        })
    return out.getvalue()

"""Regions of the home CoC: the county -> region table (CSV in, checked, applied) and its map.

The table has one row per county: ``fips,county,region_number,region_name``. Every county of
the home CoC must appear exactly once with a FIPS code we know; anything else is reported by
line and nothing is changed. The map is an SVG drawn from the county shapes shipped in
``services/data/kansas_counties.geojson`` (Census cartographic boundaries, simplified); no
map tiles are fetched.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import shapely
from sqlalchemy import select

from models import AccessPoint, County, Region, User

from . import admin_log
from .routing import DbSession, home_coc

COLUMNS = ("fips", "county", "region_number", "region_name")
# Colours that stay apart for most colour-blind readers (Okabe-Ito, then Tol's muted set).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#44AA99", "#999933", "#AA4499", "#88CCEE", "#DDCC77")
NO_REGION = "#FFFFFF"
OTHER_COC = "#BDBDBD"


@dataclass(frozen=True)
class RowProblem:
    line: int
    code: str  # "columns", "fips_unknown", "fips_twice", "region_number", "region_name", "missing"
    value: str = ""


@dataclass(frozen=True)
class RegionRow:
    fips: str
    county: str
    region_number: int
    region_name: str


@dataclass(frozen=True)
class RegionTable:
    rows: tuple[RegionRow, ...]
    problems: tuple[RowProblem, ...]
    changes: tuple[tuple[str, int | None, int], ...]  # (county name, old region number, new)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_table(session: DbSession, text: str) -> RegionTable:
    """Read and check a county -> region CSV against the home CoC's counties (changes nothing)."""
    home = home_coc(session)
    counties = {c.fips: c for c in session.scalars(select(County).where(County.coc_id == (home.id if home else -1)))}
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    problems: list[RowProblem] = []
    if reader.fieldnames is None or any(col not in reader.fieldnames for col in COLUMNS):
        return RegionTable((), (RowProblem(1, "columns", ",".join(reader.fieldnames or [])),), ())
    rows: list[RegionRow] = []
    seen: dict[str, int] = {}
    names: dict[int, str] = {}
    for line, raw in enumerate(reader, start=2):
        fips = (raw.get("fips") or "").strip().zfill(5)
        if fips not in counties:
            problems.append(RowProblem(line, "fips_unknown", fips))
            continue
        if fips in seen:
            problems.append(RowProblem(line, "fips_twice", fips))
            continue
        seen[fips] = line
        number_text = (raw.get("region_number") or "").strip()
        if not number_text.isdigit() or not 1 <= int(number_text) <= 99:
            problems.append(RowProblem(line, "region_number", number_text))
            continue
        number, name = int(number_text), (raw.get("region_name") or "").strip()
        if not name or len(name) > 100 or names.setdefault(number, name) != name:
            problems.append(RowProblem(line, "region_name", name))
            continue
        rows.append(RegionRow(fips, counties[fips].name, number, name))
    for fips in sorted(set(counties) - set(seen)):
        problems.append(RowProblem(0, "missing", f"{fips} {counties[fips].name}"))

    def number_of(fips: str) -> int | None:
        region = counties[fips].region
        return region.number if region is not None else None

    changes = tuple(
        (counties[row.fips].name, number_of(row.fips), row.region_number)
        for row in rows
        if number_of(row.fips) != row.region_number
    )
    return RegionTable(tuple(rows), tuple(problems), changes)


def apply_table(session: DbSession, actor: User, table: RegionTable) -> None:
    """Save a checked table: regions by number (added or renamed), each county's region, and the
    region of access points in those counties; audited as one change (commits)."""
    if not table.ok:
        raise ValueError("the table has problems")
    home = home_coc(session)
    if home is None:
        raise ValueError("no home CoC")
    before = current_table(session)
    regions = {r.number: r for r in session.scalars(select(Region).where(Region.coc_id == home.id))}
    for row in table.rows:
        region = regions.get(row.region_number)
        if region is None:
            region = Region(coc_id=home.id, number=row.region_number, name=row.region_name)
            session.add(region)
            regions[row.region_number] = region
        region.name = row.region_name
    session.flush()
    by_fips = {c.fips: c for c in session.scalars(select(County).where(County.coc_id == home.id))}
    for row in table.rows:
        by_fips[row.fips].region_id = regions[row.region_number].id
    for ap in session.scalars(select(AccessPoint).where(AccessPoint.county_id.is_not(None))):
        if ap.county is not None and ap.county.coc_id == home.id:
            ap.region_id = ap.county.region_id
    after = current_table(session)
    admin_log.record(session, actor, "region_table", None, "uploaded", {"counties": before}, {"counties": after})
    session.commit()


def current_table(session: DbSession) -> dict[str, int | None]:
    """Return {county FIPS: region number} for the home CoC."""
    home = home_coc(session)
    counties = session.scalars(select(County).where(County.coc_id == (home.id if home else -1)).order_by(County.fips))
    return {c.fips: (c.region.number if c.region else None) for c in counties}


def table_csv(session: DbSession) -> str:
    """Return the current table as the CSV the upload reads (a starting point to edit)."""
    home = home_coc(session)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in session.scalars(select(County).where(County.coc_id == (home.id if home else -1)).order_by(County.name)):
        writer.writerow([c.fips, c.name, c.region.number if c.region else "", c.region.name if c.region else ""])
    return out.getvalue()


# -- the map ---------------------------------------------------------------------------------


@functools.cache
def county_shapes() -> dict[str, tuple[str, tuple[tuple[float, float], ...]]]:
    """Return {FIPS: (name, outer ring as (lon, lat) points)} from the shipped GeoJSON."""
    raw = resources.files(__package__).joinpath("data/kansas_counties.geojson").read_text(encoding="utf-8")
    shapes: dict[str, tuple[str, tuple[tuple[float, float], ...]]] = {}
    for feature in json.loads(raw)["features"]:
        props: dict[str, Any] = feature["properties"]
        ring = feature["geometry"]["coordinates"][0]
        shapes[str(props["fips"])] = (str(props["name"]), tuple((float(x), float(y)) for x, y in ring))
    return shapes


@dataclass(frozen=True)
class MapCounty:
    fips: str
    name: str
    path: str
    fill: str
    region_number: int | None
    region_name: str | None
    other_coc: bool = False

    @property
    def label(self) -> str:
        """The county's name and region, as the map shows it on hover."""
        return f"{self.name}: {self.region_number}. {self.region_name}" if self.region_number else self.name


@dataclass(frozen=True)
class RegionMap:
    width: int
    height: int
    counties: tuple[MapCounty, ...]
    legend: tuple[tuple[int, str, str, int], ...]  # (number, name, colour, county count)
    unassigned: tuple[str, ...]


@dataclass(frozen=True)
class CountyOutline:
    fips: str
    name: str
    path: str  # SVG path data in the layout's coordinate space


@dataclass(frozen=True)
class CountyLayout:
    width: int
    height: int
    outlines: tuple[CountyOutline, ...]  # sorted by county name


@functools.cache
def county_layout(width: int = 720) -> CountyLayout:
    """Project the shipped county shapes into an SVG space ``width`` wide (shared by every map)."""
    shapes = county_shapes()
    points = [p for _, ring in shapes.values() for p in ring]
    min_lon, max_lon = min(p[0] for p in points), max(p[0] for p in points)
    min_lat, max_lat = min(p[1] for p in points), max(p[1] for p in points)
    squash = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = width / ((max_lon - min_lon) * squash)
    height = round((max_lat - min_lat) * scale)
    outlines: list[CountyOutline] = []
    for fips, (name, ring) in sorted(shapes.items(), key=lambda item: item[1][0]):
        xy = [((lon - min_lon) * squash * scale, (max_lat - lat) * scale) for lon, lat in ring]
        outlines.append(CountyOutline(fips, name, "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + " Z"))
    return CountyLayout(width, height, tuple(outlines))


@functools.cache
def _county_index() -> tuple[shapely.STRtree, tuple[str, ...]]:
    """Return an R-tree of the shipped county polygons (prepared for fast point tests) and their FIPS."""
    fips = tuple(county_shapes())
    polygons = [shapely.Polygon(county_shapes()[code][1]) for code in fips]
    shapely.prepare(polygons)
    return shapely.STRtree(polygons), fips


def county_at(longitude: float, latitude: float) -> str | None:
    """Return the FIPS code of the shipped county containing a point, or None (on this machine only).

    A point on the line between two counties belongs to one of them (the first by FIPS).
    """
    tree, fips = _county_index()
    hits = tree.query(shapely.Point(longitude, latitude), predicate="intersects")
    return min((fips[int(i)] for i in hits), default=None)


def region_map(session: DbSession, width: int = 720) -> RegionMap:
    """Lay out the counties of the home CoC's state in an SVG coordinate space, coloured by region."""
    layout = county_layout(width)
    home = home_coc(session)
    counties = {c.fips: c for c in session.scalars(select(County))}
    regions = list(session.scalars(select(Region).where(Region.coc_id == (home.id if home else -1))
                                   .order_by(Region.number)))
    colours = {r.id: PALETTE[i % len(PALETTE)] for i, r in enumerate(regions)}
    drawn: list[MapCounty] = []
    for outline in layout.outlines:
        county = counties.get(outline.fips)
        region = county.region if county is not None else None
        other = county is not None and home is not None and county.coc_id != home.id
        fill = OTHER_COC if other else colours.get(region.id, NO_REGION) if region else NO_REGION
        drawn.append(MapCounty(outline.fips, outline.name, outline.path, fill, region.number if region else None,
                               region.name if region else None, other))
    counts = {r.id: sum(1 for c in counties.values() if c.region_id == r.id) for r in regions}
    legend = tuple((r.number, r.name, colours[r.id], counts[r.id]) for r in regions)
    unassigned = tuple(sorted(c.name for c in counties.values()
                              if home is not None and c.coc_id == home.id and c.region_id is None))
    return RegionMap(layout.width, layout.height, tuple(drawn), legend, unassigned)


def problems_by_line(problems: Sequence[RowProblem]) -> list[RowProblem]:
    return sorted(problems, key=lambda p: (p.line == 0, p.line))

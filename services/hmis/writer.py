"""Write HMIS CSV FY2026 files: all 24, exact headers in spec order, HUD's value formats.

The file list, column order and string lengths come from the FY2026 table schema kept beside
this module (``schema/datapackage.json``), so the files and the schema the tests validate them
against cannot drift apart.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from .mapping import Rows, clean

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "datapackage.json"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    max_length: int | None


@dataclass(frozen=True)
class FileSpec:
    name: str  # "Client"
    path: str  # "Client.csv"
    columns: tuple[Column, ...]


@cache
def file_specs() -> tuple[FileSpec, ...]:
    """Return the 24 files of the FY2026 spec, in the schema's order."""
    package = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    specs = []
    for resource in package["resources"]:
        columns = tuple(
            Column(f["name"], f["type"], f.get("constraints", {}).get("maxLength"))
            for f in resource["schema"]["fields"]
        )
        specs.append(FileSpec(resource["path"].removesuffix(".csv"), resource["path"], columns))
    return tuple(specs)


def format_value(value: Any, column: Column) -> str:
    """Return one CSV cell: strings quoted, cleaned and capped; dates and numbers bare; null empty."""
    if value is None:
        return ""
    if column.type == "string":
        text = clean(str(value))
        if column.max_length is not None:
            text = text[: column.max_length]
        return '"' + text.replace('"', '""') + '"'
    if column.type == "datetime":
        if not isinstance(value, datetime):
            raise TypeError(f"{column.name} needs a datetime, got {value!r}")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if column.type == "date":
        if not isinstance(value, date) or isinstance(value, datetime):
            raise TypeError(f"{column.name} needs a date, got {value!r}")
        return value.strftime("%Y-%m-%d")
    if column.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{column.name} needs an integer, got {value!r}")
        return str(value)
    return str(value)


def render_file(spec: FileSpec, rows: Sequence[Mapping[str, Any]]) -> str:
    """Return one file's text: the quoted header row, then one line per row (CRLF line ends)."""
    names = [c.name for c in spec.columns]
    for row in rows:
        unknown = set(row) - set(names)
        if unknown:
            raise KeyError(f"{spec.name} has no column {sorted(unknown)}")
    lines = [",".join(f'"{name}"' for name in names)]
    lines.extend(",".join(format_value(row.get(c.name), c) for c in spec.columns) for row in rows)
    return "\r\n".join(lines) + "\r\n"


def render_files(rows: Rows) -> dict[str, str]:
    """Return every file of the spec as path -> text; files without rows carry the header only."""
    unknown = set(rows) - {spec.name for spec in file_specs()}
    if unknown:
        raise KeyError(f"not HMIS CSV files: {sorted(unknown)}")
    return {spec.path: render_file(spec, rows.get(spec.name, [])) for spec in file_specs()}


def write_zip(rows: Rows) -> bytes:
    """Return a zip with the 24 CSV files at its root (UTF-8)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, text in render_files(rows).items():
            archive.writestr(path, text.encode("utf-8"))
    return buffer.getvalue()

"""``flask hmis export OUT.zip [--hashed] [--start DATE] [--end DATE] [--access-point SLUG ...]``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from services.pii import current_cipher
from services.routing import DbSession

from .export import ExportError, ExportRequest, run_export

hmis_cli = AppGroup("hmis", help="HMIS CSV FY2026 exports.")


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use a date like 2026-11-01") from None


@hmis_cli.command("export")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--hashed", is_flag=True, help="HashStatus 4: names as SHA-256 of their SOUNDEX.")
@click.option("--start", callback=_date, help="First submission date (YYYY-MM-DD, local); default: all.")
@click.option("--end", callback=_date, help="Last submission date (YYYY-MM-DD, local); default: today.")
@click.option("--access-point", "access_points", multiple=True, metavar="SLUG",
              help="Only this access point (repeat for more); default: every one.")
def export_command(out: Path, hashed: bool, start: date | None, end: date | None,
                   access_points: tuple[str, ...]) -> None:
    """Write the HMIS CSV FY2026 zip (24 files at its root) of the intakes that may leave."""
    session: DbSession = current_app.extensions["sqlalchemy"].session
    request = ExportRequest(start=start, end=end, access_points=access_points, hashed=hashed)
    try:
        result = run_export(session, request, config=current_app.config, cipher=current_cipher(),
                            actor=None, via="cli", now=None)
    except ExportError as error:
        messages = {"not_found": "No such access point (or it is a victim service provider's, which is never "
                                 "exported): " + ", ".join(access_points),
                    "invalid_range": "The start date is after the end date."}
        raise click.ClickException(messages.get(error.code, error.code)) from None
    out.write_bytes(result.data)
    click.echo(f"Wrote {out}: {result.households} households, {result.start} to {result.end}, "
               f"export {result.export_id}.")


def init_app(app: Flask) -> None:
    """Add the ``flask hmis`` command group."""
    app.cli.add_command(hmis_cli)


__all__ = ["hmis_cli", "init_app"]

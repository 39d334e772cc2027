"""`flask access-points import FILE` and `flask access-points export --hsds DIR`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from extensions import db
from services import hsds

access_points_cli = AppGroup("access-points", help="The access point directory: import and export.")


def _report(plan: hsds.ImportPlan) -> None:
    for name in plan.added:
        click.echo(f"add       {name}")
    for name, fields in plan.changed:
        click.echo(f"change    {name}: {', '.join(fields)}")
    click.echo(f"unchanged {len(plan.unchanged)} access point(s)")
    for problem in plan.problems:
        click.echo(f"error     {problem.where}: {problem.reason}", err=True)


@access_points_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only say what would be added, changed and left alone.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import access points from our CSV or an HSDS 3.0 CSV package (a .zip); all rows or none."""
    data = file.read_bytes()
    try:
        if dry_run:
            plan = hsds.plan_import(db.session, None, file.name, data)
        else:
            plan = hsds.apply_import(db.session, None, file.name, data)
    except hsds.ImportFileError as exc:
        raise click.ClickException(f"cannot read {file.name}: {exc.args[0]}") from None
    _report(plan)
    if not plan.ok:
        raise click.ClickException("nothing was imported: fix the rows above and try again")
    click.echo("dry run: nothing was changed" if dry_run else "imported")


@access_points_cli.command("export")
@click.option("--hsds", "directory", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write the HSDS 3.0 CSV package into.")
def export_command(directory: Path) -> None:
    """Write the active access points as an HSDS 3.0 CSV package."""
    written = hsds.write_export(db.session, directory)
    click.echo(f"wrote {len(written)} files to {directory}")


def init_app(app: Flask) -> None:
    """Add the `access-points` command group."""
    app.cli.add_command(access_points_cli)

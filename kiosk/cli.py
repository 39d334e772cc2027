"""`flask kiosks pair`: print a one-time link that pairs a tablet with a kiosk."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app

from extensions import db
from kiosk import device
from kiosk.views import bp


@bp.cli.command("pair")
@click.argument("kiosk", required=False)
@click.option("--access-point", "access_point", help="Slug of the kiosk's access point.")
@click.option("--create", is_flag=True, help="Add the kiosk (KIOSK is its label) if it does not exist.")
@click.option("--hours", default=24, show_default=True, type=click.IntRange(1, 24 * 14),
              help="How long the link works.")
@click.option("--base-url", help="Origin to print (default: PUBLIC_BASE_URL; without either, only the path).")
def pair_command(kiosk: str | None, access_point: str | None, create: bool, hours: int,
                 base_url: str | None) -> None:
    """Print a one-time pairing link for KIOSK (an id or a label)."""
    if not kiosk and not access_point:
        raise click.UsageError("give a kiosk id or label, or --access-point")
    try:
        found = device.find_kiosk(db.session, kiosk, access_point, create=create)
    except device.PairingError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    link = device.start_pairing(db.session, found, valid_for=timedelta(hours=hours))
    origin = (base_url or current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    path = f"/kiosk/pair/{link.code}"
    click.echo(f"Kiosk {found.id} ({found.label}) at {found.access_point.name}")
    if origin:
        click.echo(f"Open this link on the tablet within {hours} hours (it works once):")
        click.echo(f"{origin}{path}")
        return
    # Guessing a host and port here printed a wrong link whenever the server ran elsewhere.
    click.echo(f"Open this path on the tablet within {hours} hours (it works once):")
    click.echo(path)
    click.echo("PUBLIC_BASE_URL is not set, so the server's address is not known here: put the address "
               "the server answers at in front of the path (for `make run`: http://127.0.0.1:5000, or the "
               "PORT you gave it), or set PUBLIC_BASE_URL or pass --base-url to print a whole link.")

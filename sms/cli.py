"""``flask outbox work`` (send queued texts) and ``flask sms chat`` (try the line without Twilio)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from services.outbox import deliver_pending, status_callback_url
from services.sms_sender import get_sender

outbox_cli = AppGroup("outbox", help="Outbound text messages.")


def _session() -> Session:
    session: Session = current_app.extensions["sqlalchemy"].session
    return session


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Send what is queued now, then stop.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the outbox.")
@click.option("--batch", default=100, show_default=True, help="Most texts sent per look.")
def outbox_work(once: bool, interval: float, batch: int) -> None:
    """Send queued outbound texts (loops until stopped unless --once)."""
    sender = get_sender(current_app)
    callback = status_callback_url(current_app.config)
    while True:
        sent = deliver_pending(_session(), sender, limit=batch, status_callback=callback)
        if once:
            click.echo(f"Sent {sent} text(s).")
            return
        if sent:
            click.echo(f"Sent {sent} text(s).")
        else:
            time.sleep(interval)

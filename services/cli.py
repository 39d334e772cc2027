"""CLI commands: ``flask demo load``, ``flask pii generate-key`` and ``flask pii reencrypt``."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from models import Answer, Intake

from .crypto import PiiCipher, PiiDecryptionError, generate_key
from .demo import load_demo
from .pii import current_cipher
from .routing import DbSession

PHONE_KEY = "phone"
GIVEN = "given"

SINGULAR = {
    "access_points": "access_point",
    "continuums_of_care": "continuum_of_care",
    "counties": "county",
    "kiosks": "kiosk",
    "regions": "region",
    "users": "user",
}

demo_cli = AppGroup("demo", help="Demo data.")
pii_cli = AppGroup("pii", help="Encryption keys for personal data.")


def _session() -> DbSession:
    # Flask-SQLAlchemy registers itself here; going through current_app keeps services free of
    # the app-level ``extensions`` module.
    session: DbSession = current_app.extensions["sqlalchemy"].session
    return session


@demo_cli.command("load")
def demo_load_command() -> None:
    """Load CoCs, regions, counties and SAMPLE access points, kiosk and accounts (idempotent)."""
    result = load_demo(_session())
    if not result.changed:
        click.echo("Demo data already loaded; nothing changed.")
        return
    for what, count in sorted(result.added.items()):
        noun = SINGULAR.get(what, what) if count == 1 else what
        click.echo(f"Added {count} {noun.replace('_', ' ')}.")
    if result.credentials:
        click.echo("")
        click.echo("Demo staff accounts (passwords are shown only this once):")
        for email, password in result.credentials:
            click.echo(f"  {email}  {password}")
        click.echo("Sign in at /staff/login.")


@pii_cli.command("generate-key")
def generate_key_command() -> None:
    """Print a new Fernet key; put it FIRST in PII_KEYS, then run `flask pii reencrypt`."""
    click.echo(generate_key())


@pii_cli.command("reencrypt")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
def reencrypt_command(batch_size: int) -> None:
    """Re-encrypt every stored answer with the newest key and rebuild the phone indexes."""
    answers, intakes = reencrypt_all(_session(), current_cipher(), batch_size=batch_size)
    click.echo(f"Re-encrypted {answers} answers; recomputed the phone index of {intakes} intakes.")


def reencrypt_all(session: DbSession, cipher: PiiCipher, *, batch_size: int = 500) -> tuple[int, int]:
    """Rotate every ``answers.value_enc`` to the newest key and recompute phone indexes.

    Works in id-ordered batches, committing after each. Returns (answers, intakes) updated.
    """
    answers = 0
    last_id = 0
    while True:
        batch = list(
            session.scalars(
                select(Answer)
                .where(Answer.id > last_id, Answer.value_enc.is_not(None))
                .order_by(Answer.id)
                .limit(batch_size)
            )
        )
        if not batch:
            break
        for answer in batch:
            assert answer.value_enc is not None  # noqa: S101 - filtered in the query
            answer.value_enc = cipher.rotate(answer.value_enc)
        answers += len(batch)
        last_id = batch[-1].id
        session.commit()

    intakes = 0
    last_id = 0
    while True:
        rows = list(
            session.execute(
                select(Intake, Answer.value_enc)
                .outerjoin(Answer, (Answer.intake_id == Intake.id) & (Answer.key == PHONE_KEY))
                .where(Intake.id > last_id)
                .order_by(Intake.id)
                .limit(batch_size)
            )
        )
        if not rows:
            break
        for intake, value_enc in rows:
            index = _phone_index(cipher, value_enc)
            if intake.contact_phone_index != index:
                intake.contact_phone_index = index
                intakes += 1
        last_id = rows[-1][0].id
        session.commit()
    return answers, intakes


def _phone_index(cipher: PiiCipher, value_enc: bytes | None) -> str | None:
    if not value_enc:
        return None
    try:
        return cipher.phone_index(cipher.decrypt(value_enc))
    except ValueError as exc:
        if isinstance(exc, PiiDecryptionError):
            raise
        return None  # not an E.164 number; it cannot be looked up anyway


@click.command("purge")
@click.option("--hours", type=int, default=None, help="Age in hours (default: PURGE_AFTER_HOURS, 72).")
@with_appcontext
def purge_cli(hours: int | None) -> None:
    """Delete abandoned and unfinished intakes, and call records, older than the retention age."""
    from models.intake import Channel

    from .intake import purge, purge_calls

    age = hours if hours is not None else int(current_app.config.get("PURGE_AFTER_HOURS", 72))
    resume = timedelta(days=int(current_app.config.get("SMS_RESUME_DAYS", 7)))
    deleted = purge(_session(), timedelta(hours=age), keep_in_progress={Channel.SMS: resume})
    click.echo(f"Deleted {deleted} unfinished intake(s) idle for more than {age} hours.")
    calls = purge_calls(_session(), timedelta(hours=age))
    click.echo(f"Deleted {calls} call record(s) older than {age} hours.")


def register_commands(app: Flask) -> None:
    """Add the ``demo``, ``pii`` and ``purge`` commands to ``app``."""
    app.cli.add_command(demo_cli)
    app.cli.add_command(pii_cli)
    app.cli.add_command(purge_cli)


init_app = register_commands  # app.register_commands calls each command module's init_app

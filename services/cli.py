"""CLI commands: ``flask demo load``, ``flask pii generate-key`` and ``flask pii reencrypt``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import text
from sqlalchemy.orm import Session

from .crypto import generate_key
from .demo import load_demo
from .pii import current_cipher
from .rekey import reencrypt_all
from .report_days import refresh_all
from .routing import DbSession

SINGULAR = {
    "access_points": "access_point",
    "continuums_of_care": "continuum_of_care",
    "counties": "county",
    "kiosks": "kiosk",
    "regions": "region",
    "users": "user",
}

RULE = "=" * 72

demo_cli = AppGroup("demo", help="Demo data.")
pii_cli = AppGroup("pii", help="Encryption keys for personal data.")
audit_cli = AppGroup("audit", help="The audit trail of staff actions and intake page views.")
reports_cli = AppGroup("reports", help="The daily report summary.")


@reports_cli.command("rebuild-summary")
@with_appcontext
def rebuild_summary_cli() -> None:
    """Count the daily report summary again from every intake (after changing HMIS_TIMEZONE)."""
    session = _session()
    days = refresh_all(session)
    session.commit()
    click.echo(f"Counted {days} day(s) of intakes into the report summary.")


@audit_cli.command("verify")
def audit_verify_command() -> None:
    """Check the hash chain of the audit rows; exit 1 and name the rows when one was changed or deleted."""
    from .audit import verify

    checked, findings = verify(cast(Session, _session()))
    for finding in findings:
        click.echo(f"{finding.table} row {finding.row_id}: {finding.problem}")
    if findings:
        click.echo(f"Audit trail TAMPERED: {len(findings)} problem(s) in {checked} rows.")
        raise SystemExit(1)
    click.echo(f"Audit trail intact: {checked} rows checked.")


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
    for what, count in sorted(result.added.items()):
        noun = SINGULAR.get(what, what) if count == 1 else what
        click.echo(f"Added {count} {noun.replace('_', ' ')}.")
    # Last, framed, so it is not lost among the lines above (make run prints this after start-up).
    click.echo("")
    click.echo(RULE)
    if result.credentials:
        click.echo("Demo staff accounts. WRITE THESE DOWN: the passwords are shown only this once.")
        width = max(len(email) for email, _ in result.credentials)
        for email, password in result.credentials:
            click.echo(f"  {email.ljust(width)}  {password}")
    else:
        click.echo("The demo staff accounts already exist; their passwords were shown when they were made.")
    click.echo("Sign in at /staff/login. To give an account a new password:")
    click.echo("  flask --app app users set-password EMAIL")
    click.echo(RULE)


@pii_cli.command("generate-key")
def generate_key_command() -> None:
    """Print a new Fernet key; put it FIRST in PII_KEYS, then run `flask pii reencrypt`."""
    click.echo(generate_key())


@pii_cli.command("reencrypt")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
def reencrypt_command(batch_size: int) -> None:
    """Re-encrypt every encrypted column with the newest key and re-derive every blind index."""
    result = reencrypt_all(_session(), current_cipher(), batch_size=batch_size)
    for name, count in sorted(result.counts.items()):
        click.echo(f"{name}: {count}")
    if result.stranded:
        for name, count in sorted(result.stranded.items()):
            click.echo(f"{name}: {count} row(s) kept under an old key (no stored value to re-derive "
                       "from); keep that key in PII_KEYS until they are gone.", err=True)
        raise SystemExit(1)
    click.echo("Every encrypted value and blind index now uses the newest key; older keys can be removed.")


@dataclass(frozen=True)
class PurgeResult:
    """How many rows of each kind one purge deleted."""

    hours: int
    intakes: int
    calls: int
    sms: dict[str, int]


def purge_everything(session: DbSession, config: Any, hours: int | None = None) -> PurgeResult:
    """Apply the retention rules (PURGE_AFTER_HOURS, SMS_RESUME_DAYS) to every kind of record."""
    from limits import parse_many

    from models.intake import Channel

    from .intake import purge, purge_calls
    from .outbox import purge_sms_history

    age = hours if hours is not None else int(config.get("PURGE_AFTER_HOURS", 72))
    resume = timedelta(days=int(config.get("SMS_RESUME_DAYS", 7)))
    deleted = purge(session, timedelta(hours=age), keep_in_progress={Channel.SMS: resume})
    calls = purge_calls(session, timedelta(hours=age))
    limits = parse_many(str(config.get("SMS_RATE_LIMIT") or "1 per day"))
    longest = timedelta(seconds=max((limit.get_expiry() for limit in limits), default=0))
    sms = purge_sms_history(cast(Session, session), timedelta(hours=age), max(resume, timedelta(hours=age)),
                            longest_window=longest)
    if session.get_bind().dialect.name == "sqlite":
        # Keeps SQLite's planner statistics of the intakes current: the staff queue's partial
        # indexes are chosen by them. Sampled (analysis_limit), so it takes milliseconds on a
        # large table. PostgreSQL's autovacuum does this by itself.
        session.execute(text("PRAGMA analysis_limit = 1000"))
        session.execute(text("ANALYZE intakes"))
        session.commit()
    return PurgeResult(age, deleted, calls, sms)


@click.command("purge")
@click.option("--hours", type=int, default=None, help="Age in hours (default: PURGE_AFTER_HOURS, 72).")
@with_appcontext
def purge_cli(hours: int | None) -> None:
    """Delete unfinished intakes, call records and SMS history older than the retention age.

    ``flask outbox work`` also runs this every PURGE_EVERY_MINUTES.
    """
    result = purge_everything(_session(), current_app.config, hours)
    click.echo(f"Deleted {result.intakes} unfinished intake(s) idle for more than {result.hours} hours.")
    click.echo(f"Deleted {result.calls} call record(s) older than {result.hours} hours.")
    click.echo(f"Deleted {result.sms['inbound']} inbound text id(s) and {result.sms['outbox']} finished "
               f"outbound text(s) older than {result.hours} hours, and {result.sms['conversations']} "
               "finished text conversation(s) past their resume window.")


def register_commands(app: Flask) -> None:
    """Add the ``demo``, ``pii`` and ``purge`` commands to ``app``."""
    app.cli.add_command(demo_cli)
    app.cli.add_command(pii_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(purge_cli)
    app.cli.add_command(reports_cli)


init_app = register_commands  # app.register_commands calls each command module's init_app

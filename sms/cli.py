"""``flask outbox work`` (send queued texts) and ``flask sms chat`` (try the line without Twilio)."""

from __future__ import annotations

import http.client
import logging
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from models.base import utcnow
from services.cli import purge_everything
from services.mail import get_mail_sender
from services.outbox import Backoff, deliver_pending, status_callback_url
from services.pii import current_cipher
from services.scheduler import run_digests, run_household, run_timers
from services.sms_sender import get_sender

log = logging.getLogger(__name__)

outbox_cli = AppGroup("outbox", help="Outbound text messages and e-mails.")

#: Longest wait between tries while the database is unreachable.
MAX_BACKOFF_SECONDS = 30.0


def _session() -> Session:
    session: Session = current_app.extensions["sqlalchemy"].session
    return session


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Send what is queued now, then stop.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the outbox.")
@click.option("--batch", default=100, show_default=True, help="Most texts sent per look.")
def outbox_work(once: bool, interval: float, batch: int) -> None:
    """Send queued outbound texts and e-mails (loops until stopped unless --once).

    A database error (a restart, a dropped connection) does not stop the loop: the session is
    thrown away and the worker tries again after a growing pause (up to 30 s). Every
    PURGE_EVERY_MINUTES (0: never) it also applies the retention rules, as ``flask purge``, and
    every TIMERS_EVERY_SECONDS (0: never) it handles missed response targets, the daily
    digests, appointment reminders and check-ins (``services.scheduler``; safe with several workers).
    """
    sender = get_sender(current_app)
    mailer = get_mail_sender(current_app)
    callback = status_callback_url(current_app.config)
    stale = timedelta(seconds=int(current_app.config.get("OUTBOX_STALE_SECONDS", 300)))
    backoff_policy = Backoff.from_config(current_app.config)
    purge_every = int(current_app.config.get("PURGE_EVERY_MINUTES", 60)) * 60
    next_purge = time.monotonic()
    timers_every = int(current_app.config.get("TIMERS_EVERY_SECONDS", 60))
    next_timers = time.monotonic()
    backoff = 0.0
    while True:
        try:
            if purge_every > 0 and not once and time.monotonic() >= next_purge:
                result = purge_everything(_session(), current_app.config)
                next_purge = time.monotonic() + purge_every
                log.info("purge: %d intake(s), %d call(s), %s", result.intakes, result.calls, result.sms)
            if timers_every > 0 and time.monotonic() >= next_timers:
                run = run_timers(_session(), utcnow(), current_app.config)
                digests = run_digests(_session(), utcnow(), current_app.config)
                household = run_household(_session(), utcnow(), current_app.config, current_cipher())
                next_timers = time.monotonic() + timers_every
                if run.reminded or run.escalated or digests:
                    log.info("timers: %d reminder(s), %d escalation(s), %d digest e-mail(s)",
                             run.reminded, run.escalated, digests)
                if household.reminders or household.check_ins:
                    log.info("household texts: %d appointment reminder(s), %d check-in(s)",
                             household.reminders, household.check_ins)
            sent = deliver_pending(_session(), sender, limit=batch, status_callback=callback,
                                   stale_after=stale, mailer=mailer, backoff=backoff_policy)
        except SQLAlchemyError as exc:
            if once:
                raise
            _session().rollback()
            current_app.extensions["sqlalchemy"].session.remove()
            backoff = min(MAX_BACKOFF_SECONDS, max(0.5, backoff * 2))
            log.warning("outbox: database error (%s); trying again in %.1f s", type(exc).__name__, backoff)
            time.sleep(backoff)
            continue
        backoff = 0.0
        if once:
            click.echo(f"Sent {sent} text(s).")
            return
        if sent:
            click.echo(f"Sent {sent} text(s).")
        else:
            time.sleep(interval)


sms_cli = AppGroup("sms", help="The SMS access line.")


def twiml_messages(xml: str) -> list[str]:
    """Return the texts of the <Message> elements in a TwiML reply."""
    # Our own server's reply, not outside input.
    root = ElementTree.fromstring(xml)  # noqa: S314
    return [(element.text or "") for element in root.iter("Message")]


def sign(url: str, params: dict[str, str]) -> str:
    """Return the X-Twilio-Signature for these form fields at ``url`` (empty without a token)."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    return RequestValidator(token).compute_signature(url, params) if token else ""


def _post_local(path: str, params: dict[str, str]) -> tuple[int, str]:
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost"
    url = base.rstrip("/") + path
    client = current_app.test_client()
    response = client.post(path, data=params, base_url=base, headers={"X-Twilio-Signature": sign(url, params)})
    return response.status_code, response.get_data(as_text=True)


def _post_remote(server: str, path: str, params: dict[str, str]) -> tuple[int, str]:
    parts = urlsplit(server)
    public = current_app.config.get("PUBLIC_BASE_URL") or f"{parts.scheme}://{parts.netloc}"
    body = urlencode(params)
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": sign(public.rstrip("/") + path, params)}
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.netloc, timeout=15)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


@sms_cli.command("chat")
@click.option("--phone", default="+17855550123", show_default=True, help="The number you pretend to text from.")
@click.option("--server", default=None, help="A running server, e.g. http://127.0.0.1:5000 (default: in-process).")
def sms_chat(phone: str, server: str | None) -> None:
    """Text the access line from this terminal, through the same signed webhook Twilio calls."""
    click.echo("Type a text and press Enter (Ctrl-D to quit). Try: hola, HELP, BACK, SKIP, STOP.")
    to = current_app.config.get("TWILIO_FROM_NUMBER") or "+15005550006"
    while True:
        try:
            body = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo()
            return
        params = {"From": phone, "To": to, "Body": body, "MessageSid": "SM" + uuid.uuid4().hex,
                  "NumMedia": "0"}
        if server:
            status, xml = _post_remote(server, "/sms/inbound", params)
        else:
            status, xml = _post_local("/sms/inbound", params)
        if status != 200:
            click.echo(f"(the line answered HTTP {status})")
            continue
        texts = twiml_messages(xml)
        if not texts:
            click.echo("(no reply)")
        for text in texts:
            click.echo(click.style("line> ", bold=True) + text.replace("\n", "\n      "))

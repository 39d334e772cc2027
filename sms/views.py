"""Twilio's messaging webhook (``POST /sms/inbound``) and status callback (``POST /sms/status``).

Both check ``X-Twilio-Signature`` first (403 otherwise) and answer with TwiML. Neither logs a
phone number or a message body.
"""

from __future__ import annotations

import functools
import logging

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from flask_babel import force_locale
from limits import RateLimitItem, parse_many

from extensions import csrf, db, limiter
from intake_forms import detect_language, languages
from services import outbox
from services import status as status_service
from services.pii import current_cipher
from services.sms_text import outbound, split
from services.twilio_webhooks import twilio_signed

from . import render
from .cli import outbox_cli, sms_cli
from .conversation import Conversation, known_language
from .twiml import messages_twiml

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")

#: Per phone number: enough for a person typing fast, not for a loop between two robots.
DEFAULT_RATE_LIMIT = "20 per minute;300 per day"


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.cli.add_command(outbox_cli)
    state.app.cli.add_command(sms_cli)
    outbox.init_app(state.app)


def twiml(messages: tuple[str, ...] | list[str], language: str) -> Response:
    """Return a TwiML response with one <Message> per text (none: an empty <Response/>).

    Each reply passes the same ``sms_text.outbound`` as the texts the outbox sends, folded by the
    policy of ``language``, the language the replies are written in; a reply over the segment
    budget goes as several texts, cut between sentences (``sms_text.split``).
    """
    return Response(messages_twiml(outbound(part, language=language, purpose="reply")
                                   for text in messages for part in split(text, language=language)),
                    mimetype="text/xml")


def _rate_limit() -> str:
    return str(current_app.config.get("SMS_RATE_LIMIT") or DEFAULT_RATE_LIMIT)


@functools.lru_cache(maxsize=8)
def _parsed(limit: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limit))


def _language_hint() -> str:
    """The language to answer in outside a conversation step: the number's conversation's, else the
    body's (a first text), else the default. Never raises: it only picks words for a kind reply."""
    sender = request.form.get("From", "").strip()
    if sender:
        try:
            known = known_language(db.session, sender)
        except Exception:  # the database may be what failed
            db.session.rollback()
            log.warning("could not read the language of a conversation for a reply")
            known = None
        if known is not None:
            return known
    return detect_language(request.form.get("Body", "")) or languages.DEFAULT


@bp.post("/inbound")
@csrf.exempt
@twilio_signed
def inbound() -> Response:
    """Advance the sender's conversation by one step and reply with TwiML.

    The per-number limit (``SMS_RATE_LIMIT``) is counted in the database, in the transaction that
    answers the text (``Conversation.limits``): exact across workers and hosts. Over it, the
    sender gets a kind reply with 200, so that Twilio delivers it: never a silent drop."""
    sender = request.form.get("From", "").strip()
    if not sender:
        return twiml([], languages.DEFAULT)
    # The reply is built before the commit and nothing is read after it: expiring every loaded
    # object at the commit would be work for nothing (this session ends with the request).
    db.session().expire_on_commit = False
    conversation = Conversation(
        db.session,
        phone=sender,
        resume_days=int(current_app.config.get("SMS_RESUME_DAYS", 7)),
        weights=current_app.config.get("PRIORITY_WEIGHTS"),
        throttle=status_service.Throttle(limiter.limiter, str(current_app.config["STATUS_RATE_LIMIT"]),
                                         current_cipher()),
        config=current_app.config,
        limits=_parsed(_rate_limit()),
    )
    try:
        reply = conversation.handle(request.form.get("Body"), request.form.get("MessageSid"))
    except Exception:
        db.session.rollback()
        log.exception("an inbound text could not be handled")
        language = _language_hint()
        with force_locale(language):
            return twiml([render.trouble()], language)
    return twiml(list(reply.messages), reply.language)


@bp.post("/status")
@csrf.exempt
@twilio_signed
def status() -> Response:
    """Record the delivery status Twilio reports for an outbound text."""
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    state = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    error = request.form.get("ErrorCode") or None
    if sid and state:
        outbox.record_status(db.session, sid, state, error)
    return Response(status=204)

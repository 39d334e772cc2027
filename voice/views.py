"""Twilio Voice webhooks: the access line by phone call (keypad and speech, English and Spanish)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy.orm import Session

from extensions import csrf
from services.twilio_webhooks import twilio_signed
from voice import calls
from voice.twiml import render

bp = Blueprint("voice", __name__, url_prefix="/voice")
# Twilio cannot send a CSRF token; every route checks X-Twilio-Signature instead.
csrf.exempt(bp)


def _twiml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _session() -> Session:
    session: Session = current_app.extensions["sqlalchemy"].session
    return session


def _call_sid() -> str:
    sid = request.form.get("CallSid", "").strip()
    if not sid or len(sid) > 64:
        abort(400)
    return sid


@bp.post("/inbound")
@twilio_signed
def inbound() -> Response:
    """Answer a call: the language menu."""
    turn = calls.begin_call(_session(), _call_sid(), request.form.get("From"))
    return _twiml(render(turn))


@bp.post("/step/<int:n>")
@twilio_signed
def step(n: int) -> Response:
    """Take the answer to step ``n`` of a call and ask the next question."""
    form = request.form
    turn = calls.handle_step(_session(), _call_sid(), n, form.get("Digits"),
                             form.get("SpeechResult"), form.get("From"))
    return _twiml(render(turn))


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Twilio's call status callback: settle a call that ended before the last question."""
    calls.end_call(_session(), _call_sid(), request.form.get("CallStatus", ""))
    return Response(status=204)

"""Twilio's messaging webhook (``POST /sms/inbound``) and status callback (``POST /sms/status``)."""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from services import outbox

from .cli import outbox_cli

bp = Blueprint("sms", __name__, url_prefix="/sms", cli_group="sms")


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.cli.add_command(outbox_cli)
    outbox.init_app(state.app)

"""Extension objects, created unbound and attached to the app in ``app.register_extensions``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
babel = Babel()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI; no default limits, each route opts in.
def _client_key() -> str:
    """Default rate-limit key: a keyed hash of the client's address (``services.pii.address_key``)."""
    from services.pii import address_key  # late import: extensions are created before services load

    return "client:" + address_key()


limiter = Limiter(key_func=_client_key, headers_enabled=True)

#: Path prefixes of Twilio's webhooks. No Flask-Limiter limit applies there (a number's texts are
#: counted in the database, in the text's own transaction: ``services.conversation_store``), and
#: Twilio keeps no cookie: they skip the limiter's per-request work and open no session.
WEBHOOK_PREFIXES = ("/sms/", "/voice/")


@limiter.request_filter
def _webhook() -> bool:
    """Skip Flask-Limiter for Twilio's webhooks (see ``WEBHOOK_PREFIXES``)."""
    from flask import request

    return request.path.startswith(WEBHOOK_PREFIXES)
login_manager = LoginManager()

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
login_manager = LoginManager()

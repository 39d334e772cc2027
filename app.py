"""Application factory: configuration, extensions, blueprints, commands and security headers."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    has_request_context,
    jsonify,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

import admin.cli
import services.cli
import services.hmis.cli
from admin.views import bp as admin_bp
from admin.views import welcome_bp
from config import config_class
from extensions import babel, csrf, db, limiter, login_manager, migrate
from kiosk.views import bp as kiosk_bp
from services.hotlines import emergency_hotlines
from sms.views import bp as sms_bp
from staff.views import bp as staff_bp
from voice.views import bp as voice_bp

# The admin area sits inside the staff blueprint, so staff sign-in, session expiry and no-store
# apply to it (/staff/admin/...). Done once, at import: a blueprint cannot take nested ones after
# its first registration.
staff_bp.register_blueprint(admin_bp)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=63072000; includeSubDomains"

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the Front Door application."""
    app = Flask(__name__, instance_relative_config=True)
    # Owner-only: the instance folder holds the SQLite database and generated secrets.
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)

    env = (test_config or {}).get("FRONTDOOR_ENV") or os.environ.get(
        "FRONTDOOR_ENV", "development"
    )
    settings_class = config_class(env)
    app.config.from_mapping(settings_class(app.instance_path).load())
    if test_config is not None:
        app.config.from_mapping(test_config)
    settings_class.validate(app.config)

    hops = int(app.config["TRUST_PROXY_HOPS"])
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )

    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_security_headers(app)
    register_error_handlers(app)
    register_core_routes(app)
    return app


# -- logging ---------------------------------------------------------------------------------


class PathOnlyFilter(logging.Filter):
    """Strip query strings from werkzeug's request lines: they may carry personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _strip_query(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def _strip_query(value: str) -> str:
    # A werkzeug request line looks like: GET /intake/q?lang=es HTTP/1.1
    if "?" not in value:
        return value
    head, _, rest = value.partition("?")
    _, space, tail = rest.partition(" ")
    return head + (space + tail if space else "")


def warm_up(app: Flask) -> None:
    """Do once, before the first request, what the first household would otherwise wait for.

    Gunicorn calls this in each new worker (gunicorn.conf.py): the ZIP database (about half a
    second to load), the mapper configuration and the compiled translations.
    """
    from flask_babel import force_locale, get_translations
    from sqlalchemy.orm import configure_mappers

    from services import routing

    with app.app_context():
        configure_mappers()
        routing.warm_up()
        for language in app.config.get("LANGUAGES", ("en", "es")):
            with force_locale(language):
                get_translations()


def configure_logging(app: Flask) -> None:
    """Log paths, never request bodies or query strings."""
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, PathOnlyFilter) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(PathOnlyFilter())


# -- extensions ------------------------------------------------------------------------------


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # In WAL mode NORMAL never corrupts the database and skips an fsync per commit; a power
        # cut may lose the last commits (Twilio then gets no reply and the person texts again).
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def select_locale() -> str:
    """Pick the session's language, else the browser's best match, else the default."""
    languages: list[str] = current_app.config["LANGUAGES"]
    default: str = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or default


def register_extensions(app: Flask) -> None:
    """Attach every extension object to the app."""
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _listen_sqlite(engine)
    migrate.init_app(app, db)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    if login_manager.user_callback is None:  # a blueprint may install its own loader
        login_manager.user_loader(load_user)

    @app.context_processor
    def inject_locale() -> dict[str, Any]:
        return {"current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}


def load_user(user_id: str) -> Any:
    """Return the staff account for a session's user id, or None."""
    from models.user import User

    try:
        return db.session.get(User, int(user_id))
    except ValueError:
        return None


def _listen_sqlite(engine: Engine) -> None:
    if not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)


# -- blueprints and commands -----------------------------------------------------------------


def register_blueprints(app: Flask) -> None:
    """Register the channel blueprints; the Twilio webhooks only when TWILIO_ROUTES_ENABLED."""
    app.register_blueprint(kiosk_bp)
    if app.config["TWILIO_ROUTES_ENABLED"]:
        app.register_blueprint(sms_bp)
        app.register_blueprint(voice_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(welcome_bp)


def register_commands(app: Flask) -> None:
    """Add the ``flask translate`` group and each command module's commands."""
    from translate_cli import translate

    app.cli.add_command(translate)
    services.cli.register_commands(app)  # demo load, pii generate-key / reencrypt, purge
    services.hmis.cli.init_app(app)  # hmis export
    admin.cli.init_app(app)  # access-points import / export


# -- responses -------------------------------------------------------------------------------


def register_security_headers(app: Flask) -> None:
    """Send the security headers on every response (a view may set its own first)."""
    production = app.config["FRONTDOOR_ENV"] == "production"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


ERROR_PAGES = {400, 403, 404, 429, 500}


def register_error_handlers(app: Flask) -> None:
    """Show a kind, plain page in the user's language for common errors."""

    def render_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return render_template(f"errors/{code}.html"), code

    for code in ERROR_PAGES:
        app.register_error_handler(code, render_error)


def register_core_routes(app: Flask) -> None:
    """Add the landing page and the health check."""
    app.add_url_rule("/", "index", index)
    app.add_url_rule("/healthz", "healthz", limiter.exempt(healthz))


def index() -> str:
    """Show where to start: the intake on this phone, or staff sign-in."""
    return render_template("index.html", hotlines=list(emergency_hotlines()))


def healthz() -> tuple[Response, int]:
    """Answer 200 when the database runs ``SELECT 1``, else 503; say nothing else."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("health check failed: database unavailable (%s)", type(exc).__name__)
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok"), 200

"""Application factory: configuration, extensions, blueprints, commands and security headers."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

from flask import (
    Flask,
    Request,
    Response,
    current_app,
    has_request_context,
    jsonify,
    render_template,
    request,
    session,
)
from flask.logging import default_handler
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import get_locale
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import cached_property

import admin.cli
import services.cli
import services.hmis.cli
from admin.views import bp as admin_bp
from admin.views import welcome_bp
from config import config_class
from extensions import WEBHOOK_PREFIXES, babel, csrf, db, limiter, login_manager, migrate
from intake_forms import languages
from kiosk.presenters import hotline_rows
from kiosk.views import bp as kiosk_bp
from reports.views import bp as reports_bp
from services.limiter_storage import SweptMemoryStorage  # importing it registers it for memory://
from sms.views import bp as sms_bp
from staff.views import bp as staff_bp
from voice.views import bp as voice_bp

# The admin area sits inside the staff blueprint, so staff sign-in, session expiry and no-store
# apply to it (/staff/admin/...). Done once, at import: a blueprint cannot take nested ones after
# its first registration.
staff_bp.register_blueprint(admin_bp)
# Reports likewise (/staff/reports/...).
staff_bp.register_blueprint(reports_bp)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
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


def _without_nul(fields: MultiDict[str, str]) -> ImmutableMultiDict[str, str]:
    return ImmutableMultiDict(
        [(key.replace("\x00", ""), value.replace("\x00", "")) for key, value in fields.items(multi=True)]
    )


class FrontDoorRequest(Request):
    """A request whose form fields and query arguments carry no NUL characters.

    PostgreSQL refuses NUL in text, and nobody types one: it is dropped here, once, for every
    form, webhook and query field. ``raw_form`` keeps the fields as sent, because Twilio signs
    the values it sent.
    """

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["raw_form"] = self.__dict__["form"]
        self.__dict__["form"] = _without_nul(self.__dict__["form"])

    @cached_property
    def raw_form(self) -> ImmutableMultiDict[str, str]:
        """Return the form fields exactly as sent (for checking a webhook's signature)."""
        self._load_form_data()
        return self.__dict__["raw_form"]  # type: ignore[no-any-return]

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        """Return the query arguments without NUL characters."""
        return _without_nul(super().args)


class FrontDoorSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions, except on Twilio's webhooks: Twilio keeps no cookie, so a webhook
    gets Flask's null session (read as empty, never written) and costs no cookie work."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(WEBHOOK_PREFIXES):
            return None
        return super().open_session(app, request)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the Front Door application."""
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = FrontDoorRequest
    app.session_interface = FrontDoorSessionInterface()
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


#: Path segments that are secrets: a kiosk pairing link is a one-time credential.
_SECRET_PATHS = re.compile(r"(/kiosk/pair/)[^/?\s\"]+")
#: werkzeug's request line starts with the client address: "127.0.0.1 - - [date] ...".
_ADDRESS_PREFIX = re.compile(r"^\S+ - - (?=\[)")


def _strip_query(value: str) -> str:
    # A werkzeug request line looks like: GET /intake/q?lang=es HTTP/1.1
    if "?" not in value:
        return value
    head, _, rest = value.partition("?")
    _, space, tail = rest.partition(" ")
    return head + (space + tail if space else "")


def redact_path(value: str) -> str:
    """Return a request path or line without its query string and with secret segments hidden."""
    return _SECRET_PATHS.sub(r"\1…", _strip_query(value))


class PathOnlyFilter(logging.Filter):
    """Strip query strings, pairing codes and client addresses from werkzeug's request lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _ADDRESS_PREFIX.sub("", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


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
        for language in app.config.get("LANGUAGES", languages.CODES):
            with force_locale(language):
                get_translations()


class DatabaseErrorHidden(Exception):
    """Stands in, in logs, for a database error whose message may quote stored values."""


def _hide_database_details(make_record: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if record.exc_info and isinstance(record.exc_info[1], DBAPIError):
            error = record.exc_info[1]
            sqlstate = getattr(error.orig, "sqlstate", None) or "-"
            hidden = DatabaseErrorHidden(
                f"{type(error.orig).__name__} (SQLSTATE {sqlstate}) in: {error.statement}"
            )
            record.exc_info = (DatabaseErrorHidden, hidden, record.exc_info[2])
        return record

    factory.hides_database_details = True  # type: ignore[attr-defined]
    return factory


def configure_logging(app: Flask) -> None:
    """Log paths, never request bodies, query strings, SQL values or database error details.

    SQLAlchemy is told to hide bound parameters (config.engine_options); PostgreSQL's own
    messages can still quote a value ("invalid input syntax ... \"x@example.org\""), so a
    logged database error shows only its kind, SQLSTATE and statement.
    """
    current = logging.getLogRecordFactory()
    if not getattr(current, "hides_database_details", False):
        logging.setLogRecordFactory(_hide_database_details(current))
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)
    # Flask-Limiter says once, at warning level, when its storage is unreachable and it falls
    # back to memory; it only adds a NullHandler, which would swallow that under gunicorn. Its
    # INFO lines name the limited key (a client address), so they are left out.
    limiter_logger = logging.getLogger("flask-limiter")
    limiter_logger.setLevel(logging.WARNING)
    if default_handler not in limiter_logger.handlers:
        limiter_logger.addHandler(default_handler)
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
            elif engine.dialect.name == "postgresql":
                ping_after_idle(engine)
    migrate.init_app(app, db)
    from services import audit

    audit.install()
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    # The Limiter object is shared by every app built in one process (tests, benchmarks): a new
    # app starts on its own configured storage, not on a fallback an earlier app switched to.
    limiter._storage_dead = False
    # Flask-Limiter builds its Redis-down fallback from limits' MemoryStorage directly, which
    # starts a thread and walks every key on about every other request; use the swept store.
    if getattr(limiter, "_fallback_limiter", None) is not None:
        from limits.strategies import STRATEGIES

        limiter._fallback_storage = SweptMemoryStorage()
        limiter._fallback_limiter = STRATEGIES[app.config.get("RATELIMIT_STRATEGY") or "fixed-window"](
            limiter._fallback_storage)
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    if login_manager.user_callback is None:  # a blueprint may install its own loader
        login_manager.user_loader(load_user)

    @app.context_processor
    def inject_locale() -> dict[str, Any]:
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        code = locale.split("_")[0]
        # Pickers and the page direction read the one registry (intake_forms.languages).
        return {"current_locale": locale, "language_registry": languages.REGISTRY,
                "language_names": {lang.code: lang.native_name for lang in languages.REGISTRY},
                "language_english_names": {lang.code: lang.name for lang in languages.REGISTRY},
                "language_directions": {lang.code: lang.direction.value for lang in languages.REGISTRY},
                "text_direction": languages.language(code).direction.value if languages.known(code) else "ltr"}


def load_user(user_id: str) -> Any:
    """Return the staff account for a session's ``id:generation``, or None once that session ended.

    Sign-out, deactivation and a password change bump ``User.session_generation``; every cookie
    made before then (copies included) stops working at its next request.
    """
    from models.user import User

    ident, _, generation = user_id.partition(":")
    try:
        user = db.session.get(User, int(ident))
        wanted = int(generation)
    except ValueError:
        return None
    if user is None or (user.session_generation or 0) != wanted:
        return None
    return user


def _listen_sqlite(engine: Engine) -> None:
    if not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)


#: A pooled connection unused this long is pinged before it is handed out (PostgreSQL).
IDLE_PING_SECONDS = 10.0


def _note_checkin(dbapi_connection: Any, connection_record: Any) -> None:
    connection_record.info["idle_since"] = time.monotonic()


def ping_after_idle(engine: Engine) -> None:
    """Ping a pooled PostgreSQL connection on checkout only when it sat idle IDLE_PING_SECONDS.

    ``pool_pre_ping`` pings on every checkout: a round trip on every request. A connection in
    steady use is alive; one that waited in the pool (a quiet night, a database restart) may not
    be, and a failed ping makes the pool open a fresh one (``DisconnectionError``). A connection
    dropped while in use still fails that request's statement; the pool then drops its others.
    """
    if event.contains(engine, "checkout", _ping_if_idle):
        return
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle)


def _ping_if_idle(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
    idle_since = connection_record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as exc:
        raise DisconnectionError("a pooled connection did not answer its ping") from exc


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
        return render_template(f"errors/{code}.html", hotlines=hotline_rows(None)), code

    for code in ERROR_PAGES:
        app.register_error_handler(code, render_error)


def register_core_routes(app: Flask) -> None:
    """Add the landing page and the health check."""
    app.add_url_rule("/", "index", index)
    app.add_url_rule("/healthz", "healthz", limiter.exempt(healthz))


def index() -> str:
    """Show where to start: the intake on this phone, or staff sign-in, with the household pages' bar
    (Español and quick exit)."""
    return render_template("index.html", hotlines=hotline_rows(None), household_bar=True,
                           mode="web", languages=current_app.config["LANGUAGES"])


def healthz() -> tuple[Response, int]:
    """Answer 200 when the database runs ``SELECT 1``, else 503; name a degraded Redis.

    Redis only keeps rate-limit counts (the limiter falls back to memory without it), so an
    unreachable Redis is reported but does not fail the check load balancers use.
    """
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("health check failed: database unavailable (%s)", type(exc).__name__)
        return jsonify(status="unavailable"), 503
    body: dict[str, str] = {"status": "ok"}
    if str(current_app.config.get("RATELIMIT_STORAGE_URI") or "").startswith(("redis", "rediss")):
        body["redis"] = "ok" if limiter.storage.check() else "unreachable"
    return jsonify(body), 200

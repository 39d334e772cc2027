"""The application factory: configuration, health check, security headers, errors, locale."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import event, text
from werkzeug.middleware.proxy_fix import ProxyFix

from app import PathOnlyFilter, create_app
from config import ConfigError, DevelopmentConfig, database_url, parse_pii_keys
from extensions import db

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the secrets production needs."""
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("PII_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token-for-production-test")
    monkeypatch.delenv("TWILIO_ROUTES_ENABLED", raising=False)


# -- health check ----------------------------------------------------------------------------


def test_healthz_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_unavailable_when_database_is_unreachable(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    broken = f"sqlite:///{tmp_path / 'no-such-directory' / 'db.sqlite3'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=broken, SQLALCHEMY_ENGINE_OPTIONS={})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


# -- security headers ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page", "/static/css/site.css"])
def test_security_headers_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    response.close()  # static files are streamed from an open file
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "font-src 'self'" in csp  # the Arabic and Myanmar fonts come from here, nowhere else
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_and_secure_cookies_in_production(
    make_app: Callable[..., Flask], production_env: None
) -> None:
    app = make_app(FRONTDOOR_ENV="production")
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    assert not isinstance(app.wsgi_app, ProxyFix)  # no proxy trusted unless TRUST_PROXY_HOPS says so


def test_production_ignores_forwarded_for_unless_configured(
    make_app: Callable[..., Flask], production_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRUST_PROXY_HOPS", raising=False)
    app = make_app(FRONTDOOR_ENV="production")
    app.add_url_rule("/address-seen", "address_seen", lambda: request.remote_addr or "")
    client = app.test_client()
    spoofed = client.get("/address-seen", headers={"X-Forwarded-For": "203.0.113.9"},
                         environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert spoofed.get_data(as_text=True) == "198.51.100.7"
    monkeypatch.setenv("TRUST_PROXY_HOPS", "1")
    proxied = make_app(FRONTDOOR_ENV="production")
    proxied.add_url_rule("/address-seen", "address_seen", lambda: request.remote_addr or "")
    behind = proxied.test_client().get("/address-seen", headers={"X-Forwarded-For": "203.0.113.9"},
                                       environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert behind.get_data(as_text=True) == "203.0.113.9"


def test_proxy_fix_follows_trust_proxy_hops(make_app: Callable[..., Flask]) -> None:
    assert not isinstance(make_app().wsgi_app, ProxyFix)
    assert isinstance(make_app(TRUST_PROXY_HOPS=2).wsgi_app, ProxyFix)


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unset", "extra", "named"),
    [
        (["SECRET_KEY", "PII_KEYS"], {}, ["SECRET_KEY", "PII_KEYS"]),
        (["SECRET_KEY"], {}, ["SECRET_KEY"]),
        (["PII_KEYS"], {}, ["PII_KEYS"]),
        (["TWILIO_AUTH_TOKEN"], {}, ["TWILIO_AUTH_TOKEN"]),
        (["SECRET_KEY", "TWILIO_AUTH_TOKEN"], {"TWILIO_ROUTES_ENABLED": "0"}, ["SECRET_KEY"]),
    ],
)
def test_production_refuses_to_start_without_secrets(
    monkeypatch: pytest.MonkeyPatch,
    production_env: None,
    database_url: str,
    unset: list[str],
    extra: dict[str, str],
    named: list[str],
) -> None:
    for name in unset:
        monkeypatch.delenv(name)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as excinfo:
        create_app({"FRONTDOOR_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url})
    message = str(excinfo.value)
    for name in named:
        assert name in message
    for name in {"SECRET_KEY", "PII_KEYS", "TWILIO_AUTH_TOKEN"} - set(named):
        assert f" {name}" not in message.split("(")[0]


def test_production_runs_without_twilio_token_when_routes_are_off(
    make_app: Callable[..., Flask], production_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    monkeypatch.setenv("TWILIO_ROUTES_ENABLED", "0")
    app = make_app(FRONTDOOR_ENV="production")
    assert app.config["TWILIO_ROUTES_ENABLED"] is False
    assert app.config["SMS_BACKEND"] == "console"


def test_development_generates_secrets_once_and_reuses_them(tmp_path: Path) -> None:
    first = DevelopmentConfig(str(tmp_path), environ={}).load()
    second = DevelopmentConfig(str(tmp_path), environ={}).load()
    assert first["SECRET_KEY"] and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["PII_KEYS"] == second["PII_KEYS"]
    assert len(first["PII_KEYS"]) == 1
    Fernet(first["PII_KEYS"][0])  # a usable key
    for name in ("secret_key", "pii_keys"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, f"{name} is readable by others: {oct(mode)}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pii_keys", "secret_key"]


def test_development_prefers_the_environment(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    settings = DevelopmentConfig(
        str(tmp_path), environ={"SECRET_KEY": "from-env", "PII_KEYS": key}
    ).load()
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["PII_KEYS"] == [key]
    assert list(tmp_path.iterdir()) == []
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}"


def test_pii_keys_are_a_list_newest_first_and_validated() -> None:
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert parse_pii_keys(f" {new} , {old},") == [new, old]
    with pytest.raises(ConfigError, match="key number 2"):
        parse_pii_keys(f"{new},not-a-key")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example.org:5432/fd", "postgresql+psycopg://u:p@db.example.org:5432/fd"),
        ("postgresql://u@127.0.0.1/fd", "postgresql+psycopg://u@127.0.0.1/fd"),
        ("postgresql+psycopg://u@127.0.0.1/fd", "postgresql+psycopg://u@127.0.0.1/fd"),
        ("sqlite:////var/lib/fd.sqlite3", "sqlite:////var/lib/fd.sqlite3"),
    ],
)
def test_database_url_mapping(given: str, expected: str, tmp_path: Path) -> None:
    assert database_url(given) == expected
    settings = DevelopmentConfig(str(tmp_path), environ={"DATABASE_URL": given}).load()
    assert settings["SQLALCHEMY_DATABASE_URI"] == expected
    options = settings["SQLALCHEMY_ENGINE_OPTIONS"]
    assert "pool_pre_ping" not in options, "no round trip per request (app.ping_after_idle instead)"
    assert ("pool_recycle" in options) is expected.startswith("postgresql")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PURGE_AFTER_HOURS": "soon"}, "PURGE_AFTER_HOURS"),
        ({"PRIORITY_WEIGHTS": "{not json"}, "PRIORITY_WEIGHTS"),
        ({"PRIORITY_WEIGHTS": "[1, 2]"}, "PRIORITY_WEIGHTS"),
        ({"SMS_BACKEND": "carrier-pigeon"}, "SMS_BACKEND"),
        ({"TWILIO_ROUTES_ENABLED": "maybe"}, "TWILIO_ROUTES_ENABLED"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DevelopmentConfig(str(tmp_path), environ=environ).load()


def test_defaults_and_overrides(tmp_path: Path) -> None:
    defaults = DevelopmentConfig(str(tmp_path), environ={}).load()
    assert defaults["PURGE_AFTER_HOURS"] == 72
    assert defaults["KIOSK_IDLE_SECONDS"] == 120
    assert defaults["KIOSK_IDLE_WARNING_SECONDS"] == 30
    assert defaults["SMS_RESUME_DAYS"] == 7
    assert (defaults["STAFF_IDLE_MINUTES"], defaults["STAFF_SESSION_HOURS"]) == (30, 12)
    assert defaults["PRIORITY_WEIGHTS"] is None
    assert defaults["SMS_BACKEND"] == "console"
    assert defaults["RATELIMIT_STORAGE_URI"] == "memory://"
    assert defaults["TRUST_PROXY_HOPS"] == 0
    assert defaults["SESSION_COOKIE_HTTPONLY"] is True
    assert defaults["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert defaults["SESSION_COOKIE_SECURE"] is False
    assert defaults["LANGUAGES"] == ["en", "es", "vi", "so", "ar", "my"]
    given = DevelopmentConfig(
        str(tmp_path),
        environ={
            "TWILIO_ACCOUNT_SID": "AC-test",
            "TWILIO_AUTH_TOKEN": "t",
            "PRIORITY_WEIGHTS": '{"dv": 10}',
            "PUBLIC_BASE_URL": "https://frontdoor.example.org/",
            "KIOSK_IDLE_SECONDS": "90",
            "STAFF_IDLE_MINUTES": "10",
            "STAFF_SESSION_HOURS": "8",
        },
    ).load()
    assert given["SMS_BACKEND"] == "twilio"
    assert given["PRIORITY_WEIGHTS"] == {"dv": 10}
    assert given["PUBLIC_BASE_URL"] == "https://frontdoor.example.org"
    assert given["KIOSK_IDLE_SECONDS"] == 90
    assert (given["STAFF_IDLE_MINUTES"], given["STAFF_SESSION_HOURS"]) == (10, 8)


def test_testing_config_ignores_the_real_database_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://prod.example.org/live")
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    app = create_app({"FRONTDOOR_ENV": "testing"})
    assert "prod.example.org" not in app.config["SQLALCHEMY_DATABASE_URI"]
    assert app.config["WTF_CSRF_ENABLED"] is True
    with app.app_context():
        db.engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000


# -- pages, errors and language --------------------------------------------------------------


def test_landing_page_links(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'href="/intake/"' in html
    assert 'href="/staff/login"' in html
    assert '<html lang="en" dir="ltr">' in html
    # The one script is the household pages' own (quick exit with Esc); nothing inline.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/kiosk/static/kiosk.js" defer>']
    assert "style=" not in html


@pytest.mark.parametrize(
    ("accept_language", "lang", "heading"),
    [
        (None, "en", "Page not found"),
        ("es", "es", "No encontramos la página"),
        ("es-MX,es;q=0.9,en;q=0.5", "es", "No encontramos la página"),
        ("fr-FR,fr;q=0.9", "en", "Page not found"),
    ],
)
def test_not_found_page_is_kind_and_localized(
    client: FlaskClient, accept_language: str | None, lang: str, heading: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/no-such-page", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f'<html lang="{lang}" dir="ltr">' in html
    assert f"<h1>{heading}</h1>" in html
    assert 'href="/"' in html
    assert "Traceback" not in html


def test_session_language_beats_the_browser(client: FlaskClient) -> None:
    with client.session_transaction() as session:
        session["lang"] = "es"
    html = client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es" dir="ltr">' in html


def test_unknown_session_language_is_ignored(client: FlaskClient) -> None:
    with client.session_transaction() as session:
        session["lang"] = "xx"
    html = client.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html


@pytest.mark.parametrize("code", [400, 403, 429, 500])
def test_other_error_pages_render(app: Flask, code: int) -> None:
    from flask import abort

    app.add_url_rule(f"/fail-{code}", f"fail_{code}", lambda: abort(code))
    response = app.test_client().get(f"/fail-{code}", headers={"Accept-Language": "es"})
    assert response.status_code == code
    assert '<html lang="es" dir="ltr">' in response.get_data(as_text=True)


def test_translate_commands_are_registered(runner: object) -> None:
    result = runner.invoke(args=["translate", "--help"])  # type: ignore[attr-defined]
    assert result.exit_code == 0
    for command in ("extract", "update", "compile", "init"):
        assert command in result.output


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        ("GET /intake/q?phone=7855550100 HTTP/1.1", "GET /intake/q HTTP/1.1"),
        ("GET /intake/ HTTP/1.1", "GET /intake/ HTTP/1.1"),
        ("/sms/status?x=1", "/sms/status"),
    ],
)
def test_request_log_lines_drop_query_strings(line: str, logged: str) -> None:
    import logging

    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s', (line, 200), None)
    PathOnlyFilter().filter(record)
    assert record.getMessage() == f'"{logged}" 200'


# -- with real services ----------------------------------------------------------------------


def test_healthz_on_postgresql(pg_url: str) -> None:
    app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": pg_url})
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok"}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_landing_page_in_a_browser(live_server: object, page: object, artifacts_dir: Path) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    blocked: list[str] = []
    page.on("console", lambda msg: blocked.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/")  # type: ignore[attr-defined]
    start = page.get_by_role("link", name="Start on this phone")
    assert start.is_visible()
    box = start.bounding_box()
    assert box is not None and box["height"] >= 48
    font_size = page.evaluate("getComputedStyle(document.body).fontSize")
    assert float(font_size.removesuffix("px")) >= 18  # the stylesheet loaded under the CSP
    page.screenshot(path=str(artifacts_dir / "landing.png"), full_page=True)
    assert blocked == []


def test_the_landing_page_names_help_lines_and_how_to_text_them_in_spanish(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Línea Nacional contra la Violencia Doméstica" in html
    assert "Envíe START al 88788" in html and "Envíe HELP al 233733" in html
    assert "National Domestic Violence Hotline" not in html and "START to 88788" not in html
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "National Domestic Violence Hotline" in english and "Text START to 88788" in english


@pytest.mark.postgres
def test_a_connection_idle_in_the_pool_is_pinged_a_busy_one_is_not(pg_url: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """No round trip per request: only a connection that sat idle is checked before use."""
    import psycopg
    from sqlalchemy import text as sql
    from sqlalchemy.exc import OperationalError

    import app as app_module
    from config import engine_options

    application = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": pg_url,
                              "SQLALCHEMY_ENGINE_OPTIONS": engine_options(pg_url)})
    libpq = pg_url.replace("postgresql+psycopg://", "postgresql://")

    def drop_connections() -> None:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")

    with application.app_context():
        engine = db.engine
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        with engine.connect() as conn:
            conn.execute(sql("SELECT 1"))
        # In steady use: no ping, so a connection dropped meanwhile fails its next statement.
        drop_connections()
        with pytest.raises(OperationalError), engine.connect() as conn:
            conn.execute(sql("SELECT 2"))
        # Idle past the threshold: pinged on checkout, and a dead one is replaced unseen.
        with engine.connect() as conn:
            conn.execute(sql("SELECT 3"))
        monkeypatch.setattr(app_module, "IDLE_PING_SECONDS", 0.0)
        drop_connections()
        with engine.connect() as conn:
            assert conn.execute(sql("SELECT 4")).scalar_one() == 4
        assert statements == ["SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4"], "the ping is not a statement"
        engine.dispose()

"""Shared fixtures: the app on a fresh database, clients, PostgreSQL, Chromium and a live server.

The database for a run is ``TEST_DATABASE_URL`` (a fresh, uniquely named PostgreSQL database is
created on that server and dropped at the end) or else a SQLite file in a temporary directory.
The schema is built once per run (Alembic migrations when there are any, else ``create_all``);
after each test every row is deleted, so tests are isolated and quick.

With ``FRONTDOOR_REQUIRE_ALL=1`` (set by ``.ci/run``) a test that would be skipped because
Chromium or PostgreSQL is missing fails instead.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from psycopg import sql
from sqlalchemy import Engine, create_engine, make_url, text
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from config import database_url as normalize_url
from config import engine_options
from extensions import db

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"
ARTIFACTS = ROOT / "test-artifacts"
REQUIRE_ALL = os.environ.get("FRONTDOOR_REQUIRE_ALL") == "1"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Trust authentication on 127.0.0.1 (Debian's default pg_hba.conf); override with TEST_DATABASE_URL.
DEFAULT_PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def unavailable(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it when FRONTDOOR_REQUIRE_ALL=1."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (FRONTDOOR_REQUIRE_ALL=1 does not allow skipping)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by what they need, so ``-m 'not browser'`` and ``-m postgres`` work."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if {"browser", "page", "new_page", "chromium_path"} & set(names):
            item.add_marker(pytest.mark.browser)
        if "pg_url" in names:
            item.add_marker(pytest.mark.postgres)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile each messages.po whose messages.mo is missing or older (as make translations)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        # Written aside, then put in place at once: another test process may be reading the old one.
        partial = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.partial")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        partial.replace(mo_path)


# -- PostgreSQL ------------------------------------------------------------------------------


def pg_server_url() -> str:
    """Return the PostgreSQL server to use: TEST_DATABASE_URL's, else 127.0.0.1:5432."""
    raw = os.environ.get("TEST_DATABASE_URL", "")
    url = normalize_url(raw) if raw else ""
    return url if url.startswith("postgresql+psycopg://") else DEFAULT_PG_SERVER


def _maintenance_conninfo(server_url: str) -> str:
    # psycopg takes a libpq URL: no "+psycopg", and the always-present "postgres" database.
    url = make_url(server_url).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


def create_pg_database(server_url: str) -> str:
    """Create a uniquely named database on the server and return its SQLAlchemy URL."""
    name = f"frontdoor_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        _maintenance_conninfo(server_url), autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """Drop a database made by create_pg_database, closing any connection still open."""
    name = make_url(url).database
    with psycopg.connect(_maintenance_conninfo(url), autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """Yield the URL of a throwaway PostgreSQL database (dropped afterwards)."""
    server = pg_server_url()
    try:
        url = create_pg_database(server)
    except psycopg.OperationalError as exc:
        where = make_url(server).render_as_string(hide_password=True)
        unavailable(f"no PostgreSQL server at {where}: {str(exc).strip().splitlines()[0]}")
    yield url
    drop_pg_database(url)


# -- the application database ----------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield the database URL shared by this pytest process."""
    if os.environ.get("TEST_DATABASE_URL"):
        url = create_pg_database(pg_server_url())
        yield url
        drop_pg_database(url)
    else:
        path = tmp_path_factory.mktemp("db") / "frontdoor.sqlite3"
        yield f"sqlite:///{path}"


def settings_for(url: str) -> dict[str, Any]:
    """Return the test_config that points an app at ``url``."""
    return {
        "FRONTDOOR_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
    }


def has_migrations() -> bool:
    return any((MIGRATIONS / "versions").glob("*.py"))


def dispose(app: Flask) -> None:
    """Close the app's session and every pooled connection."""
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def schema(database_url: str) -> Iterator[Engine]:
    """Build the schema once; yield a plain engine used to empty the tables between tests."""
    app = create_app(settings_for(database_url))
    with app.app_context():
        if has_migrations():
            from flask_migrate import upgrade

            upgrade(directory=str(MIGRATIONS))
        else:
            db.create_all()
    dispose(app)
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row of every model table (the Alembic version table stays)."""
    tables = list(reversed(db.metadata.sorted_tables))
    if not tables:
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            names = ", ".join(engine.dialect.identifier_preparer.format_table(t) for t in tables)
            conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def make_app(database_url: str, schema: Engine) -> Iterator[Callable[..., Flask]]:
    """Yield a factory: ``make_app(**config_overrides)`` builds an app on the test database."""
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = create_app({**settings_for(database_url), **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        dispose(app)
    empty_tables(schema)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """Return the app in the testing configuration, on an empty database."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


_CSRF_INPUT = re.compile(r"<input[^>]*\bname=[\"']csrf_token[\"'][^>]*>", re.IGNORECASE)
_VALUE = re.compile(r"\bvalue=[\"']([^\"']+)[\"']")
_CSRF_META = re.compile(r"<meta[^>]*\bname=[\"']csrf-token[\"'][^>]*\bcontent=[\"']([^\"']+)")


def get_csrf_token(client: FlaskClient, url: str) -> str:
    """GET ``url`` with ``client`` and return the CSRF token from its form."""
    response = client.get(url)
    html = response.get_data(as_text=True)
    tag = _CSRF_INPUT.search(html)
    found = _VALUE.search(tag.group(0)) if tag else _CSRF_META.search(html)
    if found is None:
        raise AssertionError(f"no csrf_token on {url} (status {response.status_code})")
    return found.group(1)


@pytest.fixture
def csrf_token() -> Callable[[FlaskClient, str], str]:
    """Return ``csrf_token(client, url)``: the token from the form at ``url``."""
    return get_csrf_token


# -- a real server and a real browser --------------------------------------------------------


@dataclass
class LiveServer:
    """A running server: ``url`` is its origin, e.g. http://127.0.0.1:38123."""

    url: str
    app: Flask
    server: BaseWSGIServer


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve ``app`` on 127.0.0.1 on a free port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, server=server)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Return test-artifacts/ (created), where screenshots go."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Return the path of Debian's Chromium, or skip when it is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """Yield one headless Chromium for the whole run (Playwright's sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:150]


@pytest.fixture
def new_page(
    browser: Browser, request: pytest.FixtureRequest, artifacts_dir: Path
) -> Iterator[Callable[..., Page]]:
    """Yield ``new_page(**context_options)``: a page in a fresh browser context.

    Options go to ``browser.new_context``, e.g. ``locale="es-MX"`` (sets Accept-Language),
    ``viewport={"width": 1024, "height": 768}``, ``has_touch=True``. When the test fails, each
    page is saved to test-artifacts/<test>-failed-<n>.png.
    """
    pages: list[Page] = []

    def factory(**context_options: Any) -> Page:
        context = browser.new_context(**{"locale": "en-US", **context_options})
        page = context.new_page()
        pages.append(page)
        return page

    yield factory
    call_report = getattr(request.node, "report_call", None)
    failed = call_report is not None and call_report.failed
    for number, page in enumerate(pages, start=1):
        if failed and not page.is_closed():
            name = f"{_safe_name(request.node.nodeid)}-failed-{number}.png"
            page.screenshot(path=str(artifacts_dir / name), full_page=True)
        page.context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """Return a page in a fresh English browser context."""
    return new_page()


# -- HMIS CSV exports --------------------------------------------------------------------------


HMIS_SCHEMA = ROOT / "services" / "hmis" / "schema" / "datapackage.json"


def validate_hmis_zip(data: bytes, directory: Path) -> Any:
    """Unpack an HMIS CSV zip beside the FY2026 data package and return Frictionless's report."""
    import io
    import shutil
    import zipfile

    from frictionless import Package

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(directory)
    shutil.copy(HMIS_SCHEMA, directory / "datapackage.json")
    return Package(str(directory / "datapackage.json")).validate()


@pytest.fixture
def hmis_valid(tmp_path: Path) -> Callable[[bytes], None]:
    """Return ``hmis_valid(zip_bytes)``: fail the test unless Frictionless finds the export valid."""
    runs = iter(range(1000))

    def check(data: bytes) -> None:
        directory = tmp_path / f"hmis-{next(runs)}"
        directory.mkdir()
        report = validate_hmis_zip(data, directory)
        errors = report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
        assert report.valid, errors[:20]

    return check


def at_once(app: Flask, work: Callable[[Any], Any], *, workers: int = 2) -> list[Any]:
    """Run ``work(session)`` in ``workers`` threads that start together, each with its own session
    (as workers on several hosts would), and return what each returned; any error fails the test."""
    from sqlalchemy.orm import Session

    with app.app_context():
        engine = db.engine
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []
    results: list[Any] = []

    def worker() -> None:
        try:
            with app.app_context(), Session(engine) as session:
                barrier.wait(timeout=30)
                results.append(work(session))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == workers, "a worker did not finish"
    return results

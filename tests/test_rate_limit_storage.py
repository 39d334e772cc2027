"""The rate limiter is a guard, not a dependency: Redis down must not stop texts or sign-ins."""

from __future__ import annotations

import importlib.util
import logging
import secrets
import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from flask import Flask

from extensions import db
from models import Role
from services.demo import load_demo

from .sms.conftest import Phone
from .staff.conftest import PASSWORD, add_user, login

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/0"


def dead_redis_url() -> str:
    """Return a redis:// URL on a local port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _app(make_app: Callable[..., Flask], storage: str, **overrides: object) -> Flask:
    overrides.setdefault("RATELIMIT_KEY_PREFIX", f"test-{uuid.uuid4().hex}")
    app = make_app(RATELIMIT_STORAGE_URI=storage, **overrides)
    with app.app_context():
        load_demo(db.session, users=False)
        add_user(db.session, "staff@example.org", Role.STAFF)
        db.session.commit()
    return app


def test_texts_and_sign_ins_are_answered_when_redis_is_unreachable(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(make_app, dead_redis_url(), SMS_RATE_LIMIT="3 per minute")
    phone = Phone(app.test_client(), "+17855550142")
    with caplog.at_level(logging.WARNING):
        replies = [phone.text(body) for body in ("hi", "1", "hello", "again")]
        assert "English" in replies[0][0] or "Español" in replies[0][0]
        assert all(replies[:3])
        # The per-number limit of texts is counted in the database: Redis is not asked at all.
        assert "very fast" in " ".join(replies[3])
        assert not [r for r in caplog.records if "falling back to in-memory" in r.getMessage()]

        client = app.test_client()
        assert login(client, "staff@example.org", PASSWORD).status_code == 303
        assert login(client, "staff@example.org", PASSWORD).status_code == 303
    fallbacks = [r for r in caplog.records if "falling back to in-memory" in r.getMessage()]
    assert len(fallbacks) == 1, "the sign-in limit falls back, and that is logged once, not per request"


def test_healthz_reports_redis_down_but_stays_up(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATELIMIT_STORAGE_URI=dead_redis_url())
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "redis": "unreachable"}


def test_healthz_reports_redis_up(make_app: Callable[..., Flask]) -> None:
    if not redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379")
    app = make_app(RATELIMIT_STORAGE_URI=REDIS)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "redis": "ok"}


def test_the_per_number_limit_is_one_count_in_the_database_not_in_redis(make_app: Callable[..., Flask]) -> None:
    if not redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379")
    import redis
    from sqlalchemy import select

    from models import SmsSenderCount
    from sms.conversation import phone_key

    number = f"+1785555{secrets.randbelow(10_000):04d}"
    first = _app(make_app, REDIS, SMS_RATE_LIMIT="2 per minute")
    second = make_app(RATELIMIT_STORAGE_URI=REDIS, SMS_RATE_LIMIT="2 per minute")
    # Two app processes on one database share one count.
    Phone(first.test_client(), number).text("hi")
    Phone(first.test_client(), number).text("1")
    third = Phone(second.test_client(), number).text("hello")
    assert "very fast" in " ".join(third)
    with first.app_context():
        key = phone_key(number)
        assert db.session.scalars(select(SmsSenderCount.hits).where(SmsSenderCount.sender_key == key)).all() == [3]
    assert not redis.Redis.from_url(REDIS).keys(f"*{key}*"), "nothing about the number is in Redis"


def _gunicorn_conf() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_memory_storage_with_several_workers_is_named_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _gunicorn_conf()
    warnings: list[str] = []
    server = SimpleNamespace(cfg=SimpleNamespace(workers=3),
                             log=SimpleNamespace(warning=lambda msg, *a: warnings.append(msg % a)))
    monkeypatch.setenv("FRONTDOOR_ENV", "production")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    conf.on_starting(server)
    assert len(warnings) == 1
    assert "3 workers" in warnings[0] and "RATELIMIT_STORAGE_URI" in warnings[0]

    warnings.clear()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", REDIS)
    conf.on_starting(server)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI")
    conf.on_starting(server)  # production counts in Redis unless told otherwise
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    server.cfg.workers = 1
    conf.on_starting(server)
    monkeypatch.setenv("FRONTDOOR_ENV", "development")
    server.cfg.workers = 3
    conf.on_starting(server)
    assert warnings == []


def test_the_sign_in_limit_keeps_no_email_or_address_in_redis(make_app: Callable[..., Flask]) -> None:
    if not redis_available():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    import redis

    store = redis.Redis.from_url(REDIS)
    app = _app(make_app, REDIS)
    before = set(store.keys("*"))
    assert login(app.test_client(), "staff@example.org", "not the password").status_code == 401
    new = [key.decode() for key in set(store.keys("*")) - before]
    assert any("staff.login" in key for key in new), "the sign-in was counted in Redis"
    for key in new:
        assert "staff@example.org" not in key and "127.0.0.1" not in key, key


def _signed_text(url: str, number: str, body: str, sid: str) -> tuple[str, dict[str, str]]:
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    params = {"From": number, "To": "+15005550006", "Body": body, "MessageSid": sid, "NumMedia": "0"}
    signature = RequestValidator(GUNICORN_TOKEN).compute_signature(url, params)
    return urlencode(params), {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}


GUNICORN_TOKEN = "limit-test-twilio-auth-token"


def _get(port: int, path: str) -> None:
    """Wake a worker (a worker still starting on a loaded machine may not answer in time)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        connection.getresponse().read()
    except OSError:
        pass
    finally:
        connection.close()


def _burst(tmp_path: Path, database: str, workers: int, texts: int = 20) -> tuple[list[str], set[str], int]:
    """Start gunicorn (production settings, ``workers`` sync workers) on ``database`` with a
    per-number limit of 7 a minute, send ``texts`` texts from one number at once (4 senders keep the
    workers busy) and return (the reply of each, the pids that answered them, the texts stored)."""
    import http.client
    import os
    import subprocess
    import sys
    import threading
    import time

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app import create_app
    from config import TEST_PII_KEY, TEST_SECRET_KEY, engine_options
    from models import InboundMessage

    setup = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database,
                        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database)})
    with setup.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo(db.session, users=False)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "FRONTDOOR_ENV": "production", "DATABASE_URL": database, "SECRET_KEY": TEST_SECRET_KEY,
           "PII_KEYS": TEST_PII_KEY, "TWILIO_AUTH_TOKEN": GUNICORN_TOKEN, "SMS_BACKEND": "console",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "TRUST_PROXY_HOPS": "0",
           "SMS_RATE_LIMIT": "7 per minute", "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    env.pop("RATELIMIT_STORAGE_URI", None)  # the production default: Redis on 127.0.0.1:6379
    log_path = tmp_path / "access.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "app:create_app()", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(log_path), "--access-logformat", "%(p)s %(s)s", "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    replies: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        # Every worker up (each has answered /healthz) before the texts, so each can take them.
        while len({line.split()[0] for line in log_path.read_text().splitlines() if line.strip()}) < workers:
            assert time.monotonic() < deadline, "not every worker started"
            threads = [threading.Thread(target=_get, args=(port, "/healthz")) for _ in range(2 * workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            time.sleep(0.3)
        log_path.write_text("")
        url = f"http://127.0.0.1:{port}/sms/inbound"
        number = f"+1785556{secrets.randbelow(10_000):04d}"
        lock = threading.Lock()

        def send(n: int) -> None:
            body, headers = _signed_text(url, number, "hi", f"SM{n:032d}")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("POST", "/sms/inbound", body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode()
            finally:
                connection.close()
            with lock:
                replies.append(text if response.status == 200 else f"HTTP {response.status}")

        batches = [list(range(start, texts, 4)) for start in range(4)]
        threads = [threading.Thread(target=lambda ns=ns: [send(n) for n in ns]) for ns in batches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=10)
    pids = {line.split()[0] for line in log_path.read_text().splitlines() if line.strip()}
    check = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database,
                        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database)})
    with check.app_context():
        stored = int(db.session.scalar(select(func.count(InboundMessage.id))) or 0)
        db.session.remove()
        db.engine.dispose()
    return replies, pids, stored


def _assert_exactly_seven(replies: list[str], stored: int) -> None:
    assert len(replies) == 20 and not [r for r in replies if r.startswith("HTTP")], replies
    limited = [r for r in replies if "very fast" in r]
    answered = [r for r in replies if "very fast" not in r and "<Message>" in r and "went wrong" not in r]
    assert len(limited) == 20 - 7, f"{20 - len(limited)} texts got through a limit of 7"
    assert len(answered) == 7, replies
    assert stored == 7, "every answered text is stored, no text over the limit is"


def test_the_per_number_limit_holds_exactly_across_two_gunicorn_workers(tmp_path: Path) -> None:
    """SQLite, production settings: 2 workers answering one number share one count (in the database)."""
    replies, pids, stored = _burst(tmp_path, f"sqlite:///{tmp_path / 'limit.sqlite3'}", workers=2)
    _assert_exactly_seven(replies, stored)
    assert len(pids) == 2, "both workers answered texts"


def test_the_per_number_limit_holds_exactly_across_four_workers_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """PostgreSQL: 20 texts at once from one number to 4 gunicorn workers under "7 per minute":
    exactly 7 are answered, 13 get the limit reply, nothing else is lost."""
    replies, pids, stored = _burst(tmp_path, pg_url, workers=4)
    _assert_exactly_seven(replies, stored)
    assert len(pids) >= 2, "several workers answered texts"


def test_memory_storage_starts_no_thread_and_sweeps_expired_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    from services import limiter_storage

    storage = storage_from_string("memory://")
    assert isinstance(storage, limiter_storage.SweptMemoryStorage)
    limiter_ = FixedWindowRateLimiter(storage)
    limit = parse("2 per minute")  # long enough for 5,000 hits on a loaded machine
    started: list[threading.Timer] = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    for n in range(5000):
        assert limiter_.hit(limit, f"sender-{n}")
    assert started == [], "no expiry thread per request"
    assert limiter_.hit(limit, "sender-1") and not limiter_.hit(limit, "sender-1"), "the limit still holds"
    assert len(storage.storage) == 5000

    time_now = __import__("time").time() + 120  # every window above has ended
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: time_now)
    monkeypatch.setattr(limiter_storage, "SWEEP_SECONDS", 0.0)
    assert limiter_.hit(limit, "sender-new")  # the next hit sweeps inline
    assert len(storage.storage) == 1, "expired keys were dropped"

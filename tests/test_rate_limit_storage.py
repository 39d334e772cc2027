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
    # The limits still hold, counted in this process's memory while Redis is away.
    assert "very fast" in " ".join(replies[3])
    fallbacks = [r for r in caplog.records if "falling back to in-memory" in r.getMessage()]
    assert len(fallbacks) == 1, "the fallback is logged once, not per request"

    client = app.test_client()
    assert login(client, "staff@example.org", PASSWORD).status_code == 303


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


def test_limits_are_kept_in_redis_when_it_is_up(make_app: Callable[..., Flask]) -> None:
    if not redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379")
    import redis

    from sms.conversation import phone_key

    number = f"+1785555{secrets.randbelow(10_000):04d}"
    first = _app(make_app, REDIS, SMS_RATE_LIMIT="2 per minute")
    second = make_app(RATELIMIT_STORAGE_URI=REDIS, SMS_RATE_LIMIT="2 per minute")
    # Two app processes sharing Redis share one count.
    Phone(first.test_client(), number).text("hi")
    Phone(first.test_client(), number).text("1")
    third = Phone(second.test_client(), number).text("hello")
    assert "very fast" in " ".join(third)
    with first.app_context():
        key = phone_key(number)
    assert redis.Redis.from_url(REDIS).keys(f"*sms:{key}*"), "the count lives in Redis"


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
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    conf.on_starting(server)
    assert len(warnings) == 1
    assert "3 workers" in warnings[0] and "RATELIMIT_STORAGE_URI" in warnings[0]

    warnings.clear()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", REDIS)
    conf.on_starting(server)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI")
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

"""Fault test: gunicorn on PostgreSQL with Redis gone, and a worker killed mid-load.

Production settings, two gunicorn workers, RATELIMIT_STORAGE_URI on a port where nothing
listens (the per-number limit of texts is counted in the database, so texts do not notice).
24 phones text whole intakes at once (real signed requests); once a third of the texts
have been answered one worker is killed with SIGKILL. Every text must be answered (200 with a
reply) or fail in a way Twilio treats as a failed webhook (connection dropped, 5xx), and every
answered text must be stored. The figures are printed (``-s``) and quoted in the README.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app import create_app
from config import TEST_PII_KEY, TEST_SECRET_KEY, engine_options
from extensions import db
from models.sms import InboundMessage
from services.demo import load_demo

ROOT = Path(__file__).resolve().parent.parent
# Starts servers and workers of its own and kills them: one at a time, in one test process.
pytestmark = pytest.mark.xdist_group("processes")
TOKEN = "fault-test-twilio-auth-token"
PHONES = 24


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _texts() -> list[str]:
    spec = importlib.util.spec_from_file_location("sms_load", ROOT / "bench" / "sms_load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    texts: list[str] = module.replies()
    return texts


def _workers(master: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.fault
def test_texts_are_answered_with_redis_down_and_a_worker_killed(pg_url: str, tmp_path: Path) -> None:
    app = create_app({"FRONTDOOR_ENV": "testing", "SQLALCHEMY_DATABASE_URI": pg_url,
                      "SQLALCHEMY_ENGINE_OPTIONS": engine_options(pg_url)})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo(db.session, users=False)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    port, dead_redis = _free_port(), _free_port()
    env = {**os.environ, "FRONTDOOR_ENV": "production", "DATABASE_URL": pg_url, "SECRET_KEY": TEST_SECRET_KEY,
           "PII_KEYS": TEST_PII_KEY, "TWILIO_AUTH_TOKEN": TOKEN, "SMS_BACKEND": "console",
           "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{dead_redis}/0", "SMS_RATE_LIMIT": "1000 per minute",
           "TRUST_PROXY_HOPS": "0"}
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:create_app()", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--graceful-timeout", "1", "--no-control-socket"],  # several servers may run at once
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)

    validator = RequestValidator(TOKEN)
    url = f"http://127.0.0.1:{port}/sms/inbound"
    texts = _texts()
    results: dict[str, str] = {}  # MessageSid -> "answered", "retry" (Twilio would retry) or "lost"
    lock = threading.Lock()
    answered = [0]
    total = PHONES * len(texts)

    def send(params: dict[str, str]) -> str:
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(url, params)}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST", "/sms/inbound", body=urlencode(params), headers=headers)
            response = connection.getresponse()
            body = response.read().decode()
        except (OSError, http.client.HTTPException):
            return "retry"
        finally:
            connection.close()
        if response.status >= 500:
            return "retry"
        if response.status != 200:
            return "lost"
        replies = [m.text for m in ElementTree.fromstring(body).iter("Message")]  # noqa: S314 (our reply)
        return "answered" if replies and "trouble" not in " ".join(r or "" for r in replies) else "lost"

    retried: dict[str, str] = {}  # MessageSid -> the outcome of Twilio's retry

    def conversation(n: int) -> None:
        for step, text in enumerate(texts):
            sid = f"SM{n:04d}{step:04d}" + "0" * 24
            params = {"From": f"+1785556{n:04d}", "To": "+15005550006", "Body": text, "MessageSid": sid,
                      "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}
            outcome = send(params)
            if outcome == "retry":
                # What Twilio does for a failed webhook: the same request, same MessageSid.
                time.sleep(0.5)
                retried[sid] = send(params)
            with lock:
                results[sid] = outcome
                answered[0] += outcome == "answered"

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.1)
        started = time.monotonic()
        threads = [threading.Thread(target=conversation, args=(n,)) for n in range(PHONES)]
        for thread in threads:
            thread.start()
        while answered[0] < total // 3:
            time.sleep(0.005)
        victim = _workers(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        for thread in threads:
            thread.join(60)
        seconds = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)

    with app.app_context():
        stored = set(db.session.scalars(select(InboundMessage.message_sid)))
        stored_count = db.session.scalar(select(func.count(InboundMessage.id)))
        db.session.remove()
        db.engine.dispose()
    sent = len(results)
    answered_sids = {sid for sid, outcome in results.items() if outcome == "answered"}
    retry = [sid for sid, outcome in results.items() if outcome == "retry"]
    lost = [sid for sid, outcome in results.items() if outcome == "lost"]
    log_text = log_path.read_text()
    print(f"\nfault run (PostgreSQL, 2 gunicorn workers, Redis unreachable, 1 worker SIGKILLed): "
          f"{sent} texts sent, {stored_count} stored, {len(answered_sids)} answered, "
          f"{len(retry)} failed as a webhook Twilio retries ({sum(o == 'answered' for o in retried.values())} "
          f"answered on the retry), {len(lost)} lost, in {seconds:.1f} s")
    assert sent == total
    assert lost == [], lost
    assert answered_sids <= stored, "every answered text is stored"
    assert len(answered_sids) + len(retry) == sent
    assert set(retried) == set(retry) and all(o == "answered" for o in retried.values()), retried
    assert stored_count == sent, "every text sent is stored in the end"
    # A sync worker holds one request at a time: only the text it was handling can fail.
    assert len(retry) <= 2, retry
    # Texts are counted in the database (SMS_RATE_LIMIT): they never ask the limiter storage, so
    # Redis being away is not even noticed (a STATUS or RESUME code would fall back, once per worker).
    assert log_text.count("falling back to in-memory storage") == 0

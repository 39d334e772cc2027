"""Load test of the SMS webhook: gunicorn (2 workers) on SQLite, 50 conversations at once.

Run: ``.venv/bin/python bench/sms_load.py`` (not a test). It builds a fresh SQLite database with
the demo data, starts gunicorn, pre-signs every request, then texts whole intakes from 50 numbers
at once (threads with http.client, one request at a time per conversation, as a phone would) and
prints inbound messages per second and p50/p99 latency beside a bare Flask endpoint on the same
server. Finally it checks that every message sent was stored and every intake was submitted.
Targets: >= 300 messages/s, p99 < 100 ms, nothing lost.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-twilio-auth-token"  # noqa: S105 (a throwaway token for a local server)
ENGLISH = {
    "language": "1", "start_choice": "1", "safe_now": "yes", "fleeing_violence": "no",
    "slept_last_night": "outside", "adults": "1", "children": "2", "pregnant": "no", "age_band": "3",
    "veteran": "no", "health_barrier": "no", "safe_place_tonight": "no", "could_stay_with": "maybe",
    "help_needed": "1 3", "location": "67601", "contact_method": "text", "phone": "yes",
    "safe_to_text": "yes", "safe_to_voicemail": "no", "best_time": "any", "contact_name": "Sam",
    "legal_name": "skip", "dob": "skip", "consent_share": "yes",
}


def bench_app() -> object:
    """The real app plus a bare endpoint to compare with (gunicorn entry point)."""
    from app import create_app
    from extensions import csrf, limiter

    app = create_app()

    @csrf.exempt
    @limiter.exempt
    def bare() -> str:
        return "ok"

    app.add_url_rule("/bench/bare", "bench_bare", bare, methods=["POST"])
    return app


def replies() -> list[str]:
    """The texts one conversation sends, first "hi" then each answer the flow asks for."""
    from intake_forms import next_question, parse_answer

    texts, codes = ["hi"], {}
    while (q := next_question(codes)) is not None:
        reply = ENGLISH[q.key]
        parsed = parse_answer(q, reply, "en", offered="+17855550100")
        assert parsed.ok and parsed.code, q.key
        codes[q.key] = parsed.code
        texts.append(reply)
    return texts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(port: int, path: str, body: str, headers: dict[str, str]) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def run_load(port: int, path: str, requests: list[list[tuple[str, dict[str, str]]]]) -> tuple[float, list[float], int]:
    """Each inner list is one conversation, sent in order by its own thread; return (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(items: list[tuple[str, dict[str, str]]]) -> None:
        mine: list[float] = []
        bad = 0
        for body, headers in items:
            status, took = post(port, path, body, headers)
            mine.append(took)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(items,)) for items in requests]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, errors[0]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2, help="intakes per conversation thread")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from cryptography.fernet import Fernet
    from twilio.request_validator import RequestValidator

    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="frontdoor-bench-"))
    env = {
        **os.environ,
        "FRONTDOOR_ENV": "production",
        "SECRET_KEY": "bench-secret",
        "PII_KEYS": Fernet.generate_key().decode(),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TRUST_PROXY_HOPS": "0",
        "SMS_RATE_LIMIT": "1000 per minute",
        "SMS_BACKEND": "console",
    }
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)

    os.environ.update(env)  # the validator and the checks below use the same settings
    validator = RequestValidator(TOKEN)
    url = f"http://127.0.0.1:{port}/sms/inbound"
    texts = replies()
    plan: list[list[tuple[str, dict[str, str]]]] = []
    sent = 0
    for c in range(args.conversations):
        items = []
        for r in range(args.rounds):
            number = f"+1785555{(c * args.rounds + r) % 10000:04d}"
            for i, text in enumerate(texts):
                params = {"From": number, "To": "+15005550006", "Body": text,
                          "MessageSid": f"SM{c:08d}{r:04d}{i:020d}", "NumMedia": "0"}
                headers = {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Twilio-Signature": validator.compute_signature(url, params)}
                items.append((urlencode(params), headers))
                sent += 1
        plan.append(items)
    bare_plan = [[("x=1", {"Content-Type": "application/x-www-form-urlencoded"})] * len(items) for items in plan]

    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--pythonpath", str(ROOT / "bench"), "sms_load:bench_app()",
         "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        for _ in range(100):
            try:
                post(port, "/bench/bare", "x=1", {"Content-Type": "application/x-www-form-urlencoded"})
                break
            except OSError:
                time.sleep(0.1)
        # Warm up both endpoints (imports, connections), then measure.
        run_load(port, "/bench/bare", [[("x=1", {"Content-Type": "application/x-www-form-urlencoded"})] * 20] * 4)
        bare_s, bare_lat, bare_err = run_load(port, "/bench/bare", bare_plan)
        sms_s, sms_lat, sms_err = run_load(port, "/sms/inbound", plan)
    finally:
        server.terminate()
        server.wait(timeout=10)

    from sqlalchemy import create_engine, text

    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM sms_inbound")).scalar_one()
        submitted = conn.execute(text("SELECT count(*) FROM intakes WHERE status = 'submitted'")).scalar_one()
    engine.dispose()

    sms_rate, bare_rate = len(sms_lat) / sms_s, len(bare_lat) / bare_s
    print(f"gunicorn {args.workers} workers, SQLite, {args.conversations} concurrent conversations, "
          f"{len(texts)} texts per intake, {args.rounds} intakes each")
    print(f"bare endpoint : {bare_rate:8.0f} req/s  p50 {percentile(bare_lat, 50) * 1000:6.1f} ms  "
          f"p99 {percentile(bare_lat, 99) * 1000:6.1f} ms  errors {bare_err}")
    print(f"/sms/inbound  : {sms_rate:8.0f} msg/s  p50 {percentile(sms_lat, 50) * 1000:6.1f} ms  "
          f"p99 {percentile(sms_lat, 99) * 1000:6.1f} ms  errors {sms_err}  "
          f"(mean {statistics.mean(sms_lat) * 1000:.1f} ms)")
    print(f"ratio sms/bare: {sms_rate / bare_rate:.2f}")
    expected = args.conversations * args.rounds
    print(f"stored {stored}/{sent} inbound messages; {submitted}/{expected} intakes submitted")
    ok = stored == sent and submitted == expected and sms_err == 0
    targets = sms_rate >= 300 and percentile(sms_lat, 99) < 0.100
    print("nothing lost" if ok else "MESSAGES LOST OR FAILED",
          "| targets met (>= 300 msg/s, p99 < 100 ms)" if targets else "| targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Load test of the SMS webhook: gunicorn (2 workers) on SQLite, 50 conversations at once.

Run: ``.venv/bin/python bench/sms_load.py [--rate 300]`` (not a test). It builds a fresh SQLite
database with the demo data, starts gunicorn, pre-signs every request, and prints:

- a bare Flask endpoint on the same server (plain wrk, 50 connections), to compare with;
- a closed run: 50 numbers text whole intakes, each text sent as soon as the reply to the one
  before it arrives (50 always in flight): the most messages per second the server can take;
- a paced run: the same 50 conversations offer ``--rate`` texts per second in all, at random
  (Poisson) times, one connection per text as Twilio does; latency counts from when each text
  was due, so it is the latency a person would see at that load.

Finally it checks that every message sent was stored and every intake was submitted.
Targets: >= 300 messages/s, p99 < 100 ms at 300 messages/s, nothing lost.

The closed run uses ``wrk`` (``apt-get install wrk``) with ``bench/sms_load.lua``: one wrk thread
and connection per conversation, so the generator takes little CPU from the server.
``--driver threads`` uses Python threads with http.client instead. The paced run uses asyncio in
this process: wrk opens its next connection right after each reply and leaves it idle until the
next text is due, which would hold a sync worker.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
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


Plan = list[list[tuple[str, dict[str, str]]]]


def run_wrk(port: int, path: str, requests: Plan) -> tuple[float, list[float], int]:
    """Send each conversation over its own wrk connection, in order; return (seconds, latencies, errors)."""
    plan_dir = Path(tempfile.mkdtemp(prefix="frontdoor-wrk-"))
    for i, items in enumerate(requests):
        lines = [f"{headers.get('X-Twilio-Signature', '')}\t{body}\n" for body, headers in items]
        (plan_dir / f"conv-{i}.txt").write_text("".join(lines))
    n = len(requests)
    wrk = subprocess.Popen(
        ["wrk", "-t", str(n), "-c", str(n), "-d", "600s", "--timeout", "30s",
         "-s", str(ROOT / "bench" / "sms_load.lua"), f"http://127.0.0.1:{port}",
         "--", str(plan_dir), path, str(free_port())],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        # wrk runs for its whole duration; stop it once every conversation has written its results.
        while len(list(plan_dir.glob("result-*.txt"))) < n and wrk.poll() is None:
            time.sleep(0.05)
        time.sleep(0.2)  # let the last files be closed
    finally:
        wrk.send_signal(signal.SIGINT)
        out, _ = wrk.communicate(timeout=10)
    socket_errors = [line.strip() for line in out.splitlines() if "errors" in line]
    first, last, latencies, errors, retries = [], [], [], 0, 0
    for i in range(n):
        lines = (plan_dir / f"result-{i}.txt").read_text().split("\n")
        start, end, retried = lines[0].split()
        retries += int(retried)
        first.append(float(start))
        last.append(float(end))
        for position, line in enumerate(filter(None, lines[1:])):
            status, micros = line.split()
            if float(micros) > 5e6:
                print(f"{path}: conversation {i}, text {position}: {float(micros) / 1e6:.1f} s")
            latencies.append(float(micros) / 1e6)
            errors += status != "200"
        errors += len(requests[i]) - (len(lines) - 2)  # replies that never came
    if os.environ.get("BENCH_KEEP"):
        print("results kept in", plan_dir)
    else:
        shutil.rmtree(plan_dir)
    if retries or socket_errors:
        print(f"{path}: {retries} texts sent again after a socket error; wrk: {'; '.join(socket_errors)}")
    return (max(last) - min(first)) / 1e6, latencies, errors


def run_paced(port: int, path: str, requests: Plan, rate: float, seed: int = 1) -> tuple[float, list[float], int]:
    """Offer ``rate`` texts per second in all, at random (Poisson) times; return (seconds, latencies, errors).

    Each conversation sends its texts in order, on average one every ``len(requests) / rate``
    seconds, as independent people would, opening a connection for each text as Twilio does (an
    idle connection opened early would hold a sync worker). A text is never sent before the reply
    to the one before it, and its latency counts from when it was due, so a slow reply that makes
    the next text late is counted too.
    """
    import asyncio
    import random

    mean_gap = len(requests) / rate
    latencies: list[float] = []
    errors = [0]
    sent_at: list[float] = []

    def raw(body: str, headers: dict[str, str]) -> bytes:
        head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}",
                "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
        return ("\r\n".join(head) + "\r\n\r\n" + body).encode()

    async def conversation(items: list[tuple[str, dict[str, str]]], rng: random.Random, start: float) -> None:
        due = start
        for body, headers in items:
            due += rng.expovariate(1 / mean_gap)
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            sent_at.append(time.monotonic())
            for _attempt in range(3):
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(raw(body, headers))
                    await writer.drain()
                    reply = await asyncio.wait_for(reader.read(), timeout=30)
                    writer.close()
                    break
                except (TimeoutError, OSError):
                    reply = b""
            latencies.append(time.monotonic() - due)
            errors[0] += reply[9:12] != b"200"

    async def everyone() -> None:
        start = time.monotonic() + 0.5
        await asyncio.gather(*(conversation(items, random.Random(seed * 100003 + i), start)
                               for i, items in enumerate(requests)))

    asyncio.run(everyone())
    # The rate texts really went at, over the middle 80 % of sends (the conversations do not all
    # end together: a Poisson schedule spreads them out), as seconds for len(latencies) texts.
    sent_at.sort()
    middle = percentile(sent_at, 90) - percentile(sent_at, 10)
    return middle / 0.8, latencies, errors[0]


def run_wrk_bare(port: int, seconds: int = 10) -> tuple[float, float, float, int, int]:
    """Load the bare endpoint with plain wrk (50 connections, fixed duration).

    Return (requests/s, p50 s, p99 s, requests, errors).
    """
    script = Path(tempfile.mkdtemp(prefix="frontdoor-wrk-")) / "bare.lua"
    script.write_text('wrk.method = "POST"\nwrk.body = "x=1"\n'
                      'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", "50", "-d", f"{seconds}s", "--timeout", "30s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{port}/bench/bare"],
        check=True, capture_output=True, text=True,
    ).stdout
    shutil.rmtree(script.parent)
    units = {"us": 1e-6, "ms": 1e-3, "s": 1.0}

    def seconds_of(label: str) -> float:
        value = next(line.split()[1] for line in out.splitlines() if line.strip().startswith(label))
        number = value.rstrip("smu")
        return float(number) * units[value[len(number):]]

    total = int(next(line.split()[0] for line in out.splitlines() if "requests in" in line))
    rate = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    errors = sum(int(n) for line in out.splitlines() if "Socket errors" in line
                 for n in line.replace(",", " ").split() if n.isdigit())
    errors += sum(int(line.split()[-1]) for line in out.splitlines() if "Non-2xx" in line)
    return rate, seconds_of("50%"), seconds_of("99%"), total, errors


def server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn workers of ``master`` (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def make_plan(validator: object, url: str, texts: list[str], conversations: int, rounds: int,
              phase: int) -> Plan:
    """Pre-signed requests: ``conversations`` lists of ``rounds`` whole intakes, numbers unique per phase."""
    plan: Plan = []
    for c in range(conversations):
        items = []
        for r in range(rounds):
            number = f"+1785{phase:01d}{(c * rounds + r) % 1000000:06d}"
            for i, text in enumerate(texts):
                params = {"From": number, "To": "+15005550006", "Body": text,
                          "MessageSid": f"SM{phase:02d}{c:06d}{r:04d}{i:020d}", "NumMedia": "0"}
                headers = {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Twilio-Signature": validator.compute_signature(url, params)}  # type: ignore[attr-defined]
                items.append((urlencode(params), headers))
        plan.append(items)
    return plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2, help="intakes per conversation in each run")
    parser.add_argument("--rate", type=float, default=300.0,
                        help="texts per second offered in the paced run (0: no paced run)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", nargs="?", const="", default=None, metavar="SERVER_URL",
                        help="run on a throwaway PostgreSQL database on this server (default: "
                             "TEST_DATABASE_URL's server, else postgresql://postgres@127.0.0.1:5432)")
    parser.add_argument("--ratelimit-storage", default="memory://",
                        help="RATELIMIT_STORAGE_URI of the server (redis://127.0.0.1:6379/0 as in production)")
    parser.add_argument("--driver", choices=("wrk", "threads"),
                        default="wrk" if shutil.which("wrk") else "threads",
                        help="load generator (default: wrk when installed)")
    args = parser.parse_args()
    load = run_wrk if args.driver == "wrk" else run_load
    paced = args.rate > 0

    from cryptography.fernet import Fernet

    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="frontdoor-bench-"))
    env = {
        **os.environ,
        "FRONTDOOR_ENV": "production",
        "SECRET_KEY": "bench-secret",
        "PII_KEYS": Fernet.generate_key().decode(),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "RATELIMIT_STORAGE_URI": args.ratelimit_storage,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TRUST_PROXY_HOPS": "0",
        "SMS_RATE_LIMIT": "1000 per minute",
        "SMS_BACKEND": "console",
    }
    pg_database = None
    if args.pg is not None:
        sys.path.insert(0, str(ROOT / "tests"))
        from conftest import create_pg_database, pg_server_url

        pg_database = create_pg_database(args.pg or pg_server_url())
        env["DATABASE_URL"] = pg_database
    try:
        return _run(args, env, port, load, paced)
    finally:
        if pg_database is not None:
            from conftest import drop_pg_database

            drop_pg_database(pg_database)


def _run(args: argparse.Namespace, env: dict[str, str], port: int, load: Any, paced: bool) -> int:
    from twilio.request_validator import RequestValidator

    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)

    os.environ.update(env)  # the validator and the checks below use the same settings
    validator = RequestValidator(TOKEN)
    url = f"http://127.0.0.1:{port}/sms/inbound"
    texts = replies()
    closed_plan = make_plan(validator, url, texts, args.conversations, args.rounds, phase=1)
    paced_plan = make_plan(validator, url, texts, args.conversations, args.rounds, phase=2) if paced else []
    sent = sum(len(items) for items in closed_plan + paced_plan)
    bare_plan = [[("x=1", {"Content-Type": "application/x-www-form-urlencoded"})] * len(items)
                 for items in closed_plan]

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
        cpu = server_cpu(server.pid)
        if args.driver == "wrk":
            bare_rate, bare_p50, bare_p99, bare_n, bare_err = run_wrk_bare(port)
        else:
            bare_s, bare_lat, bare_err = load(port, "/bench/bare", bare_plan)
            bare_rate, bare_n = len(bare_lat) / bare_s, len(bare_lat)
            bare_p50, bare_p99 = percentile(bare_lat, 50), percentile(bare_lat, 99)
        cpu, bare_cpu = server_cpu(server.pid), server_cpu(server.pid) - cpu
        sms_s, sms_lat, sms_err = load(port, "/sms/inbound", closed_plan)
        cpu, sms_cpu = server_cpu(server.pid), server_cpu(server.pid) - cpu
        if paced:
            paced_s, paced_lat, paced_err = run_paced(port, "/sms/inbound", paced_plan, args.rate)
    finally:
        server.terminate()
        server.wait(timeout=10)

    from sqlalchemy import create_engine, text

    from config import database_url

    engine = create_engine(database_url(env["DATABASE_URL"]))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM sms_inbound")).scalar_one()
        submitted = conn.execute(text("SELECT count(*) FROM intakes WHERE status = 'submitted'")).scalar_one()
    engine.dispose()

    sms_rate = len(sms_lat) / sms_s
    engine_name = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"gunicorn {args.workers} workers, {engine_name}, limiter {args.ratelimit_storage}, "
          f"load average {os.getloadavg()[0]:.1f}, {args.conversations} concurrent conversations, "
          f"{len(texts)} texts per intake, {args.rounds} intakes each per run, load from {args.driver}")
    print(f"bare endpoint       : {bare_rate:6.0f} req/s  p50 {bare_p50 * 1000:6.1f} ms  "
          f"p99 {bare_p99 * 1000:6.1f} ms  errors {bare_err}  "
          f"(worker CPU {bare_cpu / bare_n * 1000:.1f} ms per request)")
    print(f"/sms/inbound, closed: {sms_rate:6.0f} msg/s  p50 {percentile(sms_lat, 50) * 1000:6.1f} ms  "
          f"p99 {percentile(sms_lat, 99) * 1000:6.1f} ms  errors {sms_err}  "
          f"(each text sent when the reply to the one before came; "
          f"worker CPU {sms_cpu / len(sms_lat) * 1000:.1f} ms per text)")
    failed = sms_err
    met = sms_rate >= 300
    if paced:
        print(f"/sms/inbound, paced : {len(paced_lat) / paced_s:6.0f} msg/s  "
              f"p50 {percentile(paced_lat, 50) * 1000:6.1f} ms  p99 {percentile(paced_lat, 99) * 1000:6.1f} ms  "
              f"errors {paced_err}  ({args.rate:.0f} msg/s offered at random times; "
              f"latency from when each text was due)")
        failed += paced_err
        met = met and args.rate >= 300 and percentile(paced_lat, 99) < 0.100
    print(f"ratio sms/bare: {sms_rate / bare_rate:.2f}")
    expected = (1 + paced) * args.conversations * args.rounds
    print(f"stored {stored}/{sent} inbound messages; {submitted}/{expected} intakes submitted")
    ok = stored == sent and submitted == expected and failed == 0
    print("nothing lost" if ok else "MESSAGES LOST OR FAILED",
          "| targets met (>= 300 msg/s; p99 < 100 ms at 300 msg/s offered)" if met else "| targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

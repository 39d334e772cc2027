"""Load test of the SMS webhook under gunicorn, on SQLite and on PostgreSQL, in one run.

Run: ``.venv/bin/python bench/sms_load.py`` (not a test; ``--no-pg`` for SQLite only). For each
engine it builds a fresh database with the demo data, starts gunicorn (2 sync workers), pre-signs
every request as Twilio signs it, and prints:

- **rounds** (``--rounds``, default 3), each a bare Flask endpoint on the same server (plain wrk,
  50 connections, ``--bare-seconds``) and then the webhook in a closed run (50 numbers text a whole
  intake each, every text sent as soon as the reply to the one before it arrives): the ratio of
  the two throughputs per round and its min/median/max, the worker CPU per text (from ``/proc``)
  and the SQL statements per text (counted in each worker);
- **paced runs** at ``--rates`` texts per second (default 100 and 200), offered at random (Poisson)
  times, one connection per text as Twilio does; latency counts from when each text was due;
- **many senders**: ``--senders`` (default 50,000) distinct numbers each send a first text, as a
  cold night's senders would over a day, then one more closed round: the CPU per text before and
  after, which should not grow with the senders seen;
- finally that every text sent was stored and every intake submitted ("nothing lost").

Targets (issue 19): sms/bare >= 0.4 on SQLite and >= 0.3 on PostgreSQL (median of the rounds), CPU
per text <= 2 ms on SQLite, p99 < 100 ms at 200 texts/s on both, no growth with 50,000 senders.

The closed runs use ``wrk`` (``apt-get install wrk``) with ``bench/sms_load.lua``: one wrk thread
and connection per conversation, so the generator takes little CPU from the server.
``--driver threads`` uses Python threads with http.client instead. The paced runs use asyncio in
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
#: The answers of one intake (a few ways of saying yes and no, as people text them).
ENGLISH = {
    "language": "1", "start_choice": "questions", "safe_now": "yes", "fleeing_violence": "no",
    "slept_last_night": "outside", "adults": "1", "children": "2", "pregnant": "no", "age_band": "3",
    "veteran": "n", "health_barrier": "no", "safe_place_tonight": "nope", "could_stay_with": "maybe",
    "help_needed": "1 3", "location": "67601", "contact_method": "text", "phone": "yes",
    "safe_to_text": "y", "safe_to_voicemail": "no", "best_time": "any", "contact_name": "Sam",
    "legal_name": "skip", "dob": "3/25/1980", "consent_share": "yes",
}


def bench_app() -> object:
    """The real app plus a bare endpoint to compare with and the worker's counts (gunicorn entry point)."""
    from flask import jsonify, request
    from sqlalchemy import event

    from app import create_app
    from extensions import csrf, db, limiter

    app = create_app()
    counts = {"statements": 0, "texts": 0}

    @csrf.exempt
    @limiter.exempt
    def bare() -> str:
        return "ok"

    @limiter.exempt
    def stats() -> object:
        """This worker's process id and counts (each worker counts its own)."""
        time.sleep(0.1)  # held a moment: see worker_counts
        return jsonify(pid=os.getpid(), **counts)

    def statement(*_: Any) -> None:
        counts["statements"] += 1

    @app.before_request
    def text() -> None:
        if request.path == "/sms/inbound":
            counts["texts"] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", statement)
    app.add_url_rule("/bench/bare", "bench_bare", bare, methods=["POST"])
    app.add_url_rule("/bench/stats", "bench_stats", stats)
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


def signature(validator: Any, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature of a form post of ``params`` to ``url``, as Twilio computes it."""
    return str(validator.compute_signature(url, params))


def text_form(number: str, body: str, sid: str) -> dict[str, str]:
    """The fields Twilio posts for an inbound text (the ones the app reads)."""
    return {"From": number, "To": "+15005550006", "Body": body, "MessageSid": sid, "NumMedia": "0"}


def make_plan(validator: object, url: str, texts: list[str], conversations: int, rounds: int,
              phase: int) -> Plan:
    """Pre-signed requests: ``conversations`` lists of ``rounds`` whole intakes, numbers unique per
    phase (0-9)."""
    plan: Plan = []
    for c in range(conversations):
        items = []
        for r in range(rounds):
            number = f"+1785{phase:01d}{(c * rounds + r) % 1000000:06d}"
            for i, text in enumerate(texts):
                params = text_form(number, text, f"SM{phase:02d}{c:06d}{r:04d}{i:020d}")
                headers = {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Twilio-Signature": signature(validator, url, params)}
                items.append((urlencode(params), headers))
        plan.append(items)
    return plan


def worker_counts(port: int, workers: int) -> dict[str, int]:
    """The statements and texts counted so far by every worker.

    Each ``/bench/stats`` request holds its worker a moment, so that requests sent together reach
    every worker (one free sync worker would otherwise take them all, one after the other)."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    def ask(_: int) -> dict[str, int]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", "/bench/stats")
            return dict(json.loads(connection.getresponse().read()))
        finally:
            connection.close()

    seen: dict[int, dict[str, int]] = {}
    with ThreadPoolExecutor(2 * workers) as pool:
        for _ in range(20):
            for found in pool.map(ask, range(2 * workers)):
                seen[found.pop("pid")] = found
            if len(seen) == workers:
                return {key: sum(c[key] for c in seen.values()) for key in ("statements", "texts")}
    raise RuntimeError(f"only {len(seen)} of {workers} workers answered /bench/stats")


class Server:
    """gunicorn serving ``bench_app()`` with ``env``, and what its workers used between two marks."""

    def __init__(self, env: dict[str, str], port: int, workers: int) -> None:
        self.port, self.workers = port, workers
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--pythonpath", str(ROOT / "bench"), "sms_load:bench_app()",
             "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        try:
            for _ in range(600):
                try:
                    post(port, "/bench/bare", "x=1", {"Content-Type": "application/x-www-form-urlencoded"})
                    break
                except OSError:
                    time.sleep(0.1)
            self.mark()
        except BaseException:
            self.stop()  # never leave a server behind (it would hold the caller's pipe open)
            raise

    def mark(self) -> None:
        self._cpu = server_cpu(self.process.pid)
        self._counts = worker_counts(self.port, self.workers)

    def since_mark(self) -> tuple[float, int, int]:
        """(worker CPU seconds, statements, texts) since the last mark; then marks again."""
        cpu, counts = self._cpu, self._counts
        self.mark()
        return (self._cpu - cpu, self._counts["statements"] - counts["statements"],
                self._counts["texts"] - counts["texts"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def spread(values: list[float], scale: float = 1.0, digits: int = 2) -> str:
    ordered = sorted(values)
    return (f"min {ordered[0] * scale:.{digits}f}, median {percentile(ordered, 50) * scale:.{digits}f}, "
            f"max {ordered[-1] * scale:.{digits}f}")


#: Targets of issue 19, per engine: sms/bare ratio (median of rounds), worker CPU per text.
TARGET_RATIO = {"SQLite": 0.4, "PostgreSQL": 0.3}
TARGET_CPU = {"SQLite": 0.002}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare endpoint then closed run (1-5)")
    parser.add_argument("--bare-seconds", type=int, default=5, help="length of each bare-endpoint run")
    parser.add_argument("--rates", default="100,200",
                        help="texts per second offered in the paced runs, comma-separated ('' for none)")
    parser.add_argument("--senders", type=int, default=50000,
                        help="distinct numbers that send a first text before the last round (0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", default=None, metavar="SERVER_URL",
                        help="PostgreSQL server for a throwaway database (default: TEST_DATABASE_URL's "
                             "server, else postgresql://postgres@127.0.0.1:5432)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--ratelimit-storage", default="memory://",
                        help="RATELIMIT_STORAGE_URI of the server (sign-in and web intake only: texts are "
                             "counted in the database)")
    parser.add_argument("--driver", choices=("wrk", "threads"),
                        default="wrk" if shutil.which("wrk") else "threads",
                        help="load generator of the closed runs (default: wrk when installed)")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 5:
        parser.error("--rounds must be 1 to 5 (each round's numbers are its own)")
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    if len(rates) > 2:
        parser.error("at most two paced rates")

    from cryptography.fernet import Fernet

    failed = 0
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-") as workdir:
        if os.environ.get("BENCH_KEEP"):
            workdir = tempfile.mkdtemp(prefix="frontdoor-bench-kept-")
            print("database kept in", workdir)
        port = free_port()
        env = {
            **os.environ,
            "FRONTDOOR_ENV": "production",
            "SECRET_KEY": "bench-secret",
            "PII_KEYS": Fernet.generate_key().decode(),
            "TWILIO_AUTH_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite:///{Path(workdir) / 'bench.sqlite3'}",
            "RATELIMIT_STORAGE_URI": args.ratelimit_storage,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "TRUST_PROXY_HOPS": "0",
            "SMS_RATE_LIMIT": "1000 per minute",
            "SMS_BACKEND": "console",
        }
        failed += _run(args, "SQLite", env, port, rates)
    if not args.no_pg:
        sys.path.insert(0, str(ROOT / "tests"))
        from conftest import create_pg_database, drop_pg_database, pg_server_url

        database = create_pg_database(args.pg or pg_server_url())
        try:
            failed += _run(args, "PostgreSQL", {**env, "DATABASE_URL": database}, free_port(), rates)
        finally:
            drop_pg_database(database)
    return 1 if failed else 0


def _run(args: argparse.Namespace, engine: str, env: dict[str, str], port: int, rates: list[float]) -> int:
    """Measure one engine; print its figures; return 1 when something was lost or failed."""
    from twilio.request_validator import RequestValidator

    env = {**env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)

    validator = RequestValidator(TOKEN)
    url = f"http://127.0.0.1:{port}/sms/inbound"
    texts = replies()
    closed = run_wrk if args.driver == "wrk" else run_load
    n = args.conversations
    sent = submitted_expected = errors = 0
    load_at_start = os.getloadavg()[0]
    server = Server(env, port, args.workers)
    rounds: list[tuple[float, float, float, float]] = []  # (ratio, sms msg/s, CPU per text, statements)
    try:
        # Warm up both endpoints (imports, connections, caches), then measure.
        run_load(port, "/bench/bare", [[("x=1", {"Content-Type": "application/x-www-form-urlencoded"})] * 20] * 4)
        warm = make_plan(validator, url, texts, 4, 1, phase=0)
        closed(port, "/sms/inbound", warm)
        sent += sum(map(len, warm))
        submitted_expected += 4
        print(f"{engine}: gunicorn {args.workers} sync workers, {n} conversations, {len(texts)} texts per "
              f"intake, closed runs from {args.driver}; load average {load_at_start:.1f} at the start")
        print("  round  bare req/s  texts/s  ratio  worker CPU/text  statements/text")
        for r in range(args.rounds):
            server.mark()
            bare_rate, _, _, _, bare_errors = run_wrk_bare(port, args.bare_seconds)
            plan = make_plan(validator, url, texts, n, 1, phase=1 + r)
            server.mark()
            seconds, latencies, sms_errors = closed(port, "/sms/inbound", plan)
            cpu, statements, counted = server.since_mark()
            sent += sum(map(len, plan))
            submitted_expected += n
            errors += bare_errors + sms_errors
            rate = len(latencies) / seconds
            rounds.append((rate / bare_rate, rate, cpu / counted, statements / counted))
            print(f"  {r + 1:5d}  {bare_rate:10.0f}  {rate:7.0f}  {rate / bare_rate:5.2f}  "
                  f"{cpu / counted * 1000:12.2f} ms  {statements / counted:15.2f}")
        ratios = [x[0] for x in rounds]
        cpus = [x[2] for x in rounds]
        print(f"  ratio texts/bare: {spread(ratios)} (target >= {TARGET_RATIO[engine]})")
        print(f"  worker CPU per text: {spread(cpus, 1000)} ms"
              + (f" (target <= {TARGET_CPU[engine] * 1000:.0f} ms)" if engine in TARGET_CPU else ""))
        for k, offered in enumerate(rates):
            plan = make_plan(validator, url, texts, n, 1, phase=6 + k)
            seconds, latencies, paced_errors = run_paced(port, "/sms/inbound", plan, offered)
            sent += sum(map(len, plan))
            submitted_expected += n
            errors += paced_errors
            print(f"  paced {offered:.0f} texts/s offered: went at {len(latencies) / seconds:.0f}/s, "
                  f"p50 {percentile(latencies, 50) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms, "
                  f"errors {paced_errors}" + (" (target p99 < 100 ms)" if offered == 200 else ""))
        if args.senders:
            per = -(-args.senders // n)
            seeding = [[(urlencode(params := text_form(f"+17859{c * per + i:06d}", "hi",
                                                       f"SM09{c:06d}{i:024d}")),
                         {"Content-Type": "application/x-www-form-urlencoded",
                          "X-Twilio-Signature": signature(validator, url, params)})
                        for i in range(per)] for c in range(n)]
            started = time.perf_counter()
            _, _, seed_errors = closed(port, "/sms/inbound", seeding)
            errors += seed_errors
            sent += n * per
            plan = make_plan(validator, url, texts, n, 1, phase=8)
            server.mark()
            seconds, latencies, sms_errors = closed(port, "/sms/inbound", plan)
            cpu, statements, counted = server.since_mark()
            sent += sum(map(len, plan))
            submitted_expected += n
            errors += sms_errors
            before = percentile(cpus, 50)
            print(f"  after {n * per:,} more senders (first texts, {time.perf_counter() - started:.0f} s): "
                  f"worker CPU per text {cpu / counted * 1000:.2f} ms (median of the rounds before: "
                  f"{before * 1000:.2f} ms, {(cpu / counted / before - 1) * 100:+.0f} %), "
                  f"{statements / counted:.2f} statements per text, {len(latencies) / seconds:.0f} texts/s")
    finally:
        server.stop()

    from sqlalchemy import create_engine, text

    from config import database_url

    db_engine = create_engine(database_url(env["DATABASE_URL"]))
    with db_engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM sms_inbound")).scalar_one()
        submitted = conn.execute(text("SELECT count(*) FROM intakes WHERE status = 'submitted'")).scalar_one()
    db_engine.dispose()
    ok = stored == sent and submitted == submitted_expected and errors == 0
    print(f"  stored {stored:,}/{sent:,} texts, {submitted}/{submitted_expected} intakes submitted, "
          f"{errors} errors: {'nothing lost' if ok else 'TEXTS LOST OR FAILED'}; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

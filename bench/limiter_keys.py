"""Benchmark: the cost of one rate-limit hit in memory as the number of live keys grows.

Run: ``.venv/bin/python bench/limiter_keys.py`` (not a test). For each in-memory store (limits'
own ``MemoryStorage`` and ``services.limiter_storage.SweptMemoryStorage``, which ``memory://`` now
means) it fills the store with N distinct senders (a day of texting numbers statewide is about
50,000), then times hits of the SMS limit (two windows, as ``SMS_RATE_LIMIT``) from new senders.
The figure is process CPU (every thread, so the expiry thread of ``MemoryStorage`` counts) per hit.
Target: no growth with the number of keys.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from limits import parse_many  # noqa: E402
from limits.storage import MemoryStorage  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402

from services.limiter_storage import SweptMemoryStorage  # noqa: E402

LIMITS = parse_many("20 per minute;300 per day")
HITS = 20_000


def cost_per_hit(storage: MemoryStorage, keys: int) -> float:
    limiter = FixedWindowRateLimiter(storage)
    for n in range(keys):
        for limit in LIMITS:
            limiter.hit(limit, f"sms:old-{n}")
    time.sleep(0.05)  # let a pending expiry thread finish
    started = time.process_time()
    for n in range(HITS):
        for limit in LIMITS:
            limiter.hit(limit, f"sms:new-{n % 5000}")
        if n % 200 == 0:
            time.sleep(0)  # give other threads the interpreter, as a web worker between requests
    return (time.process_time() - started) / HITS * 1e6


def main() -> None:
    print(f"{HITS:,} hits of '20 per minute;300 per day' from 5,000 senders; CPU per hit (all threads)")
    for keys in (1_000, 50_000):
        for name, store in (("limits MemoryStorage", MemoryStorage), ("SweptMemoryStorage", SweptMemoryStorage)):
            storage = store()
            print(f"  {keys:>6,} senders already counted, {name:22s}: {cost_per_hit(storage, keys):7.1f} us")
            storage.timer.cancel()
            storage.timer.join()  # limits' expiry thread races a reset (KeyError) if still running
            storage.reset()


if __name__ == "__main__":
    main()

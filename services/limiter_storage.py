"""An in-process rate-limit store whose cost per request does not grow with the number of keys.

``limits.storage.MemoryStorage`` (what ``memory://`` means, and what Flask-Limiter falls back to when
Redis is unreachable) starts a timer thread up to every 10 ms of traffic, and each run of that
thread walks every key it holds. With a day of distinct texting numbers (tens of thousands of
keys) that walk is paid on about every other request. This store keeps the same counters and
windows but sweeps expired keys inline, at most once per ``SWEEP_SECONDS``: an expired counter is
already ignored when it is read, so the sweep only returns memory, and its cost is spread over a
whole interval of requests instead of being paid on each.

Importing this module registers it for the ``memory://`` scheme, so ``RATELIMIT_STORAGE_URI``
keeps its documented values. Counts in memory are per process: with several workers (or hosts)
set ``RATELIMIT_STORAGE_URI`` to Redis, which production does by default.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import MemoryStorage

#: Expired keys are dropped at most this often (seconds); reads ignore them before that.
SWEEP_SECONDS = 60.0


class SweptMemoryStorage(MemoryStorage):
    """``MemoryStorage`` without its timer thread: expired keys are swept inline, once a minute."""

    STORAGE_SCHEME = ["memory"]  # noqa: RUF012 (the registry of limits reads a class attribute)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the parent starts one; no thread is needed here
        self.swept_at = time.monotonic()

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.timer.cancel()

    # The parent calls this (name-mangled) before every increment and acquisition.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now - self.swept_at >= SWEEP_SECONDS:
            self.swept_at = now
            self.sweep()

    def sweep(self) -> None:
        """Drop every expired counter and moving-window entry now."""
        self._MemoryStorage__expire_events()  # type: ignore[attr-defined]

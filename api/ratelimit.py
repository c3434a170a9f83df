"""Sliding-window limits on citizen query attempts, so query codes cannot be brute-forced.

Every attempt counts, right or wrong (a limiter that counted only failures would answer
differently for a right code, and the slow PBKDF2 check is itself worth bounding). Two
windows apply: per (client IP, case number), which stops guessing one case's code, and per
client IP, which stops sweeping many cases. A refused attempt is not counted, and
`Retry-After` says when the oldest counted attempt leaves the window.

State is in memory, per API process: with N processes (`GOVTRACE_API_WORKERS`) an address
gets up to N times the limit, and a restart forgets it. That is acceptable because the
limiter is a brake, not the defence: a query code has 60 bits. Behind a reverse proxy, run
uvicorn with `--proxy-headers` / `--forwarded-allow-ips` so the client address is the
citizen's, not the proxy's.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    def __init__(self, limit: int, window: float, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._hits: dict[str, deque[float]] = {}

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` may try again (0: now). Caller holds the lock."""
        hits = self._hits.get(key)
        if hits is None:
            return 0.0
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            return 0.0
        return hits[0] + self.window - now

    def count(self, key: str, now: float) -> None:
        if key not in self._hits and len(self._hits) >= self.max_keys:
            self._prune(now)
        self._hits.setdefault(key, deque()).append(now)

    def _prune(self, now: float) -> None:
        # Drop idle keys; if an attacker keeps every key busy, forget the oldest half rather
        # than grow without bound (they then get at most one extra window's worth).
        self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
        if len(self._hits) >= self.max_keys:
            keep = sorted(self._hits.items(), key=lambda kv: kv[1][-1])[self.max_keys // 2:]
            self._hits = dict(keep)


class QueryLimiter:
    def __init__(self, per_case: int, per_ip: int, window: float, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._per_case = SlidingWindow(per_case, window, clock=clock)
        self._per_ip = SlidingWindow(per_ip, window, clock=clock)
        self._lock = threading.Lock()

    def attempt(self, ip: str, case_no: str) -> int:
        """Count an attempt and return 0, or return the whole seconds to wait (not counted)."""
        pair = f"{ip}\x00{case_no}"
        with self._lock:
            now = self.clock()
            wait = max(self._per_case.wait(pair, now), self._per_ip.wait(ip, now))
            if wait > 0:
                return max(1, math.ceil(wait))
            self._per_case.count(pair, now)
            self._per_ip.count(ip, now)
            return 0

"""Fault injection for the crash tests: die at a named point of sealing or anchoring.

Inert unless `GOVTRACE_FAULT` (Settings.fault) is set, which only tests and the soak script
do. The value is `POINT` or `POINT:N` (die the N-th time POINT is reached, default the first);
the process then ends with `os._exit(137)`, like a SIGKILL: no `finally`, no flush, no
clean-up, which is exactly what a power cut or the OOM killer leaves behind.

Points, in the order anchoring passes them:
  after-seal              a batch was committed, nothing sent yet
  after-send              the anchoring tx was sent, its hash not yet recorded
  after-record-submitted  the tx hash is recorded, the receipt not yet awaited
  after-receipt           the receipt is in, the batch not yet marked confirmed
  after-confirm           the anchor is recorded as confirmed

`after-receipt` and `after-confirm` surround the one write of a confirmed anchor
(`Anchorer._record`), so they are passed by every batch that gets confirmed: a batch this
process sent, and a batch it found already on chain and reconciled (sent before a crash).
The count N counts both kinds: a worker restarted with `after-receipt` after dying at
`after-send` dies again while reconciling that batch.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from collections.abc import Callable

log = logging.getLogger(__name__)

POINTS = ("after-seal", "after-send", "after-record-submitted", "after-receipt",
          "after-confirm")
EXIT_CODE = 137


def parse(spec: str | None) -> tuple[str, int] | None:
    """(point, n) from `POINT[:N]`; None when unset; ValueError when malformed."""
    if not spec:
        return None
    point, _, count = spec.partition(":")
    if point not in POINTS:
        raise ValueError(f"GOVTRACE_FAULT: unknown point {point!r} (known: {', '.join(POINTS)})")
    n = int(count) if count else 1
    if n < 1:
        raise ValueError("GOVTRACE_FAULT: the count must be at least 1")
    return point, n


def crash_hook(spec: str | None) -> Callable[[str], None]:
    """A step hook that ends the process at the configured point (a no-op when unset)."""
    parsed = parse(spec)
    if parsed is None:
        return lambda _point: None
    target, n = parsed
    seen: Counter[str] = Counter()

    def hook(point: str) -> None:
        seen[point] += 1
        if point == target and seen[point] == n:
            log.critical("GOVTRACE_FAULT: crashing at %s (occurrence %d)", point, n)
            sys.stderr.flush()
            os._exit(EXIT_CODE)

    return hook

"""Repeated measurements: every figure is the median of several runs, with min and max."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    """A rate or a latency: median over runs, with the extremes."""

    median: float
    low: float
    high: float
    unit: str
    runs: int

    def to_json(self) -> dict[str, Any]:
        return {"median": round(self.median, 3), "min": round(self.low, 3),
                "max": round(self.high, 3), "unit": self.unit, "runs": self.runs}


def figure(values: list[float], unit: str) -> Figure:
    return Figure(statistics.median(values), min(values), max(values), unit, len(values))


def rate(work: Callable[[], Any], items: int, runs: int, unit: str = "items/s",
         setup: Callable[[], Any] | None = None) -> Figure:
    """Run `work` `runs` times (after `setup` each time, untimed); items per second."""
    out = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        work()
        out.append(items / (time.perf_counter() - start))
    return figure(out, unit)


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of latency samples."""
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]

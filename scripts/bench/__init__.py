"""govtrace's benchmark suite (run with `scripts/bench.py`; see docs/performance.md)."""

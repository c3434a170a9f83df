#!/usr/bin/env python3
"""govtrace's benchmark suite: every hot path against its peers and the machine's limit.

    .venv/bin/python scripts/bench.py            # the full suite (under 10 minutes)
    .venv/bin/python scripts/bench.py --quick    # a fast smoke run (tests/bench runs it)

Prints a table, writes bench-results/results.json and table.md, and draws
bench-results/sealing_throughput.png and proof_latency.png. Every figure is the median of
--runs runs with min and max; peers are measured side by side in the same run. See
docs/performance.md for what each figure means and the latest results.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def ensure_matplotlib() -> None:
    """Install the `bench` extra's matplotlib into this venv if it is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
            "optional-dependencies"]["bench"]
        subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", *extras], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results")
    parser.add_argument("--api-processes", type=int, default=2,
                        help="API processes, each on its own port behind the client's "
                             "round-robin, for the scaled batch-ingest figures (default 2: "
                             "one per core here)")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["sealing", "ingest", "keys", "postgres", "evidence",
                                 "anchoring", "audit"])
    args = parser.parse_args(argv)
    ensure_matplotlib()
    from bench import anchoring, audit, dataset, evidence, ingest, keyorder, report, sealing

    quick = args.quick
    runs = args.runs or (1 if quick else 3)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": _cpus(),
                    "platform": platform.platform()},
        "quick": quick, "runs": runs}

    def step(name: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {name}", file=sys.stderr, flush=True)

    if "sealing" not in args.skip:
        step("sealing")
        results["sealing"] = sealing.run([1000, 10_000] if quick else
                                         [1000, 10_000, 100_000, 1_000_000], runs)
    if "ingest" not in args.skip:
        common = dict(connections=16, batch_connections=4, runs=runs,
                      batches=3 if quick else 40)
        singles = 300 if quick else 6000
        # One API process, as `govtrace api` runs by default: batches from 4 province systems
        # at once, then single POSTs from 16 clients.
        step("ingest (SQLite, one API process)")
        results["ingest"] = [ingest.run_sqlite(singles=singles, processes=1, **common)]
        # Again with one process per core behind a balancer (as docs/deploy.md runs them):
        # batches with both key orders, and single POSTs too, so that one layout's figures
        # can be read together.
        for keys in ingest.KEY_ORDERS:
            step(f"ingest (SQLite, {args.api_processes} API processes, {keys} keys)")
            results["ingest"].append(ingest.run_sqlite(
                singles=singles if keys == "ordered" else 0, processes=args.api_processes,
                balanced=True, keys=keys, **common))
        if "keys" not in args.skip:
            step("ingest in-process by key order (SQLite)")
            results["ingest_keys"] = keyorder.run(8000 if quick else 200_000)
        if "postgres" in args.skip or quick:
            results["ingest"].append({"backend": "postgresql", "measured": False,
                                      "reason": "skipped (--quick or --skip postgres)"})
        else:
            step("ingest (PostgreSQL)")
            results["ingest"].append(ingest.run_postgres(singles=singles, processes=1,
                                                         **common))
    work = Path(tempfile.mkdtemp(prefix="govtrace-bench-"))
    try:
        sizes = [100, 1000, 10_000] if quick else [1000, 10_000, 100_000, 1_000_000]
        need_data = not {"evidence", "audit"} <= set(args.skip)
        if need_data:
            step(f"building a ledger of {sum(sizes):,} records (batches {sizes})")
            db = dataset.build(work / "govtrace.db", sizes)
        if "evidence" not in args.skip:
            step("evidence")
            results["evidence"] = evidence.run(db, work, sizes, requests=200 if quick else 1000,
                                               runs=runs)
        if not {"anchoring", "audit"} <= set(args.skip):
            with anchoring.anvil() as node:
                contract = anchoring.deploy(node)
                if "anchoring" not in args.skip:
                    step("anchoring")
                    results["anchoring"] = anchoring.run(
                        contract, [1, 100, 10_000, 1_000_000],
                        [1, 2, 4, 8, 12, 16, 20], 5 if quick else 20)
                if "audit" not in args.skip:
                    step("audit")
                    with db.snapshot() as s:
                        from ledger.store.schema import BatchRow

                        for b in s.query(BatchRow).order_by(BatchRow.batch_no):
                            contract.anchor_batch(b.province, b.batch_no, b.first_seq, b.size,
                                                  b.root, anchoring.dev_account(1))
                    db.dispose()
                    results["audit"] = audit.run(work / "govtrace.db", node.url,
                                                 contract.address, runs=runs)
        if need_data:
            db.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    report.write(results, args.out)
    charts = report.charts(results, args.out)
    print(report.table(results))
    print(f"\n{results['seconds']} s; results in {args.out}/results.json, charts "
          f"{', '.join(charts)}", file=sys.stderr)
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())

"""5. Audit: records/s re-verified by `govtrace audit` on the benchmark ledger, compared with
the anchored root, as a separate process whose peak RSS (the largest of it and its worker
processes, sampled from /proc) shows the memory bound."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .stats import figure

GOVTRACE = str(Path(sys.executable).parent / "govtrace")


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _hwm_mib(pid: int) -> float:
    """Peak RSS of a process since its exec (VmHWM): unlike rusage's maxrss it does not
    count the parent's image a vfork-ed child briefly shared."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(db_path: Path, rpc: str, contract: str, *, runs: int, workers: int = 2
        ) -> dict[str, Any]:
    rates, rss, total, wall = [], [], [], []
    report: dict[str, Any] = {}
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([GOVTRACE, "audit", "--database-url", f"sqlite:///{db_path}",
                                 "--rpc", rpc, "--contract", contract, "--json", "--no-record",
                                 "--workers", str(workers)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        peaks: dict[int, float] = {}
        done = threading.Event()

        def sample(pid: int = proc.pid, peaks: dict[int, float] = peaks,
                   done: threading.Event = done) -> None:
            while not done.wait(0.05):
                for p in _descendants(pid):
                    peaks[p] = max(peaks.get(p, 0.0), _hwm_mib(p))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = proc.communicate()
        done.set()
        sampler.join()
        wall.append(time.perf_counter() - start)
        report = json.loads(stdout)
        assert report["verdict"] == "clean", (report["verdict"], stderr[-2000:])
        rates.append(float(report["totals"]["records_per_second"]))
        rss.append(max(peaks.values(), default=0.0))
        total.append(sum(peaks.values()))
    return {"records": report["totals"]["records"],
            "records_per_s": figure(rates, "records/s").to_json(),
            "command_seconds": figure(wall, "s").to_json(),
            "peak_rss_mib": figure(rss, "MiB").to_json(),
            "peak_rss_all_processes_mib": figure(total, "MiB").to_json(),
            "workers": workers, "chain_checked": report["chain"]["checked"]}

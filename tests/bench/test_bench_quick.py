"""`scripts/bench.py --quick` end to end: every figure of issue 6 is in the JSON, the table
and both charts are written. No timing is asserted: speed shows in the benchmark itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.chain, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_reports_every_figure(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick",
                          "--out", str(tmp_path)], capture_output=True, text=True,
                         timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    r = json.loads((tmp_path / "results.json").read_text())

    for size, row in r["sealing"]["sizes"].items():
        assert set(row) == {"ours_from_leaves", "ours_from_records", "pymerkle",
                            "merkletools"}, size
        assert all(f["min"] <= f["median"] <= f["max"] for f in row.values())
    assert r["sealing"]["limit_leaves_per_s"]["median"] > 0

    sqlite, ordered, random, postgres = r["ingest"]
    for key in ("batch_records_per_s", "single_records_per_s",
                "batch_records_per_server_cpu_s", "single_records_per_server_cpu_s"):
        assert sqlite[key]["median"] > 0, key
    for key in ("batch_latency_ms", "single_latency_ms"):
        assert 0 < sqlite[key]["p50"] <= sqlite[key]["p99"], key
    assert (sqlite["server_processes"], sqlite["balanced"], sqlite["keys"]) == (1, False,
                                                                                "ordered")
    for scaled, keys in ((ordered, "ordered"), (random, "random")):
        assert (scaled["server_processes"], scaled["balanced"], scaled["keys"]) == (2, True, keys)
        assert scaled["batch_records_per_s"]["median"] > 0
    assert ordered["single_records_per_s"]["median"] > 0
    assert "single_records_per_s" not in random  # batches only
    # Warm-up round + one measured round; the bench itself checked each count against the
    # ledger's records and their seq numbers.
    assert sqlite["acknowledged"] == ordered["acknowledged"] == 2 * (3 * 1000 + 300)
    assert random["acknowledged"] == 2 * 3 * 1000
    assert postgres["measured"] is False and postgres["reason"]
    keys = r["ingest_keys"]
    assert keys["records"] == 8000 and set(keys["orders"]) == {"ordered", "day", "random"}
    for order in keys["orders"].values():
        assert set(order) == {"2000", "4000", "8000"}
        assert all(0 < f["min"] <= f["median"] <= f["max"] for f in order.values())

    ev = r["evidence"]
    assert set(ev["batches"]) == {"100", "1000", "10000"} and ev["largest_batch"] == 10000
    assert all(b["p50_ms"]["median"] <= b["p99_ms"]["median"] for b in ev["batches"].values())
    assert all(b["server_cpu_us_per_request"]["median"] > 0
               and b["build_cpu_us_per_bundle"]["median"] > 0 for b in ev["batches"].values())
    assert ev["first_bundle_of_largest_batch_ms"] > 0
    assert ev["offline_verify_bundles_per_s"]["median"] > 0

    an = r["anchoring"]
    assert set(an["anchor"]) == {"1", "100", "10000", "1000000"}
    gas = {a["gas_per_tx"] for a in an["anchor"].values()}
    assert max(gas) - min(gas) < 100  # the contract stores a range: size costs nothing
    assert an["anchor"]["1000000"]["gas_per_record"] < 0.1
    assert set(an["verify"]) == {"1", "2", "4", "8", "12", "16", "20"}
    depths = sorted(an["verify"], key=int)
    assert [an["verify"][d]["execution_gas"] for d in depths] == sorted(
        an["verify"][d]["execution_gas"] for d in depths)  # deeper proofs cost more
    assert an["one_tx_per_record_gas"]["median"] > 20_000

    au = r["audit"]
    assert au["records"] == 11_100 and au["chain_checked"] is True
    assert au["records_per_s"]["median"] > 0 and au["peak_rss_mib"]["median"] > 0

    table = (tmp_path / "table.md").read_text()
    for label in ("sealing", "batch ingest (sqlite, one API process, ordered keys",
                  "batch ingest (sqlite, 2 API processes, balanced, random keys",
                  "single POST (sqlite, one API process", "append in-process",
                  "evidence GET", "anchorBatch", "verifyInclusion", "audit"):
        assert label in table and label in run.stdout, label
    for chart in ("sealing_throughput.png", "proof_latency.png"):
        assert (tmp_path / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", chart

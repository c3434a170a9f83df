"""The bench's outputs: the table (stdout and docs/performance.md), results.json, and two PNG
charts (throughput and proof latency against batch size)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Row = tuple[str, str, str, str, str]  # what, figure, target, verdict, compared with


def _m(fig: dict[str, Any] | None) -> float:
    return float(fig["median"]) if fig else float("nan")


def _fmt(value: float, unit: str = "") -> str:
    if value != value:  # NaN
        return "n/a"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return f"{text} {unit}".strip()


def _span(fig: dict[str, Any], unit: str) -> str:
    return f"{_fmt(fig['median'], unit)} ({_fmt(fig['min'])}–{_fmt(fig['max'])})"


def _ok(good: bool | None) -> str:
    return "n/a" if good is None else ("met" if good else "MISSED")


def _ingest_rows(ing: dict[str, Any]) -> list[Row]:
    name = ing["backend"].split(" ")[0]
    if not ing.get("measured", True):
        return [(f"ingest ({name})", "not measured", "", "n/a", ing["reason"])]
    sqlite = name == "sqlite"
    n = ing["server_processes"]
    layout = f"{n} API processes, balanced" if ing["balanced"] else \
        ("one API process" if n == 1 else f"{n} API processes, one socket")
    out: list[Row] = []
    if "batch_records_per_s" in ing:
        b, bl = ing["batch_records_per_s"], ing["batch_latency_ms"]
        out.append((f"batch ingest ({name}, {layout}, {ing['keys']} keys, 1,000/request)",
                    _span(b, "records/s"), "≥ 30,000" if sqlite else "",
                    _ok(_m(b) >= 30_000) if sqlite else "n/a",
                    f"p50 {bl['p50']:.0f} ms, p99 {bl['p99']:.0f} ms; "
                    f"{_fmt(_m(ing['batch_records_per_server_cpu_s']))} per server CPU-s"))
    if "single_records_per_s" in ing:
        s, sl = ing["single_records_per_s"], ing["single_latency_ms"]
        out.append((f"single POST ({name}, {layout}, {ing['keys']} keys, "
                    f"{ing['connections']} clients)", _span(s, "records/s"),
                    "≥ 2,000, p99 < 25 ms" if sqlite else "",
                    _ok(_m(s) >= 2000 and sl["p99"] < 25) if sqlite else "n/a",
                    f"p50 {sl['p50']:.1f} ms, p99 {sl['p99']:.1f} ms; "
                    f"{_fmt(_m(ing['single_records_per_server_cpu_s']))} per server CPU-s"))
    return out


def rows(r: dict[str, Any]) -> list[Row]:
    out: list[Row] = []
    seal = r.get("sealing")
    if seal:
        big = str(max(int(k) for k in seal["sizes"]))
        s = seal["sizes"][big]
        ours, rec = s["ours_from_leaves"], s["ours_from_records"]
        limit = _m(seal["limit_leaves_per_s"])
        pm, mt = s.get("pymerkle"), s.get("merkletools")
        out.append((f"sealing {int(big):,} leaves (from leaf hashes)", _span(ours, "leaves/s"),
                    "≥ 700,000", _ok(_m(ours) >= 700_000),
                    f"{_m(ours) / limit:.2f}× the SHA-256 limit ({_fmt(limit)}/s)"))
        out.append((f"sealing {int(big):,} leaves (from records)", _span(rec, "leaves/s"),
                    "≥ 10× pymerkle, > merkletools",
                    _ok(bool(pm) and _m(rec) >= 10 * _m(pm) and _m(rec) > _m(mt)),
                    f"{_m(rec) / _m(pm):.1f}× pymerkle ({_fmt(_m(pm))}/s), "
                    f"{_m(rec) / _m(mt):.1f}× merkletools ({_fmt(_m(mt))}/s)"))
    for ing in r.get("ingest", []):
        out.extend(_ingest_rows(ing))
    keys = r.get("ingest_keys")
    if keys:
        last = str(keys["records"])
        per = {order: _m(fig[last]) for order, fig in keys["orders"].items()}
        out.append((f"append in-process at {keys['records']:,} records (sqlite, CPU per "
                    "record)", ", ".join(f"{o}: {_fmt(v, 'µs')}" for o, v in per.items()),
                    "", "n/a", f"random keys cost {per['random'] / per['ordered']:.1f}× "
                    "ordered ones (docs/performance.md §2)"))
    ev = r.get("evidence")
    if ev:
        big = ev["batches"][str(ev["largest_batch"])]
        out.append((f"evidence GET, batch of {ev['largest_batch']:,}",
                    f"p50 {_fmt(_m(big['p50_ms']), 'ms')}, p99 {_fmt(_m(big['p99_ms']), 'ms')}",
                    "p99 < 5 ms", _ok(_m(big["p99_ms"]) < 5), "2 reads per proof"))
        out.append(("evidence verified offline", _span(ev["offline_verify_bundles_per_s"],
                                                       "bundles/s"), "", "n/a", ""))
    an = r.get("anchoring")
    if an:
        sizes = sorted(an["anchor"], key=int)
        big = an["anchor"][sizes[-1]]
        strawman = _m(an["one_tx_per_record_gas"])
        out.append(("anchorBatch gas per tx", ", ".join(
            f"{int(k):,}: {an['anchor'][k]['gas_per_tx']:,}" for k in sizes), "≤ 60,000",
            _ok(max(a["gas_per_tx"] for a in an["anchor"].values()) <= 60_000),
            "see docs/performance.md for the floor"))
        out.append((f"anchor gas per record at {int(sizes[-1]):,}",
                    f"{big['gas_per_record']:.3f}", "≤ 0.06", _ok(big["gas_per_record"] <= 0.06),
                    f"{strawman / big['gas_per_record']:,.0f}× cheaper than one tx per record "
                    f"({_fmt(strawman)} gas)"))
        deepest = max(an["verify"], key=int)
        out.append((f"verifyInclusion depth {deepest} (execution gas)",
                    f"{an['verify'][deepest]['execution_gas']:,}", "≤ 10,000",
                    _ok(an["verify"][deepest]["execution_gas"] <= 10_000), "cold storage"))
    au = r.get("audit")
    if au:
        out.append((f"audit, {au['records']:,} records", _span(au["records_per_s"], "records/s"),
                    "≥ 200,000", _ok(_m(au["records_per_s"]) >= 200_000),
                    f"peak RSS {_fmt(_m(au['peak_rss_mib']), 'MiB')} per process, "
                    f"{_fmt(_m(au['peak_rss_all_processes_mib']), 'MiB')} all processes, "
                    f"{au['workers']} workers, chain compared: {au['chain_checked']}"))
    return out


def table(r: dict[str, Any]) -> str:
    lines = ["| measure | median (min–max) | target | | compared with |",
             "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows(r)]
    return "\n".join(lines)


def charts(r: dict[str, Any], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    seal = r.get("sealing")
    if seal:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        sizes = sorted(seal["sizes"], key=int)
        for key, label in (("ours_from_leaves", "govtrace (from leaf hashes)"),
                           ("ours_from_records", "govtrace (from records)"),
                           ("pymerkle", "pymerkle 7 (RFC 9162)"),
                           ("merkletools", "merkletools 1.0.3 (not RFC 9162)")):
            xs = [int(n) for n in sizes if key in seal["sizes"][n]]
            fs = [seal["sizes"][str(n)][key] for n in xs]
            ax.errorbar(xs, [f["median"] for f in fs], yerr=[
                [f["median"] - f["min"] for f in fs], [f["max"] - f["median"] for f in fs]],
                marker="o", capsize=3, label=label)
        ax.axhline(_m(seal["limit_leaves_per_s"]), color="grey", linestyle="--",
                   label="SHA-256 limit (2 hashes/leaf)")
        ax.set(xscale="log", yscale="log", xlabel="batch size (leaves)", ylabel="leaves/s",
               title="Sealing throughput against batch size")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "sealing_throughput.png", dpi=110)
        plt.close(fig)
        made.append("sealing_throughput.png")
    ev = r.get("evidence")
    if ev:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        xs = sorted(int(k) for k in ev["batches"])
        for q in ("p50_ms", "p99_ms"):
            fs = [ev["batches"][str(x)][q] for x in xs]
            ax.errorbar(xs, [f["median"] for f in fs], yerr=[
                [f["median"] - f["min"] for f in fs], [f["max"] - f["median"] for f in fs]],
                marker="o", capsize=3, label=f"GET evidence {q[:3]}")
        ax.axhline(5, color="grey", linestyle="--", label="p99 target 5 ms")
        ax.set(xscale="log", xlabel="batch size (records)", ylabel="latency (ms)",
               title="Evidence (proof) latency against batch size")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "proof_latency.png", dpi=110)
        plt.close(fig)
        made.append("proof_latency.png")
    return made


def write(r: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n")
    (out / "table.md").write_text(table(r) + "\n")

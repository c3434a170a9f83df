"""`govtrace demo`: realistic traffic against a running `govtrace serve`, then a summary with
a citizen query to try and evidence to verify against the chain alone.

The demo creates its own keys (operator and partner for 上海 310000, 江苏 320000, 浙江 330000
and 安徽 340000, and a supervisor) in the service's database, exactly as `govtrace keys
create` would, so it needs the same data directory (or database URL) as the server.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from govtrace.commands.common import EXIT_INVALID, DatabaseUrl, DataDir, fail, open_db, settings
from govtrace.demo_traffic import PROVINCES, DemoError, Traffic, run
from ledger import catalogue, keys
from ledger.province import province_name


def _keys(s: Any) -> dict[str, str]:
    db = open_db(s)
    try:
        tokens = {"supervisor": keys.create(db, "supervisor", label="demo supervisor")[0]}
        for p in PROVINCES:
            tokens[f"op:{p}"] = keys.create(db, "operator", province=p,
                                            label=f"demo operator {p}")[0]
            tokens[f"partner:{p}"] = keys.create(db, "partner", province=p,
                                                 label=f"demo partner {p}")[0]
        return tokens
    finally:
        db.dispose()


def _wait_anchored(t: Traffic, record_id: str, timeout: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = t.http.get(f"/v1/records/{record_id}/evidence",
                       headers={"Authorization": f"Bearer {t.tokens['supervisor']}"})
        if r.status_code == 200 and r.json()["anchor"] is not None:
            return dict(r.json())
        time.sleep(0.5)
    return None


def demo(
    url: Annotated[str | None, typer.Option(help="The running API; default: "
                                            "http://GOVTRACE_HOST:GOVTRACE_PORT.")] = None,
    rpc: Annotated[str | None, typer.Option(help="Chain RPC URL to print in the verify "
                                            "commands; default: GOVTRACE_RPC_URL, else the "
                                            "embedded Anvil's.")] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the sample evidence; "
                                             "default: <data dir>/demo.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (names, numbers, routes).")] = 2026,
    wait: Annotated[float, typer.Option(help="Seconds to wait for anchoring.")] = 120.0,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Drive cases and licenses over four Yangtze River Delta provinces; print a summary."""
    s = settings(data_dir, database_url)
    base = url or f"http://{s.host}:{s.port}"
    out = out or s.data_dir / "demo"
    try:
        health = httpx.get(f"{base}/healthz", timeout=10).json()
    except (httpx.HTTPError, ValueError) as exc:
        fail(f"no govtrace API at {base} ({exc}); start `govtrace serve` first")
    if health.get("status") == "unavailable":
        fail(f"the API at {base} reports its database unavailable")
    # Without GOVTRACE_RPC_URL, `serve` runs the embedded Anvil on GOVTRACE_ANVIL_PORT.
    rpc = rpc or s.rpc_url or f"http://127.0.0.1:{s.anvil_port}"
    with httpx.Client(base_url=base, timeout=60) as http:
        # Reproducible names and routes for a demo: not a security use of randomness.
        t = Traffic(http, _keys(s), random.Random(seed))  # noqa: S311
        try:
            t.load_catalogue([i.to_json() for i in catalogue.sample()])
            head = run(t)
        except DemoError as exc:
            fail(str(exc), EXIT_INVALID)
        lic = t.call("supervisor", "GET", f"/v1/licenses/{head['license_id']}")
        issued_id = lic["events"][0]["record_id"]
        bundle = _wait_anchored(t, issued_id, wait)
        verified = t.verify(320000, head["license_id"]) if bundle else None
    out.mkdir(parents=True, exist_ok=True)
    _summary(t, head, base, rpc, out, bundle, verified)


def _summary(t: Traffic, head: dict[str, Any], base: str, rpc: str, out: Path,
             bundle: dict[str, Any] | None, verified: dict[str, Any] | None) -> None:
    cross = sum(c["receiving"] != c["handling"] for c in t.cases)
    echo = typer.echo
    echo(f"govtrace demo: {len(t.cases)} cases ({len(t.cases) - cross} local, {cross} "
         f"cross-province), {len(t.licenses)} licenses, {t.records} records, "
         f"{len(PROVINCES)} provinces")
    for p in PROVINCES:
        got = [c for c in t.cases if c["receiving"] == p]
        handled = [c for c in t.cases if c["handling"] == p]
        late = [c for c in handled if c["late"]]
        echo(f"  {p} {province_name(p)}: received {len(got)}, handled {len(handled)}, "
             f"late {len(late)}")
    for c in t.cases:
        if c["late"]:
            echo(f"  late: {c['case_no']} ({c['label']}, {c['state']}, due {c['due_date']})")
    latest = {(v["license"] or {}).get("license_id"): (p, v) for p, v in t.verifications}
    for partner, v in latest.values():  # the last verification of each license
        lic = v["license"] or {}
        echo(f"  license {lic.get('license_id')} issued by "
             f"{(lic.get('issuing_province') or {}).get('code')}: {v['status']}, verified "
             f"by partner {partner} (authentic: {str(v['authentic']).lower()})")
    case = head["case"]
    echo("\nCitizen query (no key; the code was issued at submission):")
    echo(f"  curl '{base}/v1/public/cases/{case['case_no']}?query_code={case['query_code']}'")
    echo(f"Cross-province trace (any key of 310000 or 330000):\n  GET {base}/v1/cases/"
         f"{case['case_no']}/trace")
    if bundle is None or verified is None:
        echo("\nThe sample license was not anchored in time: fetch its evidence later with\n"
             f"  govtrace evidence <record id>   (license {head['license_id']})")
        return
    evidence_file, license_file = out / "evidence.json", out / "license-evidence.json"
    evidence_file.write_text(json.dumps(bundle, ensure_ascii=False, indent=2) + "\n")
    license_file.write_text(json.dumps(verified, ensure_ascii=False, indent=2) + "\n")
    echo(f"\nEvidence of license {head['license_id']} (issued by 330000, verified by 320000) "
         "to check against the chain alone:")
    echo(f"  govtrace verify {evidence_file} --rpc {rpc}")
    echo(f"  govtrace verify-license {license_file} --rpc {rpc}")

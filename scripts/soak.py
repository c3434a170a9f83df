#!/usr/bin/env python3
"""Soak: write continuously from several clients for a bounded time while the chain and the
processes fail, then prove that nothing was lost and nothing doubled.

    .venv/bin/python scripts/soak.py                       # 120 s on PostgreSQL
    .venv/bin/python scripts/soak.py --seconds 60 --database sqlite

Everything runs on this machine, on loopback: a throwaway PostgreSQL server (or a SQLite
file), an Anvil node with its state on disk, `govtrace api --workers 2` and two `govtrace
worker`s. During the run, on a fixed schedule: Anvil is stopped and restarted (twice), a
worker is SIGKILLed and restarted, and the API is SIGKILLed and restarted. Clients remember
which records were acknowledged; afterwards the doubtful ones are retried with the same ids,
the backlog drains, and the script prints:

    acknowledged == in the ledger == covered by anchored batches,
    the database/contract comparison (tests/faults/ledger_check.py) and the tamper audit,
    and that the chain holds each batch number exactly once, none missing.

Exit status 0 when all of that holds, 1 otherwise. Not a test: run it by hand or in a
nightly job (it takes --seconds plus about a minute).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from anchors.anvil import AnvilOptions, AnvilProcess, free_port  # noqa: E402
from ledger import keys  # noqa: E402
from tests.faults.kit import (  # noqa: E402
    PROVINCES,
    Deployment,
    Proc,
    base_env,
    covered,
    migrated,
    wait_http,
    wait_until,
)
from tests.faults.ledger_check import check, tamper_audit  # noqa: E402
from tests.faults.writer import Ledger, converge, write  # noqa: E402


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def client(url: str, token: str, province: int, ledger: Ledger, stop: threading.Event,
           per_request: int, offset: int) -> None:
    """Write until `stop`; a refused connection (API down) just means: try again shortly."""
    n = offset
    while not stop.is_set():
        before = len(ledger.doubtful)
        write(url, token, province, ledger, 50 * per_request, per_request=per_request,
              start=n, give_up=True, stop=stop)
        n += 50 * per_request
        if len(ledger.doubtful) > before:
            time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="govtrace-soak-"))
    log(f"working directory {work}")
    pg_dir = work / "postgres"
    if args.database == "postgres":
        out = subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "start", str(pg_dir)],
                             capture_output=True, text=True, check=True)
        database_url = out.stdout.strip().splitlines()[-1]
    else:
        database_url = f"sqlite:///{work / 'soak.db'}"
    anvil_options = AnvilOptions(port=free_port(), state_path=work / "anvil-state.json",
                                 quiet=True)
    anvil = AnvilProcess(anvil_options).start()
    deployment = Deployment.create(anvil.url)
    db = migrated(database_url)
    tokens = {p: keys.create(db, "operator", province=p, label=f"soak {p}")[0]
              for p in PROVINCES}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**base_env(work, database_url, port=str(port), api_workers="2",
                      seal_max_records="200"), **deployment.env()}
    api = Proc(["api"], env, work / "api.log").start()
    workers = [Proc(["worker"], env, work / f"worker{i}.log").start() for i in range(2)]
    wait_http(url, api)

    ledger, stop = Ledger(), threading.Event()
    clients = [threading.Thread(target=client, daemon=True, args=(
        url, tokens[PROVINCES[i % len(PROVINCES)]], PROVINCES[i % len(PROVINCES)], ledger,
        stop, (1, 10)[i % 2], 10_000_000 * i)) for i in range(args.clients)]
    for c in clients:
        c.start()

    def restart_anvil() -> None:
        nonlocal anvil
        anvil = AnvilProcess(anvil_options).start()

    def kill_worker() -> None:
        workers[0].kill()

    def restart_worker() -> None:
        workers[0] = Proc(["worker"], env, work / "worker0-restarted.log").start()

    def kill_and_restart_api() -> None:
        nonlocal api
        api.kill()
        time.sleep(1)
        api = Proc(["api"], env, work / "api-restarted.log").start()
        wait_http(url, api)

    schedule: list[tuple[float, str, Callable[[], None]]] = [
        (0.15, "stop Anvil", anvil.stop), (0.30, "restart Anvil", restart_anvil),
        (0.40, "SIGKILL worker 0", kill_worker), (0.50, "restart worker 0", restart_worker),
        (0.60, "stop Anvil", lambda: anvil.stop()), (0.70, "restart Anvil", restart_anvil),
        (0.80, "SIGKILL and restart the API", kill_and_restart_api),
    ]
    started = time.monotonic()
    for at, what, action in schedule:
        time.sleep(max(0.0, started + at * args.seconds - time.monotonic()))
        log(f"{what} (acknowledged so far: {len(ledger.acked)})")
        action()
    time.sleep(max(0.0, started + args.seconds - time.monotonic()))
    stop.set()
    for c in clients:
        c.join(60)
    log(f"writing stopped: {len(ledger.acked)} acknowledged, {len(ledger.doubtful)} in doubt")
    converge(url, tokens, ledger)
    log(f"retried the doubtful ones with the same ids: {len(ledger.acked)} acknowledged")
    wait_until("the backlog to drain", lambda: covered(db) == len(ledger.acked), 300)

    api.stop()
    for w in workers:
        w.stop()
    result = check(db, deployment.contract)
    verdict = tamper_audit(db, deployment.contract)
    heads = {p: deployment.contract.province_head(p) for p in PROVINCES}
    anvil.stop()
    print()
    print(f"soak: {args.seconds:.0f} s on {args.database}, {args.clients} clients, "
          f"2 API processes, 2 workers; Anvil stopped twice, a worker and the API SIGKILLed")
    print(f"  acknowledged                 {len(ledger.acked)}")
    print(f"  in the ledger                {result.total_records}")
    print(f"  covered by anchored batches  {result.total_covered}")
    for p in PROVINCES:
        print(f"  province {p}: {result.records.get(p, 0)} records, "
              f"{result.batches.get(p, 0)} batches in the database, {heads[p].batch_count} on "
              f"chain (next seq {heads[p].next_seq})")
    print(f"  database vs contract         {'clean' if result.clean else result.problems}")
    print(f"  tamper audit                 {verdict or 'not available in this checkout'}")
    ok = (result.clean and len(ledger.acked) == result.total_records == result.total_covered
          and verdict in (None, "clean"))
    print(f"  verdict                      {'OK: nothing lost, nothing doubled' if ok else 'FAIL'}")
    db.dispose()
    if args.database == "postgres":
        subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "stop", str(pg_dir)], check=False)
    if not args.keep and ok:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

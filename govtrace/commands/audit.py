"""`govtrace audit`: re-verify every record, batch root and case chain; compare with the chain.

Exit codes: 0 clean; 1 tampering found; 3 nothing wrong in the database but the chain could
not be compared (no endpoint, unreachable, wrong contract), so a consistent rewrite of records
and stored roots would not have shown; 2 usage errors. The human-readable report goes to
stdout (`--json` prints the JSON report instead); `--report FILE` also writes the JSON.
Every audit is appended to the supervision body's ledger unless `--no-record` is given.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from govtrace.commands.common import (
    EXIT_CANNOT_CHECK,
    DatabaseUrl,
    DataDir,
    fail,
    open_db,
    settings,
)
from govtrace.settings import Settings
from ledger import audit_log, settings_store
from ledger.audit import AuditOptions, Progress, run_audit
from ledger.audit_batches import AnchoredRoots
from ledger.audit_report import render_text
from ledger.errors import AuditChainUnavailable, LedgerError
from ledger.province import PROVINCES
from ledger.store import Database


def chain_roots(s: Settings, db: Database, url: str | None, contract: str | None
                ) -> tuple[AnchoredRoots | None, str | None]:
    """The anchored roots to compare with, or None and the reason the comparison is skipped.
    The contract: `contract`, else GOVTRACE_CONTRACT_ADDRESS, else the one this ledger
    deployed and remembered for the node's chain id (never one a caller merely names)."""
    from anchors.audit_chain import ContractRoots
    from anchors.chain import Chain
    from anchors.errors import AnchorError

    if url is None:
        return None, "no chain endpoint given (--rpc or GOVTRACE_RPC_URL)"
    address = contract or s.contract_address
    if address is None:
        try:
            chain_id = Chain.connect(url).chain_id
        except AnchorError as exc:
            return None, f"chain unreachable: {exc}"
        address = settings_store.get(db, f"anchor.contract.{chain_id}")
        if address is None:
            return None, (f"no anchor contract known for chain {chain_id} (--contract or "
                          "GOVTRACE_CONTRACT_ADDRESS)")
    try:
        return ContractRoots.connect(url, address), None
    except AuditChainUnavailable as exc:
        return None, str(exc)


def served_chain_roots(s: Settings, db: Database
                       ) -> Callable[[], tuple[AnchoredRoots | None, str | None]]:
    """For the API (POST /v1/supervision/audits): this deployment's chain, including the
    embedded Anvil of `govtrace serve`, and the contract it anchors to."""
    url = s.rpc_url or f"http://127.0.0.1:{s.anvil_port}"
    return lambda: chain_roots(s, db, url, None)


def _terminal_progress() -> Progress | None:
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(phase: str, done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-9)
        unit = "records" if phase == "records" else "buckets"
        sys.stderr.write(f"\r{phase}: {done:,}/{total:,} {unit} ({100 * done / max(total, 1):.0f}"
                         f"%, {rate:,.0f}/s)   ")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def audit(
    province: Annotated[list[int] | None, typer.Option(
        "--province", help="Audit only this province (repeatable); default: all.")] = None,
    rpc: Annotated[str | None, typer.Option(
        "--rpc", help="EVM JSON-RPC URL to compare roots with [GOVTRACE_RPC_URL].")] = None,
    contract: Annotated[str | None, typer.Option(
        help="Anchor contract; default: the one this ledger anchors to.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON report.")] = False,
    report_file: Annotated[Path | None, typer.Option(
        "--report", help="Also write the JSON report to this file.")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes [GOVTRACE_AUDIT_WORKERS].")] = None,
    record: Annotated[bool, typer.Option(
        help="Append the result to the supervision body's ledger.")] = True,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Tamper audit: every record, batch root and case chain, against the chain's roots."""
    for p in province or []:
        if p not in PROVINCES:
            fail(f"{p} is not a province-level GB/T 2260 code")
    s = settings(data_dir, database_url)
    db = open_db(s)
    try:
        roots, reason = chain_roots(s, db, rpc or s.rpc_url, contract)
        options = AuditOptions(provinces=tuple(province) if province else None,
                               workers=s.audit_workers if workers is None else workers)
        report = run_audit(db, options, chain=roots, chain_error=reason,
                           progress=_terminal_progress())
        if record:
            try:
                appended = audit_log.record_audit(db, report, province=s.supervision_province,
                                                  body=s.supervision_body)
                typer.echo(f"audit recorded: province {appended.record.province} seq "
                           f"{appended.record.seq}, record {appended.record.record_id}",
                           err=True)
            except LedgerError as exc:
                typer.echo(render_text(report))
                fail(f"the audit could not be recorded: {exc}", EXIT_CANNOT_CHECK)
    finally:
        db.dispose()
    document = report.to_json()
    if report_file is not None:
        report_file.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                               encoding="utf-8")
    typer.echo(json.dumps(document, ensure_ascii=False) if as_json else render_text(report))
    raise typer.Exit(report.exit_code)

"""Operator commands: seal now, run one anchoring pass, export evidence, rebuild the artifact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from govtrace.commands.common import EXIT_INVALID, DatabaseUrl, DataDir, fail, open_db, settings
from ledger import evidence as ledger_evidence
from ledger import sealing
from ledger.errors import LedgerError, LedgerInconsistent


def seal(
    force: Annotated[bool, typer.Option(help="Seal every pending record now.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Seal the batches that are due (or all pending records with --force)."""
    s = settings(data_dir, database_url)
    db = open_db(s)
    try:
        for b in sealing.seal_due(db, s.seal_policy(), force=force):
            typer.echo(f"sealed province {b.province} batch {b.batch_no}: seq {b.first_seq}.."
                       f"{b.last_seq} root 0x{b.root.hex()}")
    finally:
        db.dispose()


def anchor(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Run one anchoring pass against the configured chain (GOVTRACE_RPC_URL etc.)."""
    from govtrace.service import make_worker

    s = settings(data_dir, database_url)
    db = open_db(s)
    worker = make_worker(s, db)
    try:
        report = worker.run_once()
    finally:
        worker.close()
        db.dispose()
    for province, batch_no in report.anchored + report.reconciled:
        typer.echo(f"anchored province {province} batch {batch_no}")
    for province, reason in report.stalled.items():
        typer.echo(f"stalled province {province}: {reason}", err=True)
    if report.stalled:
        raise typer.Exit(EXIT_INVALID)


def evidence(
    record_id: str,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")]
    = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Export a record's evidence bundle from the local database."""
    db = open_db(settings(data_dir, database_url))
    try:
        with db.snapshot() as session:
            bundle = ledger_evidence.build(session, record_id)
    except LedgerInconsistent as exc:  # damaged storage, not bad input: audit-failure exit
        fail(f"{exc}: the ledger's stored data is incomplete; run `govtrace audit` to locate "
             "the damage", EXIT_INVALID)
    except LedgerError as exc:
        fail(str(exc))
    finally:
        db.dispose()
    text = json.dumps(bundle, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


def compile_contract(
    check: Annotated[bool, typer.Option(help="Only check the committed artifact is current.")]
    = False,
) -> None:
    """Compile contracts/ with the solc launcher and write anchors/artifacts (or --check)."""
    from anchors import compile as contract_compile

    args = ["--check"] if check else []
    code = contract_compile.main(args)
    if code:
        raise typer.Exit(code)

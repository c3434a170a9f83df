"""`govtrace verify BUNDLE --rpc URL`: check evidence against the chain, trusting no server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from govtrace.commands.common import fail, run_check
from govtrace.verification import BundleRejected, CannotCheck, verify_bundle


def verify(
    bundle: Annotated[Path, typer.Argument(help="Evidence bundle JSON file ('-' for stdin).")],
    rpc: Annotated[str, typer.Option("--rpc", help="EVM JSON-RPC URL of the anchoring chain.")],
    contract: Annotated[str | None, typer.Option(
        help="The contract you trust; default: the one the bundle names.")] = None,
    min_confirmations: Annotated[int, typer.Option(help="Confirmations required.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON verdict.")] = False,
) -> None:
    """Verify an evidence bundle: exit 0 and one line when valid, else the precise reason."""
    try:
        data = sys.stdin.buffer.read() if str(bundle) == "-" else bundle.read_bytes()
    except OSError as exc:
        fail(f"cannot read {bundle}: {exc.strerror}")
    run_check(lambda: verify_bundle(data, rpc, contract=contract,
                                    min_confirmations=min_confirmations),
              lambda verdict: verdict.line(), as_json=as_json,
              rejected=(BundleRejected,), cannot_check=CannotCheck)

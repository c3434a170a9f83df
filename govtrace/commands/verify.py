"""`govtrace verify BUNDLE --rpc URL`: check evidence against the chain, trusting no server."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from govtrace.commands.common import EXIT_CANNOT_CHECK, EXIT_INVALID, EXIT_USAGE, fail
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
    try:
        verdict = verify_bundle(data, rpc, contract=contract,
                                min_confirmations=min_confirmations)
    except BundleRejected as exc:
        _report(as_json, {"valid": False, "reason": exc.reason, "detail": str(exc)},
                f"INVALID ({exc.reason}): {exc}")
        raise typer.Exit(EXIT_USAGE if exc.reason == "malformed" else EXIT_INVALID) from None
    except CannotCheck as exc:
        _report(as_json, {"valid": None, "reason": "chain-unreachable", "detail": str(exc)},
                f"UNKNOWN (chain-unreachable): {exc}")
        raise typer.Exit(EXIT_CANNOT_CHECK) from None
    _report(as_json, verdict.to_json(), verdict.line())


def _report(as_json: bool, obj: dict[str, object], line: str) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False) if as_json else line)

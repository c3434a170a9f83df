"""`govtrace verify-license FILE --rpc URL`: a license's status from its evidence alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from govtrace.commands.common import EXIT_CANNOT_CHECK, EXIT_INVALID, EXIT_USAGE, fail
from govtrace.license_check import (
    BundleRejected,
    CannotCheck,
    LicenseRejected,
    verify_license_evidence,
)


def verify_license(
    evidence: Annotated[Path, typer.Argument(
        help="License evidence (the answer of POST /v1/licenses/verify, or its `evidence`); "
             "'-' for stdin.")],
    rpc: Annotated[str, typer.Option("--rpc", help="EVM JSON-RPC URL of the anchoring chain.")],
    contract: Annotated[str | None, typer.Option(
        help="The contract you trust; default: the one the bundles name.")] = None,
    min_confirmations: Annotated[int, typer.Option(help="Confirmations required.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON verdict.")] = False,
) -> None:
    """Check every event of a license against the chain, their hash chain and lifecycle, and
    print the status they establish (exit 0), or why not (1; 2 malformed; 3 chain down)."""
    try:
        raw = sys.stdin.buffer.read() if str(evidence) == "-" else evidence.read_bytes()
        obj = json.loads(raw)
    except OSError as exc:
        fail(f"cannot read {evidence}: {exc.strerror}")
    except ValueError as exc:
        fail(f"{evidence} is not JSON: {exc}")
    try:
        result = verify_license_evidence(obj, rpc, contract=contract,
                                         min_confirmations=min_confirmations)
    except (LicenseRejected, BundleRejected) as exc:
        _report(as_json, {"valid": False, "reason": exc.reason, "detail": str(exc)},
                f"INVALID ({exc.reason}): {exc}")
        raise typer.Exit(EXIT_USAGE if exc.reason == "malformed" else EXIT_INVALID) from None
    except CannotCheck as exc:
        _report(as_json, {"valid": None, "reason": "chain-unreachable", "detail": str(exc)},
                f"UNKNOWN (chain-unreachable): {exc}")
        raise typer.Exit(EXIT_CANNOT_CHECK) from None
    _report(as_json, result.to_json(), "\n".join([result.line(), *result.notes]))


def _report(as_json: bool, obj: dict[str, object], text: str) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False) if as_json else text)

"""`govtrace verify-license FILE --rpc URL`: a license's status from its evidence alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from govtrace.commands.common import fail, run_check
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
    run_check(lambda: verify_license_evidence(obj, rpc, contract=contract,
                                              min_confirmations=min_confirmations),
              lambda result: "\n".join([result.line(), *result.notes]), as_json=as_json,
              rejected=(LicenseRejected, BundleRejected), cannot_check=CannotCheck)

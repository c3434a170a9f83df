"""Verify an evidence bundle using only the bundle and a chain node (no database, no API)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anchors.errors import (
    AnchorError,
    ChainMismatch,
    ChainUnreachable,
    InclusionRejected,
    NotAnchored,
    RootMismatch,
    WrongContract,
)
from anchors.verify import AnchorCheck, InclusionClaim, check_anchor
from ledger import evidence
from ledger.errors import VerificationError


class BundleRejected(Exception):
    """The bundle is not valid evidence; `reason` is a stable code (docs/protocol.md §5.1)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class CannotCheck(Exception):
    """The chain could not be asked: nothing was decided about the bundle."""


@dataclass(frozen=True)
class Verdict:
    bundle: evidence.CheckedBundle
    check: AnchorCheck

    def line(self) -> str:
        r, b, c = self.bundle.record, self.bundle.batch, self.check
        return (f"VALID: record {r.record_id} ({r.kind}, province {r.province} seq {r.seq}) is "
                f"leaf {self.bundle.index} of batch {b.batch_no} (size {b.size}), anchored on "
                f"chain {c.chain_id} by contract {c.contract} in block {c.block_number} "
                f"({c.confirmations} confirmations)")

    def to_json(self) -> dict[str, Any]:
        r, b, c = self.bundle.record, self.bundle.batch, self.check
        return {"valid": True, "record_id": r.record_id, "province": r.province, "seq": r.seq,
                "batch_no": b.batch_no, "index": self.bundle.index, "chain_id": c.chain_id,
                "contract": c.contract, "block_number": c.block_number,
                "anchored_at": c.anchored_at, "confirmations": c.confirmations}


def verify_bundle(bundle: Any, rpc_url: str, *, contract: str | None = None,
                  min_confirmations: int = 1) -> Verdict:
    """Raise BundleRejected(reason) or CannotCheck; return the verdict when everything holds."""
    try:
        checked = evidence.check(bundle)
    except VerificationError as exc:
        raise BundleRejected(exc.reason, str(exc)) from exc
    anchor = checked.anchor
    if anchor is None:
        raise BundleRejected("not-anchored", "the bundle carries no anchor: its batch was "
                             "sealed but not yet anchored; fetch the evidence again later")
    if contract is not None and contract.lower() != anchor.contract.lower():
        raise BundleRejected("wrong-contract", f"bundle cites contract {anchor.contract}, "
                             f"not the trusted contract {contract}")
    b = checked.batch
    try:
        result = check_anchor(
            rpc_url, contract or anchor.contract, chain_id=anchor.chain_id, province=b.province,
            batch_no=b.batch_no, root=b.root, first_seq=b.first_seq, size=b.size,
            inclusion=InclusionClaim(checked.leaf_hash, checked.index, checked.proof),
            block_number=anchor.block_number, tx_hash=anchor.tx_hash)
    except ChainUnreachable as exc:
        raise CannotCheck(f"chain unreachable: {exc}") from exc
    except ChainMismatch as exc:
        raise BundleRejected("wrong-chain", str(exc)) from exc
    except WrongContract as exc:
        raise BundleRejected("wrong-contract", str(exc)) from exc
    except NotAnchored as exc:
        raise BundleRejected("not-anchored", str(exc)) from exc
    except RootMismatch as exc:
        raise BundleRejected("root-mismatch", str(exc)) from exc
    except InclusionRejected as exc:
        raise BundleRejected("proof-invalid", str(exc)) from exc
    except AnchorError as exc:
        raise CannotCheck(str(exc)) from exc
    if result.confirmations < min_confirmations:
        raise BundleRejected("not-final", f"anchor has {result.confirmations} confirmations, "
                             f"{min_confirmations} required")
    return Verdict(checked, result)


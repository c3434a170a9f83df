"""Verify an evidence bundle using only the bundle and a chain node (no database, no API).

Two front ends over one sequence of checks (docs/protocol.md §5.1): `verify_bundle` raises at
the first failure (the `govtrace verify` CLI), `report_bundle` returns every check's outcome
(the web verify page, through `api.services.Services.verify_bundle`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from anchors.chain import Chain
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
from govtrace.settings import Settings
from ledger import evidence, settings_store, verdict
from ledger.errors import LedgerError, VerificationError
from ledger.store import Database
from ledger.verdict import AnchorFacts, VerificationReport


class BundleRejected(Exception):
    """The bundle is not valid evidence; `reason` is a stable code (docs/protocol.md §5.1)."""

    def __init__(self, reason: str, message: str, *, check: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        #: The check that failed (ledger.verdict.CHECKS); by default the reason's.
        self.check = check or verdict.FAILED_CHECK.get(reason, "format")


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
                  min_confirmations: int = 1, passed: dict[str, str] | None = None) -> Verdict:
    """Raise BundleRejected(reason) or CannotCheck; return the verdict when everything holds.

    `passed`, when given, collects check name -> detail for every check that held, in order.
    """
    passes: dict[str, str] = {} if passed is None else passed
    try:
        checked = evidence.check(bundle)
    except VerificationError as exc:
        raise BundleRejected(exc.reason, str(exc)) from exc
    except LedgerError as exc:  # not even JSON
        raise BundleRejected("malformed", f"not a {evidence.FORMAT} bundle: {exc}") from exc
    passes.update(verdict.offline_passes(checked))
    anchor = checked.anchor
    if anchor is None:
        raise BundleRejected("not-anchored", verdict.NO_ANCHOR)
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
        _chain_id_held(passes, anchor.chain_id)
        raise BundleRejected("wrong-contract", str(exc)) from exc
    except NotAnchored as exc:
        _contract_held(passes, anchor.chain_id, contract or anchor.contract)
        raise BundleRejected("not-anchored", str(exc)) from exc
    except RootMismatch as exc:
        _contract_held(passes, anchor.chain_id, contract or anchor.contract)
        raise BundleRejected("root-mismatch", str(exc)) from exc
    except InclusionRejected as exc:
        _contract_held(passes, anchor.chain_id, contract or anchor.contract)
        raise BundleRejected("proof-invalid", str(exc), check="anchored-root") from exc
    except AnchorError as exc:
        raise CannotCheck(str(exc)) from exc
    _contract_held(passes, result.chain_id, result.contract)
    passes["anchored-root"] = (f"batch {b.batch_no} of province {b.province} has root "
                               f"0x{b.root.hex()} in block {result.block_number}")
    if result.confirmations < min_confirmations:
        raise BundleRejected("not-final", f"anchor has {result.confirmations} confirmations, "
                             f"{min_confirmations} required")
    passes["confirmations"] = f"{result.confirmations} (at least {min_confirmations} required)"
    return Verdict(checked, result)


def _chain_id_held(passes: dict[str, str], chain_id: int) -> None:
    passes["chain-id"] = str(chain_id)


def _contract_held(passes: dict[str, str], chain_id: int, contract: str) -> None:
    _chain_id_held(passes, chain_id)
    passes["contract"] = contract


def report_bundle(bundle: bytes, rpc_url: str, *, contract: str | None = None,
                  min_confirmations: int = 1) -> VerificationReport:
    """Every check's outcome; never raises for a bad bundle or an unreachable chain."""
    base, checked = verdict.check_offline(bundle)
    if checked is None:  # an offline check failed, or no anchor: the chain has nothing to add
        return base
    passes: dict[str, str] = {}
    try:
        found = verify_bundle(bundle, rpc_url, contract=contract,
                              min_confirmations=min_confirmations, passed=passes)
    except BundleRejected as exc:
        return replace(base, verdict=verdict.verdict_of(exc.reason), reason=exc.reason,
                       detail=str(exc), checks=verdict.outcomes(passes, (exc.check, str(exc))),
                       offline_only=False)
    except CannotCheck as exc:
        return replace(base, verdict="unavailable", reason="chain-unreachable", detail=str(exc),
                       checks=verdict.outcomes(passes, None), offline_only=False)
    c, cited = found.check, base.anchor
    assert cited is not None  # check_offline returns a bundle only when it cites an anchor
    anchor = AnchorFacts(c.chain_id, c.contract, cited.tx_hash, c.block_number, c.confirmations)
    return replace(base, verdict="authentic", reason=None, detail="", offline_only=False,
                   checks=verdict.outcomes(passes, None), anchor=anchor)


def trusted_verifier(settings: Settings, db: Database) -> Callable[[bytes], VerificationReport]:
    """`report_bundle` against this deployment's chain and contract, for the verify page.

    The contract is the one this service anchors to (GOVTRACE_CONTRACT_ADDRESS, or the one it
    deployed and remembered for the node's chain id), never the one a bundle names: a forger
    can deploy a contract that vouches for anything. Works in any API process: the embedded
    Anvil of `govtrace serve` listens on GOVTRACE_ANVIL_PORT.
    """
    rpc_url = settings.rpc_url or f"http://127.0.0.1:{settings.anvil_port}"

    def verify(bundle: bytes) -> VerificationReport:
        base, checked = verdict.check_offline(bundle)
        if checked is None:
            return base
        contract = settings.contract_address
        if contract is None:
            try:
                chain_id = Chain(rpc_url).chain_id
            except AnchorError as exc:
                return replace(base, detail=f"chain unreachable: {exc}", offline_only=False)
            contract = settings_store.get(db, f"anchor.contract.{chain_id}")
            if contract is None:
                return replace(base, detail=f"no anchor contract is known for chain {chain_id}",
                               offline_only=False)
        return report_bundle(bundle, rpc_url, contract=contract,
                             min_confirmations=settings.confirmations)

    return verify

"""The outcome of verifying an evidence bundle, check by check (docs/protocol.md §5.1).

`govtrace verify` needs only the first failure; a person at a counter needs to see every
check, which passed, which failed, and which could not run because an earlier one failed.
This module holds that report and the offline half of it (checks 1–4, no chain); the chain
half is added by govtrace/verification.py, which may import web3 where the API may not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from . import evidence
from .canonical import parse
from .errors import LedgerError, VerificationError

#: The checks in protocol order. Check names are stable: pages translate them.
CHECKS = ("format", "record-hash", "position", "merkle-proof",
          "chain-id", "contract", "anchored-root", "confirmations")
OFFLINE = CHECKS[:4]
#: Which check a protocol reason code (§5.1) reports the failure of.
FAILED_CHECK = {
    "malformed": "format", "record-altered": "record-hash",
    "coordinates-mismatch": "position", "proof-invalid": "merkle-proof",
    "wrong-chain": "chain-id", "wrong-contract": "contract",
    "not-anchored": "anchored-root", "root-mismatch": "anchored-root",
    "inclusion-rejected": "anchored-root", "not-final": "confirmations",
}

Outcome = Literal["passed", "failed", "not-run"]
#: authentic / altered / not-anchored / revoked are the answers a verifier gives; malformed
#: (not evidence at all) and unavailable (the chain could not be asked) are not verdicts on
#: the record and are shown as such.
Verdict = Literal["authentic", "altered", "not-anchored", "revoked", "malformed", "unavailable"]
VERDICT_OF_REASON: dict[str, Verdict] = {
    "malformed": "malformed", "not-anchored": "not-anchored", "not-final": "not-anchored",
    "chain-unreachable": "unavailable",
}


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Subject:
    """What the bundle is about, for display. Never the payload: a clerk needs to know which
    record was checked, not the citizen's data."""

    record_id: str
    kind: str
    subject_type: str
    subject_id: str
    department: str
    occurred_at: str
    seq: int
    batch_no: int


@dataclass(frozen=True, slots=True)
class AnchorFacts:
    chain_id: int
    contract: str
    tx_hash: str
    block_number: int
    confirmations: int | None = None


@dataclass(frozen=True, slots=True)
class VerificationReport:
    verdict: Verdict
    #: The protocol reason code of the first failure; None when authentic.
    reason: str | None
    detail: str
    checks: tuple[Check, ...]
    province: int | None = None
    subject: Subject | None = None
    anchor: AnchorFacts | None = None
    #: Set when only the offline checks ran (no chain connection configured).
    offline_only: bool = False

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)


NO_ANCHOR = ("the bundle carries no anchor: its batch was sealed but not yet anchored; "
             "fetch the evidence again later")


def verdict_of(reason: str | None) -> Verdict:
    if reason is None:
        return "authentic"
    return VERDICT_OF_REASON.get(reason, "altered")


def outcomes(passed: dict[str, str], failed: tuple[str, str] | None) -> tuple[Check, ...]:
    """Every check in protocol order: those in `passed`, the one `failed` (name, detail),
    and the rest not run (a later check means nothing once an earlier one failed)."""
    out = []
    for name in CHECKS:
        if name in passed:
            out.append(Check(name, "passed", passed[name]))
        elif failed is not None and failed[0] == name:
            out.append(Check(name, "failed", failed[1]))
        else:
            out.append(Check(name, "not-run"))
    return tuple(out)


def subject_of(checked: evidence.CheckedBundle) -> Subject:
    r = checked.record
    return Subject(r.record_id, r.kind, r.subject.type, r.subject.id, r.actor.department,
                   r.occurred_at, r.seq, checked.batch.batch_no)


def offline_passes(checked: evidence.CheckedBundle) -> dict[str, str]:
    """Details of checks 1–4 once `evidence.check` accepted the bundle."""
    b = checked.batch
    return {
        "format": evidence.FORMAT,
        "record-hash": "0x" + checked.leaf_hash.hex(),
        "position": f"seq {checked.record.seq} = leaf {checked.index} of batch {b.batch_no} "
                    f"(size {b.size})",
        "merkle-proof": f"root 0x{b.root.hex()}",
    }


def anchor_facts(checked: evidence.CheckedBundle) -> AnchorFacts | None:
    a = checked.anchor
    return None if a is None else AnchorFacts(a.chain_id, a.contract, a.tx_hash, a.block_number)


def check_offline(bundle: bytes | str) -> tuple[VerificationReport, evidence.CheckedBundle | None]:
    """Checks 1–4, and whether the bundle cites an anchor at all. The report is final when
    one of them failed (the second item is then None); otherwise it is provisional until the
    chain half completes it."""
    try:
        checked = evidence.check(bundle)
    except LedgerError as exc:
        # Not JSON at all raises a parse error rather than a VerificationError: malformed.
        reason = exc.reason if isinstance(exc, VerificationError) else "malformed"
        failed = FAILED_CHECK.get(reason, "format")
        # evidence.check runs the offline checks in order, so those before the failed one held.
        earlier = {name: "" for name in OFFLINE[:OFFLINE.index(failed)]} if (
            failed in OFFLINE) else {}
        province, subject, anchor = claimed(bundle)
        return VerificationReport(verdict_of(reason), reason, str(exc),
                                  outcomes(earlier, (failed, str(exc))), province=province,
                                  subject=subject, anchor=anchor), None
    passes = offline_passes(checked)
    base = VerificationReport("unavailable", "chain-unreachable", "the chain was not consulted",
                              outcomes(passes, None), province=checked.batch.province,
                              subject=subject_of(checked), anchor=anchor_facts(checked),
                              offline_only=True)
    if checked.anchor is None:
        return replace(base, verdict="not-anchored", reason="not-anchored", detail=NO_ANCHOR,
                       checks=outcomes(passes, ("anchored-root", NO_ANCHOR)),
                       offline_only=False), None
    return base, checked


def offline_report(bundle: bytes | str) -> VerificationReport:
    """The report when no chain connection is configured: checks 1–4 only."""
    report, checked = check_offline(bundle)
    if checked is None:
        return report
    return replace(report, detail="the record matches its batch root, but no chain "
                   "connection is configured here, so the anchor was not checked")


def _typed(obj: object, key: str, kind: type) -> Any:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if type(value) is kind else None


def claimed(bundle: bytes | str) -> tuple[int | None, Subject | None, AnchorFacts | None]:
    """What a bundle that failed its checks says about itself (province, record, anchor),
    for display only: a clerk needs to know which record and which anchor were forged."""
    try:
        data = parse(bundle.encode() if isinstance(bundle, str) else bundle)
    except LedgerError:
        return None, None, None
    if not isinstance(data, dict):
        return None, None, None
    record, batch, a = data.get("record"), data.get("batch"), data.get("anchor")
    province = _typed(batch, "province", int) or _typed(record, "province", int)
    subject = None
    fields = [_typed(record, k, str) for k in ("record_id", "kind", "occurred_at")]
    sub, actor = _typed(record, "subject", dict), _typed(record, "actor", dict)
    if all(fields) and sub and actor:
        subject = Subject(fields[0], fields[1], str(_typed(sub, "type", str)),
                          str(_typed(sub, "id", str)), str(_typed(actor, "department", str)),
                          fields[2], _typed(record, "seq", int) or 0,
                          _typed(batch, "batch_no", int) or 0)
    anchor = None
    facts = (_typed(a, "chain_id", int), _typed(a, "contract", str), _typed(a, "tx_hash", str),
             _typed(a, "block_number", int))
    if all(f is not None for f in facts):
        anchor = AnchorFacts(facts[0], facts[1], facts[2], facts[3])
    return province, subject, anchor

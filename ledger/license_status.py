"""What a partner province learns when it verifies a license, and what backs each claim.

The answer is built from the license's own hash chain (issued → ... → latest event, linked by
`prev`), one evidence bundle per event, and how far the issuing province's log is anchored.
docs/licenses.md explains what this proves and what it cannot: inclusion proves an event
happened; that no *later* event (a revocation) exists is only as strong as the issuing
province's anchored log, which `anchored_through_seq` and the chain's `provinceHead` bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from . import anchoring, evidence, license_events, lookup, trace
from .errors import NotFound, VerificationError
from .record import hex32
from .store.domain_schema import LicenseRow
from .store.schema import AnchorRow, BatchRow

EVIDENCE_FORMAT = "govtrace.license-evidence/1"
STATEMENT = (
    "Each bundle proves, against the anchor contract, that the issuing province recorded that "
    "event with exactly this content no later than its anchoring block, and the prev links "
    "prove the events form one unbroken chain from issuance. Inclusion cannot prove that no "
    "later event (a revocation) exists: this ledger holds none up to the issuing province's "
    "sequence number anchored_through_seq. Compare it with provinceHead(issuing_province) on "
    "chain; any later event must be a record of that province whose prev is the last leaf "
    "hash here. Re-verify before relying on an old answer (docs/licenses.md).")


@dataclass(frozen=True, slots=True)
class Verdict:
    authentic: bool
    reason: str | None
    detail: str
    license: LicenseRow | None = None
    chain: trace.Trace | None = None
    status: str | None = None
    bundles: tuple[dict[str, Any] | None, ...] = ()
    anchored_through_seq: int = 0


def anchored_through(session: Session, province: int) -> int:
    """The last seq of `province` covered by a confirmed anchor (0: none yet)."""
    value = session.scalar(
        select(func.max(BatchRow.first_seq + BatchRow.size - 1))
        .join(AnchorRow, and_(AnchorRow.province == BatchRow.province,
                              AnchorRow.batch_no == BatchRow.batch_no))
        .where(BatchRow.province == province, AnchorRow.status == anchoring.CONFIRMED))
    return int(value or 0)


def _refuse(reason: str, detail: str) -> Verdict:
    return Verdict(False, reason, detail)


def from_bundle(session: Session, bundle: Any) -> tuple[str | None, Verdict | None]:
    """The license id a bundle speaks for, or a negative verdict explaining why not."""
    try:
        checked = evidence.check(bundle)
    except VerificationError as exc:
        return None, _refuse(f"bundle-{exc.reason}", str(exc))
    record = checked.record
    if record.subject.type != "license":
        return None, _refuse("not-a-license-record", f"the bundle's record is a {record.kind}, "
                             "not a license event")
    try:
        stored = lookup.record_row(session, record.record_id)
    except NotFound:
        stored = None
    if stored is None or stored.leaf_hash != checked.leaf_hash:
        return None, _refuse("not-in-ledger", "this ledger holds no record with this leaf "
                             "hash: the bundle may be forged, or verify it with "
                             "`govtrace verify` against the chain")
    return record.subject.id, None


def verify(session: Session, license_id: str, today: date) -> Verdict:
    row = session.get(LicenseRow, license_id)
    if row is None or row.state == license_events.NEW:
        return _refuse("unknown-license", f"no license {license_id} has been issued here")
    chain = trace.trace(session, "license", license_id)
    bundles = tuple(trace.bundle_of(session, r) for r in chain.records)
    through = anchored_through(session, row.issuing_province)
    status = license_events.effective_state(row.state, row.valid_until, today)
    if not chain.complete or not chain.records or chain.records[0].kind != "license.issued":
        first = chain.breaks[0].detail if chain.breaks else "the chain does not start at issuance"
        return Verdict(False, "chain-broken", first, row, chain, status, bundles, through)
    return Verdict(True, None, f"license {license_id} is {status}", row, chain, status,
                   bundles, through)


def evidence_document(license_id: str, bundles: tuple[dict[str, Any] | None, ...]
                      ) -> dict[str, Any]:
    """What `govtrace verify-license` checks against the chain, trusting no server."""
    return {"format": EVIDENCE_FORMAT, "license_id": license_id,
            "bundles": [b for b in bundles if b is not None],
            "unsealed_events": sum(b is None for b in bundles)}


def status_record(v: Verdict) -> dict[str, Any] | None:
    if v.chain is None or not v.chain.records:
        return None
    last = v.chain.records[-1]
    return {"record_id": last.record_id, "event": last.step, "occurred_at": last.occurred_at,
            "province": last.province, "seq": last.seq, "leaf_hash": hex32(last.leaf_hash),
            "status": last.status}


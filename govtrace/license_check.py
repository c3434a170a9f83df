"""Verify a license's status from its evidence alone (`govtrace verify-license`).

Input: the `govtrace.license-evidence/1` document that `POST /v1/licenses/verify` returns
(or that whole response). Trusting no server, this checks that

1. every bundle verifies against the anchor contract (docs/protocol.md §5.1);
2. all records are events of the same license, written by one province (the issuer);
3. the first is `license.issued` with no predecessor, and each next record's `prev` is the
   leaf hash of the one before: one unbroken chain;
4. replaying the events through the lifecycle rules (ledger/license_events.py) is legal; the
   last state, and the validity window, give the status;

and reports how far the issuer's log is anchored on chain (`provinceHead`), which bounds
what the evidence can say about later events (docs/licenses.md).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from anchors.chain import Chain
from anchors.contract import AnchorContract
from anchors.errors import AnchorError
from ledger import license_events
from ledger.errors import LedgerError
from ledger.license_status import EVIDENCE_FORMAT
from ledger.workcalendar import local_date

from .verification import BundleRejected, CannotCheck, Verdict, verify_bundle


class LicenseRejected(Exception):
    """The evidence does not establish the license's status; `reason` is a short code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class LicenseCheck:
    license_id: str
    issuing_province: int
    status: str
    recorded_status: str
    events: list[tuple[str, int, int]]  # (event, seq, anchoring block)
    #: Last seq of the issuing province anchored on chain (provinceHead.nextSeq - 1).
    anchored_through_seq: int
    unsealed_events: int
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        last = self.events[-1]
        return (f"VALID: license {self.license_id} issued by {self.issuing_province} is "
                f"{self.status} as of its event {last[0]} (seq {last[1]}, block {last[2]}); "
                f"{len(self.events)} events chained from issuance; province "
                f"{self.issuing_province} has anchored through seq "
                f"{self.anchored_through_seq}")

    def to_json(self) -> dict[str, Any]:
        return {"valid": True, "license_id": self.license_id,
                "issuing_province": self.issuing_province, "status": self.status,
                "recorded_status": self.recorded_status,
                "events": [{"event": e, "seq": s, "block": b} for e, s, b in self.events],
                "anchored_through_seq": self.anchored_through_seq,
                "unsealed_events": self.unsealed_events, "notes": self.notes}


def _document(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict) and isinstance(obj.get("evidence"), dict):
        obj = obj["evidence"]  # the whole answer of POST /v1/licenses/verify
    if not isinstance(obj, dict) or obj.get("format") != EVIDENCE_FORMAT:
        raise LicenseRejected("malformed", f"not a {EVIDENCE_FORMAT} document")
    bundles = obj.get("bundles")
    if not isinstance(bundles, list) or not bundles or not isinstance(obj.get("license_id"),
                                                                      str):
        raise LicenseRejected("malformed", "the document needs license_id and at least one "
                              "bundle (the issuance must be sealed)")
    return obj


def verify_license_evidence(obj: Any, rpc_url: str, *, contract: str | None = None,
                            min_confirmations: int = 1, today: date | None = None
                            ) -> LicenseCheck:
    """Raise LicenseRejected / BundleRejected / CannotCheck, or return the established status."""
    doc = _document(obj)
    license_id: str = doc["license_id"]
    verdicts: list[Verdict] = [verify_bundle(b, rpc_url, contract=contract,
                                             min_confirmations=min_confirmations)
                               for b in doc["bundles"]]
    records = [v.bundle.record for v in verdicts]
    if any(r.subject.type != "license" or r.subject.id != license_id for r in records):
        raise LicenseRejected("wrong-subject", f"a bundle is not about license {license_id}")
    issuer = records[0].province
    if records[0].kind != "license.issued" or records[0].prev is not None:
        raise LicenseRejected("chain-broken", "the first record is not the license's issuance")
    for before, after in itertools.pairwise(verdicts):
        if after.bundle.record.prev != "0x" + before.bundle.leaf_hash.hex():
            raise LicenseRejected("chain-broken", f"record {after.bundle.record.record_id} "
                                  "does not follow the one before it")
    state = license_events.NEW
    valid_until: str | None = None
    try:
        for r in records:
            t = license_events.check(
                license_events.LicenseFacts(state, issuer, valid_until),
                license_events.event_of(r.kind), r.province, r.payload,
                local_date(r.occurred_at))
            if t.event == "issued":
                valid_until = t.payload["valid_until"]
            state = t.target
    except LedgerError as exc:
        raise LicenseRejected("illegal-history", f"the events do not form a legal "
                              f"lifecycle: {exc}") from exc
    head = _anchored_through(rpc_url, verdicts[-1].check.contract, issuer)
    status = license_events.effective_state(state, valid_until, today or date.today())
    unsealed = doc.get("unsealed_events", 0)
    notes = []
    if isinstance(unsealed, int) and unsealed > 0:
        notes.append(f"{unsealed} later event(s) were not sealed yet when this evidence was "
                     "issued: ask again later before relying on the status")
    if head > records[-1].seq:
        notes.append(f"province {issuer} has anchored records after this license's last "
                     f"event (seq {records[-1].seq} < {head}); none of them is in this "
                     "evidence: docs/licenses.md explains what that does and does not mean")
    return LicenseCheck(license_id, issuer, status, state,
                        [(r.kind.split(".", 1)[1], r.seq, v.check.block_number)
                         for r, v in zip(records, verdicts, strict=True)],
                        head, unsealed if isinstance(unsealed, int) else 0, notes)


def _anchored_through(rpc_url: str, contract: str, province: int) -> int:
    try:
        chain = Chain(rpc_url)
        return AnchorContract.at(chain, contract).province_head(province).next_seq - 1
    except AnchorError as exc:
        raise CannotCheck(f"could not read provinceHead({province}): {exc}") from exc


__all__ = ["BundleRejected", "CannotCheck", "LicenseCheck", "LicenseRejected",
           "verify_license_evidence"]

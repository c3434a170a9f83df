"""The end-of-test verdict of every fault test: nothing lost, nothing doubled.

Recomputes every batch root from the records in the database and compares the database with
the anchor contract, province by province:
- records: seq 1..N gapless and unique, every leaf hash = SHA-256(0x00 || canonical bytes);
- batches: numbers 1..B, ranges contiguous from seq 1, each root = RFC 9162 root of its leaves;
- anchors: every batch confirmed, and the contract holds the same root and range for it, in
  the recorded block, which is still canonical; the recorded tx is the one that emitted the
  batch's BatchAnchored event in that block, and the recorded gas is its receipt's (batches
  reconciled after a crash included);
- chain: the contract's batch count and next seq equal the database's (no batch skipped, none
  extra), and exactly one BatchAnchored event exists per batch number (none doubled).
Used by tests/faults/* and scripts/soak.py.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from dataclasses import dataclass, field

from eth_typing import HexStr
from sqlalchemy import select
from web3.exceptions import TransactionNotFound
from web3.types import FilterParams

from anchors.contract import BATCH_ANCHORED, AnchorContract
from ledger import merkle
from ledger.store import Database
from ledger.store.schema import AnchorRow, BatchRow, ProvinceHeadRow, RecordRow


@dataclass
class LedgerCheck:
    records: dict[int, int] = field(default_factory=dict)
    #: records inside batches whose anchor is confirmed and matches the chain
    covered: dict[int, int] = field(default_factory=dict)
    batches: dict[int, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    @property
    def total_covered(self) -> int:
        return sum(self.covered.values())

    @property
    def clean(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        state = "clean" if self.clean else f"{len(self.problems)} problem(s)"
        return (f"records {self.total_records}, covered by anchored batches "
                f"{self.total_covered}, batches {sum(self.batches.values())}: {state}")


def _events(contract: AnchorContract, province: int) -> Counter[int]:
    params: FilterParams = {
        "address": contract.address, "fromBlock": 0, "toBlock": "latest",
        "topics": ["0x" + BATCH_ANCHORED.hex(), "0x" + province.to_bytes(32, "big").hex()],
    }
    logs = contract.chain.w3.eth.get_logs(params)
    return Counter(int.from_bytes(bytes(log["topics"][2]), "big") for log in logs)


def receipt_problem(contract: AnchorContract, a: AnchorRow) -> str | None:
    """Why anchor row `a` is not exactly its anchoring tx's receipt (None: it is): the tx
    succeeded in the recorded block, emitted BatchAnchored for this batch, and used the
    recorded gas. Read with plain eth_getTransactionReceipt, not the anchorer's own code."""
    what = f"{a.province}: anchor of batch {a.batch_no} (tx {a.tx_hash})"
    try:
        receipt = contract.chain.w3.eth.get_transaction_receipt(HexStr(a.tx_hash))
    except TransactionNotFound:
        return f"{what}: no such tx on chain"
    wanted = [BATCH_ANCHORED, a.province.to_bytes(32, "big"), a.batch_no.to_bytes(32, "big")]
    if not any(log["address"] == contract.address
               and [bytes(t) for t in log["topics"]] == wanted for log in receipt["logs"]):
        return f"{what}: the tx did not anchor this batch"
    recorded = (a.block_number, a.block_hash, a.gas_used, a.chain_id, a.contract)
    actual = (int(receipt["blockNumber"]), "0x" + bytes(receipt["blockHash"]).hex(),
              int(receipt["gasUsed"]), contract.chain.chain_id, contract.address)
    if int(receipt["status"]) != 1 or recorded != actual:
        return f"{what}: recorded (block, hash, gas, chain, contract) {recorded}, " \
               f"receipt {actual}"
    return None


def check(db: Database, contract: AnchorContract | None) -> LedgerCheck:
    """Everything above; `contract=None` checks the database alone."""
    out = LedgerCheck()
    with db.snapshot() as s:
        heads = list(s.scalars(select(ProvinceHeadRow).order_by(ProvinceHeadRow.province)))
        for head in heads:
            p = head.province
            rows = list(s.execute(select(RecordRow.seq, RecordRow.canonical, RecordRow.leaf_hash)
                                  .where(RecordRow.province == p).order_by(RecordRow.seq)))
            out.records[p] = len(rows)
            if [r.seq for r in rows] != list(range(1, head.last_seq + 1)):
                out.problems.append(f"{p}: seqs are not exactly 1..{head.last_seq}")
            bad = [r.seq for r in rows if merkle.leaf_hash(r.canonical) != r.leaf_hash]
            if bad:
                out.problems.append(f"{p}: leaf hashes wrong at seq {bad[:5]}")
            leaves = [r.leaf_hash for r in rows]
            batches = list(s.scalars(select(BatchRow).where(BatchRow.province == p)
                                     .order_by(BatchRow.batch_no)))
            out.batches[p] = len(batches)
            anchors = {a.batch_no: a for a in s.scalars(
                select(AnchorRow).where(AnchorRow.province == p))}
            expected_first, covered = 1, 0
            for number, b in enumerate(batches, start=1):
                if b.batch_no != number or b.first_seq != expected_first:
                    out.problems.append(f"{p}: batch {b.batch_no} breaks the sequence")
                expected_first = b.first_seq + b.size
                members = leaves[b.first_seq - 1:b.first_seq - 1 + b.size]
                if merkle.root_from_hashes(members) != b.root:
                    out.problems.append(f"{p}: root of batch {b.batch_no} is not its leaves'")
                a = anchors.get(b.batch_no)
                if a is None or a.status != "confirmed":
                    out.problems.append(f"{p}: batch {b.batch_no} not confirmed on chain")
                    continue
                if contract is None:
                    covered += b.size
                    continue
                on_chain = contract.batch(p, b.batch_no)
                if on_chain is None or (on_chain.root, on_chain.first_seq, on_chain.size) != (
                        b.root, b.first_seq, b.size):
                    out.problems.append(f"{p}: batch {b.batch_no} differs on chain")
                    continue
                if on_chain.block_number != a.block_number or \
                        contract.chain.block_hash(on_chain.block_number) != a.block_hash:
                    out.problems.append(f"{p}: anchor block of batch {b.batch_no} is stale")
                    continue
                problem = receipt_problem(contract, a)
                if problem is not None:
                    out.problems.append(problem)
                    continue
                covered += b.size
            out.covered[p] = covered
            if expected_first - 1 != head.sealed_seq:
                out.problems.append(f"{p}: batches end at {expected_first - 1}, head says "
                                    f"{head.sealed_seq}")
            if contract is not None:
                chain_head = contract.province_head(p)
                if (chain_head.batch_count, chain_head.next_seq) != (len(batches),
                                                                     expected_first):
                    out.problems.append(
                        f"{p}: chain has {chain_head.batch_count} batches up to seq "
                        f"{chain_head.next_seq - 1}, database {len(batches)} up to "
                        f"{expected_first - 1}")
                events = _events(contract, p)
                if sorted(events) != list(range(1, len(batches) + 1)) or \
                        any(n != 1 for n in events.values()):
                    doubled = sorted(n for n, c in events.items() if c != 1)
                    out.problems.append(f"{p}: BatchAnchored events for batch numbers "
                                        f"{sorted(events)[:10]}... (doubled: {doubled})")
    return out


def tamper_audit(db: Database, contract: AnchorContract) -> str | None:
    """The verdict of the full tamper audit (`govtrace audit`, issue 4) against the chain:
    "clean" expected. None where this checkout has no audit (older revisions)."""
    if importlib.util.find_spec("ledger.audit") is None:
        return None
    from anchors.audit_chain import ContractRoots
    from ledger.audit import AuditOptions, run_audit

    roots = ContractRoots(contract)
    report = run_audit(db, AuditOptions(), chain=roots)
    return str(report.verdict)


def assert_converged(db: Database, contract: AnchorContract, acknowledged: int) -> LedgerCheck:
    """The closing assertion of every fault test: acknowledged == in the ledger == covered by
    anchored batches, database and contract agree, and the tamper audit finds nothing."""
    result = check(db, contract)
    assert result.clean, result.problems
    assert acknowledged == result.total_records == result.total_covered, result.summary()
    verdict = tamper_audit(db, contract)
    assert verdict in (None, "clean"), f"tamper audit: {verdict}"
    return result

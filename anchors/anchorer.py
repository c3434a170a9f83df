"""The anchorer: puts sealed batches on chain, strictly in batch order per province.

The contract is the source of truth. Before sending anything for a batch the anchorer asks the
contract whether that batch is already anchored (a previous run may have crashed after sending
but before recording); if so it records what the chain holds, if the chain holds something
else it stops that province and reports the disagreement. The tx hash is stored before waiting
for the receipt so a restart can resume waiting instead of sending twice; and the contract
refuses any second anchor of the same batch number anyway.

A transaction that vanished (dropped from the pool, or its block reorged out) or that failed
(e.g. out of gas) is sent again, but only after re-reading the contract; a transaction that
would fail for good (wrong key, another root already anchored) is refused by gas estimation
before it is sent, so retrying costs nothing on chain. Anchors already confirmed are
re-checked while they are within `reorg_window` blocks of the head: if their block left the
canonical chain they go back to "submitted" and are followed or re-sent like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from eth_utils.crypto import keccak
from web3.types import FilterParams

from anchors.contract import AnchorContract, AnchorReceipt, Key, OnChainBatch
from anchors.errors import (
    AnchorError,
    ChainDisagrees,
    ConfirmationTimeout,
    LeaseLost,
    MissingProvinceKey,
    TransactionDropped,
    TransactionReverted,
)
from ledger import anchoring
from ledger.batch import Batch
from ledger.store import Database

log = logging.getLogger(__name__)
BATCH_ANCHORED = keccak(text="BatchAnchored(uint32,uint64,bytes32,uint64,uint64)")

#: Called with a step name ("after-send", ...) as anchoring passes it; see govtrace/faults.py.
StepHook = Callable[[str], None]
#: Whether this process may still send for a province (it holds the province's lease).
SendGuard = Callable[[int], bool]


@dataclass(frozen=True)
class AnchorerOptions:
    confirmations: int = 1
    #: How long one pass waits for one receipt before moving on (the tx stays recorded).
    receipt_timeout: float = 60.0
    batches_per_pass: int = 100
    #: Confirmed anchors this close to the head are re-checked for reorgs every pass.
    reorg_window: int = 64


@dataclass
class PassReport:
    anchored: list[tuple[int, int]] = field(default_factory=list)
    reconciled: list[tuple[int, int]] = field(default_factory=list)
    #: (province, batch_no) confirmed anchors whose block left the canonical chain
    reorged: list[tuple[int, int]] = field(default_factory=list)
    #: province -> reason the province stopped in this pass
    stalled: dict[int, str] = field(default_factory=dict)
    #: province -> tx still short of its confirmations (not a failure: the next pass waits on)
    waiting: dict[int, str] = field(default_factory=dict)


class Anchorer:
    def __init__(
        self,
        db: Database,
        contract: AnchorContract,
        keys: Mapping[int, Key],
        options: AnchorerOptions | None = None,
        *,
        on_step: StepHook | None = None,
        may_send: SendGuard | None = None,
    ) -> None:
        self.db = db
        self.contract = contract
        self.keys = keys
        self.options = options or AnchorerOptions()
        self._step = on_step or (lambda _name: None)
        self._may_send = may_send or (lambda _province: True)

    def run_pass(self, provinces: Collection[int] | None = None) -> PassReport:
        """Re-check recent anchors, then anchor what is pending (only `provinces` if given).

        Per province, stop at the first batch that fails: later batches would be refused by
        the contract anyway, and the backlog must drain in batch order.
        """
        report = PassReport()
        self.recheck_recent(report, provinces)
        for batch in anchoring.unanchored(self.db, limit=self.options.batches_per_pass):
            if batch.province in report.stalled or batch.province in report.waiting or (
                    provinces is not None and batch.province not in provinces):
                continue
            try:
                if self._anchor(batch):
                    report.reconciled.append((batch.province, batch.batch_no))
                else:
                    report.anchored.append((batch.province, batch.batch_no))
            except ConfirmationTimeout as exc:
                report.waiting[batch.province] = str(exc)
            except AnchorError as exc:
                log.warning(
                    "province %s batch %s not anchored: %s", batch.province, batch.batch_no, exc
                )
                report.stalled[batch.province] = str(exc)
        return report

    def recheck_recent(self, report: PassReport, provinces: Collection[int] | None) -> None:
        """Demote confirmed anchors whose block is no longer canonical (reorg, reset chain)."""
        head = self.contract.chain.block_number()
        recent = anchoring.recent_confirmed(
            self.db, provinces, max(0, head - self.options.reorg_window))
        canonical: dict[int, str | None] = {}
        for anchor in recent:
            if anchor.contract != self.contract.address or anchor.block_number is None:
                continue
            number = anchor.block_number
            if number not in canonical:
                canonical[number] = self.contract.chain.block_hash(number)
            if canonical[number] == anchor.block_hash:
                continue
            log.warning("anchor of batch %s/%s (block %s, tx %s) is no longer canonical",
                        anchor.province, anchor.batch_no, number, anchor.tx_hash)
            if anchoring.demote(self.db, anchor.province, anchor.batch_no, anchor.tx_hash):
                report.reorged.append((anchor.province, anchor.batch_no))

    def _anchor(self, batch: Batch) -> bool:
        """Anchor one batch; True when it turned out to be on chain already (reconciled)."""
        on_chain = self.contract.batch(batch.province, batch.batch_no)
        if on_chain is not None:
            self._reconcile(batch, on_chain)
            return True
        with self.db.snapshot() as s:
            known = anchoring.get(s, batch.province, batch.batch_no)
        if known is not None and known.contract == self.contract.address:
            try:
                self._confirm(batch, known.tx_hash)
                return False
            except TransactionDropped:
                log.info("tx %s for batch %s/%s vanished; sending again",
                         known.tx_hash, batch.province, batch.batch_no)
            except TransactionReverted as exc:
                # A duplicate raced a first tx that has since landed, or the tx failed (out
                # of gas): re-read the chain, and send again if the batch is still missing.
                on_chain = self.contract.batch(batch.province, batch.batch_no)
                if on_chain is not None:
                    self._reconcile(batch, on_chain)
                    return True
                log.warning("tx %s for batch %s/%s failed (%s); sending again",
                            known.tx_hash, batch.province, batch.batch_no, exc)
        key = self.keys.get(batch.province)
        if key is None:
            raise MissingProvinceKey(batch.province)
        if not self._may_send(batch.province):
            raise LeaseLost(batch.province)
        tx_hash = self.contract.submit_anchor_batch(
            batch.province, batch.batch_no, batch.first_seq, batch.size, batch.root, key
        )
        self._step("after-send")
        anchoring.record_submitted(
            self.db,
            batch,
            chain_id=self.contract.chain.chain_id,
            contract=self.contract.address,
            tx_hash=tx_hash,
        )
        self._step("after-record-submitted")
        self._confirm(batch, tx_hash)
        return False

    def _confirm(self, batch: Batch, tx_hash: str) -> AnchorReceipt:
        # ConfirmationTimeout propagates: the tx stays recorded and the next pass resumes.
        receipt = self.contract.wait_receipt(
            tx_hash, confirmations=self.options.confirmations, timeout=self.options.receipt_timeout
        )
        self._step("after-receipt")
        anchoring.record_confirmed(
            self.db,
            batch,
            chain_id=receipt.chain_id,
            contract=receipt.contract,
            tx_hash=receipt.tx_hash,
            block_number=receipt.block_number,
            block_hash=receipt.block_hash,
            gas_used=receipt.gas_used,
        )
        self._step("after-confirm")
        return receipt

    def _reconcile(self, batch: Batch, on_chain: OnChainBatch) -> None:
        if (on_chain.root, on_chain.first_seq, on_chain.size) != (
            batch.root,
            batch.first_seq,
            batch.size,
        ):
            raise ChainDisagrees(
                batch.province,
                batch.batch_no,
                "the chain holds a different root or range for this batch",
            )
        tx_hash = self._find_tx(on_chain)
        confirmations = self.contract.chain.block_number() - on_chain.block_number + 1
        if confirmations < self.options.confirmations:
            self._confirm(batch, tx_hash)
            return
        block_hash = self.contract.chain.block_hash(on_chain.block_number) or ""
        anchoring.record_confirmed(
            self.db,
            batch,
            chain_id=self.contract.chain.chain_id,
            contract=self.contract.address,
            tx_hash=tx_hash,
            block_number=on_chain.block_number,
            block_hash=block_hash,
            gas_used=None,
        )

    def _find_tx(self, on_chain: OnChainBatch) -> str:
        """The tx that emitted BatchAnchored for this batch, from the anchoring block's logs."""
        params: FilterParams = {
            "address": self.contract.address,
            "fromBlock": on_chain.block_number,
            "toBlock": on_chain.block_number,
            "topics": [
                "0x" + BATCH_ANCHORED.hex(),
                "0x" + on_chain.province.to_bytes(32, "big").hex(),
                "0x" + on_chain.batch_no.to_bytes(32, "big").hex(),
            ],
        }
        logs = self.contract.chain.w3.eth.get_logs(params)
        if not logs:
            raise ChainDisagrees(
                on_chain.province,
                on_chain.batch_no,
                "anchored batch has no BatchAnchored event in its block",
            )
        return "0x" + bytes(logs[0]["transactionHash"]).hex()

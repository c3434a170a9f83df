"""The anchorer: puts sealed batches on chain, strictly in batch order per province.

The contract is the source of truth. Before sending anything for a batch the anchorer asks the
contract whether that batch is already anchored (a previous run may have crashed after sending
but before recording); if so it finds the anchoring transaction from the batch's
`BatchAnchored` event and records it exactly as a batch it has just sent: from that
transaction's confirmed receipt (tx hash, block, block hash, gas used). If the chain holds
something else it stops that province and reports the disagreement. The tx hash is stored
before waiting for the receipt so a restart can resume waiting instead of sending twice; and
the contract refuses any second anchor of the same batch number anyway.

Every confirmed anchor, sent or reconciled, is recorded by `_record`, which passes the
`after-receipt` and `after-confirm` steps (govtrace/faults.py) on either side of the write.

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

from anchors.contract import AnchorContract, AnchoredEvent, AnchorReceipt, Key, OnChainBatch
from anchors.errors import (
    AnchorError,
    AnchoringTxUnknown,
    ChainDisagrees,
    ConfirmationTimeout,
    LeaseLost,
    MissingProvinceKey,
    Reorged,
    TransactionDropped,
    TransactionReverted,
)
from ledger import anchoring
from ledger.batch import Batch
from ledger.store import Database

log = logging.getLogger(__name__)

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
        """Wait for `tx_hash`'s receipt and its confirmations, then record the anchor."""
        # ConfirmationTimeout propagates: the tx stays recorded and the next pass resumes.
        receipt = self.contract.wait_receipt(
            tx_hash, confirmations=self.options.confirmations, timeout=self.options.receipt_timeout
        )
        self._record(batch, receipt.tx_hash, receipt.block_number, receipt.block_hash,
                     receipt.gas_used)
        return receipt

    def _record(self, batch: Batch, tx_hash: str, block_number: int, block_hash: str,
                gas_used: int | None) -> None:
        """The one place a confirmed anchor is written, whichever way it was found.

        The fields are the confirmed receipt's; `gas_used` is None only where the node serves
        no receipt at all for an anchoring tx found through its event (see
        `_confirm_without_receipt`).
        """
        self._step("after-receipt")
        anchoring.record_confirmed(
            self.db,
            batch,
            chain_id=self.contract.chain.chain_id,
            contract=self.contract.address,
            tx_hash=tx_hash,
            block_number=block_number,
            block_hash=block_hash,
            gas_used=gas_used,
        )
        self._step("after-confirm")

    def _reconcile(self, batch: Batch, on_chain: OnChainBatch) -> None:
        """Record a batch found anchored on chain as if this process had just sent it.

        The anchoring tx is identified by the batch's BatchAnchored event (the database may
        hold no tx hash, or one that lost a race), then confirmed and recorded through
        `_confirm` like any sent tx, so the anchor row carries the receipt's gas and block.
        """
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
        event = self.contract.anchored_event(
            on_chain.province, on_chain.batch_no, on_chain.block_number)
        if event is None:
            # Not recorded without it: the anchor row and the evidence cite the tx hash.
            raise AnchoringTxUnknown(batch.province, batch.batch_no, on_chain.block_number)
        if (event.root, event.first_seq, event.size) != (on_chain.root, on_chain.first_seq,
                                                         on_chain.size):
            raise ChainDisagrees(
                batch.province,
                batch.batch_no,
                f"the BatchAnchored event of tx {event.tx_hash} differs from the contract's state",
            )
        try:
            self._confirm(batch, event.tx_hash)
        except Reorged:
            raise  # mined, then gone with its block: the next pass re-reads the contract
        except TransactionDropped:
            # The node has the event but answers null for the tx by hash.
            self._confirm_without_receipt(batch, event)

    def _confirm_without_receipt(self, batch: Batch, event: AnchoredEvent) -> None:
        """Record a reconciled anchor whose tx the node does not serve by hash.

        Either its block was reorged away since the event was read (then this raises and the
        next pass re-reads the contract), or the node no longer indexes transactions by hash
        (pruned history). The event gives the tx hash and block; the receipt, and with it
        the gas used, is then taken from the block's receipts. If the node serves those
        neither, the anchor is recorded with gas_used None, meaning "unknown", and a
        warning says so; every other field is the chain's.
        """
        chain = self.contract.chain
        if chain.block_hash(event.block_number) != event.block_hash:
            raise TransactionDropped(
                event.tx_hash,
                f"tx {event.tx_hash} of batch {batch.province}/{batch.batch_no}: its block "
                f"{event.block_number} is no longer canonical",
            )
        seen = chain.block_number() - event.block_number + 1
        if seen < self.options.confirmations:
            raise ConfirmationTimeout(
                event.tx_hash, f"{seen}/{self.options.confirmations} confirmations "
                "(the node serves no receipt for it by hash)")
        receipt = self.contract.receipt_from_block(event.tx_hash, event.block_hash)
        if receipt is not None:
            self._record(batch, receipt.tx_hash, receipt.block_number, receipt.block_hash,
                         receipt.gas_used)
            return
        log.warning(
            "batch %s/%s: the node serves no receipt for its anchoring tx %s (block %s); "
            "recording the anchor with gas used unknown (NULL)",
            batch.province, batch.batch_no, event.tx_hash, event.block_number)
        self._record(batch, event.tx_hash, event.block_number, event.block_hash, gas_used=None)

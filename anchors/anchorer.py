"""The anchorer: puts sealed batches on chain, strictly in batch order per province.

The contract is the source of truth. Before sending anything for a batch the anchorer asks the
contract whether that batch is already anchored (a previous run may have crashed after sending
but before recording); if so it records what the chain holds, if the chain holds something
else it stops that province and reports the disagreement. The tx hash is stored before waiting
for the receipt so a restart can resume waiting instead of sending twice; and the contract
refuses any second anchor of the same batch number anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from eth_utils.crypto import keccak
from web3.types import FilterParams

from anchors.contract import AnchorContract, AnchorReceipt, Key, OnChainBatch
from anchors.errors import (
    AnchorError,
    ChainDisagrees,
    MissingProvinceKey,
    TransactionDropped,
    TransactionReverted,
)
from ledger import anchoring
from ledger.batch import Batch
from ledger.store import Database

log = logging.getLogger(__name__)
BATCH_ANCHORED = keccak(text="BatchAnchored(uint32,uint64,bytes32,uint64,uint64)")


@dataclass(frozen=True)
class AnchorerOptions:
    confirmations: int = 1
    #: How long one pass waits for one receipt before moving on (the tx stays recorded).
    receipt_timeout: float = 60.0
    batches_per_pass: int = 100


@dataclass
class PassReport:
    anchored: list[tuple[int, int]] = field(default_factory=list)
    reconciled: list[tuple[int, int]] = field(default_factory=list)
    #: province -> reason the province stopped in this pass
    stalled: dict[int, str] = field(default_factory=dict)


class Anchorer:
    def __init__(
        self,
        db: Database,
        contract: AnchorContract,
        keys: Mapping[int, Key],
        options: AnchorerOptions | None = None,
    ) -> None:
        self.db = db
        self.contract = contract
        self.keys = keys
        self.options = options or AnchorerOptions()

    def run_pass(self) -> PassReport:
        """Anchor what is pending. Per province, stop at the first batch that fails."""
        report = PassReport()
        for batch in anchoring.unanchored(self.db, limit=self.options.batches_per_pass):
            if batch.province in report.stalled:
                continue
            try:
                if self._anchor(batch):
                    report.reconciled.append((batch.province, batch.batch_no))
                else:
                    report.anchored.append((batch.province, batch.batch_no))
            except AnchorError as exc:
                log.warning(
                    "province %s batch %s not anchored: %s", batch.province, batch.batch_no, exc
                )
                report.stalled[batch.province] = str(exc)
        return report

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
                log.info(
                    "tx %s for batch %s/%s vanished; sending again",
                    known.tx_hash,
                    batch.province,
                    batch.batch_no,
                )
            except TransactionReverted:
                # E.g. a duplicate raced a first tx that has since landed: re-read the chain.
                on_chain = self.contract.batch(batch.province, batch.batch_no)
                if on_chain is None:
                    raise
                self._reconcile(batch, on_chain)
                return True
        key = self.keys.get(batch.province)
        if key is None:
            raise MissingProvinceKey(batch.province)
        tx_hash = self.contract.submit_anchor_batch(
            batch.province, batch.batch_no, batch.first_seq, batch.size, batch.root, key
        )
        anchoring.record_submitted(
            self.db,
            batch,
            chain_id=self.contract.chain.chain_id,
            contract=self.contract.address,
            tx_hash=tx_hash,
        )
        self._confirm(batch, tx_hash)
        return False

    def _confirm(self, batch: Batch, tx_hash: str) -> AnchorReceipt:
        # ConfirmationTimeout propagates: the tx stays recorded and the next pass resumes.
        receipt = self.contract.wait_receipt(
            tx_hash, confirmations=self.options.confirmations, timeout=self.options.receipt_timeout
        )
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

"""The tamper audit's view of the chain: anchored roots of batches, read with `eth_call`.

`ledger.audit` needs only "what root, first seq and size does the contract hold for batch
(province, n)" and "how many batches has the province anchored". This adapter answers from
one GovtraceAnchor and turns every chain-side failure into `AuditChainUnavailable`, so the
audit can say precisely that the chain comparison could not be made, instead of failing.
"""

from __future__ import annotations

from anchors.chain import Chain, ChainOptions
from anchors.contract import AnchorContract
from anchors.errors import AnchorError
from ledger.audit_batches import AnchoredBatch
from ledger.errors import AuditChainUnavailable


class ContractRoots:
    """`ledger.audit_batches.AnchoredRoots` over one deployed contract."""

    def __init__(self, contract: AnchorContract) -> None:
        self._contract = contract
        self.chain_id: int = contract.chain.chain_id
        self.contract: str = str(contract.address)

    @classmethod
    def connect(cls, rpc_url: str, contract: str, *, options: ChainOptions | None = None
                ) -> ContractRoots:
        """Check the endpoint and that `contract` is a GovtraceAnchor, or raise why not."""
        try:
            chain = Chain.connect(rpc_url, options or ChainOptions(request_timeout=10.0))
            return cls(AnchorContract.at(chain, contract))
        except (AnchorError, ValueError) as exc:
            raise AuditChainUnavailable(f"cannot use contract {contract} at {rpc_url}: {exc}"
                                        ) from exc

    def batch(self, province: int, batch_no: int) -> AnchoredBatch | None:
        try:
            on_chain = self._contract.batch(province, batch_no)
        except (AnchorError, ValueError) as exc:
            raise AuditChainUnavailable(f"reading batch {province}/{batch_no}: {exc}") from exc
        if on_chain is None:
            return None
        return AnchoredBatch(on_chain.root, on_chain.first_seq, on_chain.size)

    def batch_count(self, province: int) -> int:
        try:
            return self._contract.province_head(province).batch_count
        except (AnchorError, ValueError) as exc:
            raise AuditChainUnavailable(f"reading province {province}: {exc}") from exc

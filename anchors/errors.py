"""The one error tree of the anchors package.

Every failure that deep code can detect is raised as an ``AnchorError`` subclass;
nothing in this package reports failure through a ``False`` return.  Callers
(the service, the CLI, evidence verification) can therefore catch
``AnchorError`` for "the chain side did not work out" and the specific subclass
when they need to react differently (retry, re-submit, reject evidence).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class AnchorError(Exception):
    """Base class of everything this package raises on purpose."""


class ChainUnreachable(AnchorError):
    """The JSON-RPC endpoint did not answer (refused, timed out, HTTP error)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"chain endpoint {url} unreachable: {reason}")
        self.url = url
        self.reason = reason


class RpcFailed(AnchorError):
    """The node answered with an error there is no more specific name for.

    E.g. "insufficient funds", "nonce too low", an unknown RPC method.
    """

    def __init__(self, method: str, message: str) -> None:
        super().__init__(f"{method} failed: {message}")
        self.method = method
        self.message = message


class ChainMismatch(AnchorError):
    """The node serves a different chain than the one the caller expects."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected chain id {expected}, node reports {actual}")
        self.expected = expected
        self.actual = actual


class NodeStartFailed(AnchorError):
    """A local Anvil could not be started or did not answer in time."""


class WrongContract(AnchorError):
    """The address holds no code, or code that is not a GovtraceAnchor."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address} is not a GovtraceAnchor contract: {reason}")
        self.address = address
        self.reason = reason


class TransactionReverted(AnchorError):
    """A call or transaction reverted; the revert data decoded against the ABI.

    ``error_name`` is the Solidity custom error (e.g. ``"UnexpectedBatchNumber"``),
    ``"Error"`` for ``require`` strings, ``"Panic"`` for panics, or ``None`` when
    the node returned no revert data or data matching no known error.
    """

    def __init__(
        self,
        error_name: str | None,
        args: tuple[Any, ...] = (),
        *,
        data: bytes = b"",
        tx_hash: str | None = None,
    ) -> None:
        shown = error_name or "<unknown revert>"
        where = f" (tx {tx_hash})" if tx_hash else ""
        super().__init__(f"reverted with {shown}{args!r}{where}")
        self.error_name = error_name
        # Not ``args``: Exception.args already holds the message.
        self.error_args = args
        self.data = data
        self.tx_hash = tx_hash


class ConfirmationTimeout(AnchorError):
    """A transaction was not mined, or not confirmed deep enough, before the deadline.

    The transaction may still be mined later; ``tx_hash`` lets the caller resume.
    """

    def __init__(self, tx_hash: str, detail: str) -> None:
        super().__init__(f"tx {tx_hash} not confirmed before the deadline: {detail}")
        self.tx_hash = tx_hash
        self.detail = detail


class TransactionDropped(AnchorError):
    """The node knows the transaction neither as mined nor as pending.

    It never reached the node, was evicted from the pool, or (``Reorged``) its
    block left the canonical chain.  Nothing is re-submitted automatically:
    re-sending an ``anchorBatch`` blindly could race with another writer, so the
    caller re-reads the province head and decides.
    """

    def __init__(self, tx_hash: str, message: str | None = None) -> None:
        super().__init__(message or f"tx {tx_hash} is neither mined nor pending on the node")
        self.tx_hash = tx_hash


class Reorged(TransactionDropped):
    """A mined transaction's block is no longer canonical and the tx is gone."""

    def __init__(self, tx_hash: str, block_number: int, block_hash: str) -> None:
        super().__init__(
            tx_hash,
            f"tx {tx_hash} was mined in block {block_number} ({block_hash}) "
            "but that block is no longer canonical and the tx is not on the chain",
        )
        self.block_number = block_number
        self.block_hash = block_hash


class NotAnchored(AnchorError):
    """The contract holds no root for the requested (province, batch)."""

    def __init__(self, province: int, batch_no: int) -> None:
        super().__init__(f"batch {batch_no} of province {province} is not anchored")
        self.province = province
        self.batch_no = batch_no


class RootMismatch(AnchorError):
    """The on-chain batch differs from the evidence; ``fields`` says where.

    ``fields`` maps a field name (``root``, ``first_seq``, ``size``) to the pair
    ``(expected, on_chain)``.
    """

    def __init__(self, province: int, batch_no: int, fields: Mapping[str, tuple[Any, Any]]) -> None:
        shown = ", ".join(f"{k}: expected {e!r}, on chain {a!r}" for k, (e, a) in fields.items())
        super().__init__(f"batch {batch_no} of province {province} differs: {shown}")
        self.province = province
        self.batch_no = batch_no
        self.fields = dict(fields)

    @property
    def field(self) -> str:
        """The first differing field (root is checked first)."""
        return next(iter(self.fields))


class InclusionRejected(AnchorError):
    """The contract's own verifyInclusion rejected a leaf/proof for an anchored batch."""

    def __init__(self, province: int, batch_no: int, index: int) -> None:
        super().__init__(
            f"contract rejected inclusion proof for leaf {index} of batch {batch_no} "
            f"of province {province}"
        )
        self.province = province
        self.batch_no = batch_no
        self.index = index


class ChainDisagrees(AnchorError):
    """The chain holds something for a batch that contradicts the local ledger.

    E.g. a different root or range under the same batch number, or a
    ``BatchAnchored`` event that contradicts the contract's state.  Anchoring of
    that province must stop until an operator looks: retrying cannot fix it.
    """

    def __init__(self, province: int, batch_no: int, reason: str) -> None:
        super().__init__(f"batch {batch_no} of province {province}: {reason}")
        self.province = province
        self.batch_no = batch_no
        self.reason = reason


class AnchoringTxUnknown(AnchorError):
    """A batch is anchored on chain, but the node returns no ``BatchAnchored`` log for it.

    The log is the only way from the contract's state to the anchoring transaction, whose
    hash an anchor row and every evidence bundle cite, so the batch is not recorded (and
    later batches of its province wait behind it). The usual cause is a node that does not
    keep logs for that block; the pass is retried, and pointing the worker at a node that
    serves ``eth_getLogs`` for the block resolves it.
    """

    def __init__(self, province: int, batch_no: int, block_number: int) -> None:
        super().__init__(
            f"batch {batch_no} of province {province} is anchored in block {block_number}, "
            "but the node returns no BatchAnchored event for it there: the anchoring tx "
            "cannot be identified, so the anchor is not recorded"
        )
        self.province = province
        self.batch_no = batch_no
        self.block_number = block_number


class MissingProvinceKey(AnchorError):
    """No anchoring key is configured for a province that has batches to anchor."""

    def __init__(self, province: int) -> None:
        super().__init__(f"no anchoring key configured for province {province}")
        self.province = province


class LeaseLost(AnchorError):
    """This process no longer holds the province's lease: another worker anchors it now."""

    def __init__(self, province: int) -> None:
        super().__init__(f"lease of province {province} is held by another worker")
        self.province = province


class FeeModeUnsupported(AnchorError):
    """``fee_mode="eip1559"`` was forced on a chain whose blocks have no base fee."""


class ArtifactError(AnchorError):
    """The compiled contract artifact is missing, malformed or cannot be built."""

"""Typed wrapper around one deployed GovtraceAnchor contract.

Writes go through ``TransactionSender`` (local signing, confirmations, reorg
check) and reverts come back as ``TransactionReverted`` with the contract's
custom error name and arguments.  Reads are plain ``eth_call``s returning
frozen dataclasses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import (
    BadFunctionCallOutput,
    BlockNotFound,
    ContractLogicError,
    MismatchedABI,
    Web3RPCError,
    Web3ValidationError,
)
from web3.types import TxParams

from anchors.artifact import Artifact, load_artifact
from anchors.chain import Chain, ChainOptions
from anchors.confirm import ConfirmationWatcher, MinedTx
from anchors.errors import RpcFailed, TransactionReverted, WrongContract
from anchors.reverts import RevertDecoder
from anchors.sender import TransactionSender

Key = LocalAccount | str | bytes
T = TypeVar("T")
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO_ROOT = b"\x00" * 32
REGISTRAR_ROLE = keccak(text="REGISTRAR_ROLE")
#: topic 0 of ``BatchAnchored(uint32 indexed province, uint64 indexed batchNo, bytes32 root,
#: uint64 firstSeq, uint64 size)``
BATCH_ANCHORED = keccak(text="BatchAnchored(uint32,uint64,bytes32,uint64,uint64)")


@dataclass(frozen=True)
class AnchorReceipt:
    """Where a write landed: enough to cite it in an evidence bundle."""

    tx_hash: str
    block_number: int
    block_hash: str
    chain_id: int
    contract: str
    gas_used: int


@dataclass(frozen=True)
class OnChainBatch:
    province: int
    batch_no: int
    root: bytes
    first_seq: int
    size: int
    anchored_at: int  # block timestamp, seconds
    block_number: int


@dataclass(frozen=True)
class AnchoredEvent:
    """One ``BatchAnchored`` log: which transaction anchored a batch, where, and what."""

    province: int
    batch_no: int
    root: bytes
    first_seq: int
    size: int
    tx_hash: str
    block_number: int
    block_hash: str


@dataclass(frozen=True)
class ProvinceHead:
    province: int
    account: str | None  # None: not registered
    batch_count: int
    next_seq: int

    @property
    def registered(self) -> bool:
        return self.account is not None


class AnchorContract:
    """One GovtraceAnchor at ``address``; use ``deploy`` or ``at`` to get one."""

    def __init__(
        self,
        chain: Chain,
        address: str,
        artifact: Artifact | None = None,
        options: ChainOptions | None = None,
    ) -> None:
        self.chain = chain
        self.options = options or chain.options
        self.artifact = artifact or load_artifact()
        # Set by deploy(): the creation tx, e.g. the first block to scan for events.
        self.deployment: AnchorReceipt | None = None
        self.address = Chain.checksum(address)
        self.decoder = RevertDecoder(self.artifact.abi)
        self._contract: type[Contract] | Contract = chain.w3.eth.contract(
            address=self.address, abi=self.artifact.abi
        )
        self._senders: dict[str, TransactionSender] = {}
        self._senders_lock = threading.Lock()

    # --- construction ---------------------------------------------------------------

    @classmethod
    def deploy(
        cls,
        chain: Chain,
        admin_key: Key,
        options: ChainOptions | None = None,
        artifact: Artifact | None = None,
        admin: str | None = None,
    ) -> AnchorContract:
        """Deploy with ``admin`` (default: the deploying key) as admin and registrar."""
        artifact = artifact or load_artifact()
        sender = TransactionSender(chain, admin_key, RevertDecoder(artifact.abi), options)
        admin_address = Chain.checksum(admin or sender.address)
        data = artifact.bytecode + abi_encode(["address"], [admin_address]).hex()
        mined = sender.send(cast(TxParams, {"data": HexStr(data)}))
        if mined.contract_address is None:
            raise WrongContract("<none>", f"deployment tx {mined.tx_hash} created no contract")
        contract = cls(chain, mined.contract_address, artifact, options)
        contract.deployment = contract._receipt(mined)
        return contract

    @classmethod
    def at(
        cls,
        chain: Chain,
        address: str,
        artifact: Artifact | None = None,
        options: ChainOptions | None = None,
        *,
        strict: bool = False,
    ) -> AnchorContract:
        """Attach to an existing deployment after checking it really is one.

        The check calls ``REGISTRAR_ROLE()`` and two views; ``strict`` also
        requires the runtime code to equal this package's artifact (a redeploy
        from a newer compile would then be rejected, hence off by default).
        """
        try:
            checksummed = Chain.checksum(address)
        except ValueError as exc:
            raise WrongContract(str(address), "not an address") from exc
        contract = cls(chain, checksummed, artifact, options)
        code = chain.code_at(checksummed)
        if not code:
            raise WrongContract(checksummed, "no code at this address")
        if strict and "0x" + code.hex() != contract.artifact.deployed_bytecode:
            raise WrongContract(checksummed, "runtime code differs from the artifact")
        try:
            if bytes(contract._call(lambda f: f.REGISTRAR_ROLE().call())) != REGISTRAR_ROLE:
                raise WrongContract(checksummed, "REGISTRAR_ROLE() has an unexpected value")
            contract._call(lambda f: f.provinceHead(0).call())
            contract._call(lambda f: f.batchAnchoredBlock(0, 0).call())
        except (TransactionReverted, RpcFailed) as exc:  # undecodable output: WrongContract
            raise WrongContract(checksummed, f"ABI probe failed: {exc}") from exc
        return contract

    # --- writes ---------------------------------------------------------------------

    def register_province(self, province: int, account: str, registrar_key: Key) -> AnchorReceipt:
        return self._transact(registrar_key, "registerProvince", province, Chain.checksum(account))

    def set_province_account(
        self, province: int, account: str, registrar_key: Key
    ) -> AnchorReceipt:
        return self._transact(
            registrar_key, "setProvinceAccount", province, Chain.checksum(account)
        )

    def anchor_batch(
        self, province: int, batch_no: int, first_seq: int, size: int, root: bytes, key: Key
    ) -> AnchorReceipt:
        """Anchor one batch root (32 bytes) as the province's registered account."""
        tx_hash = self.submit_anchor_batch(province, batch_no, first_seq, size, root, key)
        return self.wait_receipt(tx_hash)

    def submit_anchor_batch(
        self, province: int, batch_no: int, first_seq: int, size: int, root: bytes, key: Key
    ) -> str:
        """Phase one of ``anchor_batch``: send and return the tx hash without waiting.

        Lets the service record the hash durably before waiting, then resume
        with ``wait_receipt`` (also after a restart).  A revert detectable at
        estimation time raises ``TransactionReverted`` here.
        """
        data = self._encode("anchorBatch", province, batch_no, first_seq, size, _b32(root))
        return self.sender(key).submit(cast(TxParams, {"to": self.address, "data": data}))

    def wait_receipt(
        self, tx_hash: str, *, confirmations: int | None = None, timeout: float | None = None
    ) -> AnchorReceipt:
        """Phase two: wait until ``tx_hash`` is mined and confirmed (see ConfirmationWatcher).

        Raises ``TransactionReverted`` (decoded), ``ConfirmationTimeout`` (may still
        be mined: call again) or ``TransactionDropped``/``Reorged`` (gone: re-read
        the province head, then re-submit if the batch is still not anchored).
        """
        watcher = ConfirmationWatcher(self.chain, self.decoder, self.options)
        return self._receipt(watcher.wait(tx_hash, confirmations=confirmations, timeout=timeout))

    # --- reads ----------------------------------------------------------------------

    def batch(self, province: int, batch_no: int) -> OnChainBatch | None:
        """The anchored batch, or None when the contract holds no root for it."""
        root, first_seq, size, anchored_at = self._call(
            lambda f: f.batch(province, batch_no).call()
        )
        if bytes(root) == ZERO_ROOT:
            return None
        block = self._call(lambda f: f.batchAnchoredBlock(province, batch_no).call())
        return OnChainBatch(
            province, batch_no, bytes(root), int(first_seq), int(size), int(anchored_at), int(block)
        )

    def anchored_event(self, province: int, batch_no: int, block_number: int
                       ) -> AnchoredEvent | None:
        """The ``BatchAnchored`` log of a batch in ``block_number`` (the block ``batch()``
        reports), decoded with the artifact's ABI: the way to the anchoring transaction when
        only the contract's state is known. None when the node returns no such log there (a
        node that does not keep logs, or the block was just reorged away)."""
        try:
            logs = list(self._contract.events.BatchAnchored.get_logs(
                argument_filters={"province": province, "batchNo": batch_no},
                from_block=block_number, to_block=block_number))
        except Web3RPCError as exc:
            raise RpcFailed("eth_getLogs", exc.message) from exc
        for log in logs:
            if log.get("removed"):
                continue
            args = log["args"]
            return AnchoredEvent(
                province=int(args["province"]),
                batch_no=int(args["batchNo"]),
                root=bytes(args["root"]),
                first_seq=int(args["firstSeq"]),
                size=int(args["size"]),
                tx_hash=Web3.to_hex(log["transactionHash"]),
                block_number=int(log["blockNumber"]),
                block_hash=Web3.to_hex(log["blockHash"]),
            )
        return None

    def receipt_from_block(self, tx_hash: str, block_hash: str) -> AnchorReceipt | None:
        """The receipt of the successful ``tx_hash`` out of its block's receipts
        (``eth_getBlockReceipts``), for nodes that keep receipts but no longer index
        transactions by hash (``eth_getTransactionReceipt`` answers null). None when the
        node serves neither."""
        try:
            receipts = self.chain.w3.eth.get_block_receipts(HexBytes(block_hash))
        except (Web3RPCError, BlockNotFound):  # unsupported method, pruned block
            return None
        for receipt in receipts or ():
            if Web3.to_hex(receipt["transactionHash"]) == tx_hash and int(receipt["status"]) == 1:
                return self._receipt(MinedTx.from_receipt(receipt))
        return None

    def province_head(self, province: int) -> ProvinceHead:
        account, count, next_seq = self._call(lambda f: f.provinceHead(province).call())
        registered = str(account) != ZERO_ADDRESS
        return ProvinceHead(
            province, str(account) if registered else None, int(count), int(next_seq)
        )

    def verify_inclusion(
        self, province: int, batch_no: int, leaf_hash: bytes, index: int, proof: Sequence[bytes]
    ) -> bool:
        """The contract's own verdict (False also when the batch is not anchored)."""
        path = [_b32(p) for p in proof]
        return bool(
            self._call(
                lambda f: f.verifyInclusion(province, batch_no, _b32(leaf_hash), index, path).call()
            )
        )

    def compute_root(
        self, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes]
    ) -> bytes | None:
        """Root recomputed on chain; None when the proof does not fit (index, tree_size)."""
        path = [_b32(p) for p in proof]
        root = bytes(
            self._call(lambda f: f.computeRoot(_b32(leaf_hash), index, tree_size, path).call())
        )
        return None if root == ZERO_ROOT else root

    def has_role(self, role: bytes, account: str) -> bool:
        return bool(self._call(lambda f: f.hasRole(_b32(role), Chain.checksum(account)).call()))

    # --- plumbing -------------------------------------------------------------------

    def sender(self, key: Key) -> TransactionSender:
        """One sender per key, so its nonce lock covers every write with that key."""
        probe = TransactionSender(self.chain, key, self.decoder, self.options)
        with self._senders_lock:
            return self._senders.setdefault(probe.address, probe)

    def _encode(self, function: str, *args: Any) -> HexStr:
        try:
            return HexStr(self._contract.encode_abi(function, args=list(args)))
        except (MismatchedABI, Web3ValidationError) as exc:
            raise ValueError(f"invalid arguments for {function}{args!r}: {exc}") from exc

    def _transact(self, key: Key, function: str, *args: Any) -> AnchorReceipt:
        data = self._encode(function, *args)
        mined = self.sender(key).send(cast(TxParams, {"to": self.address, "data": data}))
        return self._receipt(mined)

    def _call(self, fn: Callable[[Any], T]) -> T:
        """Run a view; bad arguments (e.g. a province beyond uint32) raise ValueError."""
        try:
            return fn(self._contract.functions)
        except (MismatchedABI, Web3ValidationError) as exc:
            raise ValueError(f"invalid call arguments: {exc}") from exc
        except ContractLogicError as exc:
            raise self.decoder.from_exception(exc) from exc
        except (BadFunctionCallOutput, DecodingError) as exc:
            # Empty or undecodable return data: the code there is not this contract.
            raise WrongContract(self.address, f"unexpected call result: {exc}") from exc
        except Web3RPCError as exc:
            raise RpcFailed("eth_call", exc.message) from exc

    def _receipt(self, mined: MinedTx) -> AnchorReceipt:
        return AnchorReceipt(
            tx_hash=mined.tx_hash,
            block_number=mined.block_number,
            block_hash=mined.block_hash,
            chain_id=self.chain.chain_id,
            contract=self.address,
            gas_used=mined.gas_used,
        )

    def __repr__(self) -> str:
        return f"AnchorContract({self.address} on {self.chain.url})"


def _b32(value: bytes) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != 32:
        raise ValueError(f"expected 32 bytes, got {value!r}")
    return bytes(value)

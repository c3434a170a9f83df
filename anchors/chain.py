"""A connection to one EVM JSON-RPC endpoint, and the options that govern it.

Every RPC goes through ``_GuardedHTTPProvider`` so that transport failures
(refused, timed out, HTTP 5xx) surface as ``ChainUnreachable`` wherever they
happen -- in a view call, a receipt poll or a send -- without each call site
having to remember to translate them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from eth_typing import URI, ChecksumAddress
from web3 import Web3
from web3.exceptions import BlockNotFound, Web3RPCError
from web3.providers.rpc import HTTPProvider
from web3.providers.rpc.utils import ExceptionRetryConfiguration
from web3.types import BlockData, RPCEndpoint, RPCResponse

from anchors.errors import ChainMismatch, ChainUnreachable, RpcFailed

FeeMode = Literal["auto", "eip1559", "legacy"]


@dataclass(frozen=True)
class ChainOptions:
    """Knobs for talking to a chain; defaults suit Anvil and a QBFT Besu network.

    ``timeout`` bounds one transaction from submission to ``confirmations``
    blocks; ``confirmations=1`` means "mined" (QBFT has immediate finality).
    Fees: ``fee_mode="auto"`` uses EIP-1559 when the latest block has a base
    fee, legacy ``gasPrice`` otherwise.  With a base fee of 0 (free-gas
    permissioned chains) the default tip is 0, so an unfunded key can send;
    set ``priority_fee`` / ``gas_price`` to override the node's suggestion.
    """

    confirmations: int = 1
    poll_interval: float = 0.2
    timeout: float = 60.0
    gas_limit: int | None = None  # None: eth_estimateGas plus gas_margin_percent
    gas_margin_percent: int = 25
    request_timeout: float = 10.0  # one HTTP request
    rpc_retries: int = 3  # transport retries for idempotent reads (web3's allowlist)
    fee_mode: FeeMode = "auto"
    priority_fee: int | None = None  # wei
    gas_price: int | None = None  # wei, legacy mode
    max_fee_multiplier: int = 2  # maxFeePerGas = base fee * this + tip

    def __post_init__(self) -> None:
        if self.confirmations < 1:
            raise ValueError("confirmations must be >= 1 (1 = mined)")
        if self.timeout <= 0 or self.poll_interval <= 0:
            raise ValueError("timeout and poll_interval must be positive")


class _GuardedHTTPProvider(HTTPProvider):
    """HTTPProvider whose transport errors become ``ChainUnreachable``."""

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        try:
            return super().make_request(method, params)
        except OSError as exc:  # requests' exceptions all derive from OSError
            raise ChainUnreachable(str(self.endpoint_uri), f"{type(exc).__name__}: {exc}") from exc


class Chain:
    """One endpoint.  Cheap to create; holds no state beyond the cached chain id."""

    def __init__(self, url: str, options: ChainOptions | None = None) -> None:
        self.url = url
        self.options = options or ChainOptions()
        provider = _GuardedHTTPProvider(
            URI(url),
            request_kwargs={"timeout": self.options.request_timeout},
            # web3 returns None when retries is 0, so keep at least one attempt.
            exception_retry_configuration=ExceptionRetryConfiguration(
                errors=(OSError,),
                retries=max(1, self.options.rpc_retries),
                backoff_factor=0.1,
            ),
        )
        self.w3 = Web3(provider)

    @classmethod
    def connect(
        cls, url: str, options: ChainOptions | None = None, expected_chain_id: int | None = None
    ) -> Chain:
        """Open and probe: raises ChainUnreachable now, not at first use."""
        chain = cls(url, options)
        actual = chain.chain_id
        if expected_chain_id is not None and actual != expected_chain_id:
            raise ChainMismatch(expected_chain_id, actual)
        return chain

    @functools.cached_property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def block_number(self) -> int:
        return int(self.w3.eth.block_number)

    def latest_block(self) -> BlockData:
        return self.w3.eth.get_block("latest")

    def block_hash(self, number: int) -> str | None:
        """Canonical hash (0x hex) of block ``number``, None if it does not exist (yet)."""
        try:
            block = self.w3.eth.get_block(number)
        except BlockNotFound:
            return None
        block_hash = block.get("hash")
        return None if block_hash is None else Web3.to_hex(block_hash)

    def block_timestamp(self, number: int) -> int:
        return int(self.w3.eth.get_block(number)["timestamp"])

    def code_at(self, address: str) -> bytes:
        return bytes(self.w3.eth.get_code(self.checksum(address)))

    @staticmethod
    def checksum(address: str) -> ChecksumAddress:
        if not Web3.is_address(address):
            raise ValueError(f"not an address: {address!r}")
        return Web3.to_checksum_address(address)

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        """A raw JSON-RPC call (e.g. Anvil's ``anvil_mine``); errors become AnchorErrors."""
        try:
            response = self.w3.provider.make_request(RPCEndpoint(method), params or [])
        except Web3RPCError as exc:
            raise RpcFailed(method, exc.message) from exc
        if response.get("error"):
            raise RpcFailed(method, str(response["error"]))
        return response.get("result")

    # Anvil/Hardhat test helpers: thin, but they keep RPC names out of tests.
    def mine(self, blocks: int = 1) -> None:
        self.rpc("anvil_mine", [hex(blocks)])

    def snapshot(self) -> str:
        return str(self.rpc("evm_snapshot"))

    def revert_to(self, snapshot_id: str) -> None:
        if self.rpc("evm_revert", [snapshot_id]) is not True:
            raise RpcFailed("evm_revert", f"snapshot {snapshot_id} not reverted")

    def __repr__(self) -> str:
        return f"Chain({self.url!r})"

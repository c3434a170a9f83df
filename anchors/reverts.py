"""Turn EVM revert data into ``TransactionReverted(error_name, args)``.

web3.py only recognises ``Error(string)`` and ``Panic(uint256)``; a Solidity
custom error arrives as ``ContractCustomError`` carrying the raw selector and
arguments.  The contract's ABI lists its custom errors (including inherited
OpenZeppelin ones such as ``AccessControlUnauthorizedAccount``), so we build a
selector table from it and decode the arguments with eth_abi.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_typing import ABIError
from eth_utils.abi import (
    abi_to_signature,
    collapse_if_tuple,
    function_signature_to_4byte_selector,
)
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from web3.exceptions import ContractLogicError

from anchors.errors import TransactionReverted

# The two errors the compiler itself emits.
_BUILTIN_ERRORS: tuple[Mapping[str, Any], ...] = (
    {"type": "error", "name": "Error", "inputs": [{"name": "message", "type": "string"}]},
    {"type": "error", "name": "Panic", "inputs": [{"name": "code", "type": "uint256"}]},
)


def _as_bytes(value: object) -> bytes | None:
    """Revert data as bytes from the shapes nodes use (hex str, nested dict)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        text = value.removeprefix("Reverted ").strip()
        if text.startswith("0x"):
            try:
                return bytes(HexBytes(text))
            except ValueError:
                return None
        return None
    if isinstance(value, Mapping):
        # Hardhat/Ganache style: {"data": "0x..."} or {"<txhash>": {"return": ...}}
        for key in ("data", "return", "result"):
            if key in value:
                return _as_bytes(value[key])
        for nested in value.values():
            found = _as_bytes(nested)
            if found is not None:
                return found
    return None


class RevertDecoder:
    """Selector table for one ABI; decodes revert payloads by error name."""

    def __init__(self, abi: Sequence[Mapping[str, Any]]) -> None:
        self._errors: dict[bytes, tuple[str, list[str]]] = {}
        for entry in (*_BUILTIN_ERRORS, *abi):
            if entry.get("type") != "error":
                continue
            signature = abi_to_signature(cast(ABIError, entry))
            types = [collapse_if_tuple(dict(i)) for i in entry.get("inputs", [])]
            self._errors[function_signature_to_4byte_selector(signature)] = (entry["name"], types)

    @property
    def error_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self._errors.values())

    def decode(self, data: bytes) -> tuple[str | None, tuple[Any, ...]]:
        """(name, args) for known errors; (None, ()) for empty/unknown data."""
        if len(data) < 4 or data[:4] not in self._errors:
            return None, ()
        name, types = self._errors[data[:4]]
        try:
            values = abi_decode(types, data[4:])
        except DecodingError:
            return None, ()
        # Checksummed addresses, so callers can compare with account.address.
        pairs = zip(types, values, strict=True)
        return name, tuple(to_checksum_address(v) if t == "address" else v for t, v in pairs)

    def error(self, data: bytes, tx_hash: str | None = None) -> TransactionReverted:
        name, args = self.decode(data)
        return TransactionReverted(name, args, data=data, tx_hash=tx_hash)

    def from_exception(
        self, exc: ContractLogicError, tx_hash: str | None = None
    ) -> TransactionReverted:
        """Decode web3's revert exception (custom error, Error(string), Panic, bare)."""
        data = _as_bytes(exc.data) or _as_bytes(exc.message) or b""
        reverted = self.error(data, tx_hash)
        if reverted.error_name is None and exc.message:
            # No decodable payload: keep the node's message for the operator.
            return TransactionReverted(None, (exc.message,), data=data, tx_hash=tx_hash)
        return reverted

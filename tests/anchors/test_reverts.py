"""RevertDecoder on hand-built payloads: the shapes nodes return besides Anvil's."""

from __future__ import annotations

from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector as selector
from web3.exceptions import ContractCustomError, ContractLogicError

from anchors.artifact import load_artifact
from anchors.reverts import RevertDecoder

ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _payload(signature: str, types: list[str], values: list[object]) -> bytes:
    return selector(signature) + encode(types, values)


def test_custom_errors_from_the_abi() -> None:
    decoder = RevertDecoder(load_artifact().abi)
    data = _payload(
        "UnauthorizedAnchorer(uint32,address)", ["uint32", "address"], [110000, ACCOUNT]
    )
    assert decoder.decode(data) == ("UnauthorizedAnchorer", (110000, ACCOUNT))
    assert decoder.decode(selector("EmptyBatch()")) == ("EmptyBatch", ())
    assert {"ZeroRoot", "AccessControlUnauthorizedAccount", "Error", "Panic"} <= (
        decoder.error_names
    )


def test_builtin_errors_and_unknown_data() -> None:
    decoder = RevertDecoder([])
    assert decoder.decode(_payload("Error(string)", ["string"], ["nope"])) == ("Error", ("nope",))
    assert decoder.decode(_payload("Panic(uint256)", ["uint256"], [0x11])) == ("Panic", (0x11,))
    assert decoder.decode(b"") == (None, ())
    assert decoder.decode(b"\xde\xad\xbe\xef") == (None, ())
    # Right selector, truncated arguments.
    assert decoder.decode(selector("Panic(uint256)") + b"\x00" * 3) == (None, ())


def test_from_web3_exceptions() -> None:
    decoder = RevertDecoder(load_artifact().abi)
    data = _payload("ProvinceNotRegistered(uint32)", ["uint32"], [440000])
    as_hex = "0x" + data.hex()
    assert decoder.from_exception(ContractCustomError(as_hex, data=as_hex)).error_args == (440000,)
    # Hardhat/Ganache-style nested data.
    nested = decoder.from_exception(ContractLogicError("execution reverted", data={"data": as_hex}))
    assert nested.error_name == "ProvinceNotRegistered"
    # A bare revert keeps the node's message for the operator.
    bare = decoder.from_exception(ContractLogicError("execution reverted", data=None))
    assert (bare.error_name, bare.error_args, bare.data) == (None, ("execution reverted",), b"")

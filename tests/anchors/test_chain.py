"""Connection behaviour: unreachable endpoints, chain id checks, option validation."""

from __future__ import annotations

import time

import pytest

from anchors.chain import Chain, ChainOptions
from anchors.contract import AnchorContract
from anchors.errors import ChainMismatch, ChainUnreachable, RpcFailed
from anchors.sender import TransactionSender
from tests.anchors.conftest import ChainKit

pytestmark = pytest.mark.chain


def test_closed_port_raises_chain_unreachable_quickly(closed_port_url: str) -> None:
    started = time.monotonic()
    with pytest.raises(ChainUnreachable) as caught:
        Chain.connect(closed_port_url)
    assert time.monotonic() - started < 3  # a few short retries, not a hang
    assert caught.value.url == closed_port_url
    assert "Connection" in caught.value.reason


def test_every_entry_point_maps_transport_errors(closed_port_url: str, kit_1559: ChainKit) -> None:
    chain = Chain(closed_port_url, ChainOptions(rpc_retries=1))
    address = kit_1559.admin.address
    with pytest.raises(ChainUnreachable):
        AnchorContract.at(chain, address)
    with pytest.raises(ChainUnreachable):
        AnchorContract(chain, address).province_head(110000)
    with pytest.raises(ChainUnreachable):
        TransactionSender(chain, kit_1559.admin).send({"to": address})
    with pytest.raises(ChainUnreachable):
        chain.mine(1)


def test_connect_checks_the_chain_id(kit_1559: ChainKit, kit_zero_gas: ChainKit) -> None:
    assert Chain.connect(kit_1559.node.url, expected_chain_id=31337).chain_id == 31337
    with pytest.raises(ChainMismatch) as caught:
        Chain.connect(kit_zero_gas.node.url, expected_chain_id=31337)
    assert (caught.value.expected, caught.value.actual) == (31337, kit_zero_gas.chain.chain_id)


def test_unknown_rpc_method_is_rpc_failed(kit_1559: ChainKit) -> None:
    with pytest.raises(RpcFailed) as caught:
        kit_1559.chain.rpc("govtrace_noSuchMethod")
    assert caught.value.method == "govtrace_noSuchMethod"


def test_block_helpers(kit_1559: ChainKit) -> None:
    chain = kit_1559.chain
    head = chain.block_number()
    assert chain.block_hash(head) == chain.w3.to_hex(chain.latest_block()["hash"])
    assert chain.block_hash(head + 1000) is None


@pytest.mark.parametrize("kwargs", [{"confirmations": 0}, {"timeout": 0}, {"poll_interval": -1.0}])
def test_options_are_validated(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - message varies by field
        ChainOptions(**kwargs)  # type: ignore[arg-type]

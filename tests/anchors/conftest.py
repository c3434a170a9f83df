"""Real-Anvil fixtures for the anchors suite (no mocks).

Self-contained on purpose -- no relative imports, fixture names unique to the
chain side -- so moving this file's contents into tests/conftest.py is a cut
and paste.  Two session nodes are shared: an EIP-1559 Anvil (base fee 1 gwei,
funded dev accounts) and a zero-gas one (``--base-fee 0 --gas-price 0``) where
tests sign with fresh, unfunded keys to prove that zero fees really work.
Tests that rewrite history (snapshot/revert) start their own node.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from anchors.anvil import AnvilOptions, AnvilProcess, dev_account, free_port
from anchors.chain import Chain, ChainOptions
from anchors.contract import AnchorContract

#: Fast polling and short deadlines: Anvil automines, so nothing should take long.
FAST = ChainOptions(poll_interval=0.02, timeout=10.0)
ZERO_GAS_CHAIN_ID = 1337


@dataclass(frozen=True)
class ChainKit:
    """A chain plus the keys to use on it."""

    kind: str
    node: AnvilProcess
    chain: Chain
    admin: LocalAccount
    make_key: Callable[[], LocalAccount]


@pytest.fixture(scope="session")
def anvil_1559() -> Iterator[AnvilProcess]:
    with AnvilProcess(AnvilOptions()) as node:
        yield node


@pytest.fixture(scope="session")
def anvil_zero_gas() -> Iterator[AnvilProcess]:
    with AnvilProcess(AnvilOptions.zero_gas(chain_id=ZERO_GAS_CHAIN_ID)) as node:
        yield node


@pytest.fixture
def fresh_anvil() -> Iterator[AnvilProcess]:
    """A private node for tests that snapshot/revert or otherwise rewrite history."""
    with AnvilProcess(AnvilOptions()) as node:
        yield node


def _dev_keys() -> Callable[[], LocalAccount]:
    # Accounts 1..9 are funded; 0 is the admin.  Cycle: nonces are per tx anyway.
    indices = itertools.cycle(range(1, 10))
    return lambda: dev_account(next(indices))


@pytest.fixture
def kit_1559(anvil_1559: AnvilProcess) -> ChainKit:
    return ChainKit("eip1559", anvil_1559, Chain(anvil_1559.url, FAST), dev_account(0), _dev_keys())


@pytest.fixture
def kit_zero_gas(anvil_zero_gas: AnvilProcess) -> ChainKit:
    chain = Chain(anvil_zero_gas.url, FAST)
    return ChainKit("zero-gas", anvil_zero_gas, chain, Account.create(), Account.create)


@pytest.fixture(params=["eip1559", "zero-gas"])
def kit(request: pytest.FixtureRequest) -> ChainKit:
    """Parametrised over both session chains."""
    name = "kit_1559" if request.param == "eip1559" else "kit_zero_gas"
    kit: ChainKit = request.getfixturevalue(name)
    return kit


@pytest.fixture
def deployed(kit: ChainKit) -> AnchorContract:
    """A fresh contract per test: tests never see each other's provinces."""
    return AnchorContract.deploy(kit.chain, kit.admin)


@pytest.fixture
def closed_port_url() -> str:
    """An RPC URL nobody listens on (port bound then released)."""
    return f"http://127.0.0.1:{free_port()}"

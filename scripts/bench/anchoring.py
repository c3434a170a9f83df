"""4. Anchoring gas on a real Anvil: gas per anchorBatch and per record at batch sizes 1, 100,
10^4 and 10^6 (the contract stores a range, so size does not change the cost), against one
transaction per record; and on-chain `verifyInclusion` execution gas by proof depth.

Gas figures are exact (receipts), not estimates. verifyInclusion is sent as a transaction so
its receipt counts the work; execution gas = gasUsed - intrinsic gas (21,000 + calldata:
16 per non-zero byte, 4 per zero byte). Storage is cold in each transaction, as in real use.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from web3.types import TxParams

from anchors.anvil import AnvilOptions, AnvilProcess, dev_account
from anchors.chain import Chain, ChainOptions
from anchors.contract import AnchorContract

from .stats import figure

GAS_PROVINCE = 440000  # the gas runs' own province, apart from the dataset's
STRAWMAN_PROVINCE = 450000
FAST = ChainOptions(poll_interval=0.02, timeout=30.0)


def _intrinsic(data: bytes) -> int:
    return 21_000 + sum(4 if b == 0 else 16 for b in data)


def deploy(anvil: AnvilProcess) -> AnchorContract:
    contract = AnchorContract.deploy(Chain(anvil.url, FAST), dev_account(0), FAST)
    for i, province in enumerate((310000, GAS_PROVINCE, STRAWMAN_PROVINCE)):
        contract.register_province(province, dev_account(i + 1).address, dev_account(0))
    return contract


def run(contract: AnchorContract, sizes: list[int], depths: list[int], strawman: int
        ) -> dict[str, Any]:
    key = dev_account(2)
    out: dict[str, Any] = {"anchor": {}, "verify": {}}
    seq = 1
    for batch_no, size in enumerate(sizes, start=1):
        root = hashlib.sha256(f"batch {batch_no}".encode()).digest()
        gas = contract.anchor_batch(GAS_PROVINCE, batch_no, seq, size, root, key).gas_used
        out["anchor"][str(size)] = {"gas_per_tx": gas, "gas_per_record": gas / size}
        seq += size
    per_record = [contract.anchor_batch(STRAWMAN_PROVINCE, n, n, 1, hashlib.sha256(
        bytes([n])).digest(), dev_account(3)).gas_used for n in range(1, strawman + 1)]
    out["one_tx_per_record_gas"] = figure([float(g) for g in per_record], "gas").to_json()
    sender = contract.sender(key)
    batch_no = len(sizes)
    for depth in depths:
        tree_size = 1 << depth
        index = 0x5A5A5 & (tree_size - 1)
        leaf = hashlib.sha256(b"\x00record").digest()
        proof = [hashlib.sha256(bytes([i, depth])).digest() for i in range(depth)]
        root = contract.compute_root(leaf, index, tree_size, proof)
        assert root is not None
        batch_no += 1
        contract.anchor_batch(GAS_PROVINCE, batch_no, seq, tree_size, root, key)
        seq += tree_size
        data = contract._encode("verifyInclusion", GAS_PROVINCE, batch_no, leaf, index, proof)
        assert contract.verify_inclusion(GAS_PROVINCE, batch_no, leaf, index, proof)
        mined = sender.send(cast(TxParams, {"to": contract.address, "data": data}))
        raw = bytes.fromhex(data[2:])
        out["verify"][str(depth)] = {"execution_gas": mined.gas_used - _intrinsic(raw),
                                     "tx_gas": mined.gas_used}
    return out


def anvil() -> AnvilProcess:
    # Cancun, not Anvil's default Prague: EIP-7623's calldata floor (10 gas per token) would
    # otherwise set a proof-carrying transaction's gasUsed and hide its execution gas.
    # Opcode and storage prices are the same in both.
    return AnvilProcess(AnvilOptions(hardfork="cancun"))

"""The ops suite shares the fault suite's chain fixtures."""

from tests.faults.conftest import fault_anvil, zero_gas_anvil

__all__ = ["fault_anvil", "zero_gas_anvil"]

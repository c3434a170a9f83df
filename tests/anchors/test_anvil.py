"""AnvilProcess: start/stop, dev accounts, state persisted across restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from anchors.anvil import (
    DEV_MNEMONIC,
    AnvilOptions,
    AnvilProcess,
    dev_accounts,
    find_anvil,
    orphan_guard,
    rpc_answers,
)
from anchors.chain import Chain
from anchors.contract import AnchorContract
from anchors.errors import NodeStartFailed
from tests.anchors import rfc9162
from tests.anchors.conftest import FAST
from tests.processes import outliving, running

pytestmark = pytest.mark.chain


def test_dev_accounts_are_anvils_funded_accounts(fresh_anvil: AnvilProcess) -> None:
    chain = Chain(fresh_anvil.url)
    node_accounts = chain.rpc("eth_accounts")
    derived = dev_accounts(10)
    assert [a.address.lower() for a in derived] == [a.lower() for a in node_accounts]
    assert derived[0].address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # well known
    assert chain.w3.eth.get_balance(derived[9].address) > 0


def test_start_stop_and_context_manager() -> None:
    node = AnvilProcess(AnvilOptions(chain_id=4242, mnemonic=DEV_MNEMONIC, accounts=2, quiet=True))
    with node:
        assert node.running
        assert rpc_answers(node.url) == 4242
        url = node.url
    assert not node.running
    assert rpc_answers(url) is None
    node.stop()  # idempotent


def test_state_survives_restart(tmp_path: Path) -> None:
    state = tmp_path / "data" / "anvil-state.json"
    options = AnvilOptions(state_path=state, chain_id=31338)
    root = rfc9162.root(rfc9162.batch(1, 2))
    admin, province = dev_accounts(2)
    with AnvilProcess(options) as node:
        contract = AnchorContract.deploy(Chain(node.url, FAST), admin)
        contract.register_province(110000, province.address, admin)
        receipt = contract.anchor_batch(110000, 1, 1, 2, root, province)
    assert state.is_file()  # dumped on SIGTERM

    with AnvilProcess(options) as node:  # possibly another port: only the state carries over
        again = AnchorContract.at(Chain(node.url, FAST), contract.address, strict=True)
        on_chain = again.batch(110000, 1)
        assert on_chain is not None
        assert (on_chain.root, on_chain.block_number) == (root, receipt.block_number)
        assert again.province_head(110000).next_seq == 3


def test_busy_port_fails_with_log_tail(fresh_anvil: AnvilProcess) -> None:
    clash = AnvilProcess(AnvilOptions(port=fresh_anvil.port, startup_timeout=5))
    with pytest.raises(NodeStartFailed, match="is in use"):
        clash.start()
    assert not clash.running
    assert rpc_answers(fresh_anvil.url) == 31337  # the original is untouched


def test_anvil_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = find_anvil()
    assert default.name == "anvil"
    # The real binary, not npm's Node wrapper (which exits before Anvil has
    # finished dumping --state on SIGTERM).
    assert default.suffix not in (".mjs", ".js") and "anvil-" in str(default)
    fake = tmp_path / "my-anvil"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    assert find_anvil(fake) == fake
    monkeypatch.setenv("GOVTRACE_ANVIL", str(fake))
    assert find_anvil() == fake
    with pytest.raises(NodeStartFailed, match="did not answer"):
        AnvilProcess(AnvilOptions(startup_timeout=2)).start()


_STARTER = """
import sys, time
from anchors.anvil import AnvilOptions, AnvilProcess
node = AnvilProcess(AnvilOptions(quiet=True, accounts=1)).start()
print(node.port, node._proc.pid, flush=True)
time.sleep(600)
"""


def test_anvil_dies_with_a_sigkilled_starter() -> None:
    """A SIGKILLed service or test run cannot stop its Anvil: the parent-death signal must."""
    starter = subprocess.Popen([sys.executable, "-c", _STARTER], stdout=subprocess.PIPE,
                               text=True, cwd=Path(__file__).resolve().parents[2])
    pid = 0
    try:
        assert starter.stdout is not None
        port, pid = (int(x) for x in starter.stdout.readline().split())
        assert rpc_answers(f"http://127.0.0.1:{port}") == 31337
        starter.send_signal(signal.SIGKILL)
        starter.wait(10)
        assert not outliving([pid], 10), f"anvil {pid} outlived its SIGKILLed starter"
        assert rpc_answers(f"http://127.0.0.1:{port}", timeout=0.2) is None
    finally:
        starter.kill()
        if pid and running(pid):  # do not leak it when the test fails
            os.kill(pid, signal.SIGKILL)


def test_only_the_main_thread_guards_its_anvil() -> None:
    assert orphan_guard()[1:] == ["--pdeathsig", "TERM"]  # setpriv is on every CI machine
    seen: list[list[str]] = []
    thread = threading.Thread(target=lambda: seen.append(orphan_guard()))
    thread.start()
    thread.join()
    assert seen == [[]]  # the signal would follow that thread, not the process

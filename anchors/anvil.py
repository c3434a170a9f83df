"""A local Anvil node as a managed child process.

Used by ``govtrace serve`` in its embedded mode (Anvil started and stopped with
the service, state persisted with ``--state`` so the deployed contract survives
restarts) and by the test fixtures.  Nothing here is started at import time.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from anchors.anvil_support import (
    ANVIL_ENV,
    find_anvil,
    free_port,
    group_alive,
    kill_group,
    port_is_free,
    rpc_answers,
)
from anchors.errors import NodeStartFailed

__all__ = [
    "ANVIL_ENV",
    "DEV_MNEMONIC",
    "AnvilOptions",
    "AnvilProcess",
    "dev_account",
    "dev_accounts",
    "find_anvil",
    "free_port",
    "rpc_answers",
]

#: Anvil's (and Hardhat's) well-known development mnemonic.  Test-only keys.
DEV_MNEMONIC = "test test test test test test test test test test test junk"


@functools.cache
def dev_account(index: int, mnemonic: str = DEV_MNEMONIC) -> LocalAccount:
    """The ``index``-th account Anvil funds for ``mnemonic`` (BIP-44 path).

    Cached: HD derivation costs ~10 ms per key and fixtures ask repeatedly.
    """
    # A per-process opt-in flag of eth_account, set on use rather than import.
    Account.enable_unaudited_hdwallet_features()
    account: LocalAccount = Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}")
    return account


def dev_accounts(count: int = 10, mnemonic: str = DEV_MNEMONIC) -> list[LocalAccount]:
    """The first ``count`` dev accounts, in Anvil's order."""
    return [dev_account(i, mnemonic) for i in range(count)]


@dataclass(frozen=True)
class AnvilOptions:
    """How to start Anvil.  Defaults: automine, chain 31337, EIP-1559 fees."""

    port: int | None = None  # None: pick a free port
    host: str = "127.0.0.1"
    chain_id: int = 31337
    block_time: float | None = None  # None: automine (a block per transaction)
    state_path: Path | None = None  # --state: load on start, dump on stop
    state_interval: int | None = None  # seconds between periodic dumps
    base_fee: int | None = None  # --base-fee (0 with gas_price 0: zero-gas chain)
    gas_price: int | None = None
    hardfork: str | None = None
    mnemonic: str | None = None  # None: Anvil's default "test ... junk" mnemonic
    accounts: int = 10
    anvil_path: Path | None = None  # None: $GOVTRACE_ANVIL, node_modules, PATH
    startup_timeout: float = 15.0
    log_path: Path | None = None  # None: a temporary file removed on stop
    quiet: bool = False  # --quiet: no per-request log lines (long-running services)
    extra_args: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def zero_gas(cls, **overrides: Any) -> AnvilOptions:
        """A free-gas permissioned-chain look-alike: base fee and gas price 0.

        Blocks still carry ``baseFeePerGas`` (= 0), like Besu with
        ``zeroBaseFee``; transactions with a zero fee cap are accepted.
        """
        return replace(cls(base_fee=0, gas_price=0), **overrides)


def orphan_guard() -> list[str]:
    """`setpriv --pdeathsig TERM` (util-linux) before Anvil's argv: the kernel sends Anvil
    SIGTERM when the thread that started it dies, so a SIGKILLed service or test run leaves
    no node behind holding its port (stop() cannot run then). The signal follows the
    starting *thread*, so only a start from the main thread, which lives as long as the
    process, is guarded; elsewhere, or without setpriv, Anvil starts as before."""
    if threading.current_thread() is not threading.main_thread():
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM"] if setpriv else []


class AnvilProcess:
    """Start/stop one Anvil; usable as a context manager."""

    def __init__(self, options: AnvilOptions | None = None) -> None:
        self.options = options or AnvilOptions()
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._log_is_temp = False
        self.port: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command(self, port: int) -> list[str]:
        o = self.options
        cmd = [str(find_anvil(o.anvil_path)), "--host", o.host, "--port", str(port)]
        cmd += ["--chain-id", str(o.chain_id), "--accounts", str(o.accounts)]
        if o.block_time is not None:
            cmd += ["--block-time", str(o.block_time)]
        if o.state_path is not None:
            cmd += ["--state", str(o.state_path)]
        if o.state_interval is not None:
            cmd += ["--state-interval", str(o.state_interval)]
        if o.base_fee is not None:
            cmd += ["--base-fee", str(o.base_fee)]
        if o.gas_price is not None:
            cmd += ["--gas-price", str(o.gas_price)]
        if o.hardfork is not None:
            cmd += ["--hardfork", o.hardfork]
        if o.mnemonic is not None:
            cmd += ["--mnemonic", o.mnemonic]
        if o.quiet:
            cmd.append("--quiet")
        return cmd + list(o.extra_args)

    def start(self) -> AnvilProcess:
        if self.running:
            return self
        if self.options.state_path is not None:
            self.options.state_path.parent.mkdir(parents=True, exist_ok=True)
        # A picked free port can be stolen before Anvil binds it; retry then.
        attempts = 1 if self.options.port is not None else 3
        for attempt in range(attempts):
            self.port = self.options.port or free_port(self.options.host)
            if not port_is_free(self.options.host, self.port):
                # Else the readiness probe would be answered by whoever holds the port.
                if self.options.port is not None:
                    raise NodeStartFailed(f"port {self.port} on {self.options.host} is in use")
                continue
            self._spawn()
            if self._wait_ready():
                return self
            tail = self.log_tail()
            self.stop()
            if attempt == attempts - 1 or "in use" not in tail.lower():
                raise NodeStartFailed(f"anvil did not answer on {self.url}: {tail}")
        raise NodeStartFailed(f"no free port found on {self.options.host}")

    def _spawn(self) -> None:
        if self.options.log_path is not None:
            self.options.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.options.log_path.open("ab")
            self._log_is_temp = False
        else:
            # A file, not a pipe: an unread pipe fills up and blocks Anvil.
            self._log = tempfile.NamedTemporaryFile(prefix="anvil-", suffix=".log", delete=False)  # noqa: SIM115
            self._log_is_temp = True
        # Own session: if a wrapper (npm's Node script) is run after all, a
        # process group lets stop() reach the real binary too; it also keeps a
        # terminal's Ctrl-C from stopping Anvil before the service is done with it.
        self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            orphan_guard() + self.command(self.port),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.options.startup_timeout
        while time.monotonic() < deadline:
            if not self.running:
                return False
            if rpc_answers(self.url, timeout=0.5) is not None:
                return True
            time.sleep(0.05)
        return False

    def log_tail(self, chars: int = 2000) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        try:
            return Path(self._log.name).read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (Anvil dumps --state on it), wait, then SIGKILL whatever is left."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    kill_group(proc.pid)
                    proc.wait(timeout=timeout)
            # If a wrapper was started after all, its child may still be
            # writing the state file: give the group time, then kill it.
            deadline = time.monotonic() + timeout
            while group_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            kill_group(proc.pid)
        if self._log is not None:
            self._log.close()
            if self._log_is_temp:
                Path(self._log.name).unlink(missing_ok=True)
            self._log = None

    def __enter__(self) -> AnvilProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

"""Run the real `govtrace serve` (API + worker + embedded Anvil) as a child process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from anchors.anvil import free_port, rpc_answers

GOVTRACE = str(Path(sys.executable).parent / "govtrace")


def govtrace(*args: str, env: dict[str, str], input: bytes | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GOVTRACE, *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=timeout, input=None if input is None else
                          input.decode(), check=False)


class Service:
    """`govtrace serve` on free ports with its data in `data_dir`; a context manager."""

    def __init__(self, data_dir: Path, **settings: str) -> None:
        self.port, self.anvil_port = free_port(), free_port()
        self.env = {
            "GOVTRACE_DATA_DIR": str(data_dir),
            "GOVTRACE_PORT": str(self.port),
            "GOVTRACE_ANVIL_PORT": str(self.anvil_port),
            "GOVTRACE_SEAL_MAX_AGE_SECONDS": "1",
            "GOVTRACE_SEAL_INTERVAL_SECONDS": "0.2",
            **{f"GOVTRACE_{k.upper()}": v for k, v in settings.items()},
        }
        self.log = data_dir / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.anvil_port}"

    def cli(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[str]:
        return govtrace(*args, env=self.env, input=input)

    def start(self, timeout: float = 60) -> Service:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([GOVTRACE, "serve"], env={**os.environ, **self.env},
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"govtrace serve exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"govtrace serve did not come up: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            # The embedded Anvil must go with the service (nothing left running).
            assert rpc_answers(self.rpc_url) is None, "embedded Anvil outlived govtrace serve"

    def __enter__(self) -> Service:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

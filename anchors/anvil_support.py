"""Finding, probing and cleaning up after an Anvil process (helpers of ``anchors.anvil``)."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import sys
import urllib.request
from pathlib import Path

from anchors.errors import NodeStartFailed

#: Env var naming the anvil executable; wins over the node_modules default.
ANVIL_ENV = "GOVTRACE_ANVIL"


def find_anvil(explicit: Path | None = None) -> Path:
    """Locate the anvil executable: explicit, env, <repo>/node_modules/.bin, PATH."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(explicit)
    if env := os.environ.get(ANVIL_ENV):
        candidates.append(Path(env))
    # The package lives at <repo>/anchors when run from a checkout; also look
    # upwards from the cwd so an installed package finds the project's copy.
    cwd = Path.cwd().resolve()
    for base in (Path(__file__).resolve().parent.parent, cwd, *cwd.parents):
        candidates.append(base / "node_modules" / ".bin" / "anvil")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return _native_binary(candidate)
    on_path = shutil.which("anvil")
    if on_path:
        return _native_binary(Path(on_path))
    raise NodeStartFailed(
        f"anvil not found (set {ANVIL_ENV}, pass anvil_path, or run `npm ci` in the repo)"
    )


def _native_binary(path: Path) -> Path:
    """The real binary behind npm's ``@foundry-rs/anvil`` Node wrapper, if found.

    The wrapper forwards SIGTERM to the binary and exits at once, without
    waiting; a caller waiting on the wrapper would then believe Anvil stopped
    while it is still dumping ``--state``.  Running the binary directly makes
    ``wait()`` mean what it says.
    """
    resolved = path.resolve()
    if resolved.suffix not in (".mjs", ".js", ".cjs"):
        return path
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine(), "")
    wanted = f"{resolved.parent.name}-{sys.platform}-{arch}"
    binary = resolved.parent.parent / wanted / "bin" / resolved.parent.name
    return binary if binary.is_file() and os.access(binary, os.X_OK) else path


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(host: str, port: int) -> bool:
    """Whether nobody listens on ``port`` (TIME_WAIT leftovers of a stopped node are fine)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def rpc_answers(url: str, timeout: float = 1.0) -> int | None:
    """The chain id if ``url`` answers eth_chainId, else None (never raises)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    request = urllib.request.Request(  # noqa: S310 - the URL is our own localhost node
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(json.loads(response.read())["result"], 16)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def group_alive(pgid: int) -> bool:
    """Whether a non-zombie process of group ``pgid`` exists (zombies may never be reaped)."""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for stat in proc_dir.glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid pgrp ..." -- comm may contain spaces.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False

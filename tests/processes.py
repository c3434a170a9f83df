"""Processes as Linux's /proc shows them, for tests that SIGKILL a parent and check that
its children went with it."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path


def _stat(pid_dir: Path) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    return (pid_dir / "stat").read_text().rsplit(")", 1)[1].split()


def running(pid: int) -> bool:
    """Running, not a zombie (an orphan's zombie waits for whoever reaps it here)."""
    try:
        return _stat(Path(f"/proc/{pid}"))[0] != "Z"
    except FileNotFoundError:
        return False


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` now."""
    out = []
    for pid_dir in Path("/proc").glob("[0-9]*"):
        try:
            if int(_stat(pid_dir)[1]) == pid:
                out.append(int(pid_dir.name))
        except (OSError, IndexError):  # gone meanwhile, or not a process directory
            continue
    return out


def outliving(pids: Iterable[int], timeout: float) -> list[int]:
    """Those of `pids` still running after waiting up to `timeout` seconds for all to end
    (a parent-death signal takes a moment to be delivered and acted on)."""
    pids = list(pids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(running(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if running(p)]

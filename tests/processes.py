"""Processes as Linux's /proc shows them, for tests that SIGKILL a parent and check that
its children went with it."""

from __future__ import annotations

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

"""The API under test in a child process (so the load generator does not share its GIL), and
a minimal asyncio HTTP/1.1 client over keep-alive connections that costs far less CPU per
request than the server does, recording every request's latency."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _serve(settings: dict[str, Any], sock: socket.socket) -> None:
    import uvicorn

    from api import Services, create_app
    from govtrace.settings import Settings
    from ledger.store import Database

    s = Settings(**settings)
    db = Database(s.database_options())
    app = create_app(s, Services(db), auth_cache_seconds=60, server=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run([sock])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): lets a figure be stated per
    core-second too, which holds when other work shares the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    #: One listening port per process when the processes are balanced, else one shared.
    ports: list[int]
    pids: list[int]

    @property
    def port(self) -> int:
        return self.ports[0]

    def cpu(self) -> float:
        """CPU seconds of all server processes together."""
        return sum(cpu_seconds(pid) for pid in self.pids)


def _listen() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _ready(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as probe:
                probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: b\r\n\r\n")
                if probe.recv(16).startswith(b"HTTP/1.1"):
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"the API on port {port} did not come up")


@contextmanager
def api_server(data_dir: Path, *, processes: int = 1, balanced: bool = False,
               **settings: Any) -> Iterator[Server]:
    """The real app under uvicorn in `processes` spawned children.

    Shared (default): the children share one listening socket, as `govtrace api --workers N`
    runs. The kernel does not spread a burst of connections evenly there: one child's accept
    loop can take all of them, so N processes may measure like one.
    Balanced: each child listens on its own port and the client spreads its connections over
    them round-robin, as a load balancer in front of N `govtrace api` processes would."""
    socks = [_listen() for _ in range(processes if balanced else 1)]
    spawn = multiprocessing.get_context("spawn")
    children = [spawn.Process(target=_serve,
                              args=({"data_dir": data_dir, **settings}, socks[i % len(socks)]),
                              daemon=True) for i in range(processes)]
    for child in children:
        child.start()
    try:
        ports = [sock.getsockname()[1] for sock in socks]
        deadline = time.monotonic() + 60
        for port in ports:
            _ready(port, deadline)
        pids = [child.pid for child in children]
        assert None not in pids
        yield Server(ports, [pid for pid in pids if pid is not None])
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.join(10)
        for sock in socks:
            sock.close()


def request(method: str, path: str, token: str, body: bytes = b"") -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _drive(ports: list[int], requests: list[bytes], connections: int
                 ) -> tuple[float, list[float], dict[int, int]]:
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    queue = list(reversed(requests))

    async def worker(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            started = time.perf_counter()
            writer.write(queue.pop())
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1])
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(ports[i % len(ports)]) for i in range(connections)))
    return time.perf_counter() - start, latencies, statuses


def drive(ports: int | list[int], requests: list[bytes], connections: int
          ) -> tuple[float, list[float], dict[int, int]]:
    """Send `requests` over `connections` keep-alive connections, spread round-robin over
    `ports`; (seconds, latencies, statuses)."""
    return asyncio.run(_drive([ports] if isinstance(ports, int) else ports, requests,
                              connections))

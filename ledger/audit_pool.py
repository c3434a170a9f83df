"""Worker processes of the audit: fresh interpreters that import the audit and nothing else.

Not multiprocessing's spawn pool: a spawned child first re-imports the parent's `__main__`,
and under `govtrace audit` that is the console script, which imports the whole CLI (typer,
web3, FastAPI): 1.5 s of CPU per worker before it does any work, about a quarter of a
10^6-record audit on two cores. A worker here is a fresh interpreter that imports
`ledger.audit_worker` (0.35 s), started with subprocess (fork + exec, so as safe in a threaded
server as spawn), and it talks over two pipes of its own: length-prefixed pickles, tasks one
way and results the other, in order. A reader thread per worker resolves that worker's
futures as results arrive.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any

import ledger

_LENGTH = 8


def write_frame(stream: IO[bytes], value: object) -> None:
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(blob).to_bytes(_LENGTH, "little") + blob)
    stream.flush()


def read_frame(stream: IO[bytes]) -> tuple[bool, Any]:
    """(True, value), or (False, None) at the end of the stream."""
    head = stream.read(_LENGTH)
    if len(head) < _LENGTH:
        return False, None
    # Frames come only from the other end of our own pipe, written by this audit.
    return True, pickle.loads(stream.read(int.from_bytes(head, "little")))  # noqa: S301


#: How a worker starts: the ledger package the parent imported, whatever the cwd or the path.
_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); from ledger.audit_worker import main; "
         "sys.exit(main(sys.argv[2:]))")


class _Worker:
    def __init__(self, init: object) -> None:
        task_r, task_w = os.pipe()
        result_r, result_w = os.pipe()
        root = str(Path(ledger.__file__).parent.parent)
        self.process = subprocess.Popen(  # noqa: S603 (our interpreter, our code)
            [sys.executable, "-c", _BOOT, root, str(task_r), str(result_w)],
            pass_fds=(task_r, result_w), stdin=subprocess.DEVNULL)
        os.close(task_r)
        os.close(result_w)
        self.tasks = os.fdopen(task_w, "wb")
        self.pending: deque[Future[Any]] = deque()
        write_frame(self.tasks, init)
        self.reader = threading.Thread(target=self._read, args=(os.fdopen(result_r, "rb"),),
                                       daemon=True, name="audit-worker-reader")
        self.reader.start()

    def submit(self, task: object) -> Future[Any]:
        future: Future[Any] = Future()
        self.pending.append(future)  # before the task is written: its result may come fast
        write_frame(self.tasks, task)
        return future

    def _read(self, results: IO[bytes]) -> None:
        failure: BaseException | None = None
        with results:
            try:
                while True:
                    more, reply = read_frame(results)
                    if not more:
                        break
                    ok, value = reply
                    future = self.pending.popleft()
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
            except Exception as exc:  # a reply that does not unpickle: the worker is useless
                failure = exc
                self.process.kill()
        code = self.process.wait()
        while self.pending:  # never leave the coordinator waiting for a dead worker
            self.pending.popleft().set_exception(failure or RuntimeError(
                f"audit worker {self.process.pid} exited with code {code}"))

    def close(self, *, kill: bool) -> None:
        if kill:
            self.process.kill()
        with contextlib.suppress(OSError):  # OSError: it is gone already
            self.tasks.close()  # end of tasks: the worker exits
        self.process.wait()
        self.reader.join()


class WorkerPool:
    """`size` worker processes; each task goes to the worker with the fewest in hand."""

    def __init__(self, size: int, init: object) -> None:
        self.workers: list[_Worker] = []
        try:
            for _ in range(size):
                self.workers.append(_Worker(init))
        except BaseException:
            self.close()
            raise

    def submit(self, task: object) -> Future[Any]:
        return min(self.workers, key=lambda w: len(w.pending)).submit(task)

    def close(self) -> None:
        """Stop the workers; ones still working (the audit failed) are killed."""
        for worker in self.workers:
            worker.close(kill=bool(worker.pending))
        self.workers = []

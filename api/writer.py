"""Group commit: concurrent write requests share one ledger transaction.

Each commit costs an fsync (SQLite, synchronous=FULL) plus a fixed amount of ORM work, so
one transaction per request caps single-record writes far below what the disk and CPU
allow. Here, write requests queue on the event loop; while one group commits in a worker
thread, the next requests wait as plain futures (no thread each), and the next group takes
everything queued, up to `max_records`. A lone request waits for nothing.

Semantics are those of running the requests one after another in queue order:
`ledger.ingest.append` treats repeated ids and subject chains within one call exactly as
across calls. When a group fails (a conflict in one request, or any error), each request of
the group is retried alone, so only the offending one sees the error.

All queue state lives on the event loop thread, so it needs no lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from ledger import ingest, timestamps
from ledger.draft import RecordDraft
from ledger.store import Database

log = logging.getLogger("govtrace.api")

_Job = tuple[list[RecordDraft], "asyncio.Future[list[ingest.Appended]]"]
#: One outcome per job: its results, or the exception it alone caused.
_Outcome = list[ingest.Appended] | BaseException


class GroupCommitter:
    #: Groups stop growing here: batching beyond ~1,000 records saves nothing measurable per
    #: record, and a small request queued behind big ones should not wait for a huge commit.
    #: A single request larger than this still commits (alone).
    DEFAULT_MAX_RECORDS = 1000

    def __init__(self, db: Database, *, max_records: int = DEFAULT_MAX_RECORDS,
                 clock: timestamps.Clock = timestamps.now) -> None:
        self.db = db
        self.clock = clock
        self.max_records = max_records
        self._queue: deque[_Job] = deque()
        # Groups commit one at a time, so one thread of its own: cheaper per group than
        # anyio's shared threadpool, and never queued behind slow sync endpoints there.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="group-commit")
        self._drainer: asyncio.Task[None] | None = None

    async def append(self, drafts: Sequence[RecordDraft]) -> list[ingest.Appended]:
        """Like `ledger.ingest.append`: atomic for `drafts`; returns once durable."""
        future: asyncio.Future[list[ingest.Appended]] = \
            asyncio.get_running_loop().create_future()
        self._queue.append((list(drafts), future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        return await future

    def _take_group(self) -> list[_Job]:
        group = [self._queue.popleft()]
        count = len(group[0][0])
        while self._queue and count + len(self._queue[0][0]) <= self.max_records:
            count += len(self._queue[0][0])
            group.append(self._queue.popleft())
        return group

    async def _drain(self) -> None:
        try:
            while self._queue:
                group = self._take_group()
                try:
                    outcomes = await asyncio.get_running_loop().run_in_executor(
                        self._thread, self._commit, [d for d, _ in group])
                except asyncio.CancelledError:  # the loop is shutting down: nobody may hang
                    for _, future in group:
                        future.cancel()
                    raise
                except Exception as exc:
                    outcomes = [exc] * len(group)
                for (_, future), outcome in zip(group, outcomes, strict=True):
                    if future.done():  # the request was cancelled meanwhile
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            self._drainer = None
            while self._queue:  # only reached if the loop itself is being torn down
                self._queue.popleft()[1].cancel()

    def _commit(self, jobs: list[list[RecordDraft]]) -> list[_Outcome]:
        """Runs in a worker thread: one transaction for all jobs, else one per job."""
        if len(jobs) > 1:
            try:
                results = ingest.append(self.db, [d for drafts in jobs for d in drafts],
                                        clock=self.clock)
            except Exception as exc:
                log.debug("group of %d requests failed (%s); retrying one by one",
                          len(jobs), type(exc).__name__)
            else:
                out: list[_Outcome] = []
                start = 0
                for drafts in jobs:
                    out.append(results[start:start + len(drafts)])
                    start += len(drafts)
                return out
        outcomes: list[_Outcome] = []
        for drafts in jobs:
            try:
                outcomes.append(ingest.append(self.db, drafts, clock=self.clock))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

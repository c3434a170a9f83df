"""The tamper audit: re-verify the whole ledger against itself and against the chain.

Per province, in seq order, in bounded memory: recompute every leaf hash from the canonical
bytes, check each row against its own bytes (ledger/audit_checks.py), find sequence gaps and
rows beyond the province head, recompute every batch root and compare it with the stored and
the anchored root (ledger/audit_batches.py), then check every case/license chain through an
external hash join (ledger/audit_chains.py) and attribute what does not verify
(ledger/audit_attribution.py). docs/audit.md says what can and cannot be pinpointed.

The audit only reads. It audits the state at its start (province heads and batches read
then); records appended while it runs are left to the next audit.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from . import audit_log, timestamps
from .audit_attribution import attribute
from .audit_batches import AnchoredRoots, BatchChecker, Unauthenticated
from .audit_chains import ChainResult, ChainTask, bucket_count, shape
from .audit_extent import beyond_heads, chain_heads, deleted, record_ids
from .audit_heads import reload
from .audit_plan import plan, read_heads
from .audit_report import DEFAULT_MAX_LISTED, AuditReport
from .audit_runner import HeadsTask, Runner
from .audit_scan import PIECE, ScanResult, ScanTask
from .errors import AuditChainUnavailable
from .store import Database

#: phase, records done, records in all
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class AuditOptions:
    provinces: tuple[int, ...] | None = None
    #: Worker processes; 0 audits in this process (small ledgers, tests).
    workers: int = 0
    #: Records per streamed piece (a power of two >= 256; 2^16 lines up with stored tiles).
    piece: int = PIECE
    max_listed: int = DEFAULT_MAX_LISTED
    scratch_dir: str | None = None


@dataclass
class _State:
    report: AuditReport
    unauth: Unauthenticated = field(default_factory=Unauthenticated)
    careful: list[tuple[int, int, int]] = field(default_factory=list)
    modified: dict[tuple[int, int], dict[str, object]] = field(default_factory=dict)
    flagged: set[tuple[int, int]] = field(default_factory=set)
    gaps: list[tuple[int, int, int]] = field(default_factory=list)
    claimed: set[tuple[int, int]] = field(default_factory=set)


def run_audit(db: Database, options: AuditOptions | None = None, *,
              chain: AnchoredRoots | None = None, chain_error: str | None = None,
              progress: Progress | None = None, now: datetime | None = None) -> AuditReport:
    """Audit `db`; compare with `chain` when given (else say why not: `chain_error`)."""
    options = options or AuditOptions()
    started = time.perf_counter()
    report = AuditReport(str(uuid.uuid4()), timestamps.render(now or timestamps.now()),
                         list(options.provinces) if options.provinces else None,
                         max_listed=options.max_listed)
    if chain is not None:
        report.chain.checked, report.chain.reason = True, None
        report.chain.chain_id, report.chain.contract = chain.chain_id, chain.contract
    elif chain_error:
        report.chain.reason = chain_error
    state = _State(report)
    heads = read_heads(db, options.provinces, report)
    total = sum(h[1] for h in heads)
    scratch = tempfile.mkdtemp(prefix="govtrace-audit-", dir=options.scratch_dir)
    buckets = bucket_count(total)
    fetcher = ThreadPoolExecutor(4, thread_name_prefix="audit-chain")
    try:
        with Runner(db, options.workers) as runner:
            checker = BatchChecker(db, report, state.unauth,
                                   lambda p, lo, hi: state.careful.append((p, lo, hi)),
                                   options.piece)
            tasks = plan(db, heads, options.piece, checker, chain, fetcher, scratch, buckets,
                         state.unauth)
            done = 0
            for result in runner.map(_with_heads(tasks, scratch, buckets)):
                if isinstance(result, ScanResult):
                    _merge(state, result)
                    for piece in result.pieces:
                        checker.add(piece)
                    done += result.task.hi - result.task.lo
                    if progress:
                        progress("records", done, total)
            careful = [ScanTask(p, lo, hi + 1, careful=True) for p, lo, hi in state.careful]
            for result in runner.map(careful):
                assert isinstance(result, ScanResult)
                _merge(state, result, rescan=True)
            beyond_heads(db, report, state.flagged, heads)
            _chains(db, runner, state, scratch, buckets, options, progress)
        if chain is not None and report.chain.checked:
            try:
                chain_heads(report, chain, heads)
            except AuditChainUnavailable as exc:
                report.chain.checked, report.chain.reason = False, str(exc)
        deleted(db, report, state.gaps, state.claimed)
        audit_log.check_reports(db, report, state.flagged)
    finally:
        fetcher.shutdown(cancel_futures=True)
        shutil.rmtree(scratch, ignore_errors=True)
    report.elapsed_seconds = time.perf_counter() - started
    report.finished_at = timestamps.render(timestamps.now())
    report.sort()
    return report


def _with_heads(tasks: Iterator[ScanTask], scratch: str, buckets: int
                ) -> Iterator[ScanTask | HeadsTask]:
    yield HeadsTask(scratch, buckets)
    yield from tasks


def _merge(state: _State, result: ScanResult, *, rescan: bool = False) -> None:
    if not rescan:
        state.report.records += result.rows
        state.gaps.extend((result.task.province, a, b) for a, b in result.gaps)
    for entry in result.modified:
        pos = (entry["province"], entry["seq"])
        known = state.modified.get(pos)
        if known is not None:
            reasons = known["reasons"]
            assert isinstance(reasons, list)
            reasons.extend(r for r in entry["reasons"] if r not in reasons)
        elif pos not in state.flagged:
            state.report.add("modified", entry)
            state.modified[pos] = entry
            state.flagged.add(pos)
    for entry in [] if rescan else result.reordered:
        state.report.add("reordered", entry)
        state.flagged.add((entry["province"], entry["seq"]))
        state.claimed.add((entry["sealed_province"], entry["sealed_seq"]))
    for entry in [] if rescan else result.inserted:  # a seq that is no integer
        state.report.add("inserted", entry)
        state.flagged.add((entry["province"], entry["seq"]))


def _chains(db: Database, runner: Runner, state: _State, scratch: str, buckets: int,
            options: AuditOptions, progress: Progress | None) -> None:
    scoped = options.provinces is not None
    ids = record_ids(db)
    for i, result in enumerate(runner.map(ChainTask(scratch, b, scoped)
                                          for b in range(buckets))):
        assert isinstance(result, ChainResult)
        state.report.subjects += result.subjects
        if progress:
            progress("chains", i + 1, buckets)
        for suspect in result.anomalies:
            fresh = reload(db, suspect)
            if fresh.head_problem is not None:  # then judged by what its records say
                state.report.add("chains", {
                    "subject": fresh.key, "problem": "head-malformed",
                    "detail": f"the subject head row is malformed: {fresh.head_problem}",
                    "records": []})
            sh = shape(fresh)
            if not sh.sound:
                attribute(state.report, fresh, sh, auth=state.unauth,
                          flagged=state.flagged, ids=ids)

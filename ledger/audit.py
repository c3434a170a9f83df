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

from sqlalchemy import select, text

from . import audit_log, timestamps
from .audit_attribution import attribute
from .audit_batches import AnchoredRoots, BatchChecker, OpenBatch, Unauthenticated, pieces_of
from .audit_chains import ChainResult, ChainTask, bucket_count, reload, shape
from .audit_report import DEFAULT_MAX_LISTED, AuditReport
from .audit_runner import HeadsTask, Runner
from .audit_scan import PIECE, Piece, ScanResult, ScanTask
from .errors import AuditChainUnavailable
from .store import Database
from .store.schema import BatchRow, ProvinceHeadRow

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
    with db.snapshot() as s:
        q = select(ProvinceHeadRow).order_by(ProvinceHeadRow.province)
        if options.provinces:
            q = q.where(ProvinceHeadRow.province.in_(options.provinces))
        heads = [(h.province, h.last_seq, h.last_batch_no) for h in s.scalars(q)]
    total = sum(h[1] for h in heads)
    scratch = tempfile.mkdtemp(prefix="govtrace-audit-", dir=options.scratch_dir)
    buckets = bucket_count(total)
    fetcher = ThreadPoolExecutor(4, thread_name_prefix="audit-chain")
    try:
        with Runner(db, options.workers) as runner:
            checker = BatchChecker(db, report, state.unauth,
                                   lambda p, lo, hi: state.careful.append((p, lo, hi)),
                                   options.piece)
            tasks = _plan(db, heads, options.piece, checker, chain, fetcher, scratch, buckets,
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
            _beyond_heads(db, state, heads)
            _chains(db, runner, state, scratch, buckets, options, progress)
        if chain is not None and report.chain.checked:
            try:
                _chain_heads(report, chain, heads)
            except AuditChainUnavailable as exc:
                report.chain.checked, report.chain.reason = False, str(exc)
        _deleted(db, state)
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


def _plan(db: Database, heads: list[tuple[int, int, int]], piece: int, checker: BatchChecker,
          chain: AnchoredRoots | None, fetcher: ThreadPoolExecutor, scratch: str,
          buckets: int, unauth: Unauthenticated) -> Iterator[ScanTask]:
    """Scan tasks in seq order; sealed batches in pieces, the rest carefully."""

    def plain(p: int, lo: int, hi: int) -> Iterator[ScanTask]:  # no root covers [lo, hi)
        if lo < hi:
            unauth.add(p, lo, hi - 1)
        for a in range(lo, hi, piece):
            yield ScanTask(p, a, min(a + piece, hi), careful=True, bucket_dir=scratch,
                           buckets=buckets)

    for province, last_seq, last_batch in heads:
        cursor, after = 1, 0
        group: list[Piece] = []
        while True:
            with db.snapshot() as s:
                rows = s.execute(select(BatchRow.batch_no, BatchRow.first_seq, BatchRow.size,
                                        BatchRow.root)
                                 .where(BatchRow.province == province,
                                        BatchRow.batch_no > after,
                                        BatchRow.batch_no <= last_batch)
                                 .order_by(BatchRow.batch_no).limit(1000)).all()
            if not rows:
                break
            for batch_no, first_seq, size, root in rows:
                after = batch_no
                checker.report.batches += 1
                if first_seq < cursor or size < 1:
                    checker.report.add("batches", {
                        "province": province, "batch_no": batch_no, "first_seq": first_seq,
                        "size": size, "problems": [f"range overlaps the previous batch or is "
                                                   f"empty (next seq was {cursor})"]})
                    continue
                yield from plain(province, cursor, first_seq)
                parts = pieces_of(province, batch_no, first_seq, size, piece)
                anchored = fetcher.submit(chain.batch, province, batch_no) if chain else None
                checker.open[(province, batch_no)] = OpenBatch(
                    province, batch_no, first_seq, size, root, len(parts), anchored)
                for part in parts:
                    if group and (group[-1].hi != part.lo or
                                  part.hi - group[0].lo > piece):
                        yield ScanTask(province, group[0].lo, group[-1].hi, tuple(group),
                                       bucket_dir=scratch, buckets=buckets)
                        group = []
                    group.append(part)
                cursor = first_seq + size
        if group:
            yield ScanTask(province, group[0].lo, group[-1].hi, tuple(group),
                           bucket_dir=scratch, buckets=buckets)
        yield from plain(province, cursor, last_seq + 1)


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


def _beyond_heads(db: Database, state: _State, heads: list[tuple[int, int, int]]) -> None:
    """Rows the ledger never assigned: beyond the province head now, or of no province."""
    with db.snapshot() as s:
        current = {p: last for p, last in s.execute(
            select(ProvinceHeadRow.province, ProvinceHeadRow.last_seq))}
        audited = {h[0] for h in heads}
        provinces = [p for (p,) in s.execute(text("SELECT DISTINCT province FROM record"))]
        for p in provinces:
            if p not in audited and (state.report.provinces or p in current):
                continue
            rows = s.execute(text("SELECT seq, record_id FROM record WHERE province = :p AND "
                                  "(seq > :last OR seq < 1) ORDER BY seq"),
                             {"p": p, "last": current.get(p, 0)})
            for seq, record_id in rows:
                if (p, seq) not in state.flagged:
                    state.report.add("inserted", {
                        "province": p, "seq": seq, "record_id": record_id,
                        "reason": "beyond the province head: the ledger never assigned this "
                                  "seq" if p in current else "no such ledger partition"})
                    state.flagged.add((p, seq))


def _chains(db: Database, runner: Runner, state: _State, scratch: str, buckets: int,
            options: AuditOptions, progress: Progress | None) -> None:
    scoped = options.provinces is not None
    ids = _record_ids(db)
    for i, result in enumerate(runner.map(ChainTask(scratch, b, scoped)
                                          for b in range(buckets))):
        assert isinstance(result, ChainResult)
        state.report.subjects += result.subjects
        if progress:
            progress("chains", i + 1, buckets)
        for suspect in result.anomalies:
            fresh = reload(db, suspect)
            sh = shape(fresh)
            if not sh.sound:
                attribute(state.report, fresh, sh, auth=state.unauth,
                          flagged=state.flagged, ids=ids)


def _record_ids(db: Database) -> Callable[[list[tuple[int, int]]], dict[tuple[int, int], str]]:
    def ids(positions: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
        out: dict[tuple[int, int], str] = {}
        with db.snapshot() as s:
            for p, seq in positions:
                rid = s.execute(text("SELECT record_id FROM record WHERE province = :p AND "
                                     "seq = :s"), {"p": p, "s": seq}).scalar()
                if rid is not None:
                    out[(p, seq)] = rid
        return out

    return ids


def _chain_heads(report: AuditReport, chain: AnchoredRoots,
                 heads: list[tuple[int, int, int]]) -> None:
    """Batches the chain holds that the database lost."""
    for province, _, last_batch in heads:
        anchored = chain.batch_count(province)
        for batch_no in range(last_batch + 1, anchored + 1):
            on_chain = chain.batch(province, batch_no)
            if on_chain is None:
                continue
            report.add("batches", {
                "province": province, "batch_no": batch_no, "first_seq": on_chain.first_seq,
                "size": on_chain.size, "problems": ["anchored on chain but missing from the "
                                                    "database"],
                "chain_root": "0x" + on_chain.root.hex()})


def _deleted(db: Database, state: _State) -> None:
    """Gaps are deletions, except seqs a moved (reordered) record still claims."""
    for province, lo, hi in sorted(state.gaps):
        missing = [s for s in range(lo, min(hi, lo + state.report.max_listed) + 1)
                   if (province, s) not in state.claimed]
        unlisted = (hi - lo + 1) - (min(hi, lo + state.report.max_listed) - lo + 1)
        if not missing and not unlisted:
            continue
        state.report.add("gaps", {"province": province, "first_seq": lo, "last_seq": hi})
        with db.snapshot() as s:
            for seq in missing:
                batch = s.execute(text("SELECT batch_no FROM batch WHERE province = :p AND "
                                       "first_seq <= :s AND first_seq + size > :s"),
                                  {"p": province, "s": seq}).scalar()
                state.report.add("deleted", {
                    "province": province, "seq": seq, "batch_no": batch,
                    "reason": f"missing inside sealed batch {batch}" if batch else
                              "missing below the province head"})
        if unlisted:
            state.report.counts["deleted"] += unlisted

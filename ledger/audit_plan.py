"""What the tamper audit scans: the province heads and batch rows, as the database holds them.

The province heads say how far each province goes (last seq, last batch); the batch rows say
which records each stored root covers. Both are as suspect as the records. A value there that
the ledger never writes (ledger/audit_values.py) is a finding, and the audit goes on with what
the rest of the database says:

* a province head whose `last_seq` or `last_batch_no` is no integer (`heads`): the province is
  audited up to the highest seq, and batch, present;
* a batch row whose `batch_no`, `first_seq` or `size` is no integer (`batches`): its records
  are audited as if no root covered them (carefully), as for a batch whose range overlaps;
* batch numbers the head says were sealed but no row has (`batches`, "missing from the
  database"): a deleted batch row, or one whose number is no longer an integer (named by
  ledger/audit_extent.py with the rows beyond the head);
* a stored root that is no 32-byte hash is named by ledger/audit_batches.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from .audit_batches import AnchoredRoots, BatchChecker, OpenBatch, Unauthenticated, pieces_of
from .audit_report import AuditReport
from .audit_scan import Piece, ScanTask
from .audit_values import int_problem, shown, tolerant
from .store import Database

#: province, last seq, last batch number
Head = tuple[int, int, int]

_HEADS = text("SELECT province, last_seq, last_batch_no FROM province_head")
#: Text sorts above every number in SQLite: `< BIG` leaves only numbers.
BIG = 1 << 62
_HIGHEST = {
    "last_seq": text("SELECT MAX(seq) FROM record WHERE province = :p AND seq < :big"),
    "last_batch_no": text("SELECT MAX(batch_no) FROM batch WHERE province = :p AND "
                          "batch_no < :big"),
}
_BATCHES = text("SELECT batch_no, first_seq, size, root FROM batch WHERE province = :p AND "
                "batch_no > :after AND batch_no <= :last ORDER BY batch_no LIMIT 1000")


def read_heads(db: Database, provinces: tuple[int, ...] | None = None,
               report: AuditReport | None = None) -> list[Head]:
    with db.snapshot() as s, tolerant(s.connection()):
        return heads_in(s, provinces, report)


def heads_in(s: Session, provinces: tuple[int, ...] | None = None,
             report: AuditReport | None = None) -> list[Head]:
    """The province heads in scope, by province; malformed ones are reported (`heads`, when
    `report` is given) and replaced by what the rows hold. `s` reads tolerantly."""
    heads: list[Head] = []
    # `province` is the table's integer primary key (SQLite's rowid): always an integer.
    for province, last_seq, last_batch in s.execute(_HEADS).all():
        if provinces and province not in provinces:
            continue
        problems: list[str] = []
        last_seq = _sound(s, province, "last_seq", last_seq, problems)
        last_batch = _sound(s, province, "last_batch_no", last_batch, problems)
        if problems and report is not None:
            report.add("heads", {"province": province, "problems": problems})
        heads.append((province, last_seq, last_batch))
    return sorted(heads)


def _sound(s: Session, province: int, column: str, value: object, problems: list[str]) -> int:
    problem = int_problem(column, value, minimum=0)
    if problem is None:
        assert isinstance(value, int)
        return value
    highest = s.execute(_HIGHEST[column], {"p": province, "big": BIG}).scalar()
    used = max(0, int(highest)) if isinstance(highest, int | float) else 0
    what = "seq" if column == "last_seq" else "batch"
    problems.append(f"{problem} (audited up to {what} {used}, the highest present)")
    return used


def plan(db: Database, heads: list[Head], piece: int, checker: BatchChecker,
         chain: AnchoredRoots | None, fetcher: ThreadPoolExecutor, scratch: str,
         buckets: int, unauth: Unauthenticated) -> Iterator[ScanTask]:
    """Scan tasks in seq order; sealed batches in pieces, the rest carefully."""

    def plain(p: int, lo: int, hi: int) -> Iterator[ScanTask]:  # no root covers [lo, hi)
        if lo < hi:
            unauth.add(p, lo, hi - 1)
        for a in range(lo, hi, piece):
            yield ScanTask(p, a, min(a + piece, hi), careful=True, bucket_dir=scratch,
                           buckets=buckets)

    report = checker.report
    for province, last_seq, last_batch in heads:
        cursor, after, number = 1, 0, 0  # number: the last well-formed batch number
        group: list[Piece] = []
        while True:
            with db.snapshot() as s, tolerant(s.connection()):
                rows = s.execute(_BATCHES, {"p": province, "after": after,
                                            "last": last_batch}).all()
            if not rows:
                break
            for batch_no, first_seq, size, root in rows:
                after = batch_no
                report.batches += 1
                numbered = int_problem("batch_no", batch_no)
                if numbered is None:
                    if batch_no > number + 1:
                        _missing(report, province, number + 1, batch_no - 1, cursor,
                                 first_seq if type(first_seq) is int else cursor)
                    number = batch_no
                malformed = [p for p in (numbered, int_problem("first_seq", first_seq),
                                         int_problem("size", size)) if p is not None]
                if malformed:
                    _batch(report, province, batch_no, first_seq, size, malformed)
                    continue
                if first_seq < cursor or size < 1:
                    _batch(report, province, batch_no, first_seq, size, [
                        f"range overlaps the previous batch or is empty (next seq was "
                        f"{cursor})"])
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
        if number < last_batch:
            _missing(report, province, number + 1, last_batch, cursor, last_seq + 1)
        if group:
            yield ScanTask(province, group[0].lo, group[-1].hi, tuple(group),
                           bucket_dir=scratch, buckets=buckets)
        yield from plain(province, cursor, last_seq + 1)


def _batch(report: AuditReport, province: int, batch_no: Any, first_seq: Any, size: Any,
           problems: list[str], count: int = 1) -> None:
    report.add("batches", {"province": province, "batch_no": shown(batch_no),
                           "first_seq": shown(first_seq), "size": shown(size),
                           "problems": problems}, count)


def _missing(report: AuditReport, province: int, a: int, b: int, lo: int, hi: int) -> None:
    """Batches a..b sealed (the head counts them) but gone from the database; their records
    lie somewhere in seq lo..hi - 1, which no batch row covers now."""
    _batch(report, province, a, lo, max(0, hi - lo), [
        "missing from the database" if a == b else
        f"missing from the database, as are batches {a + 1}..{b}"], count=b - a + 1)

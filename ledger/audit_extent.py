"""Rows outside what the province heads say, and rows that are gone, for the tamper audit.

After the streaming pass: records and batch rows the ledger never assigned (beyond the head,
below 1, of no partition, or with a seq or batch number that is no integer at all), seqs
missing below the heads (deletions), and batches the chain holds that the database lost.
Every read is tolerant of values the ledger never writes (ledger/audit_values.py): such a
value is named in the finding, never fatal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from .audit_batches import AnchoredRoots
from .audit_plan import Head, heads_in
from .audit_report import AuditReport
from .audit_rows import record_id_of
from .audit_values import Undecodable, describe, int_problem, shown, text_or_none, tolerant
from .store import Database

_BEYOND = ("SELECT seq, record_id, canonical FROM record WHERE province {} AND "
           "(seq > :last OR seq < 1) ORDER BY seq")
_BATCHES_BEYOND = text("SELECT batch_no, first_seq, size FROM batch WHERE province = :p AND "
                       "(batch_no > :last OR batch_no < 1) ORDER BY batch_no")


def beyond_heads(db: Database, report: AuditReport, flagged: set[tuple[Any, Any]],
                 heads: list[Head]) -> None:
    """Rows the ledger never assigned: beyond the province head now, or of no province."""
    audited = {h[0] for h in heads}
    with db.snapshot() as s, tolerant(s.connection()):
        current = {p: (last, batches) for p, last, batches in heads_in(s)}
        provinces = [p for (p,) in s.execute(text("SELECT DISTINCT province FROM record"))]
        for p in provinces:
            if p not in audited and (report.provinces or p in current):
                continue
            # A province that is not UTF-8 is bound as its bytes and compared as its text.
            where, bound = (("= CAST(:p AS TEXT)", p.raw) if isinstance(p, Undecodable) else
                            ("IS NULL", None) if p is None else ("= :p", p))
            rows = s.execute(text(_BEYOND.format(where)),
                             {"p": bound, "last": current.get(p, (0, 0))[0]}).all()
            for seq, record_id, data in rows:
                pos = (shown(p), shown(seq))
                if pos in flagged:
                    continue
                reason = (f"seq holds {describe(seq)}: the ledger never assigned this "
                          "position" if type(seq) is not int else
                          "beyond the province head: the ledger never assigned this seq"
                          if p in current else "no such ledger partition")
                report.add("inserted", {"province": pos[0], "seq": pos[1],
                                        "record_id": record_id_of(record_id, data),
                                        "reason": reason})
                flagged.add(pos)
        for p in sorted(audited & current.keys()):
            for batch_no, first_seq, size in s.execute(
                    _BATCHES_BEYOND, {"p": p, "last": current[p][1]}):
                report.add("batches", {
                    "province": p, "batch_no": shown(batch_no), "first_seq": shown(first_seq),
                    "size": shown(size), "problems": [
                        int_problem("batch_no", batch_no) or "beyond the province head's last "
                        "batch: the ledger never sealed it"]})


def record_ids(db: Database) -> Callable[[list[tuple[int, int]]], dict[tuple[int, int], str]]:
    def ids(positions: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
        out: dict[tuple[int, int], str] = {}
        with db.snapshot() as s, tolerant(s.connection()):
            for p, seq in positions:
                rid = text_or_none(s.execute(text(
                    "SELECT record_id FROM record WHERE province = :p AND seq = :s"),
                    {"p": p, "s": seq}).scalar())
                if rid is not None:
                    out[(p, seq)] = rid
        return out

    return ids


def chain_heads(report: AuditReport, chain: AnchoredRoots, heads: list[Head]) -> None:
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


def deleted(db: Database, report: AuditReport, gaps: list[tuple[int, int, int]],
            claimed: set[tuple[int, int]]) -> None:
    """Gaps are deletions, except seqs a moved (reordered) record still claims."""
    for province, lo, hi in sorted(gaps):
        missing = [s for s in range(lo, min(hi, lo + report.max_listed) + 1)
                   if (province, s) not in claimed]
        unlisted = (hi - lo + 1) - (min(hi, lo + report.max_listed) - lo + 1)
        if not missing and not unlisted:
            continue
        report.add("gaps", {"province": province, "first_seq": lo, "last_seq": hi})
        with db.snapshot() as s, tolerant(s.connection()):
            for seq in missing:
                batch = shown(s.execute(text(
                    "SELECT batch_no FROM batch WHERE province = :p AND first_seq <= :s AND "
                    "first_seq + size > :s"), {"p": province, "s": seq}).scalar())
                report.add("deleted", {
                    "province": province, "seq": seq, "batch_no": batch,
                    "reason": f"missing inside sealed batch {batch}" if batch else
                              "missing below the province head"})
        if unlisted:
            report.counts["deleted"] += unlisted

"""The chain check of the tamper audit: every case/license chain, in bounded memory.

`prev` links cross provinces, so records cannot be checked in seq order. During the streaming
pass each record's (subject, prev, leaf) goes to one of N bucket files chosen by a hash of
the subject, with the subject heads (`subject_head`) alongside; N is chosen so a bucket holds
about `BUCKET_RECORDS` records. Each bucket is then checked on its own: every subject lies
wholly in one bucket. That is an external hash join: memory is one bucket, not the ledger.

A sound chain of a subject has one first record (prev null, or a leaf held outside this
ledger), every other record's prev names a leaf of the same subject, no leaf has two
successors, and the last leaf and length equal the subject head. A subject that fails is
re-read from the database by subject (records written since the audit began, or outside a
province-scoped audit, complete it) before it is reported; see ledger/audit_attribution.py
for how the remaining shapes are turned into findings.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import text

from .audit_checks import subject_key
from .audit_scan import bucket_of, read_connection
from .store import Database

BUCKET_RECORDS = 32_768
MAX_BUCKETS = 4096
#: Anomalous subjects returned per bucket; beyond this only counted (bounded memory).
MAX_ANOMALIES = 2000

Link = tuple[int, int, bytes, bytes | None]  # province, seq, leaf, prev

_BY_SUBJECT = text("SELECT province, seq, leaf_hash, canonical FROM record "
                   "WHERE subject_type = :t AND subject_id = :i")
_HEAD = text("SELECT last_leaf, length FROM subject_head WHERE subject_type = :t "
             "AND subject_id = :i")


def bucket_count(records: int) -> int:
    return max(1, min(MAX_BUCKETS, -(-records // BUCKET_RECORDS)))


@dataclass(slots=True)
class SubjectChain:
    key: str
    links: list[Link] = field(default_factory=list)
    head: tuple[bytes, int] | None = None

    @property
    def type_and_id(self) -> tuple[str, str]:
        kind, _, ident = self.key.partition(":")
        return kind, ident


@dataclass(frozen=True, slots=True)
class Shape:
    """How a subject's records link up; `sound` iff none of the lists below is non-empty."""

    dangling: list[Link]  # prev names no leaf of this subject
    forks: list[list[Link]]  # records sharing one prev
    dead_ends: list[Link]  # no successor, yet not the head's last leaf
    head_missing: bool  # the head's last leaf is not among the records
    no_head: bool
    count: int
    length: int | None
    foreign_root: bool  # the single first record links outside the ledger

    @property
    def sound(self) -> bool:
        if self.no_head or self.head_missing or self.forks or self.dead_ends:
            return False
        if self.count != self.length:
            return False
        return not self.dangling or (self.foreign_root and len(self.dangling) == 1)


def shape(chain: SubjectChain) -> Shape:
    leaves = {link[2] for link in chain.links}
    by_prev: dict[bytes | None, list[Link]] = {}
    for link in chain.links:
        by_prev.setdefault(link[3], []).append(link)
    dangling = [link for link in chain.links if link[3] is not None and link[3] not in leaves]
    roots = [link for link in chain.links if link[3] is None] + dangling
    forks = [group for group in by_prev.values() if len(group) > 1]
    last = chain.head[0] if chain.head else None
    dead_ends = [link for link in chain.links
                 if link[2] not in by_prev and link[2] != last]
    return Shape(dangling, forks, dead_ends, chain.head is not None and last not in leaves,
                 chain.head is None, len(chain.links),
                 chain.head[1] if chain.head else None,
                 len(roots) == 1 and bool(dangling))


def read_bucket(directory: str, bucket: int) -> Iterator[SubjectChain]:
    """Every subject of one bucket, assembled from all processes' bucket files."""
    subjects: dict[str, SubjectChain] = {}
    for path in sorted(Path(directory).glob(f"b{bucket:05d}-*")):
        data = memoryview(path.read_bytes())
        offset = 0
        while offset < len(data):
            size = int.from_bytes(data[offset:offset + 4], "little")
            # Our own scratch files, written by this audit moments ago (audit_scan.py).
            entries = marshal.loads(data[offset + 4:offset + 4 + size])  # noqa: S302
            offset += 4 + size
            for entry in entries:
                chain = subjects.get(entry[1])
                if chain is None:
                    chain = subjects[entry[1]] = SubjectChain(entry[1])
                if entry[0] == "r":
                    chain.links.append((entry[4], entry[5], entry[3], entry[2]))
                else:
                    chain.head = (entry[2], entry[3])
    yield from subjects.values()


def is_sound(chain: SubjectChain) -> bool:
    """`shape(chain).sound`, quicker: n records, n distinct prevs of which n - 1 are leaves of
    the subject and none is the last leaf, form one path ending at the head's last leaf (a
    cycle would need a hash cycle)."""
    head, links = chain.head, chain.links
    n = len(links)
    if head is None or head[1] != n:
        return False
    leaves = {link[2] for link in links}
    prevs = {link[3] for link in links}
    return (len(prevs) == n and head[0] in leaves and head[0] not in prevs
            and len(prevs & leaves) == n - 1)


@dataclass(frozen=True, slots=True)
class ChainTask:
    bucket_dir: str
    bucket: int
    #: A province-scoped audit sees heads of subjects it has no records of: skip those.
    scoped: bool = False


@dataclass(slots=True)
class ChainResult:
    subjects: int = 0
    anomalous: int = 0
    anomalies: list[SubjectChain] = field(default_factory=list)


def check_bucket(task: ChainTask) -> ChainResult:
    result = ChainResult()
    for chain in read_bucket(task.bucket_dir, task.bucket):
        if chain.links:
            result.subjects += 1
        elif task.scoped:
            continue
        if not is_sound(chain):
            result.anomalous += 1
            if len(result.anomalies) < MAX_ANOMALIES:
                result.anomalies.append(chain)
    return result


def reload(db: Database, chain: SubjectChain) -> SubjectChain:
    """The subject as the database holds it now, across every province."""
    kind, ident = chain.type_and_id
    fresh = SubjectChain(chain.key)
    with db.snapshot() as s:
        for province, seq, leaf, data in s.execute(_BY_SUBJECT, {"t": kind, "i": ident}):
            fresh.links.append((province, seq, leaf, _prev(data)))
        head = s.execute(_HEAD, {"t": kind, "i": ident}).first()
    fresh.head = None if head is None else (head[0], head[1])
    return fresh


def _prev(data: bytes) -> bytes | None:
    try:
        prev: Any = orjson.loads(data).get("prev")
        return None if prev is None else bytes.fromhex(prev[2:])
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return b"\xff" * 32


def head_entries(db: Database, buckets: int, page: int = 8192
                 ) -> Iterator[dict[int, list[tuple[Any, ...]]]]:
    """Subject heads, keyset-paginated, grouped by bucket for `write_buckets`."""
    query = text("SELECT subject_type, subject_id, last_leaf, length FROM subject_head "
                 # A row value, not `a > x OR (a = x AND b > y)`: SQLite then seeks the
                 # primary key index instead of scanning the table for every page.
                 "WHERE (subject_type, subject_id) > (:t, :i) "
                 "ORDER BY subject_type, subject_id LIMIT :n")
    after = ("", "")
    with read_connection(db) as conn:
        while True:
            rows = conn.execute(query, {"t": after[0], "i": after[1], "n": page}).all()
            if not rows:
                return
            parts: dict[int, list[tuple[Any, ...]]] = {}
            for stype, sid, last, length in rows:
                key = subject_key(stype, sid)
                parts.setdefault(bucket_of(key, buckets), []).append(("h", key, last, length))
            yield parts
            after = (rows[-1][0], rows[-1][1])

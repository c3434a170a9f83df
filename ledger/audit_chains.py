"""The chain check of the tamper audit: every case/license chain, in bounded memory.

`prev` links cross provinces, so records cannot be checked in seq order. During the streaming
pass each record's (subject, prev, leaf) goes to one of N bucket files chosen by a hash of
the subject, with the subject heads (`subject_head`) alongside; N is chosen so a bucket holds
about `BUCKET_RECORDS` records. Each bucket is then checked on its own: every subject lies
wholly in one bucket. That is an external hash join: memory is one bucket, not the ledger.
Links a scan task could already follow arrive folded into runs (ledger/audit_links.py).

A sound chain of a subject has one first record (prev null, or a leaf held outside this
ledger), every other record's prev names a leaf of the same subject, no leaf has two
successors, and the last leaf and length equal the subject head. A subject that fails is
re-read from the database by subject (records written since the audit began, or outside a
province-scoped audit, complete it) before it is reported; see ledger/audit_attribution.py
for how the remaining shapes are turned into findings; ledger/audit_heads.py copies the
subject heads into the buckets and re-reads suspect subjects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .audit_links import Run, read_frames

BUCKET_RECORDS = 32_768
MAX_BUCKETS = 4096
#: Anomalous subjects returned per bucket; beyond this only counted (bounded memory).
MAX_ANOMALIES = 2000

Link = tuple[int, int, bytes, bytes | None]  # province, seq, leaf, prev

def bucket_count(records: int) -> int:
    return max(1, min(MAX_BUCKETS, -(-records // BUCKET_RECORDS)))


@dataclass(slots=True)
class SubjectChain:
    key: str
    links: list[Link] = field(default_factory=list)
    head: tuple[bytes, int] | None = None
    #: What is wrong with the subject head row, when it holds what the ledger never writes
    #: (ledger/audit_values.py); `head` is then what the records themselves say.
    head_problem: str | None = None

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


def records_sound(runs: list[Run], head: tuple[bytes, int] | None) -> bool:
    """The rule for a subject's records (the same as `shape(...).sound` up to hash cycles):
    the head says n; the n prevs are distinct, n - 1 of them are leaves of the subject, and
    the head's last leaf is a leaf and no prev. Each run gives back all its records here."""
    prevs: list[bytes | None] = []
    leaves: list[bytes] = []
    for run in runs:
        inner = _split(run[5])
        prevs.append(run[1])
        prevs += inner
        leaves += inner
        leaves.append(run[2])
    n = len(prevs)
    if head is None or head[1] != n:
        return False
    have, named = set(leaves), set(prevs)
    return (len(named) == n and head[0] in have and head[0] not in named
            and len(named & have) == n - 1)


def runs_sound(runs: list[Run], head: tuple[bytes, int] | None) -> bool:
    """`records_sound`, from the ends of the runs where that is exact: when every run is clean
    (ledger/audit_links.py), leaves are distinct, so the records' prevs (first prevs F, inner
    leaves I) are distinct iff F is and no first prev is an inner leaf, and then the rule
    reads: the head says n, the head's leaf ends a run and is no first prev, and m - 1 of the
    m first prevs end runs. A subject with a marked run is judged record by record."""
    if any(run[4] for run in runs):
        return records_sound(runs, head)
    if head is None or head[1] != sum(run[3] for run in runs):
        return False
    firsts = {run[1] for run in runs}
    lasts = {run[2] for run in runs}
    if not (len(firsts) == len(runs) and head[0] in lasts and head[0] not in firsts
            and len(firsts & lasts) == len(runs) - 1):
        return False
    inner: set[bytes] = set()
    for run in runs:
        inner.update(_split(run[5]))
    return firsts.isdisjoint(inner)


def _split(inner: bytes) -> list[bytes]:
    return [inner[i:i + 32] for i in range(0, len(inner), 32)]


def _inside(inner: bytes, value: bytes | None) -> bool:
    """Whether `value` is one of the 32-byte leaves in `inner` (without splitting it)."""
    if value is None:
        return False
    at = inner.find(value)
    while at != -1:
        if at % 32 == 0 and len(value) == 32:
            return True
        at = inner.find(value, at + 1)
    return False


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
    """Every subject of one bucket; a subject that looks broken is returned for re-reading.
    Most subjects are one run, checked inline: `runs_sound` of one run (clean or not, its
    records are then a path) says the head's leaf and length are the run's, and the run's
    first prev is neither its last leaf nor one inside it."""
    heads: dict[str, tuple[bytes, int]] = dict(read_frames(task.bucket_dir, "h", task.bucket))
    runs: list[Run] = read_frames(task.bucket_dir, "r", task.bucket)
    single: dict[str, Run] = {run[0]: run for run in runs}
    several: dict[str, list[Run]] = {}
    if len(single) != len(runs):  # subjects whose records came in several runs
        for run in runs:
            several.setdefault(run[0], []).append(run)
        several = {key: group for key, group in several.items() if len(group) > 1}
    suspects: list[str] = []
    for key, run in single.items():
        head = heads.get(key)
        if head is not None and len(head) > 2:  # a malformed key (`write_heads`)
            suspects.append(key)
            continue
        if key in several:
            if not runs_sound(several[key], head):
                suspects.append(key)
        elif (head is None or head[1] != run[3] or head[0] != run[2] or run[1] == run[2]
              or _inside(run[5], run[1])):
            suspects.append(key)
    if not task.scoped:  # a head without records: its records were all deleted
        suspects.extend(key for key in heads if key not in single)
    return ChainResult(len(single), len(suspects), [
        SubjectChain(key, head_problem=head[2] if (head := heads.get(key)) and len(head) > 2
                     else None) for key in suspects[:MAX_ANOMALIES]])

"""Chain entries of the streaming pass: each record's link, folded into runs, to bucket files.

The chain check (ledger/audit_chains.py) needs, per subject, every record's prev and leaf.
One entry per record, regrouped later, cost ~3.5 µs per record, a quarter of the whole audit.
Most links can be followed while they are in hand: a scan task keeps the last leaf of each
run of records it has seen (`tails`); a record whose `prev` is such a leaf, of the same
subject, extends that run instead of making an entry. A run goes to the buckets as one entry
[subject, prev of its first record, leaf of its last, records, marked, inner leaves]: the
records' leaves are the inner leaves (32 bytes each, concatenated) and the last; their prevs
are the first prev and the inner leaves. So a run loses nothing, and the check can judge most
subjects from the ends of their runs alone (`audit_chains.runs_sound` says when that is exact).

Only *clean* records are folded: the row agrees with its bytes, including its own (province,
seq), so its leaf is the SHA-256 of bytes no other row has (all leaves of clean records are
distinct) and its prev is read from those bytes. Any other record (a finding already, or a
duplicated seq) goes out alone and `marked`, with its stored leaf hash, as before; a subject
with such a record is judged record by record.
"""

from __future__ import annotations

import marshal
import os
import zlib
from pathlib import Path
from typing import Any

#: Runs held before the scan writes them out (bounds memory; ~400 bytes per run).
MAX_RUNS = 16_384

#: A run: [subject key, prev of its first record, leaf of its last record, records, marked,
#: leaves of all records but the last (bytearray)]
Run = list[Any]


def bucket_of(key: str, buckets: int) -> int:
    """The bucket of a subject key: runs and subject heads must agree on it."""
    return zlib.crc32(key.encode()) % buckets


def write_buckets(directory: str, prefix: str, parts: dict[int, list[Any]]) -> None:
    """Append length-prefixed marshal frames to per-bucket files (one file per process, so no
    locking). Reading a file whole and `marshal.loads` per frame is 13x faster than
    `marshal.load` on a file object."""
    pid = os.getpid()
    for bucket, entries in parts.items():
        blob = marshal.dumps(entries)
        with (Path(directory) / f"{prefix}{bucket:05d}-{pid}").open("ab") as f:
            f.write(len(blob).to_bytes(4, "little") + blob)


def read_frames(directory: str, prefix: str, bucket: int) -> list[Any]:
    """Every entry of one bucket, from all processes' files."""
    out: list[Any] = []
    for path in sorted(Path(directory).glob(f"{prefix}{bucket:05d}-*")):
        data = memoryview(path.read_bytes())
        offset = 0
        while offset < len(data):
            size = int.from_bytes(data[offset:offset + 4], "little")
            # Our own scratch files, written by this audit moments ago.
            out.extend(marshal.loads(data[offset + 4:offset + 4 + size]))  # noqa: S302
            offset += 4 + size
    return out


class Links:
    """Collects one scan task's links as runs; `flush` writes them to the bucket files (or
    drops them, without a directory: a pass that does not feed the chain check). The scan
    calls `flush` when `runs` reaches MAX_RUNS, between pages of rows: ledger/audit_rows.py
    holds `runs` and `tails` in local variables while it works through a page."""

    def __init__(self, directory: str | None, buckets: int) -> None:
        self.directory = directory
        self.buckets = buckets
        self.runs: list[Run] = []
        self.tails: dict[bytes, Run] = {}

    def clean(self, key: str, prev: bytes | None, leaf: bytes) -> None:
        """A record that matches its bytes and position (see the module docstring)."""
        tails = self.tails
        run = None if prev is None else tails.pop(prev, None)
        if run is None or run[0] != key:
            if run is not None:  # a link across subjects: leave that run open
                tails[prev] = run  # type: ignore[index]
            run = [key, prev, leaf, 0, False, bytearray()]
            self.runs.append(run)
        else:
            run[5] += run[2]  # the old last leaf is now inside the run
        run[2] = leaf
        run[3] += 1
        tails[leaf] = run

    def marked(self, key: str, prev: bytes | None, leaf: bytes) -> None:
        """A record that is not clean: alone, and its subject is judged record by record."""
        self.runs.append([key, prev, leaf, 1, True, b""])

    def flush(self) -> None:
        if self.directory is not None and self.runs:
            parts: dict[int, list[Any]] = {}  # bucket -> runs
            for run in self.runs:
                parts.setdefault(bucket_of(run[0], self.buckets), []).append(run)
            write_buckets(self.directory, "r", parts)
        self.runs = []
        self.tails = {}

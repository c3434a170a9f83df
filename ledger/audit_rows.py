"""The streaming pass's loop over rows: the audit's hot path, run once per record.

`fast_rows` is the fast check of ledger/audit_checks.py (`quick`) with the folding of links
into runs (ledger/audit_links.py, `Links.clean`) written out inline: at ~5 µs per record,
two Python calls per row cost a tenth of the time. It only ever says "fine": it compares the
same members with the same `==` as `quick` (a missing member raises instead of reading as
None), so a row it passes, `quick` passes with the same leaf, key and prev; a row it does not
pass, for whatever reason, goes through `quick` and then `inspect` as every row did before.
Findings are therefore the same. `careful_rows` inspects every row.

A value the ledger never writes (ledger/audit_values.py: bytes that are text, a NULL, a
number) makes the fast check raise inside its `try`, which costs nothing until it raises, so
such a row takes the same way and `inspect` names the column. A seq that is a real number is
a position the ledger never assigns: the row is `inserted` and takes no leaf.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from .audit_checks import LEAF_PREFIX, Row, inspect, quick
from .audit_links import Links, Run
from .audit_values import describe, shown, text_or_none


@dataclass(slots=True)
class RowState:
    """One scan task's progress: the next seq expected, leaves so far, findings, links."""

    province: int
    expected: int
    links: Links
    leaves: list[bytes] = field(default_factory=list)
    gaps: list[tuple[int, int]] = field(default_factory=list)  # inclusive seq ranges
    modified: list[dict[str, Any]] = field(default_factory=list)
    reordered: list[dict[str, Any]] = field(default_factory=list)
    inserted: list[dict[str, Any]] = field(default_factory=list)


def fast_rows(st: RowState, rows: Sequence[Row]) -> None:
    province, expected, leaves = st.province, st.expected, st.leaves
    keep = leaves.append
    links = st.links
    tails, runs = links.tails, links.runs  # the caller flushes between calls, not during
    prefix, loads, fromhex = LEAF_PREFIX, orjson.loads, bytes.fromhex
    for row in rows:
        seq = row[0]
        if seq == expected:
            expected = seq + 1
            # `quick`, then `Links.clean`. Subscripts, not `.get`: a little faster, and a
            # missing member (KeyError) only sends the row to `quick`, as does a value of the
            # wrong type (TypeError, ledger/audit_values.py). The `try` costs nothing unless
            # something raises.
            try:
                h = prefix.copy()
                h.update(row[7])
                leaf = h.digest()
                if leaf == row[8]:
                    obj = loads(row[7])
                    subject = obj["subject"]
                    if (obj["seq"] == seq and obj["record_id"] == row[1]
                            and subject["id"] == row[4] and obj["kind"] == row[2]
                            and obj["occurred_at"] == row[5] and obj["recorded_at"] == row[6]
                            and subject["type"] == row[3] and obj["province"] == province):
                        prev = obj["prev"]
                        key = f"{row[3]}:{row[4]}"
                        run: Run | None = None
                        if prev is not None:
                            prev = fromhex(prev[2:])
                            run = tails.pop(prev, None)
                        keep(leaf)
                        if run is None or run[0] != key:
                            if run is not None:  # a link across subjects: leave it open
                                tails[prev] = run
                            run = [key, prev, leaf, 0, False, bytearray()]
                            runs.append(run)
                        else:
                            run[5] += run[2]
                        run[2] = leaf
                        run[3] += 1
                        tails[leaf] = run
                        continue
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                pass
            in_order = True
        elif type(seq) is not int:  # a real number: a position the ledger never assigns
            _not_a_seq(st, row)
            continue
        else:
            # A gap, or a duplicated seq (rows come in seq order): the latter is no clean
            # record for the runs, whose soundness needs distinct positions.
            in_order = seq > expected
            st.gaps.append((expected, seq - 1))
            leaves.extend([b""] * (seq - expected))  # keep leaves[i] at seq lo + i
            expected = seq + 1
        fine = quick(row, province)
        if fine is None:
            _inspect(st, (*row, None), careful=False, in_order=in_order)
        else:
            keep(fine[0])
            if in_order:
                links.clean(fine[1], fine[2], fine[0])
            else:
                links.marked(fine[1], fine[2], fine[0])
    st.expected = expected


def careful_rows(st: RowState, rows: Sequence[Row]) -> None:
    for row in rows:
        seq = row[0]
        if type(seq) is not int:
            _not_a_seq(st, row)
            continue
        in_order = seq >= st.expected
        if seq != st.expected:
            st.gaps.append((st.expected, seq - 1))
            st.leaves.extend([b""] * (seq - st.expected))
        st.expected = seq + 1
        _inspect(st, row, careful=True, in_order=in_order)


def _not_a_seq(st: RowState, row: Row) -> None:
    """A row whose seq is no integer (a real number between two seqs): the ledger never
    assigned it, so it is inserted; it takes no position and no leaf."""
    st.inserted.append({"province": st.province, "seq": shown(row[0]),
                        "record_id": record_id_of(row[1], row[7]),
                        "reason": f"seq holds {describe(row[0])}: the ledger never assigned "
                                  "this position"})


def record_id_of(column: object, canonical: object) -> str | None:
    """A row's record id for a finding: its column, or else what its bytes say."""
    if type(column) is str:
        return column
    try:
        rid = orjson.loads(canonical).get("record_id")  # type: ignore[arg-type]
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return None
    return text_or_none(rid)


def _inspect(st: RowState, row: Row, *, careful: bool, in_order: bool) -> None:
    """A row the fast check did not pass (or any row of a careful task): say what is wrong."""
    province, seq = st.province, row[0]
    found = inspect(row, province, careful=careful)
    st.leaves.append(found.leaf)
    if found.reasons:
        st.modified.append({"province": province, "seq": seq,
                            "record_id": record_id_of(row[1], row[7]), "reasons": found.reasons})
    elif found.sealed_at is not None:
        st.reordered.append({"province": province, "seq": seq, "record_id": row[1],
                             "sealed_province": found.sealed_at[0],
                             "sealed_seq": found.sealed_at[1]})
    if found.link is not None:
        key, prev = found.link
        # The stored leaf hash, as before; one that is no hash at all is already a reason
        # (and could not go to the bucket files): the recomputed leaf stands in for it.
        stored = row[8] if type(row[8]) is bytes else found.leaf
        if in_order and not found.reasons and found.sealed_at is None:
            st.links.clean(key, prev, stored)  # no reasons: the stored leaf is the recomputed one
        else:
            st.links.marked(key, prev, stored)

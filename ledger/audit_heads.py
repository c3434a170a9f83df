"""Subject heads and suspect subjects for the chain check (ledger/audit_chains.py).

`write_heads` copies every subject head into the chain check's buckets, alongside the records'
runs; `reload` re-reads a subject that looks broken, by subject, across every province.
Both read values the ledger never writes without failing (ledger/audit_values.py): a page of
heads holding text that is not UTF-8 is read again tolerantly, a head whose type or id is not
text carries that problem to the check (no record can name it), and a head whose last leaf
or length is malformed is replaced, for the attribution, by what the subject's records say
(`SubjectChain.head_problem` keeps the problem for the report).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import text

from .audit_chains import SubjectChain
from .audit_checks import leaf_of, subject_key
from .audit_links import bucket_of, write_buckets
from .audit_scan import read_connection
from .audit_values import (
    Undecodable,
    as_bytes,
    hash_problem,
    int_problem,
    is_hash,
    shown,
    text_problem,
    tolerant,
    undecodable,
)
from .store import Database
from .store.database import driver_sql

_BY_SUBJECT = text("SELECT province, seq, leaf_hash, canonical FROM record "
                   "WHERE subject_type = :t AND subject_id = :i")
_HEAD = text("SELECT last_leaf, length FROM subject_head WHERE subject_type = :t "
             "AND subject_id = :i")


def reload(db: Database, chain: SubjectChain) -> SubjectChain:
    """The subject as the database holds it now, across every province. A stored leaf hash
    that is no hash is already a finding of its record: its recomputed leaf stands in."""
    kind, ident = chain.type_and_id
    fresh = SubjectChain(chain.key, head_problem=chain.head_problem)
    with db.snapshot() as s, tolerant(s.connection()):
        for province, seq, leaf, data in s.execute(_BY_SUBJECT, {"t": kind, "i": ident}):
            if not is_hash(leaf):
                leaf = leaf_of(as_bytes(data) or b"")
            fresh.links.append((province, seq, leaf, _prev(data)))
        head = s.execute(_HEAD, {"t": kind, "i": ident}).first()
    if head is not None:
        fresh.head_problem = (hash_problem("its last_leaf", head[0])
                              or int_problem("its length", head[1], minimum=1))
        fresh.head = (head[0], head[1]) if fresh.head_problem is None else _own_head(fresh)
    return fresh


def _own_head(chain: SubjectChain) -> tuple[bytes, int] | None:
    """In place of a malformed head: the records' own last leaf, when they end in one."""
    if not chain.links:
        return None
    prevs = {link[3] for link in chain.links}
    ends = [link[2] for link in chain.links if link[2] not in prevs]
    return (ends[0] if len(ends) == 1 else b"", len(chain.links))


def _prev(data: object) -> bytes | None:
    try:
        prev: Any = orjson.loads(data).get("prev")  # type: ignore[arg-type]
        return None if prev is None else bytes.fromhex(prev[2:])
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return b"\xff" * 32


_HEADS_AFTER = ("SELECT subject_type, subject_id, last_leaf, length FROM subject_head "
                "WHERE (subject_type, subject_id) > ({}, {}) "
                "ORDER BY subject_type, subject_id LIMIT :n")


def _keyset(after: tuple[object, object]) -> str:
    """Subject heads after `after`, by a row value, not `a > x OR (a = x AND b > y)`: SQLite
    then seeks the primary key index instead of scanning the table for every page. A key
    that is not UTF-8 is bound as its bytes and compared as the text it is."""
    t, i = (("CAST(:{} AS TEXT)" if isinstance(v, Undecodable) else ":{}").format(name)
            for v, name in zip(after, "ti", strict=True))
    return _HEADS_AFTER.format(t, i)


def _plain(value: object) -> object:
    """What the bucket files (marshal) can hold."""
    return value.raw if isinstance(value, Undecodable) else value


def _odd_head(stype: object, sid: object, last: object, length: object) -> tuple[object, ...]:
    """A head holding what the ledger never writes, as the bucket files (marshal) can hold
    it; a type or id that is not text adds the problem (the chain check reports it)."""
    head: tuple[object, ...] = (_plain(last), _plain(length))
    problem = text_problem("its subject_type", stype) or text_problem("its subject_id", sid)
    return head if problem is None else (*head, problem)


def write_heads(db: Database, directory: str, buckets: int, page: int = 16_384) -> int:
    """Copy every subject head, keyset-paginated, into the buckets; returns how many. The
    driver's cursor, not SQLAlchemy rows: this runs once per subject. A page holding text
    that is not UTF-8 is read again tolerantly (ledger/audit_values.py); a head whose type or
    id is not text carries that problem to the chain check, for no record can name it."""
    after: tuple[object, object] = ("", "")
    count = 0
    with read_connection(db) as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        while True:
            sql = driver_sql(db.engine.dialect, _keyset(after))
            params = {"t": _plain(after[0]), "i": _plain(after[1]), "n": page}
            try:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            except Exception as exc:
                if not undecodable(exc):
                    raise
                with tolerant(conn):
                    cursor.execute(sql, params)
                    rows = cursor.fetchall()
            if not rows:
                return count
            parts: dict[int, list[Any]] = {}
            for stype, sid, last, length in rows:
                key = subject_key(stype, sid)
                head: tuple[object, ...] = (last, length)
                if not (type(stype) is str and type(sid) is str and type(last) is bytes
                        and type(length) is int):  # once per subject: no calls unless odd
                    key = subject_key(str(shown(stype)), str(shown(sid)))
                    head = _odd_head(stype, sid, last, length)
                parts.setdefault(bucket_of(key, buckets), []).append((key, head))
            write_buckets(directory, "h", parts)
            count += len(rows)
            after = (rows[-1][0], rows[-1][1])

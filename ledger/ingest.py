"""Appending records: validation done, now assign seq, link `prev`, hash, and commit atomically.

Guarantees:
- all records of one call are committed together or not at all;
- per province, seq numbers are gapless and unique (the province head row serialises writers);
- a case/license chain never forks: `prev` must name the subject's latest leaf;
- idempotent: a record id already present with the same content returns the stored record;
  with different content the whole call fails with DuplicateRecord and nothing changes;
- a record of a case or license the domain manages passes its state machine, checked in the
  same transaction (ledger.transitions), or the whole call fails and nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from . import merkle, timestamps, transitions
from .canonical import parse as parse_json
from .draft import RecordDraft
from .errors import ChainConflict, DuplicateRecord, StorageError
from .record import Record, RecordFrame, hex32, new_salt, unhex
from .store import Database
from .store.database import driver_sql, execute_in, is_retryable
from .store.schema import ProvinceHeadRow, SubjectHeadRow

_RETRIES = 3
_RECORD_COLUMNS = ("province", "seq", "record_id", "kind", "subject_type", "subject_id",
                   "occurred_at", "recorded_at", "canonical", "leaf_hash", "content_digest")
_INSERT_RECORD = (f"INSERT INTO record ({', '.join(_RECORD_COLUMNS)}) "  # noqa: S608
                  f"VALUES ({', '.join(['?'] * len(_RECORD_COLUMNS))})")
_INSERT_SUBJECT = ("INSERT INTO subject_head (subject_type, subject_id, last_leaf, length) "
                   "VALUES (?, ?, ?, ?)")


@dataclass(frozen=True, slots=True)
class Appended:
    record: Record
    leaf_hash: bytes
    #: False when the record id was already in the ledger with the same content.
    created: bool


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What a draft's append needs that does not depend on the ledger's state, computed
    before the write lock is taken: the content digest, the salt and the record bytes with
    prev/recorded_at/seq left open (None: encode the whole record, for unvalidated drafts)."""

    digest: bytes
    salt: str
    frame: RecordFrame | None


def _prepare(drafts: Sequence[RecordDraft]) -> list[_Prepared]:
    out = []
    for d in drafts:
        salt = d.salt or new_salt()
        out.append(_Prepared(d.content_digest(), salt, d.frame(salt)))
    return out


def append(db: Database, drafts: Sequence[RecordDraft], *, now: datetime | None = None,
           clock: timestamps.Clock = timestamps.now) -> list[Appended]:
    """Append `drafts` atomically; returns one result per draft, in order. `recorded_at` is
    `now`, else `clock()` read under the write lock, so it never decreases along seq."""
    prepared = _prepare(drafts)  # outside the write lock: depends on the drafts alone
    for attempt in range(_RETRIES):
        try:
            with db.transaction() as session:
                return _append_checked(session, drafts, prepared, now, clock)
        except IntegrityError as exc:
            # A concurrent writer inserted the same record id or advanced a chain first:
            # retrying re-reads the ledger and yields the idempotent or conflict answer.
            if attempt == _RETRIES - 1:
                raise StorageError(f"concurrent write conflict persisted: {exc.orig}") from exc
        except OperationalError as exc:
            if is_retryable(exc) and attempt < _RETRIES - 1:
                continue  # PostgreSQL broke a deadlock by aborting us: nothing was written
            # Locked or unreachable database: nothing was committed; the caller may retry.
            raise StorageError(f"database unavailable: {exc.orig}") from exc
    raise AssertionError("unreachable")


def append_in(session: Session, drafts: Sequence[RecordDraft], *, now: datetime | None = None,
              clock: timestamps.Clock = timestamps.now) -> list[Appended]:
    """`append` inside the caller's transaction (the caller commits, and retries on
    IntegrityError). Records of a case or license the domain manages are first checked
    against that subject's state machine under its row lock (ledger.transitions), so the
    check and the append commit together or not at all: no writer gets around it."""
    return _append_checked(session, drafts, _prepare(drafts), now, clock)


def _append_checked(session: Session, drafts: Sequence[RecordDraft],
                    prepared: Sequence[_Prepared], now: datetime | None,
                    clock: timestamps.Clock) -> list[Appended]:
    transitions.check(session, drafts)
    session.flush()  # the domain's row changes go first; the ledger's writes below are Core
    if now is not None:
        pinned = now
        clock = lambda: pinned  # noqa: E731 - the one time this call was given
    appended = _append(session, drafts, prepared, clock)
    # Head rows were written with Core statements: ORM copies loaded earlier are stale.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, ProvinceHeadRow | SubjectHeadRow):
            session.expire(obj)
    return appended


# Raw driver statements (ledger.store.database.execute_in): the ORM's unit of work and
# SQLAlchemy's per-value rendering of expanding IN lists cost more than the queries
# themselves, for the small groups single POSTs make and the 1,000-record ones of the batch
# endpoint alike (docs/performance.md).
_CHUNK = 500
_SELECT_EXISTING = ("SELECT record_id, content_digest, canonical, leaf_hash FROM record "
                    "WHERE record_id IN {ids}")
_SELECT_HEADS = ("SELECT province, last_seq FROM province_head WHERE province IN {provinces} "
                 "ORDER BY province")
_SELECT_SUBJECTS = ("SELECT subject_type, subject_id, last_leaf, length FROM subject_head "
                    "WHERE subject_type IN {types} AND subject_id IN {ids} "
                    "ORDER BY subject_id, subject_type")
_UPDATE_HEAD = "UPDATE province_head SET last_seq = ? WHERE province = ?"
_INSERT_HEAD = ("INSERT INTO province_head (province, last_seq, sealed_seq, last_batch_no) "
                "VALUES (?, ?, 0, 0)")
_UPDATE_SUBJECT = ("UPDATE subject_head SET last_leaf = ?, length = ? "
                   "WHERE subject_type = ? AND subject_id = ?")


def _existing(conn: Connection, drafts: Sequence[RecordDraft]) -> dict[str, Row[Any]]:
    ids = list({d.record_id for d in drafts})
    found: dict[str, Row[Any]] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        found.update((r.record_id, r) for r in execute_in(conn, _SELECT_EXISTING, ids=chunk))
    return found


def _load_heads(conn: Connection, provinces: set[int]) -> dict[int, int | None]:
    """Last seq per province, locked; None for a province with no head row yet.

    Locks are always taken in key order (heads, then subjects) so that concurrent
    multi-province groups on PostgreSQL cannot deadlock each other."""
    wanted = sorted(provinces)
    heads: dict[int, int | None] = dict.fromkeys(wanted)
    heads.update((r.province, r.last_seq) for r in
                 execute_in(conn, _SELECT_HEADS, lock=True, provinces=wanted))
    return heads


def _load_subjects(conn: Connection, drafts: Sequence[RecordDraft]
                   ) -> dict[tuple[str, str], tuple[bytes, int]]:
    wanted = {(d.subject.type, d.subject.id) for d in drafts}
    ids = sorted({sid for _, sid in wanted})  # chunks lock in one global order too
    types = sorted({kind for kind, _ in wanted})
    found: dict[tuple[str, str], tuple[bytes, int]] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        # subject_type first: the primary key is (subject_type, subject_id), and without it
        # SQLite scans the whole table for every chunk (cost grew with the ledger).
        for r in execute_in(conn, _SELECT_SUBJECTS, lock=True, types=types, ids=chunk):
            if (r.subject_type, r.subject_id) in wanted:
                found[(r.subject_type, r.subject_id)] = (r.last_leaf, r.length)
    return found


def _append(session: Session, drafts: Sequence[RecordDraft], prepared: Sequence[_Prepared],
            clock: timestamps.Clock) -> list[Appended]:
    existing = _existing(session.connection(), drafts)
    results: list[Appended | None] = [None] * len(drafts)
    fresh: list[int] = []
    seen: dict[str, int] = {}
    for i, (draft, prep) in enumerate(zip(drafts, prepared, strict=True)):
        digest = prep.digest
        row = existing.get(draft.record_id)
        if row is not None:
            if row.content_digest != digest:
                raise DuplicateRecord(f"record {draft.record_id} exists with different content")
            rec = Record.from_json(parse_json(row.canonical))
            results[i] = Appended(rec, row.leaf_hash, created=False)
        elif draft.record_id in seen:
            if prepared[seen[draft.record_id]].digest != digest:
                raise DuplicateRecord(f"record {draft.record_id} appears twice, differently")
        else:
            seen[draft.record_id] = i
            fresh.append(i)
    if fresh:
        new_rows = _assign(session, [drafts[i] for i in fresh], [prepared[i] for i in fresh],
                           clock)
        for i, appended in zip(fresh, new_rows, strict=True):
            results[i] = appended
    for i, draft in enumerate(drafts):  # in-request repeats share the first occurrence's result
        if results[i] is None:
            first = results[seen[draft.record_id]]
            assert first is not None
            results[i] = Appended(first.record, first.leaf_hash, created=False)
    return [r for r in results if r is not None]


def _assign(session: Session, drafts: list[RecordDraft], prepared: list[_Prepared],
            clock: timestamps.Clock) -> list[Appended]:
    conn = session.connection()
    heads = _load_heads(conn, {d.province for d in drafts})
    last_seq = {p: seq or 0 for p, seq in heads.items()}
    subjects = _load_subjects(conn, drafts)
    # Read once the province heads are locked (SQLite: since BEGIN IMMEDIATE; PostgreSQL:
    # FOR UPDATE just above), so a later seq never gets an earlier recorded_at.
    recorded_at = timestamps.render(clock())
    recorded_json = orjson.dumps(recorded_at)
    rows: list[tuple[object, ...]] = []
    out: list[Appended] = []
    touched: dict[tuple[str, str], tuple[bytes, int, bool]] = {}
    for draft, prep in zip(drafts, prepared, strict=True):
        key = (draft.subject.type, draft.subject.id)
        if key in touched:
            last, length, is_new = touched[key]
        elif key in subjects:
            (last, length), is_new = subjects[key], False
        else:
            last, length, is_new = b"", 0, True
        prev = draft.prev
        if length:
            if prev is None:
                prev = hex32(last)
            elif unhex(prev) != last:
                raise ChainConflict(
                    f"prev of {draft.record_id} is not the latest record of "
                    f"{draft.subject.type} {draft.subject.id} (latest is {hex32(last)})"
                )
        seq = last_seq[draft.province] = last_seq[draft.province] + 1
        record = Record(
            record_id=draft.record_id, province=draft.province, seq=seq,
            kind=draft.kind, subject=draft.subject, occurred_at=draft.occurred_at,
            recorded_at=recorded_at, actor=draft.actor, prev=prev, payload=draft.payload,
            salt=prep.salt,
        )
        # == record.canonical_bytes(): the frame was encoded before the lock was taken.
        data = (draft.encode(record.to_json()) if prep.frame is None
                else prep.frame.splice(prev, recorded_json, seq))
        leaf = merkle.leaf_hash(data)
        touched[key] = (leaf, length + 1, is_new)
        rows.append((record.province, record.seq, record.record_id, record.kind, key[0], key[1],
                     record.occurred_at, recorded_at, data, leaf, prep.digest))
        out.append(Appended(record, leaf, created=True))
    # One driver-level executemany of ready tuples: the ORM's bulk path, Core's typed binds
    # and even text()'s per-row parameter dicts cost more per row than the rest of the
    # append (docs/performance.md). bytes bind as BLOB/bytea on every driver.
    conn.exec_driver_sql(driver_sql(conn.dialect, _INSERT_RECORD), rows)
    new_subjects = [(k[0], k[1], v[0], v[1]) for k, v in touched.items() if v[2]]
    if new_subjects:
        conn.exec_driver_sql(driver_sql(conn.dialect, _INSERT_SUBJECT), new_subjects)
    moved = [(v[0], v[1], k[0], k[1]) for k, v in touched.items() if not v[2]]
    if moved:
        conn.exec_driver_sql(driver_sql(conn.dialect, _UPDATE_SUBJECT), moved)
    for province, seq in last_seq.items():
        statement = _INSERT_HEAD if heads[province] is None else _UPDATE_HEAD
        params = (province, seq) if heads[province] is None else (seq, province)
        conn.exec_driver_sql(driver_sql(conn.dialect, statement), params)
    return out


__all__ = ["Appended", "append", "append_in"]

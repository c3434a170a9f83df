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

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from . import merkle, timestamps, transitions
from .canonical import parse as parse_json
from .draft import RecordDraft
from .errors import ChainConflict, DuplicateRecord, StorageError
from .record import Record, hex32, new_salt, unhex
from .store import Database
from .store.database import is_retryable
from .store.schema import ProvinceHeadRow, RecordRow, SubjectHeadRow

_RETRIES = 3
_RECORD_COLUMNS = ("province", "seq", "record_id", "kind", "subject_type", "subject_id",
                   "occurred_at", "recorded_at", "canonical", "leaf_hash", "content_digest")
_INSERT_RECORD = text(f"INSERT INTO record ({', '.join(_RECORD_COLUMNS)}) VALUES "  # noqa: S608
                      f"({', '.join(':' + c for c in _RECORD_COLUMNS)})")
_INSERT_SUBJECT = text("INSERT INTO subject_head (subject_type, subject_id, last_leaf, length) "
                       "VALUES (:subject_type, :subject_id, :last_leaf, :length)")


@dataclass(frozen=True, slots=True)
class Appended:
    record: Record
    leaf_hash: bytes
    #: False when the record id was already in the ledger with the same content.
    created: bool


def append(db: Database, drafts: Sequence[RecordDraft], *, now: datetime | None = None
           ) -> list[Appended]:
    """Append `drafts` atomically; returns one result per draft, in order."""
    for attempt in range(_RETRIES):
        try:
            with db.transaction() as session:
                return append_in(session, drafts, now=now)
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


def append_in(session: Session, drafts: Sequence[RecordDraft], *, now: datetime | None = None
              ) -> list[Appended]:
    """`append` inside the caller's transaction (the caller commits, and retries on
    IntegrityError). Records of a case or license the domain manages are first checked
    against that subject's state machine under its row lock (ledger.transitions), so the
    check and the append commit together or not at all: no writer gets around it."""
    transitions.check(session, drafts)
    return _append(session, drafts, now or timestamps.now())


def _existing(session: Session, drafts: Sequence[RecordDraft]) -> dict[str, RecordRow]:
    ids = list({d.record_id for d in drafts})
    found: dict[str, RecordRow] = {}
    for i in range(0, len(ids), 500):
        rows = session.scalars(select(RecordRow).where(RecordRow.record_id.in_(ids[i:i + 500])))
        found.update((r.record_id, r) for r in rows)
    return found


def _load_heads(session: Session, provinces: set[int]) -> dict[int, ProvinceHeadRow]:
    heads = {h.province: h for h in session.scalars(
        # Locks are always taken in key order (heads, then subjects) so that concurrent
        # multi-province groups on PostgreSQL cannot deadlock each other.
        select(ProvinceHeadRow).where(ProvinceHeadRow.province.in_(provinces))
        .order_by(ProvinceHeadRow.province).with_for_update()
    )}
    for p in provinces - heads.keys():
        heads[p] = ProvinceHeadRow(province=p, last_seq=0, sealed_seq=0, last_batch_no=0)
        session.add(heads[p])
    return heads


def _load_subjects(session: Session, drafts: Sequence[RecordDraft]
                   ) -> dict[tuple[str, str], SubjectHeadRow]:
    wanted = {(d.subject.type, d.subject.id) for d in drafts}
    ids = sorted({sid for _, sid in wanted})  # chunks lock in one global order too
    types = sorted({kind for kind, _ in wanted})
    found: dict[tuple[str, str], SubjectHeadRow] = {}
    for i in range(0, len(ids), 500):
        # subject_type first: the primary key is (subject_type, subject_id), and without it
        # SQLite scans the whole table for every chunk (cost grew with the ledger).
        rows = session.scalars(select(SubjectHeadRow).where(
            SubjectHeadRow.subject_type.in_(types), SubjectHeadRow.subject_id.in_(ids[i:i + 500]))
            .order_by(SubjectHeadRow.subject_id, SubjectHeadRow.subject_type).with_for_update())
        found.update(((r.subject_type, r.subject_id), r) for r in rows
                     if (r.subject_type, r.subject_id) in wanted)
    return found


def _append(session: Session, drafts: Sequence[RecordDraft], now: datetime) -> list[Appended]:
    existing = _existing(session, drafts)
    digests = [d.content_digest() for d in drafts]
    results: list[Appended | None] = [None] * len(drafts)
    fresh: list[int] = []
    seen: dict[str, int] = {}
    for i, (draft, digest) in enumerate(zip(drafts, digests, strict=True)):
        row = existing.get(draft.record_id)
        if row is not None:
            if row.content_digest != digest:
                raise DuplicateRecord(f"record {draft.record_id} exists with different content")
            rec = Record.from_json(parse_json(row.canonical))
            results[i] = Appended(rec, row.leaf_hash, created=False)
        elif draft.record_id in seen:
            if digests[seen[draft.record_id]] != digest:
                raise DuplicateRecord(f"record {draft.record_id} appears twice, differently")
        else:
            seen[draft.record_id] = i
            fresh.append(i)
    if fresh:
        new_rows = _assign(session, [drafts[i] for i in fresh], [digests[i] for i in fresh], now)
        for i, appended in zip(fresh, new_rows, strict=True):
            results[i] = appended
    for i, draft in enumerate(drafts):  # in-request repeats share the first occurrence's result
        if results[i] is None:
            first = results[seen[draft.record_id]]
            assert first is not None
            results[i] = Appended(first.record, first.leaf_hash, created=False)
    return [r for r in results if r is not None]


def _assign(session: Session, drafts: list[RecordDraft], digests: list[bytes], now: datetime
            ) -> list[Appended]:
    heads = _load_heads(session, {d.province for d in drafts})
    subjects = _load_subjects(session, drafts)
    recorded_at = timestamps.render(now)
    rows: list[dict[str, object]] = []
    out: list[Appended] = []
    touched: dict[tuple[str, str], tuple[bytes, int, bool]] = {}
    for draft, digest in zip(drafts, digests, strict=True):
        key = (draft.subject.type, draft.subject.id)
        if key in touched:
            last, length, is_new = touched[key]
        elif key in subjects:
            last, length, is_new = subjects[key].last_leaf, subjects[key].length, False
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
        head = heads[draft.province]
        head.last_seq += 1
        record = Record(
            record_id=draft.record_id, province=draft.province, seq=head.last_seq,
            kind=draft.kind, subject=draft.subject, occurred_at=draft.occurred_at,
            recorded_at=recorded_at, actor=draft.actor, prev=prev, payload=draft.payload,
            salt=draft.salt or new_salt(),
        )
        data = draft.encode(record.to_json())  # == record.canonical_bytes(), validated once
        leaf = merkle.leaf_hash(data)
        touched[key] = (leaf, length + 1, is_new)
        rows.append({
            "province": record.province, "seq": record.seq, "record_id": record.record_id,
            "kind": record.kind, "subject_type": key[0], "subject_id": key[1],
            "occurred_at": record.occurred_at, "recorded_at": recorded_at, "canonical": data,
            "leaf_hash": leaf, "content_digest": digest,
        })
        out.append(Appended(record, leaf, created=True))
    # One executemany of ready dicts through an untyped statement: the ORM's bulk-insert path,
    # and even Core's typed binds (a processor call per blob), cost more per row than the
    # rest of the append (docs/performance.md). bytes bind as BLOB/bytea on every driver.
    session.execute(_INSERT_RECORD, rows)
    new_subjects = [{"subject_type": k[0], "subject_id": k[1], "last_leaf": v[0], "length": v[1]}
                    for k, v in touched.items() if v[2]]
    if new_subjects:
        session.execute(_INSERT_SUBJECT, new_subjects)
    for k, (leaf, length, is_new) in touched.items():
        if not is_new:
            subjects[k].last_leaf, subjects[k].length = leaf, length
    session.flush()
    return out


__all__ = ["Appended", "append", "append_in"]

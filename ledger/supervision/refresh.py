"""Keeping the materialised alerts current.

Three triggers, one computation (`ledger.supervision.rules` and `ledger_rules`):
- a step arrives: `stale.mark` runs inside the append transaction (ledger.transitions calls it for
  every managed case it checks) and flags the case stale, so no committed step can be missed;
  it costs one indexed read per case, never the rules themselves, which keeps appends fast;
- the clock moves: each case stores `next_check_at` (the next local midnight while anything
  time-based can still fire), and the worker's `sweep` refreshes what is stale or due;
- a read: the API calls `ensure_current` first, which refreshes only if something is stale
  or due, so an answer never lags the records it is about, even without a worker.

Refreshing locks the case's supervision row before reading its records, so a concurrent
append (which locks the same row to mark it) either lands before the read or re-marks the
case after the refresh commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from .. import timestamps, trace
from ..store import Database
from ..store.domain_schema import CaseRow
from ..store.schema import SettingRow
from ..store.supervision_schema import AlertRow, SupervisedCaseRow
from ..workcalendar import Calendar
from . import ledger_rules, rules, stale
from .config import AlertDraft, Fact, SupervisionConfig

CHUNK = stale.CHUNK
_GLOBAL_KEY = "supervision.global_refreshed_at"


def history(session: Session, row: CaseRow) -> rules.CaseHistory:
    """The case's steps in chain order (following `prev`, as recorded)."""
    t = trace.trace(session, "case", row.case_no)
    steps = tuple(rules.Step(
        r.kind.removeprefix("case.") if r.kind.startswith("case.") else r.kind, r.province,
        r.occurred_at, Fact(r.record_id, r.province, r.seq, "0x" + r.leaf_hash.hex()))
        for r in t.records)
    return rules.CaseHistory(row.case_no, row.item_code, row.receiving_province,
                             row.handling_province, row.promised_days, row.requires_review,
                             row.requires_delivery, steps)


def _store(session: Session, subject_type: str, subject_ids: Sequence[str] | None,
           drafts: Sequence[AlertDraft], now: str) -> None:
    """Make the alerts of these subjects (None: all of this type) exactly `drafts`."""
    q = select(AlertRow).where(AlertRow.subject_type == subject_type)
    if subject_ids is not None:
        q = q.where(AlertRow.subject_id.in_(subject_ids))
    existing = {r.alert_id: r for r in session.scalars(q.with_for_update())}
    for d in drafts:
        row = existing.pop(d.alert_id, None)
        if row is None:
            row = AlertRow(alert_id=d.alert_id, raised_at=now)
            session.add(row)
        row.kind, row.severity, row.subject_type, row.subject_id = (
            d.kind, d.severity, d.subject_type, d.subject_id)
        row.province, row.item_code, row.reason = d.province, d.item_code, d.reason[:512]
        row.updated_at = now
        row.facts = json.dumps([f.to_json() for f in d.facts])
    if existing:
        session.execute(delete(AlertRow).where(AlertRow.alert_id.in_(list(existing))))


def refresh_cases(db: Database, calendar: Calendar, config: SupervisionConfig,
                  now: datetime, *, limit: int = CHUNK) -> int:
    """Recompute up to `limit` stale or due cases; returns how many were refreshed."""
    stamp = timestamps.render(now)
    with db.transaction() as s:
        rows = list(s.scalars(select(SupervisedCaseRow).where(or_(
            SupervisedCaseRow.stale.is_(True), SupervisedCaseRow.next_check_at <= stamp))
            .order_by(SupervisedCaseRow.case_no).limit(limit).with_for_update()))
        drafts: list[AlertDraft] = []
        for row in rows:
            case = s.get(CaseRow, row.case_no)
            if case is None:  # the submission rolled back, or a case subject never managed
                s.delete(row)
                continue
            h = history(s, case)
            drafts.extend(rules.case_alerts(h, calendar, config, now))
            due = rules.next_check(h, now)
            row.stale, row.checked_at = False, stamp
            row.next_check_at = None if due is None else timestamps.render(due)
        _store(s, "case", [r.case_no for r in rows], drafts, stamp)
    return len(rows)


def refresh_global(db: Database, config: SupervisionConfig, now: datetime) -> None:
    """Recompute the province-wide (anchoring lag) and item-wide (rates) alerts."""
    stamp = timestamps.render(now)
    with db.transaction() as s:
        _store(s, "province", None, ledger_rules.anchor_lag(s, config, now), stamp)
        _store(s, "item", None, ledger_rules.rates(s, config, now), stamp)
        setting = s.get(SettingRow, _GLOBAL_KEY)
        if setting is None:
            s.add(SettingRow(key=_GLOBAL_KEY, value=stamp))
        else:
            setting.value = stamp


def sweep(db: Database, calendar: Calendar, config: SupervisionConfig, now: datetime, *,
          max_cases: int = 10 * CHUNK) -> int:
    """The worker's pass: stale and due cases (at most `max_cases`, the rest next pass),
    then the global alerts. Returns the number of cases refreshed."""
    done = 0
    while done < max_cases:
        n = refresh_cases(db, calendar, config, now)
        done += n
        if n < CHUNK:
            break
    refresh_global(db, config, now)
    return done


def ensure_current(db: Database, calendar: Calendar, config: SupervisionConfig,
                   now: datetime) -> None:
    """Before a read: refresh what is stale or due. Read-only (no write lock) when nothing
    is, which is the usual case with a worker running."""
    stamp = timestamps.render(now)
    with db.snapshot() as s:
        pending = s.scalar(select(SupervisedCaseRow.case_no).where(or_(
            SupervisedCaseRow.stale.is_(True), SupervisedCaseRow.next_check_at <= stamp))
            .limit(1))
        last = s.scalar(select(SettingRow.value).where(SettingRow.key == _GLOBAL_KEY))
    if pending is not None:
        while refresh_cases(db, calendar, config, now) == CHUNK:
            pass
    if last is None or (now - timestamps.parse(last, field="refreshed_at")).total_seconds() \
            >= config.global_refresh_seconds:
        refresh_global(db, config, now)

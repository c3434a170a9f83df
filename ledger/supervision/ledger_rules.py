"""Supervision rules over many records: anchoring lag per province, and refusal and denial
rates per service item. Each reads the ledger with a few aggregate queries, so the sweep can
run them every pass.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from .. import anchoring, timestamps
from ..store.domain_schema import CaseRow
from ..store.schema import AnchorRow, BatchRow, ProvinceHeadRow, RecordRow
from .config import AlertDraft, Fact, SupervisionConfig

#: Facts listed per rate alert: the latest refusals/denials, enough to inspect and prove.
MAX_FACTS = 20


def fact_of(row: RecordRow) -> Fact:
    return Fact(row.record_id, row.province, row.seq, "0x" + row.leaf_hash.hex())


def anchor_lag(session: Session, config: SupervisionConfig, now: datetime) -> list[AlertDraft]:
    """Per province: the oldest record without a confirmed anchor, once it has waited longer
    than `anchor_lag_alert_seconds` since it was recorded (pending or sealed alike)."""
    unconfirmed: dict[int, int] = {p: first for p, first in session.execute(
        select(BatchRow.province, func.min(BatchRow.first_seq))
        .outerjoin(AnchorRow, and_(AnchorRow.province == BatchRow.province,
                                   AnchorRow.batch_no == BatchRow.batch_no))
        .where((AnchorRow.status.is_(None)) | (AnchorRow.status != anchoring.CONFIRMED))
        .group_by(BatchRow.province))}
    limit = timedelta(seconds=config.anchor_lag_alert_seconds)
    out = []
    for head in session.scalars(select(ProvinceHeadRow).order_by(ProvinceHeadRow.province)):
        firsts = [unconfirmed[head.province]] if head.province in unconfirmed else []
        if head.last_seq > head.sealed_seq:
            firsts.append(head.sealed_seq + 1)
        if not firsts:
            continue
        oldest = session.get(RecordRow, (head.province, min(firsts)))
        if oldest is None:
            continue
        waited = now - timestamps.parse(oldest.recorded_at, field="recorded_at")
        if waited < limit:
            continue
        waiting = head.last_seq - min(firsts) + 1
        out.append(AlertDraft(
            "anchor_lag", "yellow", "province", str(head.province), head.province,
            f"{waiting} record(s) not anchored; the oldest (seq {oldest.seq}) was recorded "
            f"{int(waited.total_seconds())} s ago (limit {int(limit.total_seconds())} s)",
            (fact_of(oldest),)))
    return out


def rates(session: Session, config: SupervisionConfig, now: datetime) -> list[AlertDraft]:
    """Per service item, over cases submitted in the window: intake refusals among intake
    outcomes (refused + accepted), and denials among decisions."""
    since = timestamps.render(now - timedelta(days=config.refusal_rate_window_days))
    rows = session.execute(select(CaseRow.case_no, CaseRow.item_code, CaseRow.handling_province,
                                  CaseRow.accepted_at, CaseRow.decision, CaseRow.state)
                           .where(CaseRow.submitted_at >= since)).all()
    intake: dict[str, list[str | None]] = defaultdict(list)  # refused case_no, or None
    decided: dict[str, list[str | None]] = defaultdict(list)
    province: dict[str, int] = {}
    for no, item, handling, accepted_at, decision, state in rows:
        province[item] = handling
        if accepted_at is not None:
            intake[item].append(None)
        elif state in ("refused", "evaluated"):  # evaluated without acceptance: refused first
            intake[item].append(no)
        if decision is not None:
            decided[item].append(no if decision == "denied" else None)
    out = []
    for kind, outcomes, step, what in (("refusal_rate", intake, "case.refused", "refused at "
                                        "intake"), ("denial_rate", decided, "case.decided",
                                                    "denied")):
        for item, results in sorted(outcomes.items()):
            bad = [no for no in results if no is not None]
            share = len(bad) / len(results)
            if len(results) < config.refusal_rate_min_cases \
                    or share <= config.refusal_rate_threshold:
                continue
            facts = session.scalars(select(RecordRow).where(
                RecordRow.subject_type == "case", RecordRow.subject_id.in_(bad[-MAX_FACTS:]),
                RecordRow.kind == step).order_by(RecordRow.recorded_at))
            out.append(AlertDraft(
                kind, "yellow", "item", item, province[item],
                f"{len(bad)} of {len(results)} cases {what} ({share:.0%}, threshold "
                f"{config.refusal_rate_threshold:.0%}) among cases submitted in the last "
                f"{config.refusal_rate_window_days} days",
                tuple(fact_of(r) for r in facts), item_code=item))
    return out

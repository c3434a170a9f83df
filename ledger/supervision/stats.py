"""Case statistics per province and per service item, over a cohort: the cases submitted
within [since, until). Every figure is about that one cohort, so rows add up and a case is
never counted in two periods.

Per group (the handling province, or the service item):
- `handled`: cohort cases it handles; `received` (provinces only): cohort cases it took in
  at its counters, whoever handles them;
- `completed`, `on_time` (completed on or before the due date), `on_time_rate` =
  on_time / completed (null without completions);
- handling time: working days from acceptance to completion with suspended working days
  left out (ledger.deadline), `median` and `p90` by the nearest-rank method;
- `suspensions`: special procedures started in cohort cases; `refused`, `denied`;
- satisfaction: the mean 1-5 score and the number of evaluations.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import casesteps, deadline
from ..store.domain_schema import CaseRow, CaseSuspensionRow
from ..workcalendar import Calendar, local_date

GroupBy = Literal["province", "item"]
_CHUNK = 500


@dataclass(slots=True)
class _Group:
    received: int = 0
    handled: int = 0
    completed: int = 0
    on_time: int = 0
    refused: int = 0
    denied: int = 0
    suspensions: int = 0
    days: list[int] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)

    def to_json(self, key: str, value: int | str, with_received: bool) -> dict[str, Any]:
        out: dict[str, Any] = {key: value}
        if with_received:
            out["received"] = self.received
        out.update({
            "handled": self.handled, "completed": self.completed, "on_time": self.on_time,
            "on_time_rate": round(self.on_time / self.completed, 4) if self.completed else None,
            "handling_working_days": {"median": _median(self.days),
                                      "p90": percentile(self.days, 90)},
            "suspensions": self.suspensions, "refused": self.refused, "denied": self.denied,
            "satisfaction": {"mean": round(statistics.fmean(self.scores), 2)
                             if self.scores else None, "count": len(self.scores)}})
        return out


def percentile(values: list[int], p: float) -> int | None:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def case_stats(session: Session, calendar: Calendar, today: date, *, by: GroupBy,
               since: str | None = None, until: str | None = None,
               provinces: frozenset[int] | None = None) -> list[dict[str, Any]]:
    q = select(CaseRow).where(CaseRow.state != casesteps.NEW)
    if since is not None:
        q = q.where(CaseRow.submitted_at >= since)
    if until is not None:
        q = q.where(CaseRow.submitted_at < until)
    cases = list(session.scalars(q))
    stops = _suspensions(session, [c.case_no for c in cases])
    groups: dict[int | str, _Group] = defaultdict(_Group)
    for c in cases:
        if by == "province":
            groups[c.receiving_province].received += 1
        g = groups[c.handling_province if by == "province" else c.item_code]
        g.handled += 1
        g.suspensions += len(stops[c.case_no])
        g.denied += c.decision == "denied"
        g.refused += c.accepted_at is None and c.state in ("refused", "evaluated")
        if c.evaluation_score is not None:
            g.scores.append(c.evaluation_score)
        if c.completed_at is None or c.accepted_at is None:
            continue
        d = deadline.compute(calendar, c.promised_days, accepted_on=local_date(c.accepted_at),
                             suspensions=stops[c.case_no],
                             completed_on=local_date(c.completed_at), today=today)
        g.completed += 1
        g.on_time += not d.late
        g.days.append(d.working_days_used)
    owner = {c.item_code: c.handling_province for c in cases}
    key = "province" if by == "province" else "item_code"
    return [g.to_json(key, k, by == "province")
            for k, g in sorted(groups.items(), key=lambda kv: str(kv[0]))
            if provinces is None or (k if by == "province" else owner[str(k)]) in provinces]


def _suspensions(session: Session, case_nos: list[str]) -> dict[str, list[deadline.Suspension]]:
    out: dict[str, list[deadline.Suspension]] = defaultdict(list)
    for i in range(0, len(case_nos), _CHUNK):
        for r in session.scalars(select(CaseSuspensionRow).where(
                CaseSuspensionRow.case_no.in_(case_nos[i:i + _CHUNK]))
                .order_by(CaseSuspensionRow.case_no, CaseSuspensionRow.n)):
            out[r.case_no].append(deadline.Suspension(
                local_date(r.suspended_at),
                None if r.resumed_at is None else local_date(r.resumed_at)))
    return out

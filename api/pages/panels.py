"""The supervision dashboard's panels. Each panel is a function of (database, filters,
translator) returning a `Panel`: a template and its data, or `available=False` with the
reason, so a panel whose backend has not shipped yet shows a plain notice instead of
breaking the page, and plugging it in later touches only its function here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import orjson
from sqlalchemy import select

from ledger import anchoring, explorer, timestamps
from ledger.audit_report import CATEGORIES
from ledger.province import PROVINCES
from ledger.store import Database
from ledger.store.audit_schema import AuditReportRow
from ledger.supervision import alerts, refresh, stats
from ledger.supervision.config import SEVERITIES, SupervisionConfig
from ledger.workcalendar import Calendar, local_date

from .charts import Item, bar_chart
from .i18n import Translator


@dataclass(frozen=True, slots=True)
class Filters:
    province: int | None = None
    severity: str | None = None

    @classmethod
    def parse(cls, province: str | None, severity: str | None) -> Filters:
        """Unknown values mean "no filter", as an empty select does."""
        code = int(province) if province and province.isdigit() else None
        return cls(code if code in PROVINCES else None,
                   severity if severity in SEVERITIES else None)


@dataclass(frozen=True, slots=True)
class Panel:
    id: str
    title_key: str
    template: str
    available: bool = True
    #: message key explaining why the panel is not available
    missing_key: str = ""
    data: dict[str, Any] = field(default_factory=dict)


PanelSource = Callable[[Database, Filters, Translator], Panel]


def _age_seconds(stamp: str | None, now: datetime) -> int:
    if stamp is None:
        return 0
    return max(0, int((now - timestamps.parse(stamp, field="sealed_at")).total_seconds()))


def lag_panel(db: Database, filters: Filters, t: Translator) -> Panel:
    """Per province: batches and records sealed but not yet final on chain, and how long the
    oldest has waited. Every province with batches is listed, so "0" is visible too."""
    now = timestamps.now()
    lag = {entry.province: entry for entry in anchoring.lag(db)}
    with db.snapshot() as s:
        provinces = [p.province for p in explorer.provinces(s)]
    rows = []
    for code in sorted(set(provinces) | set(lag)):
        if filters.province is not None and code != filters.province:
            continue
        entry = lag.get(code)
        rows.append({"province": code,
                     "batches": entry.unanchored_batches if entry else 0,
                     "records": entry.unanchored_records if entry else 0,
                     "age": _age_seconds(entry.oldest_sealed_at if entry else None, now)})
    chart = bar_chart(
        "lag-chart", t("panel.lag.chart"), t("panel.lag.chart-desc"),
        [Item(t.province_short(r["province"]), r["age"], t("unit.seconds", n=r["age"]),
              warn=r["age"] > 60) for r in rows])
    return Panel("lag", "panel.lag", "panel_lag.html", data={"rows": rows, "chart": chart})


def audit_panel(db: Database, filters: Filters, t: Translator) -> Panel:
    """The latest tamper audit (ledger/audit.py, issue 4): verdict, scope, counts per
    category, and whether batch roots were compared with the chain. Not filtered by
    province: an audit's scope is what it is, and the panel says which it was."""
    with db.snapshot() as s:
        data = s.scalar(select(AuditReportRow.report)
                        .order_by(AuditReportRow.finished_at.desc()).limit(1))
    if data is None:
        return Panel("audit", "panel.audit", "panel_audit.html", data={"report": None})
    report = orjson.loads(data)
    counts = report.get("counts", {})
    return Panel("audit", "panel.audit", "panel_audit.html", data={
        "report": report, "categories": [(c, int(counts.get(c, 0))) for c in CATEGORIES]})


@dataclass(frozen=True, slots=True)
class Supervision:
    """What the alert and statistics panels need beyond the database: the working-day
    calendar and rule parameters of this deployment, and the time of the request."""

    calendar: Calendar
    config: SupervisionConfig
    now: datetime


#: Alerts shown on the page; the API pages through the rest.
ALERT_ROWS = 50


def alerts_panel(db: Database, filters: Filters, t: Translator, sup: Supervision) -> Panel:
    """Current alerts (ledger/supervision/), refreshed first if a step or the clock made any
    stale, filtered by the dashboard's province and severity."""
    refresh.ensure_current(db, sup.calendar, sup.config, sup.now)
    f = alerts.AlertFilter(None if filters.province is None else frozenset({filters.province}),
                           filters.severity)
    with db.snapshot() as s:
        rows, more = alerts.page(s, f, limit=ALERT_ROWS)
        counts = alerts.counts(s, f)
    return Panel("alerts", "panel.alerts", "panel_alerts.html", data={
        "rows": rows, "more": more is not None, "limit": ALERT_ROWS,
        "red": counts.get("red", 0), "yellow": counts.get("yellow", 0)})


def stats_panel(db: Database, filters: Filters, t: Translator, sup: Supervision) -> Panel:
    """Per handling province: on-time rate and median handling time, as charts and a table."""
    with db.snapshot() as s:
        rows = [g for g in stats.case_stats(s, sup.calendar, local_date(sup.now), by="province")
                if g["handled"] and (filters.province is None
                                     or g["province"] == filters.province)]
    none = t("unit.none")
    rate = bar_chart("rate-chart", t("panel.stats.rate-chart"), t("panel.stats.rate-desc"), [
        Item(t.province_short(g["province"]), 100 * (g["on_time_rate"] or 0),
             none if g["on_time_rate"] is None else f"{100 * g['on_time_rate']:.0f}%",
             warn=g["on_time_rate"] is not None and g["on_time_rate"] < 0.9) for g in rows],
        max_value=100)
    days = bar_chart("days-chart", t("panel.stats.days-chart"), t("panel.stats.days-desc"), [
        Item(t.province_short(g["province"]), g["handling_working_days"]["median"] or 0,
             none if g["handling_working_days"]["median"] is None
             else t("unit.days", n=f"{g['handling_working_days']['median']:g}"))
        for g in rows])
    return Panel("stats", "panel.stats", "panel_stats.html",
                 data={"rows": rows, "rate_chart": rate, "days_chart": days})


def sources(sup: Supervision) -> tuple[PanelSource, ...]:
    """The dashboard's panels in order (what needs action first), bound to `sup`."""
    return (partial(alerts_panel, sup=sup), partial(stats_panel, sup=sup), lag_panel,
            audit_panel)

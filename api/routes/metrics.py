"""Prometheus metrics in the text exposition format (version 0.0.4), unauthenticated like
/healthz: counts and ages only, no record content.

Everything is read from the database at scrape time, so any API process (of any host)
reports the whole deployment: ingest, sealing and anchoring backlog per province, the
workers' heartbeats and backoff, and who holds each province's lease. One gauge is not from
the database: the days left in the working-day calendar, so that operators are warned to load
next year's holidays (the State Council publishes them around November) before deadlines
start counting weekends only.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ledger import anchoring, lease, timestamps, worker_status
from ledger.store import Database
from ledger.store.schema import AnchorRow, ProvinceHeadRow

from ..casework import CaseworkDep
from ..deps import ContextDep

router = APIRouter(tags=["health"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: A worker whose last heartbeat is older than this is reported down.
WORKER_STALE_SECONDS = 60.0

_HELP: dict[str, tuple[str, str]] = {
    "govtrace_records_total": ("counter", "Records appended, per province (its last seq)."),
    "govtrace_records_pending_seal": ("gauge", "Records not yet sealed into a batch."),
    "govtrace_batches_sealed_total": ("counter", "Batches sealed, per province."),
    "govtrace_batches_anchored_total": ("counter", "Batches with a confirmed anchor."),
    "govtrace_batches_pending_anchor": ("gauge", "Sealed batches without a confirmed anchor."),
    "govtrace_records_pending_anchor": ("gauge", "Records in batches not yet confirmed."),
    "govtrace_anchor_lag_seconds": ("gauge", "Age of the oldest sealed, unconfirmed batch."),
    "govtrace_worker_up": ("gauge", "1 when the worker's heartbeat is recent."),
    "govtrace_worker_heartbeat_age_seconds": ("gauge", "Seconds since the last heartbeat."),
    "govtrace_worker_chain_reachable": ("gauge", "1 when the last anchoring pass succeeded."),
    "govtrace_worker_backoff_seconds": ("gauge", "Current anchoring retry delay."),
    "govtrace_worker_passes_total": ("counter", "Worker passes since the worker started."),
    "govtrace_worker_stalled_provinces": ("gauge", "Provinces whose anchoring is stuck."),
    "govtrace_province_lease_token": ("gauge", "Fencing token of the live province lease, "
                                               "labelled with its holder."),
    "govtrace_calendar_days_covered": ("gauge", "Days left in the working-day calendar "
                                                "(today included); at 0 deadlines count "
                                                "weekends only."),
}


def _label(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return f'"{text}"'


def _line(name: str, labels: dict[str, object], value: float) -> str:
    inner = ",".join(f"{k}={_label(v)}" for k, v in labels.items())
    shown = repr(float(value)) if isinstance(value, float) else str(value)
    return f"{name}{{{inner}}} {shown}" if inner else f"{name} {shown}"


def _samples(db: Database) -> Iterable[tuple[str, dict[str, object], float]]:
    with db.snapshot() as s:
        heads = list(s.execute(select(ProvinceHeadRow.province, ProvinceHeadRow.last_seq,
                                      ProvinceHeadRow.sealed_seq,
                                      ProvinceHeadRow.last_batch_no)))
        anchored: dict[int, int] = dict(s.execute(
            select(AnchorRow.province, func.count()).where(AnchorRow.status == anchoring.CONFIRMED)
            .group_by(AnchorRow.province)).all())
    lags = {lag.province: lag for lag in anchoring.lag(db)}
    now = timestamps.now()
    for province, last_seq, sealed_seq, last_batch in heads:
        p: dict[str, object] = {"province": province}
        yield "govtrace_records_total", p, last_seq
        yield "govtrace_records_pending_seal", p, last_seq - sealed_seq
        yield "govtrace_batches_sealed_total", p, last_batch
        yield "govtrace_batches_anchored_total", p, anchored.get(province, 0)
        lag = lags.get(province)
        yield "govtrace_batches_pending_anchor", p, lag.unanchored_batches if lag else 0
        yield "govtrace_records_pending_anchor", p, lag.unanchored_records if lag else 0
        age = 0.0
        if lag is not None and lag.oldest_sealed_at is not None:
            oldest = timestamps.parse(lag.oldest_sealed_at, field="sealed_at")
            age = max(0.0, (now - oldest).total_seconds())
        yield "govtrace_anchor_lag_seconds", p, round(age, 3)
    clock, workers = worker_status.workers(db)
    for w in workers:
        labels: dict[str, object] = {"worker": w.worker_id, "host": w.host}
        age = max(0.0, clock - w.heartbeat_at)
        yield "govtrace_worker_up", labels, int(age <= WORKER_STALE_SECONDS)
        yield "govtrace_worker_heartbeat_age_seconds", labels, round(age, 3)
        yield "govtrace_worker_chain_reachable", labels, int(w.chain_reachable)
        yield "govtrace_worker_backoff_seconds", labels, w.backoff_seconds
        yield "govtrace_worker_passes_total", labels, w.passes
        yield "govtrace_worker_stalled_provinces", labels, len(w.stalled)
    for held in lease.current(db):
        if held.expires_at > clock and held.name.startswith("province:"):
            yield ("govtrace_province_lease_token",
                   {"province": held.name.split(":", 1)[1], "holder": held.holder},
                   held.token)


def render(db: Database, *, calendar_days: int) -> str:
    """The exposition text; `calendar_days` is `Calendar.days_covered` of the app's today."""
    by_name: dict[str, list[str]] = {name: [] for name in _HELP}
    for name, labels, value in _samples(db):
        by_name[name].append(_line(name, labels, value))
    by_name["govtrace_calendar_days_covered"].append(
        _line("govtrace_calendar_days_covered", {}, calendar_days))
    out: list[str] = []
    for name, (kind, text) in _HELP.items():
        out += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", *by_name[name]]
    return "\n".join(out) + "\n"


@router.get(
    "/metrics", summary="Prometheus metrics",
    description="No authentication. Text exposition format 0.0.4: ingest, sealing and "
                "anchoring backlog per province, worker heartbeats and backoff, lease holders, "
                "days left in the working-day calendar.",
    responses={200: {"description": "The metrics.", "content": {CONTENT_TYPE: {}}}},
)
async def metrics(ctx: ContextDep, cw: CaseworkDep) -> Response:
    # The app's clock, like the deadlines the calendar serves (docs/api.md "Time").
    days = cw.calendar.days_covered(ctx.today())
    body = await run_in_threadpool(lambda: render(ctx.db, calendar_days=days))
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})

"""The worker's pass runs the supervision sweep (govtrace/worker.py), even while the chain is
unreachable: alerts must not wait for anchoring."""

from __future__ import annotations

from govtrace.chainsetup import ChainContext
from govtrace.worker import Worker, WorkerOptions
from ledger.batch import SealPolicy
from ledger.store import Database
from ledger.supervision import alerts, refresh
from ledger.supervision.config import SupervisionConfig
from ledger.workcalendar import Calendar
from tests.domain.conftest import submit, write
from tests.supervision.kit import now


def test_each_pass_sweeps_alerts_without_a_chain(ledger_db: Database) -> None:
    no = submit(ledger_db, day=2).case.case_no
    write(ledger_db, no, "accepted", 310000, day=3)
    sweeps: list[int] = []

    def no_chain() -> ChainContext:
        raise OSError("chain down")

    def supervise() -> None:
        sweeps.append(refresh.sweep(ledger_db, Calendar.load(), SupervisionConfig(), now(20)))

    worker = Worker(ledger_db, SealPolicy(), no_chain, WorkerOptions(lease_ttl=5),
                    supervise=supervise)
    try:
        worker.tick()
        worker.tick()
    finally:
        worker.close()
    assert sweeps == [1, 0]  # the case once, then nothing stale or due
    assert "chain down" in (worker.status.last_error or "")
    with ledger_db.snapshot() as s:
        page, _ = alerts.page(s, alerts.AlertFilter(case_no=no))
    assert {a["kind"] for a in page} == {"overdue", "stalled"}

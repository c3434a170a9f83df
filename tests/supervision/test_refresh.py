"""The materialised alerts on a real database: marked stale by the append that brings a step
(and only by one that commits), refreshed by the sweep when the clock runs, and ledger-aware:
each fact's anchoring status follows sealing and confirmation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ledger import anchoring, sealing, timestamps
from ledger.batch import SealPolicy
from ledger.errors import IllegalTransition
from ledger.store import Database
from ledger.store.schema import RecordRow
from ledger.store.supervision_schema import AlertRow, SupervisedCaseRow
from ledger.supervision import alerts, refresh
from ledger.supervision.config import SupervisionConfig
from ledger.workcalendar import Calendar
from tests.domain.conftest import submit, write
from tests.supervision.kit import now

CAL = Calendar.load()
CONFIG = SupervisionConfig()


def watch(db: Database, case_no: str) -> SupervisedCaseRow:
    with db.snapshot() as s:
        row = s.get(SupervisedCaseRow, case_no)
        assert row is not None
        return row


def case_alerts(db: Database, case_no: str) -> dict[str, dict[str, Any]]:
    with db.snapshot() as s:
        page, _ = alerts.page(s, alerts.AlertFilter(case_no=case_no))
    return {a["kind"]: a for a in page}


def test_a_step_marks_the_case_stale_in_its_own_transaction(ledger_db: Database) -> None:
    no = submit(ledger_db, day=2).case.case_no
    assert watch(ledger_db, no).stale
    assert refresh.refresh_cases(ledger_db, CAL, CONFIG, now(3)) == 1
    row = watch(ledger_db, no)
    assert not row.stale and row.next_check_at == "2026-11-03T16:00:00.000000Z"  # midnight CST
    with pytest.raises(IllegalTransition):
        write(ledger_db, no, "decided", 330000, {"decision": "approved"}, day=3)
    assert not watch(ledger_db, no).stale  # a refused step changed nothing
    write(ledger_db, no, "accepted", 310000, day=3)
    assert watch(ledger_db, no).stale
    assert refresh.refresh_cases(ledger_db, CAL, CONFIG, now(3)) == 1
    assert refresh.refresh_cases(ledger_db, CAL, CONFIG, now(3)) == 0  # nothing left to do


def test_the_sweep_follows_the_clock_without_new_steps(ledger_db: Database) -> None:
    # Shanghai receives, Zhejiang handles; 3 working days from Tuesday 3rd: due Friday 6th.
    no = submit(ledger_db, day=2).case.case_no
    write(ledger_db, no, "accepted", 310000, day=3)
    write(ledger_db, no, "forwarded", 310000, {"to_province": 330000}, day=3, hour=10)
    write(ledger_db, no, "received", 330000, {"from_province": 310000}, day=3, hour=11)
    refresh.sweep(ledger_db, CAL, CONFIG, now(3))
    assert case_alerts(ledger_db, no) == {}
    assert refresh.sweep(ledger_db, CAL, CONFIG, now(3, 18)) == 0  # not yet midnight
    assert refresh.sweep(ledger_db, CAL, CONFIG, now(5)) == 1
    assert set(case_alerts(ledger_db, no)) == {"due_soon"}
    refresh.sweep(ledger_db, CAL, CONFIG, now(9))
    found = case_alerts(ledger_db, no)
    assert set(found) == {"overdue"} and found["overdue"]["province"] == 330000
    raised = found["overdue"]["raised_at"]
    refresh.sweep(ledger_db, CAL, CONFIG, now(10))
    assert case_alerts(ledger_db, no)["overdue"]["raised_at"] == raised  # kept while it holds
    write(ledger_db, no, "review_started", 330000, day=10)
    refresh.ensure_current(ledger_db, CAL, CONFIG, now(10))  # a read refreshes stale cases
    assert "overdue" in case_alerts(ledger_db, no)


def test_facts_turn_anchored_after_sealing_and_confirmation(ledger_db: Database) -> None:
    no = submit(ledger_db, day=2).case.case_no
    accepted = write(ledger_db, no, "accepted", 310000, day=3)
    refresh.sweep(ledger_db, CAL, CONFIG, now(9))
    alert = case_alerts(ledger_db, no)["overdue"]
    [fact] = alert["facts"]
    assert fact["record_id"] == accepted.record.record_id
    assert fact["leaf_hash"] == "0x" + accepted.leaf_hash.hex()
    assert fact["status"] == "pending" and alert["anchored"] is False
    [batch] = sealing.seal_due(ledger_db, SealPolicy(), force=True)
    assert case_alerts(ledger_db, no)["overdue"]["facts"][0]["status"] == "sealed"
    anchoring.record_confirmed(ledger_db, batch, chain_id=31337, contract="0x" + "11" * 20,
                               tx_hash="0x" + "22" * 32, block_number=7,
                               block_hash="0x" + "33" * 32, gas_used=50_000)
    alert = case_alerts(ledger_db, no)["overdue"]
    assert alert["anchored"] is True
    assert alert["facts"][0]["tx_hash"] == "0x" + "22" * 32


def test_anchor_lag_per_province_at_its_threshold(ledger_db: Database) -> None:
    submit(ledger_db, day=2)
    with ledger_db.snapshot() as s:
        recorded = timestamps.parse(s.scalars(select(RecordRow.recorded_at)).one(), field="r")
    config = SupervisionConfig(anchor_lag_alert_seconds=600)
    refresh.refresh_global(ledger_db, config, recorded + timedelta(seconds=599))
    with ledger_db.snapshot() as s:
        assert s.scalars(select(AlertRow).where(AlertRow.kind == "anchor_lag")).all() == []
    refresh.refresh_global(ledger_db, config, recorded + timedelta(seconds=601))
    with ledger_db.snapshot() as s:
        [lag] = alerts.page(s, alerts.AlertFilter(kind="anchor_lag"))[0]
    assert lag["province"] == 310000 and lag["facts"][0]["status"] == "pending"
    assert "1 record(s) not anchored" in lag["reason"]
    [batch] = sealing.seal_due(ledger_db, SealPolicy(), force=True)
    refresh.refresh_global(ledger_db, config, recorded + timedelta(seconds=900))
    with ledger_db.snapshot() as s:  # sealed is not anchored: still lagging
        assert len(alerts.page(s, alerts.AlertFilter(kind="anchor_lag"))[0]) == 1
    anchoring.record_confirmed(ledger_db, batch, chain_id=1, contract="0x" + "11" * 20,
                               tx_hash="0x" + "22" * 32, block_number=1,
                               block_hash="0x" + "33" * 32, gas_used=None)
    refresh.refresh_global(ledger_db, config, recorded + timedelta(seconds=900))
    with ledger_db.snapshot() as s:
        assert alerts.page(s, alerts.AlertFilter(kind="anchor_lag"))[0] == []


def test_refusal_rate_per_item_above_threshold_and_minimum(ledger_db: Database) -> None:
    item = "310000-PSB-RESIDENCE-PERMIT"
    nos = [submit(ledger_db, item=item, day=2).case.case_no for _ in range(5)]
    for no in nos[:3]:
        write(ledger_db, no, "accepted", 310000, day=3)
    write(ledger_db, nos[3], "refused", 310000, {"reason": "材料不全"}, day=3)

    def rate_alerts() -> list[dict[str, object]]:
        refresh.refresh_global(ledger_db, CONFIG, now(5))
        with ledger_db.snapshot() as s:
            return alerts.page(s, alerts.AlertFilter(kind="refusal_rate"))[0]

    assert rate_alerts() == []  # 4 outcomes: below the minimum of 5
    write(ledger_db, nos[4], "refused", 310000, {"reason": "材料不全"}, day=3)
    [alert] = rate_alerts()  # 2 of 5 = 40% > 30%
    facts = alert["facts"]
    assert isinstance(facts, list)
    assert alert["item_code"] == item and alert["severity"] == "yellow"
    assert "2 of 5 cases refused at intake (40%" in str(alert["reason"])
    assert len(facts) == 2
    refresh.refresh_global(ledger_db, SupervisionConfig(refusal_rate_threshold=0.4), now(5))
    with ledger_db.snapshot() as s:  # exactly at the threshold is not above it
        assert alerts.page(s, alerts.AlertFilter(kind="refusal_rate"))[0] == []

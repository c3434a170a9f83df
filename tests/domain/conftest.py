"""Domain fixtures: a real SQLite ledger with the sample catalogue, and helpers that submit
cases and write steps through the same ledger functions the API uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ledger import case, catalogue
from ledger import unit_of_work as uow
from ledger.ingest import Appended
from ledger.store import Database
from tests.api_domain.kit import AH, BL_ZJ, CROSS_PATH, SH, ZJ, applicant, at

__all__ = ["AH", "BL_ZJ", "CROSS_PATH", "SH", "ZJ", "Stepper", "at"]

Stepper = Callable[..., Appended]


@pytest.fixture
def ledger_db(db: Database) -> Database:
    items = catalogue.sample()
    uow.run(db, lambda s: catalogue.save(s, items))
    return db


def submit(db: Database, item: str = BL_ZJ, province: int = SH, day: int = 2,
           **extra: Any) -> case.Submitted:
    body = {"item_code": item, "applicant": applicant(),
            "actor": {"department": f"D{province}"}, "occurred_at": at(day, 8), **extra}
    return case.submit(db, case.Submission.from_json(body, province))


def write(db: Database, case_no: str, step: str, province: int,
          payload: dict[str, Any] | None = None, day: int = 3, hour: int = 9,
          **extra: Any) -> Appended:
    body = {"step": step, "actor": {"department": f"D{province}"}, "payload": payload or {},
            "occurred_at": at(day, hour), **extra}
    return case.record_step(db, case.step_draft(case_no, province, body))


def cross_path(db: Database, case_no: str, upto: int = len(CROSS_PATH)) -> None:
    for i, (step, province, payload) in enumerate(CROSS_PATH[:upto]):
        write(db, case_no, step, province, payload, day=3 + i)

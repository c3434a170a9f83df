"""Building recorded case histories for the pure rules: steps at China-time dates of November
2026 (Monday the 2nd is day 2), each with a made-up but well-formed fact."""

from __future__ import annotations

import itertools
from datetime import datetime

from ledger import timestamps
from ledger.supervision.config import Fact
from ledger.supervision.rules import CaseHistory, Step
from ledger.workcalendar import CHINA, Calendar

SH, ZJ = 310000, 330000
_seq = itertools.count(1)
WEEKENDS = Calendar.weekends_only()
#: Monday 9 November is a holiday; Saturday 14 November a make-up working day.
HOLIDAYS = Calendar.from_json({"name": "test", "years": [2026], "holidays": ["2026-11-09"],
                               "workdays": ["2026-11-14"]})


def at(day: int, hour: int = 10) -> str:
    return timestamps.render(datetime(2026, 11, day, hour, tzinfo=CHINA))


def now(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=CHINA)


def step(name: str, province: int, day: int, hour: int = 10) -> Step:
    n = next(_seq)
    return Step(name, province, at(day, hour),
                Fact(f"00000000-0000-4000-8000-{n:012d}", province, n, "0x" + f"{n:064x}"))


def history(*steps: tuple[str, int, int], promised: int = 3, review: bool = True,
            delivery: bool = True, receiving: int = SH, handling: int = SH) -> CaseHistory:
    """A case whose recorded steps are (name, province, day), starting with its submission."""
    recorded = (step("submitted", receiving, 2, 8), *(step(n, p, d) for n, p, d in steps))
    return CaseHistory("310000-20261102-000001", "310000-AMR-BL-CHANGE", receiving, handling,
                       promised, review, delivery, recorded)


def local(name: str, day: int) -> tuple[str, int, int]:
    return (name, SH, day)

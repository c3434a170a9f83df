"""Due dates from promised time limits (承诺时限), in working days.

Rules (docs/cases.md §Deadlines):
- the clock starts on acceptance (受理); the day of acceptance does not count (期间开始之日不
  计算在内), so a limit of N working days ends on the N-th working day after it;
- weekends and public holidays do not count; make-up working days (调休) do;
- a special procedure (特别程序) stops the clock: a suspension on day s resumed on day r
  removes days s+1 .. r (the same "first day does not count" rule); while a suspension is
  open the due date is projected as if the case resumed today;
- completion (办结) stops the clock for good; a case is late when it completes after its due
  date, or when today is past the due date and it is not complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from .workcalendar import Calendar

Clock = Literal["not_started", "running", "stopped", "finished"]
_ONE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Suspension:
    start: date
    end: date | None  # None: still suspended


@dataclass(frozen=True, slots=True)
class Deadline:
    promised_days: int
    clock: Clock
    due_date: date | None
    working_days_used: int
    #: Negative when overdue.
    working_days_left: int | None
    suspended_working_days: int
    late: bool
    #: False when some counted day lies outside the calendar's years (weekends only there).
    calendar_covers: bool

    def to_json(self) -> dict[str, Any]:
        return {"promised_days": self.promised_days, "clock": self.clock,
                "due_date": None if self.due_date is None else self.due_date.isoformat(),
                "working_days_used": self.working_days_used,
                "working_days_left": self.working_days_left,
                "suspended_working_days": self.suspended_working_days, "late": self.late,
                "calendar_covers": self.calendar_covers}


def compute(calendar: Calendar, promised_days: int, *, accepted_on: date | None,
            suspensions: Sequence[Suspension] = (), completed_on: date | None = None,
            today: date) -> Deadline:
    if accepted_on is None:
        return Deadline(promised_days, "not_started", None, 0, None, 0, False, True)
    if promised_days < 1:
        raise ValueError("promised_days must be at least 1")
    # Stopped intervals (start, end], an open one ending today for the projection.
    stopped = [(s.start, s.end or max(today, s.start)) for s in suspensions]

    def counts(d: date) -> bool:
        return calendar.is_workday(d) and not any(a < d <= b for a, b in stopped)

    due, n, d = accepted_on, 0, accepted_on
    while n < promised_days:
        d += _ONE
        if counts(d):
            n += 1
            due = d
    end = completed_on or today
    used = suspended = 0
    d = accepted_on + _ONE
    while d <= end:
        if counts(d):
            used += 1
        elif calendar.is_workday(d):
            suspended += 1
        d += _ONE
    if completed_on is not None:
        clock: Clock = "finished"
    elif any(s.end is None for s in suspensions):
        clock = "stopped"
    else:
        clock = "running"
    late = (completed_on or today) > due
    last = max(due, end)
    covers = all(y in calendar.years for y in range(accepted_on.year, last.year + 1))
    return Deadline(promised_days, clock, due, used, promised_days - used, suspended, late,
                    covers)

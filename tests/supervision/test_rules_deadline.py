"""Deadline rules (overdue, due soon) on recorded steps: working days, weekends, holidays,
make-up days and suspensions, each at its boundary."""

from __future__ import annotations

from ledger.supervision.config import SupervisionConfig
from ledger.supervision.rules import case_alerts, working_days_between
from ledger.workcalendar import Calendar
from tests.supervision.kit import HOLIDAYS, WEEKENDS, history, local, now

CONFIG = SupervisionConfig()


def kinds(h: object, day: int, calendar: Calendar = WEEKENDS,
          config: SupervisionConfig = CONFIG) -> dict[str, str]:
    return {a.kind: a.severity for a in case_alerts(h, calendar, config, now(day))}  # type: ignore[arg-type]


def test_working_days_between_skips_weekends_and_holidays_and_counts_make_up_days() -> None:
    d = now(2).date()  # Monday
    assert working_days_between(WEEKENDS, d, d) == 0
    assert working_days_between(WEEKENDS, d, now(8).date()) == 4  # Tue..Fri
    assert working_days_between(HOLIDAYS, d, now(9).date()) == 4  # Mon 9th is a holiday
    assert working_days_between(HOLIDAYS, now(13).date(), now(14).date()) == 1  # make-up Sat


def test_due_soon_then_overdue_around_the_due_date() -> None:
    # Accepted Monday 2nd, 3 working days: due Thursday 5th (acceptance day not counted).
    h = history(local("accepted", 2))
    assert kinds(h, 3) == {}  # 2 days left
    assert kinds(h, 4) == {"due_soon": "yellow"}  # 1 left
    assert kinds(h, 5) == {"due_soon": "yellow"}  # due today
    assert kinds(h, 6) == {"overdue": "red"}
    [alert] = case_alerts(h, WEEKENDS, CONFIG, now(6))
    assert "2026-11-05" in alert.reason and "1 working day(s) past" in alert.reason
    assert alert.facts == (h.steps[1].fact,)  # the acceptance started the clock


def test_due_soon_margin_is_configurable() -> None:
    h = history(local("accepted", 2))
    assert kinds(h, 3, config=SupervisionConfig(due_soon_working_days=2)) == {
        "due_soon": "yellow"}
    assert kinds(h, 4, config=SupervisionConfig(due_soon_working_days=0)) == {}


def test_weekends_and_holidays_push_the_due_date() -> None:
    # Accepted Thursday 5th: Fri 6 (1), Mon 9 (2), Tue 10 (3) with weekends only ...
    h = history(local("accepted", 5))
    assert kinds(h, 7) == {}  # Saturday: 2 left
    assert kinds(h, 9) == {"due_soon": "yellow"}
    assert kinds(h, 11) == {"overdue": "red"}
    # ... but Monday 9th is a holiday: Fri 6, Tue 10, Wed 11.
    assert kinds(h, 9, HOLIDAYS) == {}
    assert kinds(h, 11, HOLIDAYS) == {"due_soon": "yellow"}
    assert kinds(h, 12, HOLIDAYS) == {"overdue": "red"}


def test_a_suspension_stops_the_clock() -> None:
    # Suspended Tue 3rd, resumed Fri 6th: days 4-6 do not count; due Tue 10th, not Thu 5th.
    h = history(local("accepted", 2), local("review_started", 2), local("suspended", 3),
                local("resumed", 6), promised=3)
    assert kinds(h, 6) == {}
    assert kinds(h, 9) == {"due_soon": "yellow"}
    assert kinds(h, 11) == {"overdue": "red"}
    [alert] = case_alerts(h, WEEKENDS, CONFIG, now(11))
    assert "3 suspended" in alert.reason
    assert [f.seq for f in alert.facts] == [h.steps[i].fact.seq for i in (1, 3, 4)]


def test_no_due_soon_while_suspended() -> None:
    h = history(local("accepted", 2), local("review_started", 2), local("suspended", 4))
    assert kinds(h, 5) == {}  # without the suspension: due today
    assert kinds(h, 20) == {}  # the special procedure may take long: not late, not stalled


def test_completion_stops_the_clock_and_late_completion_stays_red() -> None:
    on_time = history(local("accepted", 2), local("review_started", 3), local("decided", 5),
                      local("completed", 5), local("delivered", 5))
    assert kinds(on_time, 30) == {}
    late = history(local("accepted", 2), local("review_started", 3), local("decided", 6),
                   local("completed", 6), delivery=False)
    [alert] = case_alerts(late, WEEKENDS, CONFIG, now(30))
    assert (alert.kind, alert.severity) == ("overdue", "red")
    assert "completed on 2026-11-06" in alert.reason
    assert late.steps[-1].fact in alert.facts


def test_no_deadline_before_acceptance() -> None:
    assert kinds(history(), 30) == {"stalled": "yellow"}  # waiting to be accepted
    refused = history(local("refused", 3))
    assert kinds(refused, 30) == {}

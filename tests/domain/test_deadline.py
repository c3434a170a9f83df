"""Working-day deadlines: weekends, 2026 PRC holidays and make-up working days (调休),
special procedures that stop the clock, lateness, and calendar files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from ledger import deadline
from ledger.deadline import Suspension
from ledger.errors import InvalidInput
from ledger.workcalendar import Calendar, local_date

CAL = Calendar.load()
D = date.fromisoformat


def due(accepted: str, days: int, calendar: Calendar = CAL, *, today: str = "2026-11-25",
        suspensions: Sequence[Suspension] = (), completed_on: date | None = None
        ) -> deadline.Deadline:
    return deadline.compute(calendar, days, accepted_on=D(accepted), today=D(today),
                            suspensions=suspensions, completed_on=completed_on)


def test_the_shipped_calendar_is_the_2026_prc_one() -> None:
    assert CAL.years == frozenset({2026})
    assert not CAL.is_workday(D("2026-10-01")) and not CAL.is_workday(D("2026-02-17"))
    assert CAL.is_workday(D("2026-10-10"))  # a Saturday worked in exchange (调休)
    assert CAL.is_workday(D("2026-09-20"))  # a Sunday worked
    assert not CAL.is_workday(D("2026-11-28")) and CAL.is_workday(D("2026-11-27"))


@pytest.mark.parametrize(("accepted", "days", "expected"), [
    ("2026-11-20", 1, "2026-11-23"),  # Friday + 1: the weekend does not count
    ("2026-11-23", 5, "2026-11-30"),
    ("2026-09-18", 3, "2026-09-22"),  # Sunday 20 September is a make-up working day
    ("2026-09-30", 5, "2026-10-13"),  # National Day week off, Saturday 10 October worked
    ("2026-02-13", 3, "2026-02-25"),  # Spring Festival: Sat 14 Feb worked, 15-23 off
    ("2026-04-03", 1, "2026-04-07"),  # Qingming 4-6 April
])
def test_due_dates_skip_weekends_and_holidays_and_count_make_up_days(
        accepted: str, days: int, expected: str) -> None:
    assert due(accepted, days).due_date == D(expected)


def test_weekends_only_calendar_ignores_holidays() -> None:
    assert due("2026-09-30", 1, Calendar.weekends_only()).due_date == D("2026-10-01")


def test_a_suspension_stops_the_clock_from_the_day_after_it_until_resumption() -> None:
    plain = due("2026-11-02", 5, today="2026-11-20")
    assert plain.due_date == D("2026-11-09")
    s = due("2026-11-02", 5, today="2026-11-20",
            suspensions=[Suspension(D("2026-11-04"), D("2026-11-09"))])
    # Thu 5, Fri 6 and Mon 9 do not count: 3, 4, 10, 11, 12 do.
    assert s.due_date == D("2026-11-12")
    assert s.suspended_working_days == 3
    assert s.clock == "running"


def test_an_open_suspension_projects_the_due_date_as_if_resumed_today() -> None:
    s = due("2026-11-02", 5, today="2026-11-06",
            suspensions=[Suspension(D("2026-11-04"), None)])
    assert s.clock == "stopped"
    assert s.due_date == D("2026-11-11")
    assert s.working_days_used == 2 and s.working_days_left == 3 and not s.late


def test_two_suspensions_add_up() -> None:
    s = due("2026-11-02", 3, today="2026-11-30",
            suspensions=[Suspension(D("2026-11-03"), D("2026-11-04")),
                         Suspension(D("2026-11-05"), D("2026-11-06"))])
    # Counted: Tue 3, Thu 5, Mon 9 (Wed 4 and Fri 6 are stopped).
    assert s.due_date == D("2026-11-09") and s.suspended_working_days == 2


def test_lateness_is_judged_at_completion_or_today() -> None:
    on_time = due("2026-11-02", 3, completed_on=D("2026-11-05"))
    assert on_time.due_date == D("2026-11-05") and not on_time.late
    assert on_time.clock == "finished" and on_time.working_days_left == 0
    late = due("2026-11-02", 3, completed_on=D("2026-11-06"))
    assert late.late and late.working_days_left == -1
    running_late = due("2026-11-02", 3, today="2026-11-10")
    assert running_late.late and running_late.clock == "running"
    assert running_late.working_days_used == 6


def test_before_acceptance_the_clock_has_not_started() -> None:
    d = deadline.compute(CAL, 3, accepted_on=None, today=D("2026-11-25"))
    assert d.clock == "not_started" and d.due_date is None and not d.late


def test_a_deadline_beyond_the_calendar_says_so() -> None:
    assert not due("2026-12-28", 5).calendar_covers
    assert due("2026-12-01", 5).calendar_covers


def test_china_time_decides_the_day() -> None:
    assert local_date("2026-11-24T16:30:00Z") == D("2026-11-25")  # 00:30 in Beijing
    assert local_date("2026-11-24T15:59:59Z") == D("2026-11-24")


@pytest.mark.parametrize(("obj", "field"), [
    ({"years": [2026], "holidays": ["2026-10-01"], "workdays": ["2026-10-01"]}, "workdays"),
    ({"years": [2026], "workdays": ["2026-10-09"]}, "workdays"),  # a Friday
    ({"years": [2027], "holidays": ["2026-10-01"]}, "years"),
    ({"years": [2026], "holidays": ["2026-02-30"]}, "holidays"),
    ({"years": "2026"}, "years"),
])
def test_calendar_files_are_validated(obj: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        Calendar.from_json(obj)
    assert info.value.field == field


def test_calendar_loads_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cal.json"
    path.write_text(json.dumps({"name": "test", "years": [2027],
                                "holidays": ["2027-01-01"], "workdays": ["2027-01-02"]}))
    cal = Calendar.load(path)
    assert not cal.is_workday(D("2027-01-01")) and cal.is_workday(D("2027-01-02"))
    assert cal.covers(D("2027-06-01")) and not cal.covers(D("2026-06-01"))


@pytest.mark.parametrize(("years", "today", "days"), [
    ([2026], "2026-11-25", 37),            # through 31 December, today included
    ([2026], "2026-12-31", 1),
    ([2026], "2027-01-01", 0),             # past the calendar: deadlines count weekends only
    ([2026], "2025-12-31", 0),             # before it too
    ([2026, 2027], "2026-11-25", 402),     # consecutive years run on
    ([2026, 2028], "2026-11-25", 37),      # a missing year ends the run
    ([], "2026-11-25", 0),
])
def test_days_covered_counts_to_the_end_of_the_unbroken_run(
        years: list[int], today: str, days: int) -> None:
    assert Calendar.from_json({"years": years}).days_covered(D(today)) == days

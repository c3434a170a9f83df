"""Rules on the recorded sequence: stalled, forwarded but never received, out of order or
missing steps (replayed from the records, not taken from the case row), and when a case must
next be looked at."""

from __future__ import annotations

from datetime import datetime

from ledger.supervision.config import SupervisionConfig
from ledger.supervision.rules import CaseHistory, case_alerts, next_check
from ledger.workcalendar import CHINA
from tests.supervision.kit import HOLIDAYS, SH, WEEKENDS, ZJ, history, local, now

LONG = 60  # promised days long enough that no deadline rule interferes
CONFIG = SupervisionConfig()


def alerts(h: CaseHistory, day: int, config: SupervisionConfig = CONFIG,
           holidays: bool = False) -> dict[str, str]:
    return {a.kind: a.reason for a in case_alerts(h, HOLIDAYS if holidays else WEEKENDS,
                                                   config, now(day))}


def test_stalled_after_the_configured_working_days() -> None:
    h = history(local("accepted", 2), promised=LONG)  # last step Monday 2nd
    assert "stalled" not in alerts(h, 6)  # 4 working days
    assert "stalled" not in alerts(h, 8)  # the weekend does not count
    assert "no step for 5 working days" in alerts(h, 9)["stalled"]
    assert "stalled" not in alerts(h, 9, holidays=True)  # Monday 9th is a holiday there
    assert "stalled" in alerts(h, 4, SupervisionConfig(stalled_after_working_days=2))
    [alert] = case_alerts(h, WEEKENDS, CONFIG, now(9))
    assert alert.facts == (h.steps[-1].fact,) and alert.province == SH


def test_not_stalled_while_waiting_on_the_applicant_or_done() -> None:
    waiting = history(("supplement_requested", SH, 2), promised=LONG)
    assert alerts(waiting, 30) == {}
    done = history(local("accepted", 2), local("review_started", 2), local("decided", 3),
                   local("completed", 3), local("delivered", 3), promised=LONG)
    assert alerts(done, 30) == {}
    no_delivery = history(local("accepted", 2), local("review_started", 2),
                          local("decided", 3), local("completed", 3), promised=LONG,
                          delivery=False)
    assert alerts(no_delivery, 30) == {}


def test_forwarded_but_not_received() -> None:
    h = history(("accepted", SH, 5), ("forwarded", SH, 6), promised=LONG, handling=ZJ)
    assert alerts(h, 6) == {} and alerts(h, 8) == {}  # Friday, then the weekend
    found = alerts(h, 9)
    assert "forwarded to 330000 on 2026-11-06" in found["not_received"]
    assert "stalled" not in alerts(h, 20)  # the missing receipt is the one alert
    [alert] = case_alerts(h, WEEKENDS, CONFIG, now(9))
    assert alert.severity == "red" and alert.province == ZJ
    received = history(("accepted", SH, 5), ("forwarded", SH, 6), ("received", ZJ, 9),
                       promised=LONG, handling=ZJ)
    assert "not_received" not in alerts(received, 20)


def test_a_legal_sequence_is_in_order() -> None:
    h = history(("accepted", SH, 2), ("forwarded", SH, 2), ("received", ZJ, 3),
                ("review_started", ZJ, 3), ("suspended", ZJ, 3), ("resumed", ZJ, 4),
                ("decided", ZJ, 4), ("completed", ZJ, 4), ("delivered", ZJ, 4),
                ("evaluated", ZJ, 5), promised=LONG, handling=ZJ)
    assert alerts(h, 30) == {}


def test_decided_without_review() -> None:
    h = history(local("accepted", 2), local("decided", 3), promised=LONG)
    reason = alerts(h, 3)["out_of_order"]
    assert "decided without review_started" in reason
    [alert] = [a for a in case_alerts(h, WEEKENDS, CONFIG, now(3)) if a.kind == "out_of_order"]
    assert alert.severity == "red" and alert.facts == (h.steps[2].fact,)
    # An item that needs no review (即办件) may decide straight after intake.
    assert "out_of_order" not in alerts(history(local("accepted", 2), local("decided", 3),
                                                promised=LONG, review=False), 3)


def test_completed_without_decision_and_delivered_without_completion() -> None:
    h = history(local("accepted", 2), local("review_started", 2), local("completed", 3),
                local("delivered", 3), promised=LONG)
    reason = alerts(h, 3)["out_of_order"]
    assert "completed without decided" in reason
    # The replay follows the records: after the (illegal) completion, delivery is legal.
    assert "delivered" not in reason
    skipped = history(local("accepted", 2), local("review_started", 2), local("decided", 2),
                      local("delivered", 3), promised=LONG)
    assert "delivered without completed" in alerts(skipped, 3)["out_of_order"]


def test_received_without_forward_wrong_writer_and_time_going_back() -> None:
    h = history(("accepted", SH, 2), ("received", ZJ, 3), promised=LONG, handling=ZJ)
    assert "received without forwarded" in alerts(h, 3)["out_of_order"]
    wrong = history(("accepted", ZJ, 2), promised=LONG, handling=ZJ)
    assert "written by province 330000; the state machine gives it to 310000" in \
        alerts(wrong, 2)["out_of_order"]
    back = history(local("accepted", 5), local("review_started", 3), promised=LONG)
    assert "before the step recorded ahead of it" in alerts(back, 5)["out_of_order"]


def test_next_check_is_the_next_local_midnight_while_open() -> None:
    open_case = history(local("accepted", 2), promised=LONG)
    late_evening = datetime(2026, 11, 3, 23, 59, tzinfo=CHINA)
    assert next_check(open_case, late_evening) == datetime(2026, 11, 4, tzinfo=CHINA)
    assert next_check(open_case, datetime(2026, 11, 4, tzinfo=CHINA)) == \
        datetime(2026, 11, 5, tzinfo=CHINA)
    done = history(local("refused", 2))
    assert next_check(done, late_evening) is None

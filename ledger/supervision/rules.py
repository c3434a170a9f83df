"""The per-case supervision rules: pure functions of a case's *recorded* steps, its promised
time limit, the working-day calendar and the current time.

The steps are taken as recorded (chain order), not as the case row says: the state machine
refuses illegal steps on every append path, yet records can still reach a database around it
(a restore, a direct write, tampering), and supervision must see what was recorded. So the
rules replay the steps through the state machine themselves, and derive acceptance,
suspensions and completion from the records too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .. import casesteps, deadline
from ..workcalendar import CHINA, Calendar, local_date
from .config import AlertDraft, Fact, SupervisionConfig

_ONE = timedelta(days=1)
#: States waiting on nobody in government: nothing time-based can fire any more.
_DONE = frozenset({"evaluated", "refused", "delivered"})
#: Waiting on the applicant (补正) or in a special procedure: the government is not late.
_NOT_GOVERNMENT = frozenset({"supplement_requested", "suspended"})
#: What must have been recorded before a step; its absence names the missing step.
_NEEDS = {"decided": "review_started", "completed": "decided", "delivered": "completed",
          "received": "forwarded", "forwarded": "accepted", "evaluated": "delivered"}


@dataclass(frozen=True, slots=True)
class Step:
    step: str  # case step name, or the raw kind when it is not one
    province: int
    occurred_at: str  # canonical UTC
    fact: Fact


@dataclass(frozen=True, slots=True)
class CaseHistory:
    case_no: str
    item_code: str
    receiving: int
    handling: int
    promised_days: int
    requires_review: bool
    requires_delivery: bool
    steps: tuple[Step, ...]


@dataclass(slots=True)
class Replay:
    """What the recorded steps say, and where they broke the state machine."""

    state: str = casesteps.NEW
    accepted: Step | None = None
    completed: Step | None = None
    open_forward: Step | None = None
    suspensions: list[deadline.Suspension] = field(default_factory=list)
    suspension_facts: list[Fact] = field(default_factory=list)
    problems: list[tuple[Step, str]] = field(default_factory=list)


def working_days_between(calendar: Calendar, start: date, end: date) -> int:
    """Working days d with start < d <= end (the first day does not count, as for limits)."""
    n, d = 0, start + _ONE
    while d <= end:
        n += calendar.is_workday(d)
        d += _ONE
    return n


def replay(case: CaseHistory) -> Replay:
    r = Replay()
    seen: set[str] = set()
    previous: str | None = None
    for s in case.steps:
        facts = casesteps.CaseFacts(r.state, case.receiving, case.handling,
                                    case.requires_review, case.requires_delivery)
        r.problems.extend((s, why) for why in _check(s, facts, seen, previous))
        previous = s.occurred_at
        if s.step not in casesteps.STEPS:
            continue
        seen.add(s.step)
        r.state = casesteps.STEPS[s.step][1]
        on = local_date(s.occurred_at)
        if s.step == "accepted" and r.accepted is None:
            r.accepted = s
        elif s.step == "completed" and r.completed is None:
            r.completed = s
        elif s.step == "forwarded":
            r.open_forward = s
        elif s.step == "received":
            r.open_forward = None
        elif s.step == "suspended":
            r.suspensions.append(deadline.Suspension(on, None))
            r.suspension_facts.append(s.fact)
        elif s.step == "resumed" and r.suspensions and r.suspensions[-1].end is None:
            r.suspensions[-1] = deadline.Suspension(r.suspensions[-1].start, on)
            r.suspension_facts.append(s.fact)
    return r


def _check(s: Step, f: casesteps.CaseFacts, seen: set[str], previous: str | None
           ) -> list[str]:
    if s.step not in casesteps.STEPS:
        return [f"{s.step} is not a case step"]
    out = []
    if f.state not in casesteps.sources(s.step, f):
        need = _NEEDS.get(s.step)
        if s.step == "decided" and not f.requires_review:
            need = None
        if s.step == "evaluated" and (not f.requires_delivery or f.state == "refused"):
            need = None
        if need is not None and need not in seen:
            out.append(f"{s.step} without {need}: the {need} step was never recorded")
        else:
            out.append(f"{s.step} recorded while the case was {f.state}")
    writer = casesteps.writer(s.step, f)
    if s.province != writer:
        out.append(f"{s.step} written by province {s.province}; the state machine gives it "
                   f"to {writer}")
    if previous is not None and s.occurred_at < previous:
        out.append(f"{s.step} occurred at {s.occurred_at}, before the step recorded ahead of "
                   "it")
    return out


def _alert(case: CaseHistory, kind: str, severity: str, province: int, reason: str,
           facts: Sequence[Fact]) -> AlertDraft:
    return AlertDraft(kind, severity, "case", case.case_no, province, reason, tuple(facts),
                      case.item_code)


def _whose_move(case: CaseHistory, state: str) -> int:
    cross = case.receiving != case.handling
    if state in ("submitted", "supplement_requested") or (state == "accepted" and cross):
        return case.receiving
    return case.handling


def case_alerts(case: CaseHistory, calendar: Calendar, config: SupervisionConfig,
                now: datetime) -> list[AlertDraft]:
    """Every alert that holds for `case` at `now`."""
    r = replay(case)
    today = local_date(now)
    out: list[AlertDraft] = []
    if r.problems:
        first = r.problems[0][0]
        out.append(_alert(case, "out_of_order", "red", first.province,
                          "; ".join(why for _, why in r.problems),
                          list(dict.fromkeys(s.fact for s, _ in r.problems))))
    out.extend(_deadline_alerts(case, r, calendar, config, today))
    if r.state in _DONE or r.state in _NOT_GOVERNMENT or not case.steps \
            or (r.state == "completed" and not case.requires_delivery):
        return out
    last = case.steps[-1]
    if r.open_forward is not None and r.state == "forwarded":
        since = local_date(r.open_forward.occurred_at)
        waited = working_days_between(calendar, since, today)
        if waited >= config.receive_within_working_days:
            out.append(_alert(case, "not_received", "red", case.handling,
                              f"forwarded to {case.handling} on {since} and not received "
                              f"after {waited} working day(s)", [r.open_forward.fact]))
        return out  # the forward is the step missing: not_received says it, not stalled
    idle = working_days_between(calendar, local_date(last.occurred_at), today)
    if idle >= config.stalled_after_working_days:
        out.append(_alert(case, "stalled", "yellow", _whose_move(case, r.state),
                          f"no step for {idle} working days since {last.step} on "
                          f"{local_date(last.occurred_at)} (case is {r.state})", [last.fact]))
    return out


def _deadline_alerts(case: CaseHistory, r: Replay, calendar: Calendar,
                     config: SupervisionConfig, today: date) -> list[AlertDraft]:
    if r.accepted is None:
        return []
    completed_on = None if r.completed is None else local_date(r.completed.occurred_at)
    d = deadline.compute(calendar, case.promised_days,
                         accepted_on=local_date(r.accepted.occurred_at),
                         suspensions=r.suspensions, completed_on=completed_on, today=today)
    basis = [r.accepted.fact, *r.suspension_facts]
    assert d.due_date is not None
    assert d.working_days_left is not None
    if d.late and r.completed is not None:
        return [_alert(case, "overdue", "red", case.handling,
                       f"completed on {completed_on}, after the due date {d.due_date} "
                       f"({case.promised_days} working days)", [*basis, r.completed.fact])]
    if d.late:
        return [_alert(case, "overdue", "red", case.handling,
                       f"{-d.working_days_left} working day(s) past the due date "
                       f"{d.due_date} ({case.promised_days} working days, "
                       f"{d.suspended_working_days} suspended); case is {r.state}", basis)]
    if r.completed is None and d.clock == "running" \
            and d.working_days_left <= config.due_soon_working_days:
        when = "today" if d.working_days_left == 0 else f"in {d.working_days_left} working day(s)"
        return [_alert(case, "due_soon", "yellow", case.handling,
                       f"due {when}, on {d.due_date}; case is {r.state}", basis)]
    return []


def next_check(case: CaseHistory, now: datetime) -> datetime | None:
    """When the clock alone could next change this case's alerts: every rule counts whole
    local days, so the next midnight in China, unless nothing time-based can fire."""
    r = replay(case)
    if r.state in _DONE or (r.state == "completed" and not case.requires_delivery):
        return None
    local = now.astimezone(CHINA)
    midnight = datetime.combine(local.date() + _ONE, datetime.min.time(), tzinfo=CHINA)
    return midnight


"""The parameters of the supervision rules and the vocabulary of their alerts.

Passed explicitly to every rule (govtrace.settings builds it from GOVTRACE_* variables), so
tests and deployments choose their thresholds without globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Alert severities, most urgent first. Red needs action now (past a deadline, or a record
#: sequence the state machine forbids); yellow warns (close to a deadline, slow, drifting).
SEVERITIES = ("red", "yellow")
KINDS = ("overdue", "due_soon", "stalled", "out_of_order", "not_received", "anchor_lag",
         "refusal_rate", "denial_rate")


@dataclass(frozen=True, slots=True)
class SupervisionConfig:
    #: Yellow when at most this many working days of the promised limit are left.
    due_soon_working_days: int = 1
    #: An open case with no step for this many working days is stalled.
    stalled_after_working_days: int = 5
    #: A forwarded case not received within this many working days.
    receive_within_working_days: int = 1
    #: Records not anchored (confirmed) this long after they were recorded.
    anchor_lag_alert_seconds: float = 600.0
    #: Refusals (or denials) above this share of an item's outcomes...
    refusal_rate_threshold: float = 0.3
    #: ...once the item has at least this many outcomes in the window...
    refusal_rate_min_cases: int = 5
    #: ...counting cases submitted within this many days.
    refusal_rate_window_days: int = 30
    #: Province-wide and item-wide alerts are recomputed on read when older than this.
    global_refresh_seconds: float = 5.0

    def __post_init__(self) -> None:
        if not 0 <= self.refusal_rate_threshold <= 1:
            raise ValueError("refusal_rate_threshold is a share between 0 and 1")
        if min(self.stalled_after_working_days, self.receive_within_working_days,
               self.refusal_rate_min_cases, self.refusal_rate_window_days) < 1:
            raise ValueError("working-day, case and window parameters must be at least 1")
        if self.due_soon_working_days < 0 or self.anchor_lag_alert_seconds <= 0:
            raise ValueError("due_soon_working_days >= 0 and anchor_lag_alert_seconds > 0")


@dataclass(frozen=True, slots=True)
class Fact:
    """A record an alert rests on: enough to find it, prove it and check its anchor."""

    record_id: str
    province: int
    seq: int
    leaf_hash: str  # 0x-prefixed hex

    def to_json(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "province": self.province, "seq": self.seq,
                "leaf_hash": self.leaf_hash}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Fact:
        return cls(str(obj["record_id"]), int(obj["province"]), int(obj["seq"]),
                   str(obj["leaf_hash"]))


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """An alert a rule says holds now."""

    kind: str
    severity: str
    subject_type: str  # case | item | province
    subject_id: str
    province: int
    reason: str
    facts: tuple[Fact, ...]
    item_code: str | None = None

    @property
    def alert_id(self) -> str:
        return f"{self.kind}:{self.subject_type}:{self.subject_id}"

"""The tamper audit's report: findings by category, exact counts, JSON and human renderings.

Every finding names records by (province, seq) and record id where the id is still known (a
deleted row takes its id with it). Lists are capped (`max_listed` per category) so a ledger
rewritten wholesale still yields a bounded report; the counts stay exact.

Verdicts and exit codes (govtrace/cli.py): `clean` 0, `tampered` 1, `incomplete` 3 (nothing
wrong in the database, but the chain comparison was skipped or failed, so a consistent rewrite
of records *and* stored roots could not have been seen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = "govtrace.audit/1"

#: category -> heading of the human-readable report, in report order.
CATEGORIES: dict[str, str] = {
    "modified": "modified records",
    "deleted": "deleted records",
    "inserted": "inserted records",
    "reordered": "reordered records",
    "batches": "batches whose root no longer matches",
    "gaps": "sequence gaps",
    "chains": "broken case/license chains",
    "heads": "malformed province heads",
}

CLEAN, TAMPERED, INCOMPLETE = "clean", "tampered", "incomplete"
EXIT_CODES = {CLEAN: 0, TAMPERED: 1, INCOMPLETE: 3}
DEFAULT_MAX_LISTED = 1000


@dataclass
class ChainCheck:
    """Whether batch roots were compared with the anchor contract, and if not, why."""

    checked: bool = False
    reason: str | None = "no chain endpoint given"
    chain_id: int | None = None
    contract: str | None = None
    batches_anchored: int = 0
    batches_not_yet_anchored: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "reason": self.reason, "chain_id": self.chain_id,
                "contract": self.contract, "batches_anchored": self.batches_anchored,
                "batches_not_yet_anchored": self.batches_not_yet_anchored}


@dataclass
class AuditReport:
    audit_id: str
    started_at: str
    provinces: list[int] | None  # None: every province
    max_listed: int = DEFAULT_MAX_LISTED
    finished_at: str | None = None
    chain: ChainCheck = field(default_factory=ChainCheck)
    records: int = 0
    batches: int = 0
    subjects: int = 0
    elapsed_seconds: float = 0.0
    findings: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {c: [] for c in CATEGORIES})
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    notes: list[str] = field(default_factory=list)

    def add(self, category: str, entry: dict[str, Any], count: int = 1) -> None:
        """Record a finding; `count` > 1 for a range entry (a gap of several seqs)."""
        self.counts[category] += count
        if len(self.findings[category]) < self.max_listed:
            self.findings[category].append(entry)

    def named(self, category: str) -> set[tuple[int, int]]:
        """(province, seq) of every listed finding of a record category (for tests, dedup)."""
        return {(e["province"], e["seq"]) for e in self.findings[category] if "seq" in e}

    @property
    def truncated(self) -> bool:
        return any(self.counts[c] > len(self.findings[c]) for c in CATEGORIES)

    @property
    def tampered(self) -> bool:
        return any(self.counts.values())

    @property
    def verdict(self) -> str:
        if self.tampered:
            return TAMPERED
        return CLEAN if self.chain.checked else INCOMPLETE

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def records_per_second(self) -> float:
        return self.records / self.elapsed_seconds if self.elapsed_seconds > 0 else 0.0

    def sort(self) -> None:
        """Stable, reviewable order: by province and sequence number (a malformed one, text
        or a real number, ledger/audit_values.py, sorts after the integers or among them)."""
        for entries in self.findings.values():
            entries.sort(key=lambda e: (_key(e.get("province", 0)), _key(e.get("seq", e.get(
                "first_seq", e.get("batch_no", 0)))), str(e.get("subject", ""))))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "audit_id": self.audit_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "provinces": self.provinces,
            "verdict": self.verdict,
            "chain": self.chain.to_json(),
            "totals": {"records": self.records, "batches": self.batches,
                       "subjects": self.subjects,
                       "elapsed_seconds": round(self.elapsed_seconds, 3),
                       "records_per_second": round(self.records_per_second)},
            "counts": dict(self.counts),
            "truncated": self.truncated,
            "findings": {c: list(v) for c, v in self.findings.items()},
            "notes": list(self.notes),
        }

    def summary(self) -> dict[str, Any]:
        """What goes into the anchored `audit.completed` record (small, no record lists)."""
        return {"verdict": self.verdict, "records": self.records, "batches": self.batches,
                "subjects": self.subjects, "counts": dict(self.counts),
                "chain_checked": self.chain.checked, "chain_id": self.chain.chain_id,
                "contract": self.chain.contract}


def _key(value: Any) -> tuple[int, float, str]:
    if isinstance(value, int | float):
        return 0, value, ""
    return 1, 0, str(value)


def _where(e: dict[str, Any]) -> str:
    rid = e.get("record_id")
    return f"province {e['province']} seq {e['seq']}" + (f" record {rid}" if rid else "")


def _line(category: str, e: dict[str, Any]) -> str:
    if category == "modified":
        return f"{_where(e)}: {'; '.join(e['reasons'])}"
    if category == "deleted":
        batch = f" (batch {e['batch_no']})" if e.get("batch_no") else ""
        return f"province {e['province']} seq {e['seq']}{batch}: {e['reason']}"
    if category == "inserted":
        return f"{_where(e)}: {e['reason']}"
    if category == "reordered":
        return (f"{_where(e)}: sealed as province {e['sealed_province']} seq "
                f"{e['sealed_seq']}")
    if category == "batches":
        segs = e.get("segments") or []
        where = (f"; altered within seq {', '.join(f'{a}..{b}' for a, b in segs[:8])}"
                 + (" …" if len(segs) > 8 else "")) if segs else ""
        first, size = e["first_seq"], e["size"]
        seqs = (f" (seq {first}..{first + size - 1})" if type(first) is int and type(size) is int
                and size > 0 else "")
        return f"province {e['province']} batch {e['batch_no']}{seqs}: " \
               f"{'; '.join(e['problems'])}{where}"
    if category == "heads":
        return f"province {e['province']}: {'; '.join(e['problems'])}"
    if category == "gaps":
        return f"province {e['province']} seq {e['first_seq']}..{e['last_seq']} missing"
    recs = ", ".join(f"{r['province']}/{r['seq']}" + (f" {r['record_id']}" if r.get(
        "record_id") else "") for r in e.get("records", []))
    return f"{e['subject']}: {e['problem']}: {e['detail']}" + (f" [{recs}]" if recs else "")


def render_text(report: AuditReport) -> str:
    """The human-readable report: verdict first, then each non-empty category."""
    scope = ("all provinces" if report.provinces is None
             else "province " + ", ".join(map(str, report.provinces)))
    chain = (f"compared with contract {report.chain.contract} on chain {report.chain.chain_id}"
             if report.chain.checked else f"chain comparison SKIPPED: {report.chain.reason}")
    lines = [
        f"audit {report.audit_id}: {report.verdict.upper()}",
        f"  scope: {scope}; {report.records:,} records, {report.batches:,} batches, "
        f"{report.subjects:,} subjects in {report.elapsed_seconds:.1f} s "
        f"({report.records_per_second:,.0f} records/s)",
        f"  {chain}",
    ]
    for category, heading in CATEGORIES.items():
        count = report.counts[category]
        if not count:
            continue
        listed = report.findings[category]
        lines.append(f"{heading}: {count}" + (f" (first {len(listed)} listed)"
                                              if count > len(listed) else ""))
        lines.extend(f"  - {_line(category, e)}" for e in listed)
    lines.extend(f"note: {n}" for n in report.notes)
    return "\n".join(lines)

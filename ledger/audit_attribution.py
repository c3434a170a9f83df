"""Turning a subject whose chain does not verify into findings that name the right records.

The database is the suspect, so a record counts as *authenticated* only when its bytes are
vouched for by the chain: its batch's recomputed root equals the anchored root, or its
256-record segment's recomputed node equals a stored tile node and the stored tiles
reproduce the anchored root. A successor's `prev` is evidence about its predecessor only
when the successor is authenticated; the subject head row is evidence about the last record.

Rules, first match wins (docs/audit.md lists them with examples):
1. every record involved is already named (modified, inserted, reordered): explained;
2. no subject head: records that are not authenticated were inserted; else the head is gone;
3. one dangling record Y and one dead end X, as many records as the head says: the side
   that is not authenticated changed (X's leaf, or Y's prev); if neither or both are, the
   broken link X -> Y is reported;
4. the last record's leaf is not the head's: that record changed (unless authenticated);
5. more records than the head says: those after the head's last leaf, and side branches
   (forks), were inserted (unless authenticated);
6. fewer records than the head says: predecessors missing (deleted), named by successor;
7. anything else: the subject's chain is reported broken, with every record involved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .audit_chains import Link, Shape, SubjectChain
from .audit_report import AuditReport

Auth = Callable[[int, int], bool]
RecordIds = Callable[[list[tuple[int, int]]], dict[tuple[int, int], str]]


def _pos(link: Link) -> tuple[int, int]:
    return link[0], link[1]


def attribute(report: AuditReport, chain: SubjectChain, sh: Shape, *, auth: Auth,
              flagged: set[tuple[int, int]], ids: RecordIds) -> None:
    involved = {_pos(x) for x in sh.dangling + sh.dead_ends + [y for g in sh.forks for y in g]}
    if sh.no_head or sh.head_missing:
        involved |= {_pos(x) for x in chain.links}
    if involved and involved <= flagged:
        return
    names = ids(sorted(involved | {_pos(x) for x in chain.links}))
    subject = chain.key

    def named(link: Link) -> dict[str, Any]:
        return {"province": link[0], "seq": link[1], "record_id": names.get(_pos(link))}

    def modified(link: Link, why: str) -> None:
        if _pos(link) not in flagged:
            report.add("modified", {**named(link), "reasons": [why]})
            flagged.add(_pos(link))

    def inserted(link: Link, why: str) -> None:
        if _pos(link) not in flagged:
            report.add("inserted", {**named(link), "reason": why})
            flagged.add(_pos(link))

    def broken(problem: str, detail: str, links: list[Link]) -> None:
        report.add("chains", {"subject": subject, "problem": problem, "detail": detail,
                              "records": [named(x) for x in links]})

    if sh.no_head:
        if any(auth(*_pos(x)) for x in chain.links):
            broken("head-missing", "the subject head row is gone", [])
        for x in chain.links:
            if not auth(*_pos(x)):
                inserted(x, f"{subject} has no subject head: written behind the ledger")
        return
    # Y may be the last record itself, its leaf then no longer the head's: same reasoning.
    others = [d for d in sh.dead_ends if d not in sh.dangling]
    if (len(sh.dangling) == 1 and len(others) == 1 and not sh.forks
            and sh.count == sh.length and (not sh.head_missing or sh.dangling[0] in sh.dead_ends)):
        (y,), (x,) = sh.dangling, others
        if _pos(x) in flagged or _pos(y) in flagged:
            return
        if auth(*_pos(y)) and not auth(*_pos(x)):
            modified(x, f"its leaf hash is not the prev its successor (seq {y[1]}) committed to")
        elif auth(*_pos(x)) and not auth(*_pos(y)):
            modified(y, f"its prev no longer names its predecessor (seq {x[1]})")
        else:
            broken("link-broken", f"seq {y[1]} does not link to seq {x[1]}; either changed",
                   [x, y])
        return
    if sh.head_missing and sh.count == sh.length and not sh.dangling and not sh.forks:
        for x in sh.dead_ends:
            if auth(*_pos(x)):
                broken("head-altered", "the subject head names a leaf no record has", [x])
            else:
                modified(x, "its leaf hash is not the subject head's last leaf")
        return
    if (sh.length is not None and sh.count > sh.length and not sh.dangling
            and not sh.head_missing):
        extra = _after_head(chain)
        for x in extra + [d for d in sh.dead_ends if d not in extra]:
            if auth(*_pos(x)):
                broken("head-behind", "anchored records follow the subject head", [x])
            else:
                inserted(x, f"follows the last record of {subject} behind the ledger's back")
        return
    if sh.length is not None and sh.count < sh.length:
        if sh.dangling:
            broken("predecessor-missing", "the record its prev names is not in the ledger "
                   "(deleted)", sh.dangling)
        if sh.head_missing:
            broken("last-missing", "the subject head's last record is not in the ledger "
                   "(deleted)", [])
        if sh.dangling or sh.head_missing:
            return
    broken("chain-broken", _describe(sh), sh.dangling + sh.dead_ends
           + [y for g in sh.forks for y in g])


def _after_head(chain: SubjectChain) -> list[Link]:
    assert chain.head is not None
    by_prev = {x[3]: x for x in chain.links}
    out: list[Link] = []
    leaf = chain.head[0]
    while (nxt := by_prev.get(leaf)) is not None and len(out) < len(chain.links):
        out.append(nxt)
        leaf = nxt[2]
    return out


def _describe(sh: Shape) -> str:
    parts = [f"{sh.count} records, subject head says {sh.length}"]
    if sh.dangling:
        parts.append(f"{len(sh.dangling)} link(s) to leaves not in the subject")
    if sh.forks:
        parts.append(f"{len(sh.forks)} fork(s)")
    if sh.dead_ends:
        parts.append(f"{len(sh.dead_ends)} record(s) without successor before the head")
    if sh.head_missing:
        parts.append("head's last leaf not found")
    return "; ".join(parts)

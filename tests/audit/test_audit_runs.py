"""The streaming pass folds links it can follow into runs (ledger/audit_links.py), so a run's
inner leaves never reach the chain check. A link into such a hidden leaf, or a record that is
already a finding, must still break the subject exactly as it did record by record.

Coordinates refer to the layout in tests/audit/ledger_kit.py: case SH-5 is seq 6 and 306 (both
in batch 1, one scan task, one run) and seq 606 (batch 2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from anchors.audit_chain import ContractRoots
from tests.audit.ledger_kit import SH, Tamper, audit, named

pytestmark = pytest.mark.chain
LAYOUTS = [{}, {"workers": 2, "piece": 256}]  # one task per batch; runs cut across tasks


def _relink_to_first_step(tamper: Tamper, *, digest: bool) -> None:
    """Step 3 of SH-5 now names step 1 as its predecessor: a fork at step 1, whose leaf is
    inside the run (seq 6, 306) its own scan task folded."""
    record = tamper.record(SH, 606)
    record["prev"] = "0x" + tamper.row(SH, 6)["leaf_hash"].hex()
    tamper.rewrite(SH, 606, record, digest=digest)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_fork_from_inside_a_run_breaks_the_chain(ledger: Path, roots: ContractRoots,
                                                   tamper: Tamper,
                                                   layout: dict[str, int]) -> None:
    _relink_to_first_step(tamper, digest=False)
    report = audit(ledger, roots, **layout)
    found = named(report)
    assert found["batches"] == {(SH, 2)}
    assert found["chains"] == {(SH, 306), (SH, 606)}
    assert [(c["problem"], c["subject"]) for c in report.findings["chains"]] == [
        ("chain-broken", "case:SH-5")]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_fork_the_database_vouches_for_is_still_seen_in_the_chain(
        ledger: Path, tamper: Tamper, layout: dict[str, int]) -> None:
    # Digest and batch 2 rewritten to match: without the chain no root and no row betrays
    # the relinked record, only the subject's chain, whose fork hides inside a run.
    _relink_to_first_step(tamper, digest=True)
    tamper.reseal(SH, 2)
    found = named(audit(ledger, None, **layout))
    assert found["chains"] == {(SH, 306), (SH, 606)}
    assert not found["batches"] and not found["modified"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_record_that_is_a_finding_ends_its_run(ledger: Path, roots: ContractRoots,
                                                 tamper: Tamper,
                                                 layout: dict[str, int]) -> None:
    # Step 2 of SH-5 changed behind its leaf hash: named itself; its chain still links.
    record = tamper.record(SH, 306)
    record["payload"]["item"] = "forged"
    tamper.rewrite(SH, 306, record, leaf=False)
    report = audit(ledger, roots, **layout)
    found = named(report)
    assert found["modified"] == {(SH, 306)} and found["batches"] == {(SH, 1)}
    assert not found["chains"] and report.subjects == 340


# SH-5's second and last records; SH-N-0's only record (one run, pending, checked carefully)
@pytest.mark.parametrize("seq", [306, 606, 921])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_record_moved_to_another_subject_by_its_columns_is_named_once(
        ledger: Path, roots: ContractRoots, tamper: Tamper, layout: dict[str, int],
        seq: int) -> None:
    # The chain check follows the bytes, which still say SH-5, so SH-5's chain is whole
    # and only the row itself is a finding (re-reading SH-5 by its columns would lose it).
    tamper.sql("UPDATE record SET subject_id = 'SH-0' WHERE province = ? AND seq = ?", SH, seq)
    report = audit(ledger, roots, **layout)
    found = named(report)
    assert found["modified"] == {(SH, seq)}
    assert not found["chains"] and not report.findings["chains"] and not found["batches"]
    assert "subject.id" in report.findings["modified"][0]["reasons"][0]

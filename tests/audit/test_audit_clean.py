"""A ledger nobody touched audits clean, in-process and in a process pool alike; without
the chain the audit is only `incomplete`."""

from __future__ import annotations

from pathlib import Path

import pytest

from anchors.audit_chain import ContractRoots
from ledger.audit_report import render_text
from tests.audit.ledger_kit import audit

pytestmark = pytest.mark.chain


def test_untouched_ledger_audits_clean(ledger: Path, roots: ContractRoots) -> None:
    report = audit(ledger, roots)
    assert report.verdict == "clean" and report.exit_code == 0
    assert not any(report.counts.values()), report.to_json()["findings"]
    assert report.records == 960 and report.batches == 3
    assert report.subjects == 340  # 300 + 20 + 20 cases
    assert report.chain.checked and report.chain.batches_anchored == 3
    assert "CLEAN" in render_text(report)


def test_process_pool_and_small_pieces_give_the_same_verdict(ledger: Path,
                                                             roots: ContractRoots) -> None:
    # 256-record pieces cut batch 1 into three pieces whose roots must recombine exactly.
    report = audit(ledger, roots, workers=2, piece=256)
    assert report.verdict == "clean", report.to_json()["findings"]
    assert report.records == 960 and report.subjects == 340


def test_without_the_chain_a_clean_database_is_only_incomplete(ledger: Path) -> None:
    report = audit(ledger, None)
    assert report.verdict == "incomplete" and report.exit_code == 3
    assert not report.chain.checked and report.chain.reason == "not given"
    assert "SKIPPED" in render_text(report)

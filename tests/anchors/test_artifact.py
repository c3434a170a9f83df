"""The committed artifact: matches the fixed interface and is current against contracts/."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from anchors.artifact import Artifact, load_artifact
from anchors.compile import (
    MAIN_SOURCE,
    artifact_path,
    build_artifact,
    collect_sources,
    compiler_settings,
    file_hashes,
    repo_root,
    source_hash,
    stale_reasons,
)
from anchors.compile import main as compile_main
from anchors.errors import ArtifactError

INTERFACE_FUNCTIONS = {
    "REGISTRAR_ROLE",
    "registerProvince",
    "setProvinceAccount",
    "anchorBatch",
    "batch",
    "batchAnchoredBlock",
    "provinceHead",
    "verifyInclusion",
    "computeRoot",
}
INTERFACE_ERRORS = {
    "ZeroAddress",
    "InvalidProvinceCode",
    "ProvinceAlreadyRegistered",
    "ProvinceNotRegistered",
    "UnauthorizedAnchorer",
    "UnexpectedBatchNumber",
    "NonContiguousRange",
    "EmptyBatch",
    "ZeroRoot",
}


def _names(artifact: Artifact, kind: str) -> set[str]:
    return {e["name"] for e in artifact.abi if e["type"] == kind}


def _compiler_available() -> bool:
    solc = repo_root() / "scripts" / "solc"
    if not solc.is_file() or shutil.which("node") is None:
        return False
    probe = subprocess.run([str(solc), "--version"], capture_output=True, text=True, check=False)
    return probe.returncode == 0


def test_artifact_matches_the_fixed_interface() -> None:
    artifact = load_artifact()
    assert artifact.contract_name == "GovtraceAnchor"
    assert artifact.function_names() >= INTERFACE_FUNCTIONS
    assert _names(artifact, "error") >= INTERFACE_ERRORS
    assert {"ProvinceRegistered", "ProvinceAccountChanged", "BatchAnchored"} <= _names(
        artifact, "event"
    )
    assert artifact.bytecode.startswith("0x60") and len(artifact.deployed_bytecode) > 1000
    assert artifact.compiler_version.startswith("0.8.")


def test_committed_artifact_sources_are_current() -> None:
    """Fails when contracts/ (or the OpenZeppelin it imports) changed without a rebuild.

    Fix: ``python -m anchors.compile`` and commit anchors/artifacts/GovtraceAnchor.json.
    """
    assert stale_reasons() == []
    root = repo_root()
    sources = collect_sources(root, MAIN_SOURCE, compiler_settings(root)["remappings"])
    assert load_artifact().source_hash == source_hash(sources)


@pytest.mark.slow
@pytest.mark.skipif(not _compiler_available(), reason="scripts/solc or node not available")
def test_committed_artifact_bytecode_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    """A fresh compile gives the committed ABI and bytecode (deterministic: no metadata hash).

    Runs the CI entry point ``python -m anchors.compile --check``; reasons go to stderr.
    """
    assert compile_main(["--check"]) == 0, capsys.readouterr().err


def _copy_checkout(tmp_path: Path) -> Path:
    """A minimal checkout whose artifact is current by construction.

    Independent of whether the repo's own artifact is current (another test
    reports that); here we only want to see each kind of change detected.
    """
    root = repo_root()
    (tmp_path / "contracts").mkdir()
    shutil.copy(root / MAIN_SOURCE, tmp_path / MAIN_SOURCE)
    shutil.copy(root / "foundry.toml", tmp_path / "foundry.toml")
    (tmp_path / "node_modules").symlink_to(root / "node_modules")
    settings = compiler_settings(tmp_path)
    sources = collect_sources(tmp_path, MAIN_SOURCE, settings["remappings"])
    current = replace(
        load_artifact(),
        settings=settings,
        sources=file_hashes(sources),
        source_hash=source_hash(sources),
    )
    target = artifact_path(tmp_path)
    target.parent.mkdir(parents=True)
    target.write_text(current.dumps())
    return tmp_path


def test_staleness_is_detected(tmp_path: Path) -> None:
    copy = _copy_checkout(tmp_path)
    assert stale_reasons(copy) == []
    contract = copy / MAIN_SOURCE
    contract.write_text(contract.read_text() + "\n// an edit\n")
    assert stale_reasons(copy) == [f"source {MAIN_SOURCE} changed, added or removed"]

    foundry = copy / "foundry.toml"
    foundry.write_text(foundry.read_text().replace("optimizer_runs = ", "optimizer_runs = 1"))
    assert any("compiler settings changed" in r for r in stale_reasons(copy))


def test_import_closure_includes_openzeppelin_and_ignores_comments(tmp_path: Path) -> None:
    (tmp_path / "contracts").mkdir()
    (tmp_path / "node_modules").symlink_to(repo_root() / "node_modules")
    (tmp_path / "contracts" / "Lib.sol").write_text("pragma solidity ^0.8.0;\nlibrary L {}\n")
    (tmp_path / MAIN_SOURCE).write_text(
        "// import 'contracts/Missing.sol';\n"
        "/* import {X} from 'contracts/AlsoMissing.sol'; */\n"
        'import {AccessControl as AC} from "@openzeppelin/contracts/access/AccessControl.sol";\n'
        'import "./Lib.sol" as Lib;\n'
        "contract C { string s = \"import 'contracts/NotReal.sol';\"; }\n"
    )
    remappings = compiler_settings(repo_root())["remappings"]
    units = set(collect_sources(tmp_path, MAIN_SOURCE, remappings))
    assert MAIN_SOURCE in units and "contracts/Lib.sol" in units
    assert "node_modules/@openzeppelin/contracts/access/AccessControl.sol" in units
    assert "node_modules/@openzeppelin/contracts/utils/Context.sol" in units  # relative import
    assert not any("Missing" in u or "NotReal" in u for u in units)


def test_missing_sources_and_bad_artifacts_raise(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="not found"):
        collect_sources(tmp_path, MAIN_SOURCE)
    with pytest.raises(ArtifactError, match="malformed"):
        Artifact.from_json({"contractName": "X"})
    with pytest.raises(ArtifactError):
        build_artifact(tmp_path)


def test_artifact_round_trips_through_json() -> None:
    artifact = load_artifact()
    assert Artifact.from_json(artifact.to_json()) == artifact
    assert artifact_path().read_text(encoding="utf-8") == artifact.dumps()

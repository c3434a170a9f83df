"""Build ``anchors/artifacts/GovtraceAnchor.json`` from ``contracts/`` and check it is current.

The compiler is ``scripts/solc`` (npm solcjs behind a native-solc CLI) driven
by py-solc-x.  Compiler settings come from ``foundry.toml`` so forge and this
artifact agree on optimizer runs, EVM version and metadata.  We resolve the
import closure ourselves and pass every source inline: the source hash then
covers exactly what was compiled (OpenZeppelin files included) and the build
does not depend on how the launcher reads files.

    python -m anchors.compile            # rebuild the artifact
    python -m anchors.compile --check    # exit 1 if it is stale (CI)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import posixpath
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import solcx
from solcx import wrapper as solcx_wrapper

from anchors.artifact import ARTIFACT_FILE, CONTRACT_NAME, Artifact, load_artifact
from anchors.errors import ArtifactError

MAIN_SOURCE = f"contracts/{CONTRACT_NAME}.sol"
SOLC_ENV = "GOVTRACE_SOLC"
_DEFAULT_REMAPPINGS = ("@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/",)
# Strings first so that "//" inside a string literal is not taken for a comment.
_COMMENTS = re.compile(r'("(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\')|//[^\n]*|/\*.*?\*/', re.S)
# An import statement, or any other string literal (consumed so that text inside
# a string is never mistaken for an import).
_IMPORT_OR_STRING = re.compile(
    r'\bimport\s+(?:[^;"\']*?\bfrom\s+)?(["\'])(?P<path>[^"\']+)\1[^;]*;'
    r'|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\''
)


def repo_root() -> Path:
    """The checkout holding contracts/: next to this package, else the cwd or a parent."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here, Path.cwd(), *Path.cwd().parents):
        if (candidate / MAIN_SOURCE).is_file():
            return candidate
    raise ArtifactError(f"cannot find {MAIN_SOURCE} next to the package or above the cwd")


def compiler_settings(root: Path) -> dict[str, Any]:
    """solc standard-JSON settings mirroring foundry.toml's [profile.default]."""
    profile: Mapping[str, Any] = {}
    foundry = root / "foundry.toml"
    if foundry.is_file():
        profile = tomllib.loads(foundry.read_text()).get("profile", {}).get("default", {})
    settings: dict[str, Any] = {
        "evmVersion": profile.get("evm_version", "prague"),
        "optimizer": {
            "enabled": bool(profile.get("optimizer", True)),
            "runs": int(profile.get("optimizer_runs", 200)),
        },
        "metadata": {
            "bytecodeHash": profile.get("bytecode_hash", "ipfs"),
            "appendCBOR": bool(profile.get("cbor_metadata", True)),
        },
        "remappings": sorted(profile.get("remappings", _DEFAULT_REMAPPINGS)),
    }
    if profile.get("via_ir", False):
        settings["viaIR"] = True
    return settings


def _imports(content: str) -> list[str]:
    code = _COMMENTS.sub(lambda m: m.group(1) or " ", content)
    return [m["path"] for m in _IMPORT_OR_STRING.finditer(code) if m["path"]]


def _unit_name(importer: str, path: str, remappings: Sequence[str]) -> str:
    """solc's source unit name for ``import path`` inside unit ``importer``."""
    if path.startswith(("./", "../")):
        return posixpath.normpath(posixpath.join(posixpath.dirname(importer), path))
    best = ""
    target = path
    for remapping in remappings:
        prefix, _, replacement = remapping.partition("=")
        prefix = prefix.split(":")[-1]  # drop an optional "context:" part
        if path.startswith(prefix) and len(prefix) > len(best):
            best, target = prefix, replacement + path[len(prefix) :]
    return target


def collect_sources(
    root: Path, main: str = MAIN_SOURCE, remappings: Sequence[str] = ()
) -> dict[str, str]:
    """The import closure of ``main``: source unit name -> file content."""
    sources: dict[str, str] = {}
    pending = [main]
    while pending:
        unit = pending.pop()
        if unit in sources:
            continue
        path = root / unit
        if not path.is_file():
            raise ArtifactError(f"source {unit} not found under {root} (npm ci run?)")
        sources[unit] = path.read_text(encoding="utf-8")
        pending.extend(_unit_name(unit, imp, remappings) for imp in _imports(sources[unit]))
    return sources


def file_hashes(sources: Mapping[str, str]) -> dict[str, str]:
    return {u: hashlib.sha256(c.encode("utf-8")).hexdigest() for u, c in sorted(sources.items())}


def source_hash(sources: Mapping[str, str]) -> str:
    """SHA-256 over the sorted (unit name, content hash) pairs; see SOURCE_HASH_SCHEME."""
    digest = hashlib.sha256()
    for unit, content_hash in file_hashes(sources).items():
        digest.update(f"{unit}\n{content_hash}\n".encode())
    return digest.hexdigest()


def find_solc(root: Path, explicit: Path | None = None) -> Path:
    solc = explicit or Path(os.environ.get(SOLC_ENV) or root / "scripts" / "solc")
    if not solc.is_file():
        raise ArtifactError(f"solc launcher {solc} not found (set {SOLC_ENV} or pass solc=)")
    return solc


def build_artifact(root: Path | None = None, solc: Path | None = None) -> Artifact:
    """Compile the contract and return (not write) the artifact."""
    root = root or repo_root()
    settings = compiler_settings(root)
    sources = collect_sources(root, MAIN_SOURCE, settings["remappings"])
    solc_path = find_solc(root, solc)
    selection = {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}}
    standard_input = {
        "language": "Solidity",
        "sources": {unit: {"content": content} for unit, content in sorted(sources.items())},
        "settings": {**settings, "outputSelection": selection},
    }
    try:
        output = solcx.compile_standard(standard_input, solc_binary=solc_path, base_path=root)
        version = str(solcx_wrapper.get_solc_version(solc_path, with_commit_hash=True))
    except (solcx.exceptions.SolcError, OSError) as exc:
        raise ArtifactError(f"compilation failed: {exc}") from exc
    compiled = set(output.get("sources", {}))
    if compiled != set(sources):
        # The launcher loaded files we did not hash: our import resolver is wrong.
        raise ArtifactError(f"compiler saw other sources than hashed: {compiled ^ set(sources)}")
    contract = output["contracts"][MAIN_SOURCE][CONTRACT_NAME]
    return Artifact(
        contract_name=CONTRACT_NAME,
        compiler_version=version,
        settings=settings,
        source_hash=source_hash(sources),
        sources=file_hashes(sources),
        abi=contract["abi"],
        bytecode="0x" + contract["evm"]["bytecode"]["object"],
        deployed_bytecode="0x" + contract["evm"]["deployedBytecode"]["object"],
    )


def artifact_path(root: Path | None = None) -> Path:
    return (root or repo_root()) / "anchors" / "artifacts" / ARTIFACT_FILE


def read_artifact(path: Path) -> Artifact:
    try:
        return Artifact.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"cannot read artifact {path}: {exc}") from exc


def write_artifact(artifact: Artifact, path: Path | None = None) -> Path:
    path = path or artifact_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(artifact.dumps(), encoding="utf-8")
    load_artifact.cache_clear()
    return path


def stale_reasons(
    root: Path | None = None, *, recompile: bool = False, solc: Path | None = None
) -> list[str]:
    """Why the committed artifact does not match contracts/ (empty list: current).

    Without ``recompile`` only sources and settings are compared (no compiler
    needed); with it the bytecode and ABI of a fresh build are compared too.
    """
    root = root or repo_root()
    committed = read_artifact(artifact_path(root))
    settings = compiler_settings(root)
    hashes = file_hashes(collect_sources(root, MAIN_SOURCE, settings["remappings"]))
    reasons = [
        f"source {unit} changed, added or removed"
        for unit in sorted(set(hashes) | set(committed.sources))
        if hashes.get(unit) != committed.sources.get(unit)
    ]
    if settings != dict(committed.settings):
        reasons.append(f"compiler settings changed: {committed.settings} -> {settings}")
    if recompile:
        fresh = build_artifact(root, solc)
        for name in ("compiler_version", "abi", "bytecode", "deployed_bytecode"):
            if getattr(fresh, name) != getattr(committed, name):
                reasons.append(f"{name} differs from a fresh build")
    return reasons


def is_stale(
    root: Path | None = None, *, recompile: bool = False, solc: Path | None = None
) -> bool:
    return bool(stale_reasons(root, recompile=recompile, solc=solc))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m anchors.compile", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the artifact is stale")
    parser.add_argument("--root", type=Path, default=None, help="repository root")
    parser.add_argument("--solc", type=Path, default=None, help="solc executable")
    args = parser.parse_args(argv)
    if args.check:
        reasons = stale_reasons(args.root, recompile=True, solc=args.solc)
        for reason in reasons:
            print(f"stale: {reason}", file=sys.stderr)
        return 1 if reasons else 0
    path = write_artifact(build_artifact(args.root, args.solc), artifact_path(args.root))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

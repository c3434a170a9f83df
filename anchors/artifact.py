"""The committed, compiled GovtraceAnchor artifact and how to read it.

Runtime code (deploying, attaching, verifying) needs only the ABI and bytecode,
so it reads ``anchors/artifacts/GovtraceAnchor.json`` through importlib.resources
-- this works from a checkout and from an installed wheel alike, and needs
neither Node nor a Solidity compiler.  Building the artifact lives in
``anchors.compile``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from anchors.errors import ArtifactError

CONTRACT_NAME = "GovtraceAnchor"
ARTIFACT_FILE = f"{CONTRACT_NAME}.json"
#: How ``sourceHash`` is computed; bump if the scheme changes.
SOURCE_HASH_SCHEME = "sha256(sorted '<unit>\\n<sha256(content)>\\n')"


@dataclass(frozen=True)
class Artifact:
    """Compiler output for one contract plus what it was compiled from."""

    contract_name: str
    compiler_version: str
    settings: Mapping[str, Any]
    source_hash: str
    sources: Mapping[str, str]  # source unit name -> sha256 hex of its content
    abi: list[dict[str, Any]] = field(repr=False)
    bytecode: str = field(repr=False)  # 0x-hex creation code
    deployed_bytecode: str = field(repr=False)  # 0x-hex runtime code

    def to_json(self) -> dict[str, Any]:
        return {
            "contractName": self.contract_name,
            "compilerVersion": self.compiler_version,
            "settings": dict(self.settings),
            "sourceHashScheme": SOURCE_HASH_SCHEME,
            "sourceHash": self.source_hash,
            "sources": dict(sorted(self.sources.items())),
            "abi": self.abi,
            "bytecode": self.bytecode,
            "deployedBytecode": self.deployed_bytecode,
        }

    def dumps(self) -> str:
        """Stable text (sorted keys, final newline) so rebuilds give clean diffs."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Artifact:
        try:
            artifact = cls(
                contract_name=str(data["contractName"]),
                compiler_version=str(data["compilerVersion"]),
                settings=dict(data["settings"]),
                source_hash=str(data["sourceHash"]),
                sources={str(k): str(v) for k, v in data["sources"].items()},
                abi=list(data["abi"]),
                bytecode=str(data["bytecode"]),
                deployed_bytecode=str(data["deployedBytecode"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ArtifactError(f"malformed artifact: missing or bad field {exc}") from exc
        if not artifact.bytecode.startswith("0x") or len(artifact.bytecode) < 4:
            raise ArtifactError("malformed artifact: bytecode is not 0x-hex")
        return artifact

    def function_names(self) -> frozenset[str]:
        return frozenset(e["name"] for e in self.abi if e.get("type") == "function")


@functools.cache
def load_artifact() -> Artifact:
    """The artifact shipped inside the package (cached; it never changes at run time)."""
    resource = resources.files("anchors").joinpath("artifacts", ARTIFACT_FILE)
    try:
        text = resource.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise ArtifactError(
            f"{ARTIFACT_FILE} is missing from the anchors package; run `python -m anchors.compile`"
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{ARTIFACT_FILE} is not valid JSON: {exc}") from exc
    return Artifact.from_json(data)

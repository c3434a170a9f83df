"""The peer Merkle libraries, installed into a bench-only directory (never the project venv).

- pymerkle (RFC 9162: the same roots as ours) is a dev dependency already.
- merkletools 1.0.3 is installed here with `pip install --no-deps --target build/bench-site`:
  it wants `pysha3`, which does not build on Python 3.11, for its optional SHA-3 hashes. A
  one-line `sha3` module re-exporting hashlib's SHA-3 functions stands in for it, inside the
  bench directory only. Its roots are not RFC 9162 (no 0x00/0x01 domain separation, an odd
  node is promoted), so it is compared on speed only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "bench-site"
MERKLETOOLS = "merkletools==1.0.3"
SHIM = '"""Stand-in for pysha3 (bench only): hashlib has SHA-3 since Python 3.6."""\n' \
       "from hashlib import sha3_224, sha3_256, sha3_384, sha3_512  # noqa: F401\n"


def merkletools() -> Any:
    """Import merkletools from the bench directory, installing it there on first use."""
    if not (SITE / "merkletools").is_dir():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "--no-deps", "--target", str(SITE), MERKLETOOLS], check=True)
    shim = SITE / "sha3.py"
    if not shim.exists():
        shim.write_text(SHIM)
    import pymerkle  # noqa: F401 - first: pymerkle would take the shim for real pysha3

    sys.path.insert(0, str(SITE))
    try:
        import merkletools as module
    finally:  # the shim serves merkletools' import only
        sys.path.remove(str(SITE))
        sys.modules.pop("sha3", None)
    return module

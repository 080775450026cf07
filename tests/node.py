"""The npm-installed tools the tests run (package.json, installed by `make test` with `npm ci`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_BIN = ROOT / "node_modules" / ".bin"


def npm_tool(name: str) -> Path:
    """The path of an npm-installed command; a clear failure when `npm ci` has not run."""
    path = NODE_BIN / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make node_modules/.installed` (make test does)")
    return path


def run_tool(name: str, *args: str, timeout_s: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run an npm-installed command from the repository root, output captured as text."""
    return subprocess.run([str(npm_tool(name)), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout_s, check=False, **kwargs)

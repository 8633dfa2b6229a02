"""The NodeJS wrapper's own unit tests (wrappers/nodejs/test, node:test): settings, parameters, codec.

Run with the Node.js of the seldon-nodejs24 build context when `make build` staged it, else the `node` on
PATH (Debian's, which `make nodejs-dev` brings along with npm); no npm packages are needed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGED_NODE = ROOT / ".cache" / "context" / "nodejs24" / "node" / "bin" / "node"


def test_the_nodejs_wrapper_unit_tests_pass() -> None:
    node = str(STAGED_NODE) if STAGED_NODE.exists() else shutil.which("node")
    if node is None:
        pytest.fail("no Node.js: run `make build LANGUAGES=nodejs` (or install Debian's nodejs)")
    wrapper = ROOT / "wrappers" / "nodejs"
    files = sorted(str(path.relative_to(wrapper)) for path in (wrapper / "test").glob("*.test.js"))
    result = subprocess.run([node, "--test", "--test-reporter=tap", *files], cwd=wrapper, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    declared = sum(path.read_text().count("\ntest(") for path in (wrapper / "test").glob("*.test.js"))
    assert "# fail 0" in result.stdout and f"# pass {declared}" in result.stdout, result.stdout[-2000:]

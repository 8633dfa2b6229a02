"""The docker CLI, for the integration tests (one helper for every test file here)."""

from __future__ import annotations

import subprocess
from typing import Optional


def docker(*args: str, check: bool = True, timeout: float = 900, input: Optional[bytes] = None
           ) -> subprocess.CompletedProcess:
    """Run the docker CLI and capture its output (bytes)."""
    result = subprocess.run(["docker", *args], input=input, capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stderr.decode(errors='replace')}")
    return result

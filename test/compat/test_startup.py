"""Differential start-up: CLI arguments and PREDICTIVE_UNIT_PARAMETERS, same outcome (exit code, or serving).

Both implementations are started the same way in the echo/params model directories; the outcome is either
"exit N" (within the time limit) or "serves" (/health/ping answers). Errors must also be one-liners for ours.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from differences import ALLOWED
from servers import MODELS_DIR, OURS, REFERENCE, Server

BAD_TYPE = json.dumps([{"name": "a", "value": "1", "type": "LONG"}])
BAD_VALUE = json.dumps([{"name": "a", "value": "abc", "type": "INT"}, {"name": "b", "value": "1", "type": "FLOAT"},
                        {"name": "c", "value": "x", "type": "STRING"}, {"name": "d", "value": "1", "type": "BOOL"}])
CASES = {  # id -> (model directory, arguments, extra environment)
    "startup-service-type-invalid": ("echo", ["Echo", "--service-type", "BOGUS"], {}),
    "startup-unknown-argument": ("echo", ["Echo", "--no-such-flag", "1"], {}),
    "startup-missing-class": ("echo", ["NoSuchModel"], {}),
    "startup-bad-parameter-type": ("params", ["Params"], {"PREDICTIVE_UNIT_PARAMETERS": BAD_TYPE}),
    "startup-bad-parameter-value": ("params", ["Params"], {"PREDICTIVE_UNIT_PARAMETERS": BAD_VALUE}),
    "startup-outlier-detector": ("echo", ["Echo", "--service-type", "OUTLIER_DETECTOR", "--persistence", "0"], {}),
    "startup-output-transformer": ("echo", ["Echo", "--service-type", "OUTPUT_TRANSFORMER"], {}),
    "startup-legacy-api-type": ("echo", ["Echo", "REST", "--service-type", "MODEL"], {}),
}


def outcome(impl: str, directory: str, args, env, timeout: float = 40.0):
    """("exit", code, output) or ("serves", None, output)."""
    server = Server(impl, MODELS_DIR / directory, args[0], env=dict(env)).start(args)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = server.proc.poll()
            if code is not None:
                return "exit", code, server.log_tail()
            try:
                with urllib.request.urlopen(f"{server.base_url}/health/ping", timeout=1) as response:
                    if response.status == 200:
                        return "serves", None, server.log_tail()
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"{impl}: neither served nor exited in {timeout} s:\n{server.log_tail()}")
    finally:
        server.stop()


@pytest.mark.parametrize("case_id", list(CASES))
def test_startup(case_id):
    directory, args, env = CASES[case_id]
    reference = outcome(REFERENCE, directory, args, env)
    ours = outcome(OURS, directory, args, env)
    difference = ALLOWED.get(case_id)
    if difference is not None:
        assert ours[:2] != reference[:2], f"listed as a difference ({difference.doc}) but both do the same"
        assert " ".join(str(part) for part in ours[:2] if part is not None) == difference.ours_start, ours
        return
    assert ours[:2] == reference[:2], f"reference: {reference[:2]}\n{reference[2]}\nours: {ours[:2]}\n{ours[2]}"
    if ours[0] == "exit" and ours[1] != 0:
        assert "Traceback" not in ours[2], f"ours printed a traceback for a user mistake:\n{ours[2]}"

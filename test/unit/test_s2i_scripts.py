"""The s2i scripts' checks that need no container: assemble must reject bad .s2i/environment
settings before it touches anything, with one line naming the cause."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "s2i" / "bin"
GOOD = {"MODEL_NAME": "MyModel", "SERVICE_TYPE": "MODEL", "API_TYPE": "REST"}


def assemble(env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPTS / "assemble")], env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("env,message", [
    ({"SERVICE_TYPE": "MODEL"}, "MODEL_NAME is not set: add a line MODEL_NAME=<YourClass>"),
    ({"MODEL_NAME": "MyModel"}, "SERVICE_TYPE is not set"),
    ({**GOOD, "SERVICE_TYPE": "PREDICTOR"}, "SERVICE_TYPE=PREDICTOR is not one of MODEL, ROUTER, TRANSFORMER"),
    ({**GOOD, "API_TYPE": "REST,FBS"}, "API_TYPE=REST,FBS: expected REST, GRPC or both"),
    ({**GOOD, "MODEL_NAME": '"MyModel"'}, "s2i keeps quotes in .s2i/environment literally. Write MODEL_NAME=MyModel"),
    ({**GOOD, "SERVICE_TYPE": "'MODEL'"}, "Write SERVICE_TYPE=MODEL"),
])
def test_assemble_rejects_bad_settings_in_one_line(env: Dict[str, str], message: str) -> None:
    result = assemble(env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and message in errors[0], result.stderr


@pytest.mark.parametrize("api_type", ["REST", "GRPC", "REST,GRPC", "grpc, rest"])
def test_assemble_accepts_every_api_type_spelling(api_type: str) -> None:
    # Valid settings get past validation; outside a builder image assemble then stops, touching nothing.
    result = assemble({**GOOD, "API_TYPE": api_type})
    assert result.returncode == 1
    assert "assemble runs inside a Seldon builder image" in result.stderr and "API_TYPE=" not in result.stderr


def test_scripts_are_strict_bash() -> None:
    for name in ("assemble", "run", "save-artifacts", "usage"):
        text = (SCRIPTS / name).read_text()
        assert text.startswith("#!/bin/bash\n") and "set -euo pipefail" in text, name
        subprocess.run(["bash", "-n", str(SCRIPTS / name)], check=True)


def test_assemble_rejects_an_unknown_phase() -> None:
    result = assemble({**GOOD, "SELDON_S2I_PHASE": "deps"})
    assert result.returncode == 1
    assert result.stderr.strip() == "ERROR: SELDON_S2I_PHASE=deps: expected all, dependencies or application"


def _local_reference_pattern() -> str:
    for line in (SCRIPTS / "assemble").read_text().splitlines():
        if line.startswith("LOCAL_REFERENCE='"):
            return line[len("LOCAL_REFERENCE='"):-1]
    raise AssertionError("assemble defines no LOCAL_REFERENCE")


@pytest.mark.parametrize("line,local", [
    ("Pillow", False),
    ("numpy>=1.26,<3 ; python_version >= '3.10'", False),
    ("torch==2.4.0 --hash=sha256:0123abcd", False),
    ("--extra-index-url https://example.org/simple", False),
    ("mypkg @ https://example.org/mypkg-1.0.tar.gz", False),
    ("-r base.txt", True),
    ("--requirement=base.txt", True),
    ("-c constraints.txt", True),
    ("-e .", True),
    ("./vendor/mypkg", True),
    ("wheels/mypkg-1.0-py3-none-any.whl", True),
    ("mypkg-1.0.tar.gz", True),
    ("mypkg @ file:///src/mypkg", True),
    ("file:../mypkg", True),
])
def test_requirements_that_need_the_rest_of_the_source_are_recognised(line: str, local: bool) -> None:
    """Such a requirements.txt cannot be installed in the dependencies phase (only it is uploaded)."""
    found = subprocess.run(["grep", "-Eq", _local_reference_pattern()], input=line + "\n", text=True)
    assert (found.returncode == 0) == local

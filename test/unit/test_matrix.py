"""The builder matrix (builders/matrix), read by builders/matrix.sh and by the scripts that build
from it: a selection names rows, and a name that selects none stops the build in one line."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

BUILDERS = Path(__file__).resolve().parents[2] / "builders"


def run(script: str, env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BUILDERS / script)], env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=60)


def images(env: Dict[str, str]) -> List[str]:
    result = run("matrix.sh", env)
    assert result.returncode == 0, result.stderr
    return [line.split()[6] for line in result.stdout.splitlines()]


def test_the_whole_matrix_is_every_builder_in_file_order() -> None:
    assert images({}) == ["seldon-python39", "seldon-python311", "seldon-python313",
                          "seldon-nodejs24", "seldon-nodejs22", "seldon-java21", "seldon-r45"]


@pytest.mark.parametrize("env,expected", [
    ({"LANGUAGES": "python"}, ["seldon-python39", "seldon-python311", "seldon-python313"]),
    ({"VERSIONS": "3.11"}, ["seldon-python311"]),
    ({"LANGUAGES": "python", "VERSIONS": "3.13 3.9"}, ["seldon-python39", "seldon-python313"]),
    ({"VERSIONS": "3.13,3.11,3.13"}, ["seldon-python311", "seldon-python313"]),
])
def test_languages_and_versions_narrow_the_matrix(env: Dict[str, str], expected: List[str]) -> None:
    assert images(env) == expected


def test_a_row_names_its_base_image_by_the_base_setting() -> None:
    debian = run("matrix.sh", {"VERSIONS": "3.11"}).stdout.split()
    slim = run("matrix.sh", {"VERSIONS": "3.11", "BASE": "slim"}).stdout.split()
    assert debian == ["python", "3.11", "bookworm", "2.36", "python3,ca-certificates",
                      "seldon-base:debian-bookworm-py3.11", "seldon-python311", "seldon-python3"]
    assert slim[5] == "python:3.11-slim"


@pytest.mark.parametrize("script", ["matrix.sh", "build.sh", "base/build.sh"])
@pytest.mark.parametrize("env,error", [
    ({"VERSIONS": "3.99"},
     "ERROR: version 3.99 is not in the builder matrix builders/matrix (it has: 3.9 3.11 3.13 4.5 21 22 24)"),
    ({"LANGUAGES": "cobol"},
     "ERROR: language cobol is not in the builder matrix builders/matrix (it has: java nodejs python r)"),
    ({"LANGUAGES": "python", "VERSIONS": "3.11,2.7"},
     "ERROR: python version 2.7 is not in the builder matrix builders/matrix (it has: 3.9 3.11 3.13)"),
    ({"BASE": "alpine"}, "ERROR: BASE must be 'debian' or 'slim', not 'alpine'"),
])
def test_a_selection_outside_the_matrix_fails_in_one_line_before_anything_is_built(
        script: str, env: Dict[str, str], error: str) -> None:
    result = run(script, env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(error), result.stderr


def test_the_r_row_builds_on_its_debian_base_and_has_no_slim_build() -> None:
    assert run("matrix.sh", {"LANGUAGES": "r"}).stdout.split()[5:] == [
        "seldon-base:debian-trixie-r4.5", "seldon-r45", "seldon-r"]
    assert "seldon-r45" not in images({"BASE": "slim"})
    only_r = run("matrix.sh", {"LANGUAGES": "r", "BASE": "slim"})
    assert only_r.returncode == 1 and only_r.stdout == ""
    assert "ERROR: BASE=slim: no selected row of builders/matrix has a slim image" in only_r.stderr

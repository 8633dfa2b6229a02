"""Fixtures and helpers for the build-driver tests against the real engine.

The tests build a tiny throwaway builder (driver_builder/) FROM the project's own
bookworm base image (builders/base/build.sh, which `make build` runs; the fixture
runs it when the image is missing). Everything runs with host networking; conftest.py's
docker_engine fixture fails the tests first when no engine answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import List

import pytest

import dockercli
from dockercli import image_exists

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
BASE_IMAGE = "seldon-base:debian-bookworm-py3.11"  # named by builders/matrix
BUILDER = "seldon-s2i-driver-test-builder:latest"


def docker(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """dockercli.docker with str output: the driver tests compare docker's output with strings."""
    return dockercli.docker(*args, text=True, **kwargs)


def _ensure_base_image() -> None:
    if not image_exists(BASE_IMAGE):
        subprocess.run([str(ROOT / "builders" / "base" / "build.sh")], check=True,
                       env={**os.environ, "VERSIONS": "3.11", "BASE": "debian"})


@pytest.fixture(scope="session")
def builder_image() -> str:
    """The driver test builder, (re)built from driver_builder/ (cached layers make it quick)."""
    _ensure_base_image()
    docker("build", "--network", "host", "-q", "--build-arg", f"BASE_IMAGE={BASE_IMAGE}",
           "-t", BUILDER, str(HERE / "driver_builder"))
    return BUILDER


@pytest.fixture
def new_tag(builder_image):
    """Unique output tags for a test; every image they named is removed afterwards."""
    tags: List[str] = []

    def make(name: str) -> str:
        tag = f"seldon-s2i-drvtest-{name}:{uuid.uuid4().hex[:8]}"
        tags.append(tag)
        return tag

    yield make
    for tag in tags:
        docker("rmi", "-f", tag, check=False)
        # images this tag pointed to before a rebuild (and build stages made from them)
        # are untagged now; their io.k8s.display-name label still names the tag
        stale = docker("images", "-q", "--filter", "dangling=true", "--filter", f"label=io.k8s.display-name={tag}")
        for image_id in sorted(set(stale.stdout.split())):
            docker("rmi", "-f", image_id, check=False)


def seldon_s2i(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run the CLI as a user would (a separate process)."""
    return subprocess.run(
        [sys.executable, "-m", "seldon_s2i.cli", *args], capture_output=True, text=True, **kwargs
    )


def run_in(reference: str, script: str) -> str:
    """Run a shell snippet in an image, bypassing its ENTRYPOINT."""
    return docker("run", "--rm", "--network", "host", "--entrypoint", "", reference, "sh", "-c", script).stdout


def leftover_containers() -> List[str]:
    """Containers created from the test builder or any image built on it."""
    out = docker("ps", "-a", "--filter", f"ancestor={BUILDER}", "--format", "{{.ID}} {{.Image}}").stdout
    return [line for line in out.splitlines() if line.strip()]


SOURCE_ENVIRONMENT = (
    "MODEL_NAME=MyModel\n"
    'QUOTED="a b"\n'
    "SINGLE='x'\n"
    "DOLLAR=$HOME/bin\n"
    "HASH=a#b # not a comment\n"
    "EQUALS=k=v=w\n"
    "# COMMENTED=out\n"
    "OVERRIDDEN=from-source\n"
)

"""Fixtures and helpers for the build-driver tests against the real engine.

The tests build a tiny throwaway builder (driver_builder/) FROM the project's own
bookworm base image (builders/base/build.sh, which `make build` runs; the fixture
runs it when the image is missing). Everything runs with host networking. An unreachable engine
FAILS the tests (it never skips them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Dict, List

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
BASE_IMAGE = "seldon-base:debian-bookworm-py3.11"  # named by builders/versions
BUILDER = "seldon-s2i-driver-test-builder:latest"


def docker(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], check=check, capture_output=True, text=True, **kwargs)


def image_exists(reference: str) -> bool:
    return docker("image", "inspect", reference, check=False).returncode == 0


def _ensure_base_image() -> None:
    if not image_exists(BASE_IMAGE):
        subprocess.run([str(ROOT / "builders" / "base" / "build.sh")], check=True,
                       env={**os.environ, "VERSIONS": "3.11", "BASE": "debian"})


@pytest.fixture(scope="session")
def builder_image() -> str:
    """The driver test builder, (re)built from driver_builder/ (cached layers make it quick)."""
    info = docker("info", "--format", "{{.ServerVersion}}", check=False)
    if info.returncode != 0:
        pytest.fail(f"the Docker engine is unreachable (these tests need it): {info.stderr.strip()}")
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


def inspect_config(reference: str) -> Dict:
    return json.loads(docker("image", "inspect", reference).stdout)[0]["Config"]


def run_in(reference: str, script: str) -> str:
    """Run a shell snippet in an image, bypassing its ENTRYPOINT."""
    return docker("run", "--rm", "--network", "host", "--entrypoint", "", reference, "sh", "-c", script).stdout


def leftover_containers() -> List[str]:
    """Containers created from the test builder or any image built on it."""
    out = docker("ps", "-a", "--filter", f"ancestor={BUILDER}", "--format", "{{.ID}} {{.Image}}").stdout
    return [line for line in out.splitlines() if line.strip()]


def env_dict(config: Dict) -> Dict[str, str]:
    return dict(item.split("=", 1) for item in config["Env"])


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

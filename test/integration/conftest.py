"""Shared fixtures of the integration tests: a real Docker engine, host networking, loopback only.

- the `docker_engine` check runs for every test here and FAILS (never skips) when no engine answers;
- `free_port()` gives a free TCP port on 127.0.0.1;
- `run_container(image, ...)` starts a container with --network host and removes it after the test;
- `wait_for_http(url, container)` polls until the URL answers 200 (or the container dies).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional, Sequence

import pytest
import requests

import http_wait
import ports
from dockercli import docker
from driver_support import builder_image, new_tag  # noqa: F401 (fixtures of the driver tests)


@pytest.fixture(scope="session", autouse=True)
def docker_engine() -> None:
    """Every integration test needs the engine: fail loudly when it is missing."""
    try:
        result = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"no Docker engine: {exc} (start one with `make engine`)")
    if result.returncode != 0 or not result.stdout.strip():
        pytest.fail(f"no Docker engine answers `docker info` (start one with `make engine`): {result.stderr.strip()}")


@pytest.fixture
def free_port() -> Callable[[], int]:
    """A function returning a TCP port that is free on 127.0.0.1 right now."""
    return ports.free_port


@dataclass
class Container:
    """A container started by `run_container`; it is removed when the test ends."""

    id: str

    def logs(self) -> str:
        result = docker("logs", self.id, check=False)
        return (result.stdout + result.stderr).decode(errors="replace")

    def running(self) -> bool:
        result = docker("inspect", "-f", "{{.State.Running}}", self.id, check=False)
        return result.stdout.strip() == b"true"

    def exit_code(self) -> int:
        return int(docker("inspect", "-f", "{{.State.ExitCode}}", self.id).stdout)


@pytest.fixture
def run_container() -> Iterator[Callable[..., Container]]:
    """Start containers with host networking (our engine has no bridge); all removed at teardown."""
    started: List[Container] = []

    def start(image: str, env: Optional[Dict[str, str]] = None, user: Optional[str] = None,
              command: Sequence[str] = ()) -> Container:
        args = ["run", "-d", "--network", "host"]
        for name, value in (env or {}).items():
            args += ["-e", f"{name}={value}"]
        if user is not None:
            args += ["--user", user]
        container = Container(docker(*args, image, *command).stdout.decode().strip())
        started.append(container)
        return container

    yield start
    for container in started:
        docker("rm", "-f", "-v", container.id, check=False)


def _wait_for_http(url: str, container: Optional[Container] = None, timeout: float = 90) -> requests.Response:
    if container is None:
        return http_wait.wait_for_http(url, timeout)

    def died() -> Optional[str]:
        return None if container.running() else f"container exited ({container.exit_code()})"

    return http_wait.wait_for_http(url, timeout, died=died, logs=container.logs)


@pytest.fixture
def wait_for_http() -> Callable[..., requests.Response]:
    """wait_for_http(url, container=None, timeout=90): poll until 200; fail with the container's logs."""
    return _wait_for_http

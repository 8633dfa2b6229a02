"""Fixtures for the runtime's unit tests: real servers on free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest
import requests

from ports import free_port  # also imported from here by test_server.py

MODELS = Path(__file__).parent / "models"
# The walkthrough's model is served from its s2i app, the one the builder tests build.
WALKTHROUGH_APP = Path(__file__).resolve().parents[2] / "apps" / "image-model"


class Server:
    """`python -m seldon_s2i.runtime MODEL` started with CWD = the models dir and its own ports."""

    def __init__(self, model: str, args: List[str], env: Dict[str, str], grpc: bool = True,
                 cwd: Path = MODELS) -> None:
        self.http_port, self.grpc_port, self.metrics_port = free_port(), free_port(), free_port()
        self.grpc = grpc
        full_env = dict(os.environ)
        full_env.update({
            "PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(self.http_port),
            "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(self.metrics_port),
            "PYTHONUNBUFFERED": "1",
        })
        if grpc:
            full_env["PREDICTIVE_UNIT_GRPC_SERVICE_PORT"] = str(self.grpc_port)
        else:
            full_env["GRPC_WORKERS"] = "0"
        full_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        full_env.update(env)
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"seldon-s2i-test-{self.http_port}.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "seldon_s2i.runtime", model, *args], cwd=cwd,
                                     env=full_env, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + "/health/ping", timeout=1).status_code == 200 and self._grpc_listening():
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready:\n{self.output()}")

    def _grpc_listening(self) -> bool:
        if not self.grpc:
            return True
        try:
            socket.create_connection(("127.0.0.1", self.grpc_port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self, timeout: float = 40) -> Optional[int]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def start_server() -> Iterator:
    servers: List[Server] = []

    def start(model: str, *args: str, env: Optional[Dict[str, str]] = None, grpc: bool = True,
              wait: bool = True, cwd: Path = MODELS) -> Server:
        server = Server(model, list(args), env or {}, grpc, cwd)
        servers.append(server)
        if wait:
            server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()
        server.log_path.unlink(missing_ok=True)

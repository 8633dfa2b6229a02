"""Start and stop model servers of both implementations on free loopback ports.

The reference is seldon-core 1.17.1's `seldon-core-microservice` from .venv-ref (test/compat/setup-reference.sh);
ours is `python -m seldon_s2i.runtime` from the development virtualenv. Both get the same model directory
as CWD, the same arguments and the same environment apart from the ports, so any difference in what they
answer comes from the implementation.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
# pytest puts test/ on sys.path (test/conftest.py); bench/serve.py imports this module outside pytest.
if str(ROOT / "test") not in sys.path:
    sys.path.append(str(ROOT / "test"))

import ports  # noqa: E402

MODELS_DIR = ROOT / "test" / "conformance" / "models" / "python"
REFERENCE_VENV = Path(os.environ.get("REFERENCE_VENV", ROOT / ".venv-ref"))
OURS_PYTHON = Path(os.environ.get("OURS_PYTHON", sys.executable))

REFERENCE = "reference"
OURS = "ours"
IMPLEMENTATIONS = (REFERENCE, OURS)

# Variables of the test process that must not leak into the servers (they would change their behaviour).
_SCRUBBED = ("PYTHONPATH", "VIRTUAL_ENV", "PROMETHEUS_MULTIPROC_DIR", "API_TYPE", "SELDON_DEBUG", "GUNICORN_WORKERS",
             "GUNICORN_THREADS", "GRPC_WORKERS", "MODEL_METADATA", "PREDICTIVE_UNIT_PARAMETERS", "PREDICTIVE_UNIT_ID",
             "PREDICTIVE_UNIT_IMAGE", "PAYLOAD_PASSTHROUGH", "PREDICTIVE_UNIT_METRICS_ENDPOINT")

_taken_ports: set = set()


def free_port() -> int:
    """A loopback port nobody listens on now (never handed out twice in this process)."""
    while True:
        port = ports.free_port()
        if port not in _taken_ports:
            _taken_ports.add(port)
            return port


def command(implementation: str, args: List[str]) -> List[str]:
    """The command line of one implementation with the microservice arguments `args`."""
    if implementation == REFERENCE:
        return [str(REFERENCE_VENV / "bin" / "seldon-core-microservice"), *args]
    return [str(OURS_PYTHON), "-m", "seldon_s2i.runtime", *args]


@dataclass
class Server:
    """One running microservice (a process group) and where to reach it."""

    implementation: str
    model_dir: Path
    class_name: str
    service_type: str = "MODEL"
    env: Dict[str, str] = field(default_factory=dict)
    metrics_path: str = "/metrics"
    http_port: int = 0
    grpc_port: int = 0
    metrics_port: int = 0
    proc: Optional[subprocess.Popen] = None
    log_path: Optional[Path] = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}{self.metrics_path}"

    def start(self, args: Optional[List[str]] = None) -> "Server":
        """Launch without waiting (so many servers can start side by side); call wait_ready() next.

        `args` replaces the default microservice arguments `CLASS --service-type TYPE`."""
        self.http_port, self.grpc_port, self.metrics_port = free_port(), free_port(), free_port()
        self.metrics_path = self.env.get("PREDICTIVE_UNIT_METRICS_ENDPOINT", self.metrics_path)
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        env.update(self.env)
        env.update(PREDICTIVE_UNIT_HTTP_SERVICE_PORT=str(self.http_port),
                   PREDICTIVE_UNIT_GRPC_SERVICE_PORT=str(self.grpc_port),
                   PREDICTIVE_UNIT_METRICS_SERVICE_PORT=str(self.metrics_port),
                   PYTHONUNBUFFERED="1")
        fd, log = tempfile.mkstemp(prefix=f"compat-{self.implementation}-{self.class_name}-", suffix=".log")
        self.log_path = Path(log)
        with os.fdopen(fd, "wb") as log_file:
            args = args if args is not None else [self.class_name, "--service-type", self.service_type]
            self.proc = subprocess.Popen(command(self.implementation, args),
                                         cwd=self.model_dir, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except (OSError, AttributeError):
            return ""

    def wait_ready(self, timeout: float = 90.0, grpc: bool = True) -> "Server":
        """Wait for /health/ping, the metrics endpoint and (optionally) the gRPC port to answer."""
        deadline = time.monotonic() + timeout
        pending = [f"{self.base_url}/health/ping", self.metrics_url]
        while pending:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.implementation} server for {self.class_name} exited with "
                                   f"{self.proc.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.implementation} server for {self.class_name} not ready "
                                   f"({pending[0]}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(pending[0], timeout=2) as response:
                    if response.status == 200:
                        pending.pop(0)
                        continue
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        if grpc:
            import grpc as grpclib
            with grpclib.insecure_channel(self.grpc_target) as channel:
                grpclib.channel_ready_future(channel).result(timeout=max(1.0, deadline - time.monotonic()))
        return self

    def stop(self) -> None:
        """SIGTERM the whole process group, SIGKILL whatever is left after 15 s."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            pass
        try:  # children (gunicorn workers, gRPC and metrics processes) may outlive the leader
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.proc.returncode is None:
            self.proc.wait()
        self.proc = None
        if self.log_path:
            self.log_path.unlink(missing_ok=True)

"""Start one wrapper process for one model on free loopback ports, wait until it serves, stop it.

A wrapper is named by a command template (wrappers/<name>.json `command` or `image_command`, or pytest's
`--wrapper-command`). Placeholders: {python} (this interpreter), {root} (the repository),
{model} (models.json name), {model_dir}, {model_name}, {service_type}, {image}, {http_port}, {grpc_port},
{metrics_port}, {env_flags} (`-e NAME` for every variable the model sets: for `docker run`). The process runs
in the model directory with MODEL_NAME, SERVICE_TYPE, the model's environment and
PREDICTIVE_UNIT_{HTTP,GRPC,METRICS}_SERVICE_PORT set.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

import grpc

import ports

# Variables of the test process that would change a wrapper's behaviour if they leaked into it.
SCRUBBED = ("PYTHONPATH", "VIRTUAL_ENV", "PROMETHEUS_MULTIPROC_DIR", "API_TYPE", "SELDON_DEBUG", "GUNICORN_WORKERS",
            "GUNICORN_THREADS", "GRPC_WORKERS", "MODEL_METADATA", "PREDICTIVE_UNIT_PARAMETERS", "PREDICTIVE_UNIT_ID",
            "PREDICTIVE_UNIT_IMAGE", "PAYLOAD_PASSTHROUGH", "PREDICTIVE_UNIT_METRICS_ENDPOINT", "MODEL_NAME",
            "SERVICE_TYPE", "PERSISTENCE")
_handed_out: set = set()
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nobody listens on now, never handed out twice in this process."""
    while True:
        port = ports.free_port()
        if port not in _handed_out:
            _handed_out.add(port)
            return port


class WrapperProcess:
    """One wrapper serving one model (a process group), reachable on 127.0.0.1."""

    def __init__(self, command: str, model, model_dir: Path, image: str = "", stop_command: str = ""):
        self.http_port, self.grpc_port, self.metrics_port = free_port(), free_port(), free_port()
        self.model, self.model_dir = model, model_dir
        values = dict(python=sys.executable, root=ROOT, model=model.name, model_dir=model_dir,
                      model_name=model.model_name,
                      service_type=model.service_type, image=image, http_port=self.http_port,
                      grpc_port=self.grpc_port, metrics_port=self.metrics_port,
                      env_flags=" ".join(f"-e {name}" for name in model.env))
        self.argv: List[str] = shlex.split(command.format(**values))
        self.stop_argv: List[str] = shlex.split(stop_command.format(**values)) if stop_command else []
        self.proc: Optional[subprocess.Popen] = None
        self.log_path: Optional[Path] = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def environment(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
        env.update(self.model.env)
        env.update(MODEL_NAME=self.model.model_name, SERVICE_TYPE=self.model.service_type, PYTHONUNBUFFERED="1",
                   PREDICTIVE_UNIT_HTTP_SERVICE_PORT=str(self.http_port),
                   PREDICTIVE_UNIT_GRPC_SERVICE_PORT=str(self.grpc_port),
                   PREDICTIVE_UNIT_METRICS_SERVICE_PORT=str(self.metrics_port))
        return env

    def start(self) -> WrapperProcess:
        """Launch without waiting (several wrappers start side by side); call wait_ready() next."""
        fd, log = tempfile.mkstemp(prefix=f"conformance-{self.model.name}-", suffix=".log")
        self.log_path = Path(log)
        with os.fdopen(fd, "wb") as log_file:
            self.proc = subprocess.Popen(self.argv, cwd=self.model_dir, env=self.environment(),
                                         stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except (OSError, AttributeError):
            return ""

    def wait_ready(self, rest: bool = True, grpc_too: bool = True, timeout: float = 120.0,
                   metrics_path: str = "") -> WrapperProcess:
        """Wait for GET /health/ping to answer 200, the gRPC port to accept a channel and (if `metrics_path` is
        given) GET metrics_path on the metrics port to answer 200.

        Raises RuntimeError with the log's tail if the process exits or is not ready in `timeout` seconds."""
        deadline = time.monotonic() + timeout
        urls = ([f"{self.base_url}/health/ping"] if rest else []) + \
            ([f"http://127.0.0.1:{self.metrics_port}{metrics_path}"] if metrics_path else [])
        while urls:
            if self._answers(urls[0]):
                urls.pop(0)
                continue
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} for {self.model.name} exited with {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.argv[0]} for {self.model.name} not ready in {timeout} s ({urls[0]}):\n"
                                   f"{self.log_tail()}")
            time.sleep(0.1)
        if grpc_too:
            with grpc.insecure_channel(self.grpc_target) as channel:
                grpc.channel_ready_future(channel).result(timeout=max(1.0, deadline - time.monotonic()))
        return self

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def stop(self) -> None:
        """SIGTERM the process group (and run the profile's stop command), SIGKILL what is left after 15 s."""
        if self.proc is None:
            return
        if self.stop_argv:
            subprocess.run(self.stop_argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, None)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(wait)
                if sig == signal.SIGTERM:
                    try:  # children (workers, gRPC, metrics processes) may outlive the leader
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None
        if self.log_path:
            self.log_path.unlink(missing_ok=True)

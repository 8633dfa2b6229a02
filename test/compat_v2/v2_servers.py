"""Start and stop V2 servers of both implementations on free loopback ports.

Ours: `python -m seldon_s2i.runtime CLASS` with PROTOCOL=v2 (one process per model, the model
directory test/compat_v2/models/ours as CWD, MLSERVER_MODEL_NAME as the V2 name). MLServer:
`mlserver start` from .venv-mlserver (test/compat/setup-mlserver.sh) over a copy of
test/compat_v2/models/mlserver with a settings.json of free ports, one worker (parallel_workers 0:
inference in the server process, as ours with one gunicorn worker). Both are reached over REST and
gRPC on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

import grpc
import requests

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "test") not in sys.path:  # bench/serve.py imports this module outside pytest
    sys.path.append(str(ROOT / "test"))

import ports  # noqa: E402
from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb  # noqa: E402

MODELS = ROOT / "test" / "compat_v2" / "models"
MLSERVER_VENV = Path(os.environ.get("MLSERVER_VENV", ROOT / ".venv-mlserver"))
# V2 model name -> our class (test/compat_v2/models/ours/<Class>.py; MLServer's models.<Class>).
CLASSES = {"echo": "Echo", "classifier": "Classifier", "upper": "Upper", "failing": "Failing", "frame": "Frame"}
OURS, MLSERVER = "ours", "mlserver"
IMPLEMENTATIONS = (OURS, MLSERVER)
SCRUBBED = ("PYTHONPATH", "VIRTUAL_ENV", "PROTOCOL", "API_TYPE", "MLSERVER_HTTP_PORT", "MLSERVER_GRPC_PORT",
            "MLSERVER_MODEL_NAME", "PREDICTIVE_UNIT_ID", "GUNICORN_WORKERS", "PROMETHEUS_MULTIPROC_DIR")


def _clean_env(extra: Dict[str, str]) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(extra)
    return env


class Process:
    """One server process group with its REST and gRPC ports on 127.0.0.1."""

    def __init__(self, label: str, argv: List[str], cwd: Path, env: Dict[str, str], http_port: int, grpc_port: int):
        self.label, self.http_port, self.grpc_port = label, http_port, grpc_port
        self.metrics_port: Optional[int] = None
        self.log = tempfile.NamedTemporaryFile(prefix=f"v2-{label}-", suffix=".log", delete=False)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def log_tail(self, chars: int = 3000) -> str:
        return Path(self.log.name).read_text(errors="replace")[-chars:]

    def wait_ready(self, model: str, timeout: float = 120) -> float:
        """Seconds from start until the model is ready over REST and gRPC; AssertionError on timeout or exit."""
        deadline = self.started + timeout
        rest_ready = False
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.label} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if not rest_ready:
                    rest_ready = requests.get(f"{self.base_url}/v2/models/{model}/ready", timeout=2).status_code == 200
                if rest_ready:
                    with grpc.insecure_channel(self.grpc_target) as channel:
                        stub = channel.unary_unary("/inference.GRPCInferenceService/ModelReady",
                                                   request_serializer=pb.ModelReadyRequest.SerializeToString,
                                                   response_deserializer=pb.ModelReadyResponse.FromString)
                        if stub(pb.ModelReadyRequest(name=model), timeout=2).ready:
                            return time.monotonic() - self.started
            except (requests.RequestException, grpc.RpcError):
                pass
            time.sleep(0.05)
        raise AssertionError(f"{self.label} not ready within {timeout}s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL after 15 s."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def start_ours(model: str, env: Optional[Dict[str, str]] = None) -> Process:
    """Our runtime serving models/ours/<Class>.py as V2 model `model` (PROTOCOL=v2, one worker; `env` may
    change PROTOCOL)."""
    http, grpc_port, metrics = ports.free_port(), ports.free_port(), ports.free_port()
    # As the Seldon operator sets them: the MLSERVER_* ports equal the PREDICTIVE_UNIT_* ones.
    extra = {"PROTOCOL": "v2", "MLSERVER_MODEL_NAME": model, "MLSERVER_HTTP_PORT": str(http),
             "MLSERVER_GRPC_PORT": str(grpc_port), "PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(http),
             "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": str(grpc_port), "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics),
             "SELDON_S2I_HOST": "127.0.0.1", **(env or {})}
    argv = [sys.executable, "-m", "seldon_s2i.runtime", CLASSES[model]]
    process = Process(f"ours-{model}", argv, MODELS / "ours", _clean_env(extra), http, grpc_port)
    process.metrics_port = metrics
    return process


def start_mlserver(models: Optional[List[str]] = None) -> Process:
    """MLServer 1.7.1 serving `models` (default: all of CLASSES) from a temporary copy of models/mlserver."""
    workdir = Path(tempfile.mkdtemp(prefix="v2-mlserver-"))
    shutil.copy(MODELS / "mlserver" / "models.py", workdir)
    for model in models or list(CLASSES):
        shutil.copytree(MODELS / "mlserver" / model, workdir / model)
    http, grpc_port, metrics = ports.free_port(), ports.free_port(), ports.free_port()
    settings = {"host": "127.0.0.1", "http_port": http, "grpc_port": grpc_port, "metrics_port": metrics,
                "parallel_workers": 0, "debug": False}
    (workdir / "settings.json").write_text(json.dumps(settings))
    argv = [str(MLSERVER_VENV / "bin" / "mlserver"), "start", str(workdir)]
    return Process("mlserver", argv, workdir, _clean_env({}), http, grpc_port)


class V2Client:
    """gRPC calls of inference.GRPCInferenceService on one channel (grpcio + our generated messages)."""

    def __init__(self, target: str) -> None:
        self.channel = grpc.insecure_channel(target)

    def call(self, rpc: str, request, response_type, timeout: float = 20):
        stub = self.channel.unary_unary(f"/inference.GRPCInferenceService/{rpc}",
                                        request_serializer=type(request).SerializeToString,
                                        response_deserializer=response_type.FromString)
        return stub(request, timeout=timeout)

    def infer(self, request) -> pb.ModelInferResponse:
        return self.call("ModelInfer", request, pb.ModelInferResponse)

    def close(self) -> None:
        self.channel.close()

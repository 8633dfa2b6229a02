"""Start and stop model servers of both implementations on free loopback ports.

The reference is seldon-core 1.17.1's `seldon-core-microservice` from .venv-ref (test/compat/setup-reference.sh);
ours is `python -m seldon_s2i.runtime` from the development virtualenv. Both get the same model directory
as CWD, the same arguments and the same environment apart from the ports, so any difference in what they
answer comes from the implementation. The process handling is the conformance suite's
(test/conformance/wrapper.py): one way to start a wrapper, for both suites.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
# pytest puts test/ on sys.path (test/conftest.py); bench/serve.py imports this module outside pytest.
if str(ROOT / "test") not in sys.path:
    sys.path.append(str(ROOT / "test"))

from conformance.suite import Model  # noqa: E402
from conformance.wrapper import WrapperProcess  # noqa: E402

MODELS_DIR = ROOT / "test" / "conformance" / "models" / "python"
REFERENCE_VENV = Path(os.environ.get("REFERENCE_VENV", ROOT / ".venv-ref"))
OURS_PYTHON = Path(os.environ.get("OURS_PYTHON", sys.executable))

REFERENCE = "reference"
OURS = "ours"
IMPLEMENTATIONS = (REFERENCE, OURS)


def command(implementation: str, args: List[str]) -> List[str]:
    """The command line of one implementation with the microservice arguments `args`."""
    if implementation == REFERENCE:
        return [str(REFERENCE_VENV / "bin" / "seldon-core-microservice"), *args]
    return [str(OURS_PYTHON), "-m", "seldon_s2i.runtime", *args]


class Server:
    """One running microservice of one implementation (a process group) and where to reach it."""

    def __init__(self, implementation: str, model_dir: Path, class_name: str, service_type: str = "MODEL",
                 env: Optional[Dict[str, str]] = None):
        self.implementation, self.model_dir, self.class_name = implementation, model_dir, class_name
        self.service_type, self.env = service_type, dict(env or {})
        self.metrics_path = self.env.get("PREDICTIVE_UNIT_METRICS_ENDPOINT", "/metrics")
        self.process: Optional[WrapperProcess] = None

    def start(self, args: Optional[List[str]] = None) -> Server:
        """Launch without waiting (so many servers can start side by side); call wait_ready() next.

        `args` replaces the default microservice arguments `CLASS --service-type TYPE`."""
        args = args if args is not None else [self.class_name, "--service-type", self.service_type]
        template = shlex.join(command(self.implementation, args)).replace("{", "{{").replace("}", "}}")
        model = Model(self.class_name, self.class_name, self.service_type, "", self.env)
        self.process = WrapperProcess(template, model, self.model_dir).start()
        return self

    @property
    def proc(self):
        return self.process.proc if self.process else None

    @property
    def http_port(self) -> int:
        return self.process.http_port

    @property
    def metrics_port(self) -> int:
        return self.process.metrics_port

    @property
    def base_url(self) -> str:
        return self.process.base_url

    @property
    def grpc_target(self) -> str:
        return self.process.grpc_target

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}{self.metrics_path}"

    def log_tail(self, chars: int = 3000) -> str:
        return self.process.log_tail(chars) if self.process else ""

    def wait_ready(self, timeout: float = 90.0, grpc: bool = True) -> Server:
        """Wait for /health/ping, the metrics endpoint and (optionally) the gRPC port to answer."""
        self.process.wait_ready(grpc_too=grpc, timeout=timeout, metrics_path=self.metrics_path)
        return self

    def stop(self) -> None:
        """SIGTERM the whole process group, SIGKILL whatever is left after 15 s."""
        if self.process:
            self.process.stop()

#!/usr/bin/env python3
"""Serving speed of the NodeJS wrapper, side by side with seldon-core 1.17.1 (reference, .venv-ref) and our
Python wrapper: same echo model (test/conformance/models/<language>/echo), same client, same machine, one run.
Prints a table and writes it to out/bench-serve-nodejs.md.

  (b) tiny ndarray echo over REST: requests/s with 1 and 8 keep-alive connections (wrk)
  (e) a 100,000-value tensor echo over REST: median latency
  (d) start-up: process start to the first successful /health/ping, median of several starts
  (f) the size of the walkthrough app image (test/apps/nodejs/model-app built on seldon-nodejs)

The NodeJS wrapper runs as a local process of the Node.js and wrapper the builder image was made of
(.cache/context/nodejs24, staged by `make build`), like the two Python servers, defaults on every side.
Usage: bench/serve_nodejs.py [--quick]   (run by `make bench-serve-nodejs`)
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "test"), str(ROOT / "test" / "compat")]

from serve import post, render, wrk_throughput  # noqa: E402

from conformance.suite import Model  # noqa: E402
from conformance.wrapper import WrapperProcess  # noqa: E402
from servers import REFERENCE, command  # noqa: E402

CONTEXT = ROOT / ".cache" / "context" / "nodejs24"
MODELS = ROOT / "test" / "conformance" / "models"
NODEJS, PYTHON = "nodejs", "python"
IMPLEMENTATIONS = (REFERENCE, PYTHON, NODEJS)
APP_IMAGE = "seldon-s2i-bench-nodejs-model-app:latest"


def start(implementation: str) -> WrapperProcess:
    """The echo model served by one implementation (not yet ready)."""
    if implementation == NODEJS:
        argv = [str(CONTEXT / "node" / "bin" / "node"), str(CONTEXT / "wrapper" / "bin" / "microservice.js"),
                "Echo.js", "--service-type", "MODEL"]
        model_dir = MODELS / "nodejs" / "echo"
    else:
        argv = command(REFERENCE if implementation == REFERENCE else "ours", ["Echo", "--service-type", "MODEL"])
        model_dir = MODELS / "python" / "echo"
    template = shlex.join(argv).replace("{", "{{").replace("}", "}}")
    return WrapperProcess(template, Model("echo", "Echo", "MODEL", "echo", {}), model_dir).start()


def startup_time(implementation: str) -> float:
    began = time.perf_counter()
    server = start(implementation)
    try:
        while True:
            if server.proc.poll() is not None:
                raise RuntimeError(f"{implementation} exited:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{server.base_url}/health/ping", timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - began
            except OSError:
                time.sleep(0.02)
    finally:
        server.stop()


def tensor_latency(port: int, runs: int) -> float:
    """Median seconds of one POST echoing a 100,000-value tensor (checked once)."""
    body = json.dumps({"data": {"tensor": {"shape": [1, 100000], "values": [i * 0.5 for i in range(100000)]}}}).encode()
    status, answer = post(port, "/api/v1.0/predictions", body)
    assert status == 200 and json.loads(answer)["data"]["tensor"]["values"][-1] == 49999.5, answer[:200]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        status, _ = post(port, "/api/v1.0/predictions", body)
        times.append(time.perf_counter() - began)
        assert status == 200
    return statistics.median(times)


def app_image_size() -> float:
    """MB of the walkthrough app image, built with seldon-s2i on seldon-nodejs."""
    seldon_s2i = str(Path(sys.executable).parent / "seldon-s2i")
    subprocess.run([seldon_s2i, "build", str(ROOT / "test" / "apps" / "nodejs" / "model-app"), "seldon-nodejs",
                    APP_IMAGE, "--network", "host", "--pull-policy", "never"], check=True, capture_output=True)
    try:
        size = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", APP_IMAGE], check=True,
                              capture_output=True, text=True).stdout
    finally:
        subprocess.run(["docker", "rmi", "-f", APP_IMAGE], capture_output=True)
    return int(size) / 1e6


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test of the benchmark itself)")
    args = parser.parse_args(argv)
    if not (CONTEXT / "node" / "bin" / "node").exists():
        print(f"ERROR: {CONTEXT} is missing: run `make build LANGUAGES=nodejs` first", file=sys.stderr)
        return 1
    if shutil.which("wrk") is None:
        print("ERROR: wrk is missing: run bench/ensure-wrk.sh", file=sys.stderr)
        return 1
    runs, seconds, starts = (3, 1.0, 2) if args.quick else (9, 3.0, 5)
    results: Dict[str, Dict[str, float]] = {}

    print("---> (b, e) tiny echo and 100,000-value tensor echo over REST", flush=True)
    servers = {impl: start(impl) for impl in IMPLEMENTATIONS}
    try:
        for server in servers.values():
            server.wait_ready(grpc_too=False, timeout=90, metrics_path="/metrics")
        for concurrency in (1, 8):
            results[f"(b) REST echo, {concurrency} connection(s) [wrk]"] = {
                impl: wrk_throughput(servers[impl].http_port, concurrency, seconds) for impl in IMPLEMENTATIONS}
        results["(e) REST 100,000-value tensor echo, median latency"] = {
            impl: tensor_latency(servers[impl].http_port, runs) for impl in IMPLEMENTATIONS}
    finally:
        for server in servers.values():
            server.stop()

    print("---> (d) start-up to first /health/ping", flush=True)
    times: Dict[str, List[float]] = {impl: [] for impl in IMPLEMENTATIONS}
    for _ in range(starts):
        for impl in IMPLEMENTATIONS:  # interleaved, so background noise hits all alike
            times[impl].append(startup_time(impl))
    results["(d) start to first /health/ping, median"] = {impl: statistics.median(v) for impl, v in times.items()}

    print("---> (f) app image size", flush=True)
    size = app_image_size()

    rows = []
    for measure, values in results.items():
        unit = "s" if "latency" in measure or "start" in measure else "req/s"
        for against in (REFERENCE, PYTHON):
            ours, theirs = values[NODEJS], values[against]
            ratio = theirs / ours if unit == "s" else ours / theirs
            target = 3.0 if measure.startswith("(b)") and against == REFERENCE else 0.0  # 0: no target
            rows.append((f"{measure}: NodeJS vs {'reference' if against == REFERENCE else 'our Python'}",
                         unit, theirs, ours, ratio, target))
    table = render(rows, args.quick).replace(
        "seldon-core 1.17.1 (reference) vs seldon-s2i runtime (ours)",
        "the NodeJS wrapper (ours) vs seldon-core 1.17.1 and our Python wrapper (Reference column)").replace(
        "| >= 0x | pass |", "| - | - |")
    table += f"\n(f) walkthrough app image on seldon-nodejs: {size:.0f} MB (target <= 250 MB: " \
             f"{'pass' if size <= 250 else 'MISSED'})\n"
    print(table)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "bench-serve-nodejs.md").write_text(table)
    print(f"---> written to {out / 'bench-serve-nodejs.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

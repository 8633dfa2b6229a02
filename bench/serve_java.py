#!/usr/bin/env python3
"""Serving speed of the Java wrapper, side by side with seldon-core 1.17.1 (reference, .venv-ref): the same echo
model (the Python Echo for the reference, the Java Echo of test/conformance/models/java built into an app image by
`seldon-s2i build` with seldon-java), same client, same machine, one run. Prints a table with ratios and the issue's
targets and writes it to out/bench-serve-java.md.

  (a) tiny ndarray echo over REST: requests/s with wrk at 1 and 8 connections (target: >= 5x the reference)
  (b) the same echo over gRPC Model/Predict on a reused channel, 1 and 8 concurrent Python clients
  (c) start to first answer: `docker run` of the app image to the first /health/ping 200 (target <= 3 s); the
      reference's is its process start to the same answer (no container)
  (d) the app image's size (target <= 350 MB)

Both servers run with their defaults. Loopback only (the container uses --network host).
Usage: bench/serve_java.py [--quick]   (run by `make bench-serve-java`, which prepares .venv, .venv-ref and wrk)
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "test"), str(ROOT / "test" / "compat")]

from serve import grpc_echo_worker, startup_time, throughput, wrk_throughput  # noqa: E402

from conformance.grpc_client import Client  # noqa: E402
from ports import free_port  # noqa: E402
from servers import MODELS_DIR, REFERENCE, Server  # noqa: E402

BUILDER = "seldon-java"
JAVA_MODELS = ROOT / "test" / "conformance" / "models" / "java"
SELDON_S2I = str(Path(sys.executable).parent / "seldon-s2i")


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout.strip()


def build_echo_image(tag: str) -> None:
    """The Java Echo (with the conformance helpers) as plain sources, built by the Java builder."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "echo"
        shutil.copytree(JAVA_MODELS / "echo", source)
        for helper in (JAVA_MODELS / "common" / "src" / "main" / "java").glob("*.java"):
            shutil.copy(helper, source / "src" / "main" / "java")
        (source / ".s2i").mkdir()
        (source / ".s2i" / "environment").write_text("MODEL_NAME=Echo\nSERVICE_TYPE=MODEL\n")
        subprocess.run([SELDON_S2I, "build", str(source), BUILDER, tag, "--network", "host", "--pull-policy", "never"],
                       check=True, stdout=subprocess.DEVNULL)


class JavaServer:
    """The app image running with host networking on free loopback ports."""

    def __init__(self, image: str) -> None:
        self.http_port, self.grpc_port, self.metrics_port = free_port(), free_port(), free_port()
        self.name = f"bench-java-{uuid.uuid4().hex[:8]}"
        docker("run", "-d", "--rm", "--network", "host", "--name", self.name,
               "-e", f"PREDICTIVE_UNIT_HTTP_SERVICE_PORT={self.http_port}",
               "-e", f"PREDICTIVE_UNIT_GRPC_SERVICE_PORT={self.grpc_port}",
               "-e", f"PREDICTIVE_UNIT_METRICS_SERVICE_PORT={self.metrics_port}", image)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds until /health/ping answered 200."""
        start = time.perf_counter()
        url = f"http://127.0.0.1:{self.http_port}/health/ping"
        while time.perf_counter() - start < timeout:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer {url} in {timeout} s")

    def stop(self) -> None:
        subprocess.run(["docker", "rm", "-f", self.name], capture_output=True)


def java_startup(image: str) -> float:
    start = time.perf_counter()
    server = JavaServer(image)
    try:
        server.wait_ready()
        return time.perf_counter() - start
    finally:
        server.stop()


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (a smoke test of the benchmark)")
    args = parser.parse_args(argv)
    seconds, starts = (2.0, 2) if args.quick else (8.0, 5)
    if shutil.which("wrk") is None:
        print("ERROR: wrk is missing: run bench/ensure-wrk.sh (as root on Debian)", file=sys.stderr)
        return 1
    tag = f"seldon-s2i-bench-java-echo:{uuid.uuid4().hex[:8]}"
    print(f"---> building the Java echo model with {BUILDER} as {tag}", flush=True)
    build_echo_image(tag)
    rows = []
    try:
        print("---> (a, b) tiny echo over REST (wrk) and gRPC", flush=True)
        reference = Server(REFERENCE, MODELS_DIR / "echo", "Echo").start().wait_ready()
        java = JavaServer(tag)
        java.wait_ready()
        clients = {"reference": Client(reference.grpc_target), "java": Client(f"127.0.0.1:{java.grpc_port}")}
        try:
            for concurrency in (1, 8):
                ref = wrk_throughput(reference.http_port, concurrency, seconds)
                ours = wrk_throughput(java.http_port, concurrency, seconds)
                rows.append((f"(a) REST echo, {concurrency} connection(s) [wrk]", "req/s", ref, ours, ours / ref, 5.0))
            for concurrency in (1, 8):
                ref = throughput(grpc_echo_worker(clients["reference"]), concurrency, seconds)
                ours = throughput(grpc_echo_worker(clients["java"]), concurrency, seconds)
                rows.append((f"(b) gRPC Model/Predict echo, {concurrency} client(s)", "req/s", ref, ours, ours / ref,
                             None))
        finally:
            for client in clients.values():
                client.close()
            reference.stop()
            java.stop()

        print("---> (c) start to first /health/ping", flush=True)
        ref_times, java_times = [], []
        for _ in range(starts):
            ref_times.append(startup_time(REFERENCE))
            java_times.append(java_startup(tag))
        ref_start, java_start = statistics.median(ref_times), statistics.median(java_times)
        rows.append(("(c) start to first /health/ping, median (Java: docker run)", "s", ref_start, java_start,
                     ref_start / java_start, None))
        size = int(docker("image", "inspect", "-f", "{{.Size}}", tag)) / 1e6
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)

    table = render(rows, java_start, size, args.quick)
    print(table)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "bench-serve-java.md").write_text(table)
    print(f"---> written to {out / 'bench-serve-java.md'}")
    return 0


def render(rows, java_start: float, size_mb: float, quick: bool) -> str:
    lines = ["# Serving benchmark: seldon-core 1.17.1 (reference, Python) vs the Java wrapper (seldon-java app image)",
             "", f"Same machine, same clients, one run{' (--quick)' if quick else ''}; defaults on both sides. "
             "Ratio = how many times better the Java wrapper is.", "",
             "| Measure | Unit | Reference | Java | Ratio | Target | Result |", "|---|---|---|---|---|---|---|"]
    for measure, unit, reference, ours, ratio, target in rows:
        fmt = "{:.3f}" if unit == "s" else "{:.0f}"
        shown = math.floor(ratio * 100) / 100
        result = "-" if target is None else ("pass" if ratio >= target else "MISSED")
        lines.append(f"| {measure} | {unit} | {fmt.format(reference)} | {fmt.format(ours)} | {shown:.2f}x | "
                     f"{'-' if target is None else f'>= {target:g}x'} | {result} |")
    lines.append(f"| (c) Java start to first answer | s | - | {java_start:.3f} | - | <= 3 s | "
                 f"{'pass' if java_start <= 3 else 'MISSED'} |")
    lines.append(f"| (d) Java app image size | MB | - | {size_mb:.0f} | - | <= 350 MB | "
                 f"{'pass' if size_mb <= 350 else 'MISSED'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Serving speed of the R wrapper (image seldon-r), side by side with seldon-core 1.17.1 (reference, .venv-ref),
same machine, same client (wrk), one run. Prints a table and writes it to out/bench-serve-r.md.

  (r1) tiny ndarray echo over REST: requests/s with 1 and 8 connections (wrk; both servers close each connection
       after its answer); target >= the reference
  (r2) a 10,000-row data.frame: an rpart prediction of test/apps/r/rpart-model, median latency (R only: the
       reference cannot run an R model; its echo of the same body is shown for scale)
  (r3) start-up: `docker run` of the R echo to the first /health/ping, against the reference process's start
  (r4) the rpart app image's size; target <= 400 MB (the original rocker-based image was over 1 GB)

Usage: bench/serve_r.py [--quick]   (run by `make bench-serve`; needs the seldon-r builder: make build LANGUAGES=r)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "test"), str(ROOT / "test" / "compat")]

from serve import startup_time, wrk_throughput  # noqa: E402

from ports import free_port  # noqa: E402
from servers import MODELS_DIR, REFERENCE, Server  # noqa: E402

BUILDER = "seldon-r"
R_ECHO = ROOT / "test" / "conformance" / "models" / "r" / "echo"
RPART_APP = ROOT / "test" / "apps" / "r" / "rpart-model"
SELDON_S2I = str(Path(sys.executable).parent / "seldon-s2i")


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout.strip()


class RContainer:
    """One R microservice container on free loopback ports (host network)."""

    def __init__(self, image: str, mounts: Tuple[str, ...] = (), env: Tuple[str, ...] = (),
                 command: Tuple[str, ...] = ()) -> None:
        self.http_port, self.metrics_port = free_port(), free_port()
        self.name = f"bench-r-{uuid.uuid4().hex[:8]}"
        self.args = ["run", "-d", "--network", "host", "--name", self.name, *mounts, *env,
                     "-e", f"PREDICTIVE_UNIT_HTTP_SERVICE_PORT={self.http_port}",
                     "-e", f"PREDICTIVE_UNIT_METRICS_SERVICE_PORT={self.metrics_port}", image, *command]

    def start(self) -> float:
        """Start and wait for /health/ping; return the seconds from `docker run` to the first 200."""
        started = time.perf_counter()
        docker(*self.args)
        url = f"http://127.0.0.1:{self.http_port}/health/ping"
        while time.perf_counter() - started < 60:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer:\n{docker('logs', self.name)}")

    def stop(self) -> None:
        subprocess.run(["docker", "rm", "-f", self.name], capture_output=True)


def r_echo() -> RContainer:
    return RContainer(BUILDER, ("-v", f"{R_ECHO}:/microservice:ro"),
                      ("-e", "MODEL_NAME=Echo.R", "-e", "SERVICE_TYPE=MODEL"), ("/usr/libexec/s2i/run",))


def median_post(port: int, body: bytes, runs: int) -> float:
    times = []
    for _ in range(runs + 1):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1.0/predictions", body,
                                         {"Content-Type": "application/json"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            assert response.status == 200
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])  # the first is a warm-up


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test of the benchmark itself)")
    args = parser.parse_args(argv)
    seconds, runs, starts = (1.0, 3, 2) if args.quick else (3.0, 7, 5)
    if subprocess.run(["docker", "image", "inspect", BUILDER], capture_output=True).returncode != 0:
        print(f"ERROR: the builder {BUILDER} is missing: run `make build LANGUAGES=r` first", file=sys.stderr)
        return 1
    rows = []  # (measure, unit, reference, r, result)

    print("---> (r1) tiny echo over REST, wrk", flush=True)
    reference = Server(REFERENCE, MODELS_DIR / "echo", "Echo").start()
    ours = r_echo()
    try:
        reference.wait_ready()
        ours.start()
        for clients in (1, 8):
            ref = wrk_throughput(reference.http_port, clients, seconds)
            got = wrk_throughput(ours.http_port, clients, seconds)
            rows.append((f"(r1) REST echo, {clients} connection(s) [wrk]", "req/s", f"{ref:.0f}", f"{got:.0f}",
                         f"{got / ref:.2f}x, target >= 1x: {'pass' if got >= ref else 'MISSED'}"))
    finally:
        ours.stop()

    print("---> (r2) 10,000-row data.frame", flush=True)
    tag = f"bench-r-rpart:{uuid.uuid4().hex[:8]}"
    subprocess.run([SELDON_S2I, "build", str(RPART_APP), BUILDER, tag, "--network", "host", "--pull-policy", "never"],
                   check=True, capture_output=True)
    rng = random.Random(0)
    rows_10k = [[round(rng.uniform(4, 8), 1), round(rng.uniform(2, 4.5), 1), round(rng.uniform(1, 7), 1),
                 round(rng.uniform(0.1, 2.5), 1)] for _ in range(10_000)]
    body = json.dumps({"data": {"ndarray": rows_10k}}).encode()
    app = RContainer(tag)
    try:
        app.start()
        r_latency = median_post(app.http_port, body, runs)
        ref_latency = median_post(reference.http_port, body, runs)
    finally:
        app.stop()
        reference.stop()
    rows.append(("(r2) 10,000-row data.frame, median latency (R: rpart predict; reference: echo)", "s",
                 f"{ref_latency:.3f}", f"{r_latency:.3f}", "R only (no target)"))

    print("---> (r3) start-up to first /health/ping", flush=True)
    r_starts, ref_starts = [], []
    for _ in range(starts):
        container = r_echo()
        try:
            r_starts.append(container.start())
        finally:
            container.stop()
        ref_starts.append(startup_time(REFERENCE))
    r_start, ref_start = statistics.median(r_starts), statistics.median(ref_starts)
    rows.append(("(r3) start to first /health/ping, median (R: docker run; reference: process)", "s",
                 f"{ref_start:.3f}", f"{r_start:.3f}", f"{ref_start / r_start:.2f}x"))

    size = int(docker("image", "inspect", "-f", "{{.Size}}", tag)) / 1e6
    subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)
    rows.append(("(r4) rpart app image size", "MB", "-", f"{size:.0f}",
                 f"target <= 400 MB: {'pass' if size <= 400 else 'MISSED'}"))

    table = render(rows, args.quick)
    print(table)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "bench-serve-r.md").write_text(table)
    print(f"---> written to {out / 'bench-serve-r.md'}")
    return 0


def render(rows, quick: bool) -> str:
    lines = ["# Serving benchmark: the R wrapper (seldon-r) and seldon-core 1.17.1 (reference)", "",
             f"Same machine, same client, one run{' (--quick)' if quick else ''}; defaults on both sides.", "",
             "| Measure | Unit | Reference | R | Result |", "|---|---|---|---|---|"]
    lines += [f"| {measure} | {unit} | {ref} | {r} | {result} |" for measure, unit, ref, r, result in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

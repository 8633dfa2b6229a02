#!/usr/bin/env python3
"""V2 serving speed, side by side: MLServer 1.7.1 (.venv-mlserver) vs our runtime with PROTOCOL=v2, the same
echo model (test/compat_v2/models), the same clients, one run. Prints a table with ratios and the issue's
targets, and writes it to out/bench-serve-v2.md.

  (e) tiny V2 infer (FP32 [1,3]) over REST: requests/s with 1 and 8 keep-alive connections (wrk)
  (f) an image-sized tensor (FP32 [1,150528], ~1.6 MB of JSON) over REST: requests/s, 1 connection (wrk)
  (g) tiny V2 ModelInfer over gRPC on a reused channel, 1 and 8 concurrent callers (grpcio from the dev lock)
  (h) start-up: process start until the model is ready over REST and gRPC, median of several starts

One worker each: ours 1 gunicorn worker (1 thread) and 1 gRPC worker; MLServer parallel_workers 0 (inference in
its one server process). Loopback only, bounded time.
Usage: bench/serve_v2.py [--quick]   (run by `make bench-serve`, which prepares .venv and .venv-mlserver)
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "test"), str(ROOT / "test" / "compat_v2")]

from v2_servers import IMPLEMENTATIONS, MLSERVER, OURS, Process, V2Client, start_mlserver, start_ours  # noqa: E402

from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb  # noqa: E402

MODEL = "echo"
TINY = {"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1.0, 2.0, 3.0]}]}
IMAGE = {"inputs": [{"name": "x", "shape": [1, 150528], "datatype": "FP32",
                     "data": [round((i % 251) / 251, 4) for i in range(150528)]}]}
TARGETS = {"rest": 2.0, "grpc": 1.5, "start": 2.0}


def wrk_rps(port: int, body: Dict, clients: int, seconds: float) -> float:
    """Requests/s measured by wrk posting `body` to the echo model's infer route."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(f"wrk.method = \"POST\"\nwrk.body = '{json.dumps(body)}'\n"
                      "wrk.headers[\"Content-Type\"] = \"application/json\"\n")
    url = f"http://127.0.0.1:{port}/v2/models/{MODEL}/infer"
    try:
        subprocess.run(["wrk", "-t1", "-c1", "-d1s", "-s", str(script), url], capture_output=True, check=True)
        out = subprocess.run(["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds:g}s", "-s", str(script),
                              url], capture_output=True, text=True, check=True).stdout
    finally:
        script.unlink()
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw error responses:\n{out}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def grpc_rps(target: str, clients: int, seconds: float) -> float:
    """ModelInfer calls/s of `clients` threads sharing one channel, each with a prebuilt request."""
    client = V2Client(target)
    request = pb.ModelInferRequest(model_name=MODEL)
    request.inputs.add(name="x", datatype="FP32", shape=[1, 3]).contents.fp32_contents.extend([1, 2, 3])
    infer = client.channel.unary_unary("/inference.GRPCInferenceService/ModelInfer",
                                       request_serializer=pb.ModelInferRequest.SerializeToString,
                                       response_deserializer=pb.ModelInferResponse.FromString)
    assert list(infer(request, timeout=30).outputs[0].contents.fp32_contents) == [1, 2, 3]

    def run(deadline: float, done: List[int]) -> None:
        count = 0
        while time.perf_counter() < deadline:
            infer(request, timeout=30)
            count += 1
        done.append(count)

    try:
        run(time.perf_counter() + 0.3, [])  # warm-up
        done: List[int] = []
        start = time.perf_counter()
        threads = [threading.Thread(target=run, args=(start + seconds, done)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(done) / (time.perf_counter() - start)
    finally:
        client.close()


def start(implementation: str) -> Process:
    return start_ours(MODEL) if implementation == OURS else start_mlserver([MODEL])


def startup_seconds(implementation: str) -> float:
    process = start(implementation)
    try:
        return process.wait_ready(MODEL)
    finally:
        process.stop()


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test of the benchmark itself)")
    args = parser.parse_args(argv)
    seconds, starts = (1.0, 2) if args.quick else (3.0, 5)
    if shutil.which("wrk") is None:
        print("ERROR: wrk is not installed: run bench/ensure-wrk.sh (make bench-serve does)", file=sys.stderr)
        return 1
    rows = []  # (measure, unit, mlserver, ours, ratio, target)

    print("---> (e, f, g) V2 infer over REST and gRPC", flush=True)
    servers: Dict[str, Process] = {impl: start(impl) for impl in IMPLEMENTATIONS}
    try:
        for process in servers.values():
            process.wait_ready(MODEL)
        for concurrency in (1, 8):
            rps = {impl: wrk_rps(servers[impl].http_port, TINY, concurrency, seconds) for impl in IMPLEMENTATIONS}
            rows.append((f"(e) REST V2 infer FP32 [1,3], {concurrency} connection(s) [wrk]", "req/s",
                         rps[MLSERVER], rps[OURS], rps[OURS] / rps[MLSERVER], TARGETS["rest"]))
        rps = {impl: wrk_rps(servers[impl].http_port, IMAGE, 1, seconds) for impl in IMPLEMENTATIONS}
        rows.append(("(f) REST V2 infer FP32 [1,150528], 1 connection [wrk]", "req/s", rps[MLSERVER], rps[OURS],
                     rps[OURS] / rps[MLSERVER], TARGETS["rest"]))
        for concurrency in (1, 8):
            rps = {impl: grpc_rps(servers[impl].grpc_target, concurrency, seconds) for impl in IMPLEMENTATIONS}
            rows.append((f"(g) gRPC ModelInfer FP32 [1,3], {concurrency} caller(s) [grpcio]", "req/s",
                         rps[MLSERVER], rps[OURS], rps[OURS] / rps[MLSERVER], TARGETS["grpc"]))
    finally:
        for process in servers.values():
            process.stop()

    print("---> (h) start-up to model ready (REST and gRPC)", flush=True)
    times: Dict[str, List[float]] = {impl: [] for impl in IMPLEMENTATIONS}
    for _ in range(starts):
        for impl in IMPLEMENTATIONS:  # interleaved, so background noise hits both alike
            times[impl].append(startup_seconds(impl))
    startup = {impl: statistics.median(values) for impl, values in times.items()}
    rows.append(("(h) start to model ready, median", "s", startup[MLSERVER], startup[OURS],
                 startup[MLSERVER] / startup[OURS], TARGETS["start"]))

    table = render(rows, args.quick)
    print(table)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "bench-serve-v2.md").write_text(table)
    print(f"---> written to {out / 'bench-serve-v2.md'}")
    return 0


def render(rows, quick: bool) -> str:
    lines = ["# V2 serving benchmark: MLServer 1.7.1 vs seldon-s2i runtime (ours, PROTOCOL=v2)", "",
             f"Same machine, same clients, one run{' (--quick)' if quick else ''}; one worker each. "
             "Ratio = how many times better ours is.", "",
             "| Measure | Unit | MLServer | Ours | Ratio (ours better by) | Target | Result |",
             "|---|---|---|---|---|---|---|"]
    for measure, unit, theirs, ours, ratio, target in rows:
        fmt = "{:.3f}" if unit == "s" else "{:.0f}"
        result = "pass" if ratio >= target else "MISSED"
        shown = math.floor(ratio * 100) / 100  # never round a miss up to the target
        lines.append(f"| {measure} | {unit} | {fmt.format(theirs)} | {fmt.format(ours)} | {shown:.2f}x | "
                     f">= {target:g}x | {result} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""V2 serving speed, side by side: MLServer 1.7.1 (.venv-mlserver) vs our runtime with PROTOCOL=v2, the same
echo model (test/compat_v2/models), the same clients, one run. Prints a table with ratios and the issue's
targets, and writes it to out/bench-serve-v2.md.

  (e) tiny V2 infer (FP32 [1,3]) over REST: requests/s with 1 and 8 keep-alive connections (wrk)
  (f) an image-sized tensor (FP32 [1,150528], ~1.6 MB of JSON) over REST: requests/s, 1 connection (wrk)
  (g) tiny V2 ModelInfer over gRPC, 1 and 8 concurrent calls: with h2load (nghttp2's C HTTP/2 load client, from
      Debian: gRPC frames on one connection, 1 or 8 streams) and with grpcio (from the dev lock: one channel,
      1 or 8 caller threads). h2load's rows are the target's: the Python client spends ~250 us per call itself,
      a large share of a 1-caller round trip, which hides the servers' difference (docs/v2-protocol.md, Speed)
  (h) start-up: process start until the model is ready over REST and gRPC, median of several starts

One worker each: ours 1 gunicorn worker (1 thread) and 1 gRPC worker; MLServer parallel_workers 0 (inference in
its one server process). Loopback only, bounded time. Every throughput is the median of --runs runs that
alternate the servers (the first server of a run alternates too), each after a warm-up at the same concurrency,
so a burst of load elsewhere on the machine hits both alike. The gRPC rows also give the servers' CPU time per
call (all their processes, from /proc): it depends far less on other load than calls/s do. Both servers get the
same client: one grpcio channel with default options and the same serialized request.

--baseline-src DIR adds a third server: ours from another checkout's src/ (e.g. `git archive main src | tar -x
-C DIR`), to show a change's effect in the same run.
Usage: bench/serve_v2.py [--quick] [--runs N] [--baseline-src DIR]   (run by `make bench-serve`)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "test"), str(ROOT / "test" / "compat_v2")]

from v2_servers import IMPLEMENTATIONS, MLSERVER, OURS, Process, V2Client, start_mlserver, start_ours  # noqa: E402

from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb  # noqa: E402

MODEL = "echo"
TINY = {"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1.0, 2.0, 3.0]}]}
IMAGE = {"inputs": [{"name": "x", "shape": [1, 150528], "datatype": "FP32",
                     "data": [round((i % 251) / 251, 4) for i in range(150528)]}]}
TARGETS = {"rest": 2.0, "grpc": 1.5, "start": 2.0}
BASELINE = "baseline"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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


def tiny_grpc_request() -> pb.ModelInferRequest:
    """The (g) rows' request: FP32 [1,3] to the echo model."""
    request = pb.ModelInferRequest(model_name=MODEL)
    request.inputs.add(name="x", datatype="FP32", shape=[1, 3]).contents.fp32_contents.extend([1, 2, 3])
    return request


def h2load_grpc_rps(port: int, streams: int, seconds: float) -> float:
    """ModelInfer calls/s measured by h2load: one HTTP/2 connection, `streams` concurrent streams, each
    posting the same length-prefixed gRPC message (tiny_grpc_request) for `seconds` after a 1 s warm-up.
    h2load does not read gRPC trailers: a call that fails answers HTTP 200 with no DATA frame, so the
    run is refused unless every response carried a message (DATA bytes >= 5 per request)."""
    message = tiny_grpc_request().SerializeToString()
    body = Path(tempfile.mkstemp(suffix=".grpc")[1])
    body.write_bytes(b"\0" + len(message).to_bytes(4, "big") + message)
    url = f"http://127.0.0.1:{port}/inference.GRPCInferenceService/ModelInfer"
    try:
        out = subprocess.run(["h2load", "-c1", f"-m{streams}", "-t1", f"-D{seconds:g}", "--warm-up-time=1",
                              "-d", str(body), "-H", "content-type: application/grpc", "-H", "te: trailers", url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        body.unlink()
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored",
                     out)
    rate = re.search(r"finished in [0-9.]+\w+, ([0-9.]+) req/s", out)
    data = re.search(r"traffic: .* total, .* headers .*, ([0-9.]+)([KMG]?)B \(\d+\) data", out)
    if not (done and rate and data):
        raise RuntimeError(f"cannot read h2load's output:\n{out}")
    succeeded, failed, errored = int(done.group(2)), int(done.group(3)), int(done.group(4))
    data_bytes = float(data.group(1)) * {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}[data.group(2)]
    if failed or errored or not succeeded or data_bytes < 5 * succeeded:
        raise RuntimeError(f"h2load saw failed calls (or responses without a message):\n{out}")
    return float(rate.group(1))


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in process group `pgid` (from /proc)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ... utime (12th), stime (13th)
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def grpc_rps(target: str, clients: int, seconds: float, pgid: Optional[int] = None) -> Tuple[float, float]:
    """(ModelInfer calls/s, the server's CPU microseconds per call) of `clients` threads sharing one channel
    (default options), each sending the same prebuilt request; after a 1 s warm-up at the same concurrency.
    The CPU figure is measured over process group `pgid` (nan without one)."""
    client = V2Client(target)
    request = tiny_grpc_request()
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

    def measure(duration: float) -> Tuple[int, float]:
        done: List[int] = []
        start = time.perf_counter()
        threads = [threading.Thread(target=run, args=(start + duration, done)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(done), time.perf_counter() - start

    try:
        measure(1.0)  # warm-up
        cpu = group_cpu_seconds(pgid) if pgid else math.nan
        calls, elapsed = measure(seconds)
        cpu = group_cpu_seconds(pgid) - cpu if pgid else math.nan
        return calls / elapsed, cpu / calls * 1e6
    finally:
        client.close()


def alternating(measure: Callable[[str], float], implementations: List[str], runs: int) -> Dict[str, float]:
    """The median of `runs` calls of measure(implementation) each, the servers' order rotating every run."""
    samples: Dict[str, List[float]] = {impl: [] for impl in implementations}
    for run in range(runs):
        shift = run % len(implementations)
        for impl in implementations[shift:] + implementations[:shift]:
            samples[impl].append(measure(impl))
    return {impl: statistics.median(values) for impl, values in samples.items()}


def start(implementation: str, baseline_src: Optional[str] = None) -> Process:
    if implementation == MLSERVER:
        return start_mlserver([MODEL])
    return start_ours(MODEL, {"PYTHONPATH": baseline_src} if implementation == BASELINE and baseline_src else None)


def startup_seconds(implementation: str, baseline_src: Optional[str]) -> float:
    process = start(implementation, baseline_src)
    try:
        return process.wait_ready(MODEL)
    finally:
        process.stop()


Row = Tuple[str, str, Dict[str, float], float, Optional[float]]  # measure, unit, {impl: value}, ratio, target


def throughput_rows(servers: Dict[str, Process], runs: int, seconds: float) -> List[Row]:
    impls = list(servers)
    rows: List[Row] = []

    def row(measure: str, unit: str, values: Dict[str, float], target: Optional[float], lower_better=False) -> None:
        ratio = values[MLSERVER] / values[OURS] if lower_better else values[OURS] / values[MLSERVER]
        rows.append((measure, unit, values, ratio, target))

    for concurrency in (1, 8):
        def tiny(impl: str, c: int = concurrency) -> float:
            return wrk_rps(servers[impl].http_port, TINY, c, seconds)

        values = alternating(tiny, impls, runs)
        row(f"(e) REST V2 infer FP32 [1,3], {concurrency} connection(s) [wrk]", "req/s", values, TARGETS["rest"])
    values = alternating(lambda impl: wrk_rps(servers[impl].http_port, IMAGE, 1, seconds), impls, runs)
    row("(f) REST V2 infer FP32 [1,150528], 1 connection [wrk]", "req/s", values, TARGETS["rest"])
    for concurrency in (1, 8):
        def streams(impl: str, c: int = concurrency) -> float:
            return h2load_grpc_rps(servers[impl].grpc_port, c, seconds)

        values = alternating(streams, impls, runs)
        row(f"(g) gRPC ModelInfer FP32 [1,3], {concurrency} stream(s) [h2load]", "req/s", values, TARGETS["grpc"])
    for concurrency in (1, 8):
        cpu: Dict[str, List[float]] = {impl: [] for impl in impls}

        def calls(impl: str, c: int = concurrency, cpu: Dict[str, List[float]] = cpu) -> float:
            rate, micros = grpc_rps(servers[impl].grpc_target, c, seconds, servers[impl].proc.pid)
            cpu[impl].append(micros)
            return rate

        values = alternating(calls, impls, runs)
        row(f"(g) gRPC ModelInfer FP32 [1,3], {concurrency} caller(s) [grpcio]", "req/s", values, None)
        row(f"(g) server CPU per ModelInfer, {concurrency} caller(s) (lower is better)", "us",
            {impl: statistics.median(v) for impl, v in cpu.items()}, None, lower_better=True)
    return rows


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (a smoke test of the benchmark)")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs per throughput, median shown")
    parser.add_argument("--baseline-src", help="also run ours from this src/ directory (a third column)")
    args = parser.parse_args(argv)
    seconds, starts, runs = (1.0, 2, 1) if args.quick else (3.0, 5, max(1, args.runs))
    for client in ("wrk", "h2load"):
        if shutil.which(client) is None:
            print(f"ERROR: {client} is not installed: run bench/ensure-wrk.sh (make bench-serve does)",
                  file=sys.stderr)
            return 1
    if args.baseline_src and not (Path(args.baseline_src) / "seldon_s2i" / "runtime").is_dir():
        print(f"ERROR: --baseline-src {args.baseline_src} holds no seldon_s2i/runtime: give a checkout's src/",
              file=sys.stderr)
        return 1
    impls = [*IMPLEMENTATIONS, BASELINE] if args.baseline_src else list(IMPLEMENTATIONS)

    print(f"---> (e, f, g) V2 infer over REST and gRPC, median of {runs} alternating run(s)", flush=True)
    servers: Dict[str, Process] = {impl: start(impl, args.baseline_src) for impl in impls}
    try:
        for process in servers.values():
            process.wait_ready(MODEL)
        rows = throughput_rows(servers, runs, seconds)
    finally:
        for process in servers.values():
            process.stop()

    print("---> (h) start-up to model ready (REST and gRPC)", flush=True)
    times: Dict[str, List[float]] = {impl: [] for impl in impls}
    for _ in range(starts):
        for impl in impls:  # interleaved, so background noise hits both alike
            times[impl].append(startup_seconds(impl, args.baseline_src))
    startup = {impl: statistics.median(values) for impl, values in times.items()}
    rows.append(("(h) start to model ready, median", "s", startup, startup[MLSERVER] / startup[OURS],
                 TARGETS["start"]))

    table = render(rows, impls, args.quick, runs)
    print(table)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "bench-serve-v2.md").write_text(table)
    print(f"---> written to {out / 'bench-serve-v2.md'}")
    return 0


def render(rows: List[Row], impls: List[str], quick: bool, runs: int) -> str:
    baseline = BASELINE in impls
    lines = ["# V2 serving benchmark: MLServer 1.7.1 vs seldon-s2i runtime (ours, PROTOCOL=v2)", "",
             f"Same machine, same clients; one worker each; throughputs are medians of {runs} alternating run(s)"
             f"{' (--quick)' if quick else ''}. Ratio = how many times better ours is."
             + (" Baseline = ours from --baseline-src, in the same run." if baseline else ""), "",
             "| Measure | Unit | MLServer | Ours | " + ("Baseline | " if baseline else "")
             + "Ratio (ours better by) | Target | Result |",
             "|---|---|---|---|---|---|---|" + ("---|" if baseline else "")]
    for measure, unit, values, ratio, target in rows:
        fmt = "{:.3f}" if unit == "s" else "{:.0f}"
        shown = math.floor(ratio * 100) / 100  # never round a miss up to the target
        result = "-" if target is None else ("pass" if ratio >= target else "MISSED")
        cells = [fmt.format(values[MLSERVER]), fmt.format(values[OURS])]
        if baseline:
            cells.append(fmt.format(values[BASELINE]))
        lines.append(f"| {measure} | {unit} | {' | '.join(cells)} | {shown:.2f}x | "
                     f"{'-' if target is None else f'>= {target:g}x'} | {result} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

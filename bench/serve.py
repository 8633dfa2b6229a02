#!/usr/bin/env python3
"""Serving speed, side by side: seldon-core 1.17.1 (reference, .venv-ref) vs our runtime, same models, same client,
same machine, one run. Prints a table with ratios and the targets, and writes it to out/bench-serve.md.

  (a) walkthrough: 1280x960 JPEG as binData to the image model (/api/v0.1/predictions), median latency
  (b) tiny ndarray echo over REST: requests/s with 1 and 8 concurrent keep-alive clients (reused when allowed)
  (c) the same echo over gRPC Model/Predict on a reused channel, 1 and 8 concurrent
  (d) start-up: process start to the first successful /health/ping, median of several starts

Both servers run with their defaults (1 gunicorn worker, 1 thread, 1 gRPC worker). Loopback only, bounded time.
Usage: bench/serve.py [--quick]   (run by `make bench-serve`, which prepares .venv and .venv-ref)
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
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
import urllib.request
from pathlib import Path
from typing import Callable, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "test"), str(ROOT / "test" / "compat")]

from conformance.grpc_client import Client  # noqa: E402
from servers import IMPLEMENTATIONS, MODELS_DIR, OURS, REFERENCE, Server  # noqa: E402

TINY = {"data": {"ndarray": [[1.0, 2.0]]}}


def synthetic_jpeg() -> bytes:
    """A 1280x960 photo-like image (gradient + noise), JPEG quality 90, as in the spec's baseline."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:960, 0:1280]
    gradient = np.stack([x * 255 / 1279, y * 255 / 959, (x + y) * 255 / 2238], axis=-1)
    pixels = np.clip(gradient + rng.normal(0, 20, gradient.shape), 0, 255).astype("uint8")
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def post(port: int, path: str, body: bytes) -> Tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def median_latency(port: int, body: bytes, runs: int) -> float:
    status, payload = post(port, "/api/v0.1/predictions", body)  # warm-up, and check the answer
    assert status == 200 and b'"shape":[960,1280,3]' in payload.replace(b" ", b""), (status, payload[:200])
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        status, _ = post(port, "/api/v0.1/predictions", body)
        times.append(time.perf_counter() - start)
        assert status == 200
    return statistics.median(times)


def throughput(worker: Callable[[float], int], clients: int, seconds: float) -> float:
    """Requests/s of `clients` threads, each running worker(deadline) -> requests done."""
    worker(time.perf_counter() + 0.3)  # warm-up
    done: List[int] = []
    start = time.perf_counter()
    threads = [threading.Thread(target=lambda: done.append(worker(start + seconds))) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - start)


def rest_echo_worker(port: int) -> Callable[[float], int]:
    body = json.dumps(TINY).encode()

    def run(deadline: float) -> int:
        connection, count = None, 0
        while time.perf_counter() < deadline:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", "/api/v1.0/predictions", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            count += 1
            if response.will_close:  # the sync worker sends Connection: close; reuse only when allowed
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        return count
    return run


def wrk_throughput(port: int, clients: int, seconds: float) -> float:
    """Requests/s measured by wrk (C, epoll; reconnects when the server closes, reuses otherwise)."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(f'wrk.method = "POST"\nwrk.body = \'{json.dumps(TINY)}\'\n'
                      'wrk.headers["Content-Type"] = "application/json"\n')
    url = f"http://127.0.0.1:{port}/api/v1.0/predictions"
    try:
        subprocess.run(["wrk", "-t1", "-c1", "-d1s", "-s", str(script), url], capture_output=True, check=True)
        out = subprocess.run(["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds:g}s", "-s", str(script), url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        script.unlink()
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw error responses:\n{out}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def grpc_echo_worker(client: Client) -> Callable[[float], int]:
    """Prebuilt request, raw response message: the client does as little as possible per call."""
    code, details, body = client.call("Model", "Predict", TINY)
    assert code == "OK" and body["data"]["ndarray"] == [[1.0, 2.0]], (code, details, body)
    predict, request = client.stub("Model", "Predict"), Client.message("Model", "Predict", TINY)

    def run(deadline: float) -> int:
        count = 0
        while time.perf_counter() < deadline:
            predict(request, timeout=30)
            count += 1
        return count
    return run


def startup_time(implementation: str) -> float:
    server = Server(implementation, MODELS_DIR / "echo", "Echo")
    start = time.perf_counter()
    server.start()
    try:
        url = f"{server.base_url}/health/ping"
        while True:
            if server.proc.poll() is not None:
                raise RuntimeError(f"{implementation} exited:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
    finally:
        server.stop()


def started(model: str, class_name: str) -> dict:
    servers = {impl: Server(impl, MODELS_DIR / model, class_name).start() for impl in IMPLEMENTATIONS}
    try:
        for server in servers.values():
            server.wait_ready()
    except Exception:
        for server in servers.values():
            server.stop()
        raise
    return servers


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test of the benchmark itself)")
    args = parser.parse_args(argv)
    image_runs, seconds, starts = (3, 1.0, 2) if args.quick else (7, 3.0, 5)
    rows = []  # (measure, unit, reference, ours, ratio, target)

    print("---> (a) walkthrough image", flush=True)
    body = json.dumps({"binData": base64.b64encode(synthetic_jpeg()).decode()}).encode()
    servers = started("image", "MyModel")
    try:
        latency = {impl: median_latency(servers[impl].http_port, body, image_runs) for impl in IMPLEMENTATIONS}
    finally:
        for server in servers.values():
            server.stop()
    rows.append(("(a) 1280x960 JPEG binData, median latency", "s", latency[REFERENCE], latency[OURS],
                 latency[REFERENCE] / latency[OURS], 10.0))

    print("---> (b, c) tiny echo over REST and gRPC", flush=True)
    servers = started("echo", "Echo")
    clients = {impl: Client(servers[impl].grpc_target) for impl in IMPLEMENTATIONS}
    try:
        use_wrk = shutil.which("wrk") is not None
        for concurrency in (1, 8):
            if use_wrk:
                rps = {impl: wrk_throughput(servers[impl].http_port, concurrency, seconds) for impl in IMPLEMENTATIONS}
            else:
                rps = {impl: throughput(rest_echo_worker(servers[impl].http_port), concurrency, seconds)
                       for impl in IMPLEMENTATIONS}
            client = "wrk" if use_wrk else "Python http.client"
            rows.append((f"(b) REST echo, {concurrency} client(s) [{client}]", "req/s", rps[REFERENCE], rps[OURS],
                         rps[OURS] / rps[REFERENCE], 3.0))
        for concurrency in (1, 8):
            rps = {impl: throughput(grpc_echo_worker(clients[impl]), concurrency, seconds) for impl in IMPLEMENTATIONS}
            rows.append((f"(c) gRPC Model/Predict echo, {concurrency} client(s)", "req/s", rps[REFERENCE], rps[OURS],
                         rps[OURS] / rps[REFERENCE], 2.0))
    finally:
        for client in clients.values():
            client.close()
        for server in servers.values():
            server.stop()

    print("---> (d) start-up to first /health/ping", flush=True)
    times = {impl: [] for impl in IMPLEMENTATIONS}
    for _ in range(starts):
        for impl in IMPLEMENTATIONS:  # interleaved, so background noise hits both alike
            times[impl].append(startup_time(impl))
    startup = {impl: statistics.median(values) for impl, values in times.items()}
    rows.append(("(d) start to first /health/ping, median", "s", startup[REFERENCE], startup[OURS],
                 startup[REFERENCE] / startup[OURS], 2.0))

    table = render(rows, args.quick)
    print(table)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "bench-serve.md").write_text(table)
    print(f"---> written to {out / 'bench-serve.md'}")
    return 0


def render(rows, quick: bool) -> str:
    lines = ["# Serving benchmark: seldon-core 1.17.1 (reference) vs seldon-s2i runtime (ours)", "",
             f"Same machine, same client, one run{' (--quick)' if quick else ''}; defaults on both sides "
             "(1 gunicorn worker with 1 thread, 1 gRPC worker). Ratio = how many times better ours is.", "",
             "| Measure | Unit | Reference | Ours | Ratio (ours better by) | Target | Result |",
             "|---|---|---|---|---|---|---|"]
    for measure, unit, reference, ours, ratio, target in rows:
        fmt = "{:.4f}" if unit == "s" else "{:.0f}"
        result = "pass" if ratio >= target else "MISSED"
        shown = math.floor(ratio * 100) / 100  # never round a miss up to the target
        lines.append(f"| {measure} | {unit} | {fmt.format(reference)} | {fmt.format(ours)} | {shown:.2f}x | "
                     f">= {target:g}x | {result} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""`make bench-build`: build times and image sizes of the walkthrough app, as a table.

Measured in one run on this machine, each time the median of BENCH_RUNS builds (default 5):

* cold build: `seldon-s2i build` of test/apps/image-model (the article's MyModel + Pillow) on
  seldon-python311, with no previous image (so Pillow is downloaded);
* incremental rebuild after a code-only change (`--incremental`): the dependency layer of the
  previous image is reused, only the code is built and committed;
* incremental rebuild after a requirements.txt change: the dependency layer is built again, from
  the previous image's saved cache (nothing downloaded);
* full rebuild after a code-only change without `--incremental`, for comparison;
* the same app with scikit-learn added, cold and incremental, where downloads dominate;
* the reference: the article's own recipe (`pip install numpy Pillow seldon-core` into a Python
  3.11 virtualenv on the same Debian base, then the source copied in), built the same way
  (a container run + commit), once, for cold time and image size.

Targets (issue #2): incremental rebuild <= 25% of the cold build; walkthrough image <= 300 MB.
Installs from PyPI need the host's CA bundle when a TLS-intercepting proxy is in the way: it is
injected at build time only (`-i CA:/tmp/ca`), never baked into an image.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Optional

import docker

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "test" / "apps" / "image-model"
BUILDER = os.environ.get("BENCH_BUILDER", "seldon-python311")
BASE = os.environ.get("BENCH_BASE", "seldon-base:debian-bookworm-py3.11")
HOST_CA = Path(os.environ.get("BENCH_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
TAG = "seldon-s2i-bench/walkthrough:latest"
REF_TAG = "seldon-s2i-bench/walkthrough-reference:latest"
SELDON_S2I = [sys.executable, "-m", "seldon_s2i.cli"]
MB = 1_000_000
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# The CLI as users run it: Python may cache its bytecode (a development shell often forbids it,
# which makes every run compile seldon_s2i from source first).
CLI_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def ca_args() -> List[str]:
    return ["-i", f"{HOST_CA}:/tmp/ca"] if HOST_CA.is_file() else []


def timed_build(src: Path, incremental: bool) -> float:
    """Build TAG from src with our driver; returns wall seconds. Fails loudly."""
    cmd = SELDON_S2I + ["build", str(src), BUILDER, TAG, "--pull-policy", "never", "-q"] + ca_args()
    if incremental:
        cmd.append("--incremental")
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=CLI_ENV)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench-build: build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return elapsed


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def touch_code(src: Path) -> None:
    """A code-only change: the model file changes, requirements.txt does not."""
    with open(src / "MyModel.py", "a") as handle:
        handle.write("# code-only change for the benchmark\n")


def cold_build(client: docker.DockerClient, src: Path) -> float:
    remove(client, TAG)  # the image and its dependency layer: nothing to reuse
    return timed_build(src, incremental=False)


def code_change_build(src: Path, incremental: bool) -> float:
    touch_code(src)
    return timed_build(src, incremental=incremental)


def requirements_change_build(src: Path) -> float:
    with open(src / "requirements.txt", "a") as handle:
        handle.write("# reviewed\n")
    return timed_build(src, incremental=True)


def pip_wheel(directory: Path) -> Path:
    """pip itself, as a wheel: our slim bases carry no ensurepip, and a pip wheel runs as is."""
    subprocess.run([sys.executable, "-m", "uv", "tool", "run", "--quiet", "--from", "pip", "pip",
                    "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", str(directory), "pip"],
                   check=True)
    return next(directory.glob("pip-*.whl"))


def reference_build(client: docker.DockerClient, src: Path, wheel: Path) -> float:
    """The article's recipe on the same base: venv + pip install numpy Pillow seldon-core."""
    script = (
        "set -e; python3 -m venv --without-pip /opt/ref && "
        f"/opt/ref/bin/python /wheels/{wheel.name}/pip install -q --no-cache-dir ${{CA:+--cert $CA}} "
        "numpy Pillow seldon-core==1.17.1 'setuptools<70' && "
        "mkdir -p /microservice && cp -r /src/. /microservice/"
    )
    volumes = {str(src): {"bind": "/src", "mode": "ro"},
               str(wheel.parent): {"bind": "/wheels", "mode": "ro"}}
    env = {}
    if HOST_CA.is_file():
        volumes[str(HOST_CA)] = {"bind": "/tmp/ca.crt", "mode": "ro"}
        env["CA"] = "/tmp/ca.crt"
    start = time.perf_counter()
    container = client.containers.create(BASE, ["/bin/sh", "-c", script], network_mode="host",
                                          volumes=volumes, environment=env, user="0")
    try:
        container.start()
        status = container.wait()["StatusCode"]
        if status != 0:
            sys.exit("bench-build: reference build failed:\n" + container.logs().decode()[-3000:])
        container.commit(repository=REF_TAG.split(":")[0], tag="latest", changes=[
            "WORKDIR /microservice",
            'CMD ["/opt/ref/bin/seldon-core-microservice", "MyModel", "--service-type", "MODEL"]',
        ])
    finally:
        container.remove(force=True)
    return time.perf_counter() - start


def image_mb(client: docker.DockerClient, ref: str) -> float:
    return client.images.get(ref).attrs["Size"] / MB


def remove(client: docker.DockerClient, ref: str) -> None:
    try:
        client.images.remove(ref, force=True)
    except docker.errors.ImageNotFound:
        pass


def remove_replaced(client: docker.DockerClient, tag: str) -> None:
    """Images a rebuild untagged (s2i keeps them without --rm); their dependency layers go with them."""
    for image in client.images.list(filters={"dangling": True, "label": f"io.k8s.display-name={tag}"}):
        try:
            client.images.remove(image.id, force=True)
        except docker.errors.APIError:
            pass


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    try:
        client = docker.from_env(version="auto")
        client.ping()
    except docker.errors.DockerException as exc:
        sys.exit(f"bench-build: cannot reach the Docker engine ({exc}); run `make engine`")
    for image in (BUILDER, BASE):
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            sys.exit(f"bench-build: image {image} is missing; run `make build`")

    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        src = Path(tmp) / "image-model"
        shutil.copytree(APP, src)
        remove(client, REF_TAG)  # TAG goes in cold_build(), before every cold run

        cold = median_of(RUNS, lambda: cold_build(client, src))
        incremental = median_of(RUNS, lambda: code_change_build(src, incremental=True))
        requirements = median_of(RUNS, lambda: requirements_change_build(src))
        full = median_of(RUNS, lambda: code_change_build(src, incremental=False))
        app_mb = image_mb(client, TAG)
        builder_mb = image_mb(client, BUILDER)

        # The same app with a heavier requirement, where downloads dominate a cold build.
        with open(src / "requirements.txt", "a") as handle:
            handle.write("scikit-learn\n")
        heavy_cold = median_of(RUNS, lambda: cold_build(client, src))
        heavy_incremental = median_of(RUNS, lambda: code_change_build(src, incremental=True))

        ref_cold: Optional[float] = None
        ref_mb: Optional[float] = None
        try:
            ref_cold = reference_build(client, src, pip_wheel(Path(tmp) / "wheels"))
            ref_mb = image_mb(client, REF_TAG)
        except SystemExit as exc:  # the reference needs PyPI; report instead of aborting
            print(exc, file=sys.stderr)
        remove(client, TAG)
        remove(client, REF_TAG)
        remove_replaced(client, TAG)

    rows = [
        ("cold build, walkthrough app", f"{cold:.2f} s",
         f"{ref_cold:.1f} s" if ref_cold else "n/a",
         f"{ref_cold / cold:.1f}x faster" if ref_cold else "", ""),
        ("incremental rebuild, code-only change", f"{incremental:.2f} s", "", "",
         f"{incremental / cold:.0%} of cold (target <= 25%: {verdict(incremental <= 0.25 * cold)})"),
        ("incremental rebuild, requirements.txt changed", f"{requirements:.2f} s", "", "",
         f"{requirements / cold:.0%} of cold"),
        ("full rebuild, code-only change (no --incremental)", f"{full:.2f} s", "", "", f"{full / cold:.0%} of cold"),
        ("cold build, walkthrough app + scikit-learn", f"{heavy_cold:.2f} s", "", "", ""),
        ("incremental rebuild of it, code-only change", f"{heavy_incremental:.2f} s", "", "",
         f"{heavy_incremental / heavy_cold:.0%} of cold"),
        (f"builder image {BUILDER}", f"{builder_mb:.0f} MB", "", "", ""),
        ("walkthrough app image", f"{app_mb:.0f} MB", f"{ref_mb:.0f} MB" if ref_mb else "n/a",
         f"{ref_mb / app_mb:.2f}x smaller" if ref_mb else "",
         f"target <= 300 MB: {verdict(app_mb <= 300)}"),
    ]
    lines = [
        f"Median of {RUNS} builds each (BENCH_RUNS); the reference recipe is built once.",
        "",
        "| measure | seldon-s2i | reference (article recipe, seldon-core 1.17.1) | ratio | target |",
        "|---|---|---|---|---|",
    ] + [f"| {' | '.join(row)} |" for row in rows]
    table = "\n".join(lines)
    print(table)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "bench-build.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

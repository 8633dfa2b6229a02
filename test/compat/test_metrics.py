"""Differential Prometheus output: the model's custom metrics and the feedback metrics, same names/labels/values.

Both servers have had exactly the same requests (tests send every case to both), so their custom metrics must
agree. Compared per sample (name + labels without worker_id, summed over workers); our extra
`seldon_s2i_*` request metrics are left out (docs/compatibility.md § Process model, metrics: 'Extra metrics').

The label values are a wire contract, so they are also compared as text, exactly, with those of an image
built by the builder (COMPAT_BUILDER, default seldon-python3) with its own numpy: the reference's
TIMER bucket edges must come out identical whatever numpy an image resolves.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, Set, Tuple

import grpc
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conformance.grpc_client import Client
from dockercli import docker
from http_wait import wait_for_http
from models import SPECS
from ports import free_port
from servers import MODELS_DIR, OURS, REFERENCE

OUR_EXTRA_PREFIX = "seldon_s2i_"
TRAFFIC = [
    ("/predict", {"data": {"ndarray": [[1, 2]]}}),
    ("/transform-input", {"strData": "x"}),
    ("/send-feedback", {"request": {"data": {"ndarray": [[1]]}}, "reward": 2.5}),
    ("/send-feedback", {"request": {"data": {"ndarray": [[1]]}}, "reward": 0}),
]


def scrape(url: str) -> Dict[Tuple[str, Tuple[Tuple[str, str], ...]], float]:
    samples: Dict[Tuple[str, Tuple[Tuple[str, str], ...]], float] = defaultdict(float)
    text = requests.get(url, timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith(OUR_EXTRA_PREFIX) or sample.name.endswith("_created"):
                continue
            labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "worker_id"))
            samples[(sample.name, labels)] += sample.value
    return dict(samples)


@pytest.mark.model("tags_metrics")
def test_custom_metrics_match(pair):
    for path, body in TRAFFIC:
        for server in (pair.reference, pair.ours):
            assert requests.post(server.base_url + path, json=body, timeout=30).status_code == 200
    for impl in (REFERENCE, OURS):
        assert pair.grpc(impl).call("Model", "Predict", {"data": {"ndarray": [[1, 2]]}})[0] == "OK"
    reference, ours = scrape(pair.reference.metrics_url), scrape(pair.ours.metrics_url)
    assert any(name.startswith("tm_timer_tagged_bucket") for name, _ in reference), "reference exposed no timer"
    assert sorted(ours) == sorted(reference), "metric names/labels differ"
    for key, value in reference.items():
        assert math.isclose(ours[key], value, rel_tol=1e-9, abs_tol=1e-12), f"{key}: ours {ours[key]} != {value}"


@pytest.mark.model("feedback_prometheus")
def test_metrics_endpoint_path_and_feedback_metrics(pair):
    """PREDICTIVE_UNIT_METRICS_ENDPOINT=/prometheus moves the endpoint; feedback rewards are counted alike."""
    feedback = {"request": {"data": {"ndarray": [[1]]}}, "response": {"meta": {"routing": {"my-unit": 0}}},
                "reward": 0.75}
    for server in (pair.reference, pair.ours):
        for _ in range(3):
            assert requests.post(server.base_url + "/send-feedback", json=feedback, timeout=30).status_code == 200
    for impl in (REFERENCE, OURS):
        assert pair.grpc(impl).call("Model", "SendFeedback", feedback)[0] == "OK"
    assert pair.ours.metrics_url.endswith("/prometheus")
    default_path = [requests.get(f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=10).status_code
                    for server in (pair.reference, pair.ours)]
    assert default_path == [404, 404]
    reference, ours = scrape(pair.reference.metrics_url), scrape(pair.ours.metrics_url)
    assert any(name == "seldon_api_model_feedback_reward_total" for name, _ in reference)
    assert sorted(ours) == sorted(reference), "metric names/labels differ"
    for key, value in reference.items():
        assert math.isclose(ours[key], value, rel_tol=1e-9, abs_tol=1e-12), f"{key}: ours {ours[key]} != {value}"


BUILDER = os.environ.get("COMPAT_BUILDER", "seldon-python3")
SELDON_S2I = str(Path(sys.executable).parent / "seldon-s2i")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
Labels = FrozenSet[Tuple[str, str]]


def exposed_label_sets(text: str) -> Set[Tuple[str, Labels]]:
    """(sample name, label pairs as the raw text between the quotes) of every sample line; worker_id,
    our extra metrics and _created samples left out."""
    found = set()
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, rest = line.partition("{")
        if name.startswith(OUR_EXTRA_PREFIX) or name.endswith("_created"):
            continue
        labels = frozenset((k, v) for k, v in LABEL.findall(rest.rpartition("}")[0]) if k != "worker_id")
        found.add((name.split()[0], labels))
    return found


@pytest.fixture(scope="module")
def tags_metrics_image(tmp_path_factory) -> Iterator[str]:
    """The tags_metrics model built into an image by the builder (no Dockerfile: seldon-s2i build)."""
    app = tmp_path_factory.mktemp("app") / "tags_metrics"
    shutil.copytree(MODELS_DIR / "tags_metrics", app)
    (app / ".s2i").mkdir()
    (app / ".s2i" / "environment").write_text("MODEL_NAME=TagsMetrics\nSERVICE_TYPE=MODEL\n")
    tag = f"seldon-s2i-compat-metrics:{uuid.uuid4().hex[:8]}"
    build = subprocess.run([SELDON_S2I, "build", str(app), BUILDER, tag, "--network", "host", "--pull-policy", "never"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    assert build.returncode == 0, build.stdout
    yield tag
    docker("rmi", "-f", tag, check=False)


@pytest.mark.model("tags_metrics")
def test_an_images_metric_label_values_are_the_references_byte_for_byte(pair, tags_metrics_image):
    http, grpc_port, metrics = free_port(), free_port(), free_port()
    env = {**SPECS["tags_metrics"].env, "PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(http),
           "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": str(grpc_port), "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics)}
    container = docker("run", "-d", "--network", "host", *[f"-e{k}={v}" for k, v in env.items()], tags_metrics_image,
                       text=True).stdout.strip()

    def container_logs() -> str:
        logs = docker("logs", container, check=False, text=True)
        return logs.stdout + logs.stderr

    try:
        wait_for_http(f"http://127.0.0.1:{http}/health/ping", logs=container_logs)
        image_url = f"http://127.0.0.1:{http}"
        for path, body in TRAFFIC:
            for base in (pair.reference.base_url, image_url):
                assert requests.post(base + path, json=body, timeout=30).status_code == 200
        image_grpc = Client(f"127.0.0.1:{grpc_port}")
        # REST answering says nothing of the gRPC worker, a process of its own that may still be starting.
        grpc.channel_ready_future(image_grpc.channel).result(timeout=90)
        wait_for_http(f"http://127.0.0.1:{metrics}/metrics", logs=container_logs)
        for client in (pair.grpc(REFERENCE), image_grpc):
            assert client.call("Model", "Predict", {"data": {"ndarray": [[1, 2]]}})[0] == "OK"
        image_grpc.channel.close()
        reference = exposed_label_sets(requests.get(pair.reference.metrics_url, timeout=10).text)
        image = exposed_label_sets(requests.get(f"http://127.0.0.1:{metrics}/metrics", timeout=10).text)
    finally:
        docker("rm", "-f", "-v", container, check=False)
    reference_le = {dict(labels)["le"] for name, labels in reference if name == "tm_timer_bucket"}
    assert len(reference_le) == 51 and "0.0018797905611233593" in reference_le  # the reference's numpy 1.26 edge
    assert sorted(image, key=repr) == sorted(reference, key=repr), \
        f"an image built by {BUILDER} exposes other label values (is {BUILDER} built from this tree? make build)"

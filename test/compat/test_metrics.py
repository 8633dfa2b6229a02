"""Differential Prometheus output: the model's custom metrics and the feedback metrics, same names/labels/values.

Both servers have had exactly the same requests (tests send every case to both), so their custom metrics must
agree. Compared per sample (name + labels without worker_id, summed over workers); our extra
`seldon_s2i_*` request metrics are left out (docs/compatibility.md § Process model, metrics: 'Extra metrics').
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Dict, Tuple

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from servers import OURS, REFERENCE

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

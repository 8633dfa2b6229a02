"""The runtime's metrics module: label values that are wire constants, exposed as written."""

from __future__ import annotations

import re

import requests
from prometheus_client.utils import floatToGoString

from seldon_s2i.runtime import metrics


def test_each_timer_bucket_label_is_printed_back_unchanged_by_prometheus_client():
    assert [floatToGoString(edge) for edge in metrics.TIMER_BUCKETS] == list(metrics.TIMER_BUCKET_LABELS)


def test_timer_buckets_are_fifty_increasing_edges_from_one_millisecond_to_thirty_seconds():
    edges = metrics.TIMER_BUCKETS
    assert len(edges) == 50 and list(edges) == sorted(set(edges))
    assert edges[0] == 0.001 and abs(edges[-1] - 30.0) < 1e-12


def test_a_served_timer_exposes_exactly_the_constant_le_labels(start_server):
    server = start_server("FullModel", grpc=False)
    assert requests.post(server.url + "/predict", json={"data": {"ndarray": [[1, 0]]}}, timeout=30).status_code == 200
    text = requests.get(f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=5).text
    labels = re.findall(r'^full_time_bucket\{.*?le="([^"]+)"', text, flags=re.MULTILINE)
    assert labels == [*metrics.TIMER_BUCKET_LABELS, "+Inf"]

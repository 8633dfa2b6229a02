"""Prometheus metrics shared by every worker process.

seldon-core keeps metrics in a multiprocessing Manager dict (one more process, a round trip per
update). We use prometheus_client's multiprocess mode instead: each process writes its samples to
memory-mapped files in PROMETHEUS_MULTIPROC_DIR, and the metrics server merges them when scraped.
The directory is created by the supervisor in a writable temp dir before any fork (`prepare_dir`),
so it works for an arbitrary UID.

Exposed: the user's COUNTER/GAUGE/TIMER metrics with the reference's labels (spec §6),
seldon-core's feedback counters, and, beyond the reference, per-method request counters and
latency histograms (`seldon_s2i_requests_total`, `seldon_s2i_request_duration_seconds`).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import threading
from numbers import Number
from typing import Any, Dict, List, Tuple

from seldon_s2i.runtime.errors import BAD_METRIC, SeldonError
from seldon_s2i.runtime.settings import Identity

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METRIC_TYPES = ("COUNTER", "GAUGE", "TIMER")
REQUEST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
FEEDBACK_KEY = "seldon_api_model_feedback"
FEEDBACK_REWARD_KEY = "seldon_api_model_feedback_reward"
# The reference's TIMER histogram edges, as the `le` label values seldon-core 1.17.1 exposes them
# (its `BINS[1:]`: np.logspace(-3, np.log10(30), 50) under numpy 1.26, formatted by prometheus_client's
# floatToGoString; +Inf follows). They are a wire contract (dashboards select on them), so they are
# written out here: recomputing them gives other floats under numpy 2.x (0.001879790561123359 for
# 0.0018797905611233593). Each string is the shortest repr of its float, so prometheus_client prints it back
# unchanged (test_metrics.py checks both facts).
TIMER_BUCKET_LABELS = (
    "0.001", "0.0012341553253454693", "0.0015231393670785815", "0.0018797905611233593",
    "0.0023199535315445415", "0.002863183005509725", "0.0035336125536884733", "0.004361026750842238",
    "0.005382184388525997", "0.006642451525090608", "0.008197816923039709", "0.010117379411776668",
    "0.012486417679584786", "0.015410178873747385", "0.019018554321561593", "0.02347185009632733",
    "0.028967908792092944", "0.03575089889988335", "0.04412216226317852", "0.05445360152285871",
    "0.06720420230367624", "0.0829404241586763", "0.10236136616184238", "0.12632982515827532",
    "0.15591062646904755", "0.19241792993472334", "0.2374736129208902", "0.2930793240153456",
    "0.3617054084821892", "0.44640065608455204", "0.5509277469444613", "0.6799304127720881",
    "0.8391397397870157", "1.035628778567157", "1.2781267721496807", "1.5774069623151439",
    "1.9467652027782552", "2.402610642206036", "2.965194718810281", "3.65951085290597", "4.516404807273444",
    "5.573945044312399", "6.879113959621136", "8.489895126924782", "10.477849282518772", "12.931293490187748",
    "15.959224724520412", "19.696162182151948", "24.30812344597087", "29.999999999999996",
)
TIMER_BUCKETS = tuple(float(label) for label in TIMER_BUCKET_LABELS)


def prepare_dir() -> str:
    """Create a fresh multiprocess directory (unless one is configured) and export it."""
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        os.makedirs(configured, exist_ok=True)
        for name in os.listdir(configured):
            if name.endswith(".db"):
                os.unlink(os.path.join(configured, name))
        return configured
    path = tempfile.mkdtemp(prefix="seldon-s2i-metrics-")
    os.environ[MULTIPROC_ENV] = path
    return path


def remove_dir(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


def validate_metrics(metrics: Any) -> List[Dict[str, Any]]:
    """A list of {key, type, value[, tags]} dicts, or a 500 MICROSERVICE_BAD_METRIC."""
    if not isinstance(metrics, list):
        raise SeldonError("Bad metric created during request: metrics must be a list", 500, BAD_METRIC)
    for metric in metrics:
        if (not isinstance(metric, dict) or not {"key", "type", "value"} <= metric.keys()
                or metric["type"] not in METRIC_TYPES or not isinstance(metric["value"], Number)
                or isinstance(metric["value"], bool) or not isinstance(metric["key"], str)
                or ("tags" in metric and not isinstance(metric["tags"], dict))):
            # The reference's message shows the whole list as JSON.
            raise SeldonError("Bad metric created during request: " + json.dumps(metrics, default=str),
                              500, BAD_METRIC)
    return metrics


class MetricsRecorder:
    """Records samples from one worker process into the multiprocess files."""

    def __init__(self, identity: Identity) -> None:
        from prometheus_client import Counter, Gauge, Histogram  # after PROMETHEUS_MULTIPROC_DIR is set

        self._Counter, self._Gauge, self._Histogram = Counter, Gauge, Histogram
        self._lock = threading.Lock()
        self._custom: Dict[Tuple[str, str, Tuple[str, ...]], Any] = {}
        self._requests = Counter("seldon_s2i_requests", "Requests served, by method, transport and status",
                                 ["method", "transport", "code"], registry=None)
        self._request_children: Dict[Tuple[str, str, str], Tuple[Any, Any]] = {}
        self._latency = Histogram("seldon_s2i_request_duration_seconds", "Request latency, by method and transport",
                                  ["method", "transport"], buckets=REQUEST_BUCKETS, registry=None)
        # The reference's default labels except `method`: fixed for this recorder's lifetime, since
        # it is created in the serving process after the fork (so the pid is this worker's).
        self._fixed_labels: Dict[str, str] = {
            "deployment_name": identity.deployment, "model_name": identity.unit_id,
            "model_image": identity.image_name, "model_version": identity.image_version,
            "predictor_name": identity.predictor, "predictor_version": identity.predictor_version,
            "seldon_deployment_name": identity.deployment, "image_name": identity.image_name,
            "image_version": identity.image_version, "worker_id": str(os.getpid()),
        }

    def _metric(self, kind: str, key: str, label_names: Tuple[str, ...]) -> Any:
        cache_key = (kind, key, label_names)
        metric = self._custom.get(cache_key)
        if metric is None:
            with self._lock:
                metric = self._custom.get(cache_key)
                if metric is None:
                    if kind == "COUNTER":
                        metric = self._Counter(key, "", label_names, registry=None)
                    elif kind == "GAUGE":
                        metric = self._Gauge(key, "", label_names, registry=None, multiprocess_mode="livesum")
                    else:
                        metric = self._Histogram(key, "", label_names, buckets=TIMER_BUCKETS, registry=None)
                    self._custom[cache_key] = metric
        return metric

    def record(self, metrics: List[Dict[str, Any]], method: str) -> None:
        """Record validated custom metrics (TIMER values are milliseconds)."""
        for item in metrics:
            labels = {str(k): str(v) for k, v in (item.get("tags") or {}).items()}
            labels.update(self._fixed_labels)  # default labels win over the user's tags
            labels["method"] = method
            names = tuple(sorted(labels))
            kind, value = item["type"], float(item["value"])
            try:
                metric = self._metric(kind, item["key"], names).labels(**labels)
                if kind == "COUNTER":
                    metric.inc(value)
                elif kind == "GAUGE":
                    metric.set(value)
                else:
                    metric.observe(value / 1000.0)
            except ValueError as exc:
                raise SeldonError(f"Bad metric created during request: {item!r}: {exc}", 500, BAD_METRIC) from None

    def feedback(self, reward: float) -> None:
        """seldon-core's feedback counters; a Prometheus counter cannot go down, so negative
        rewards count as feedback but do not change the reward total."""
        samples = [{"type": "COUNTER", "key": FEEDBACK_KEY, "value": 1}]
        if reward > 0:
            samples.append({"type": "COUNTER", "key": FEEDBACK_REWARD_KEY, "value": reward})
        self.record(samples, "feedback")

    def request(self, method: str, transport: str, code: str, seconds: float) -> None:
        key = (method, transport, code)
        children = self._request_children.get(key)
        if children is None:
            children = (self._requests.labels(method, transport, code), self._latency.labels(method, transport))
            self._request_children[key] = children
        children[0].inc()
        if not math.isnan(seconds):
            children[1].observe(seconds)


def mark_process_dead(pid: int) -> None:
    """Drop a dead worker's live gauges (counters and histograms keep counting, as Prometheus expects)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)


def exposition() -> bytes:
    """Merged text exposition of every process's samples."""
    from prometheus_client import CollectorRegistry, generate_latest, multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)

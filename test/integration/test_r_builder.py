"""The R builder (seldon-r): apps of test/apps/r built with seldon-s2i on the real engine, served as
UID 1001 and as an arbitrary UID over loopback, and the builds that must fail."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from dockercli import docker, image_exists

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "test" / "apps" / "r"
SELDON_S2I = str(Path(sys.executable).parent / "seldon-s2i")
BUILDER = "seldon-r"
HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
IRIS_ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]


class RApps:
    """Builds each app once per session with seldon-s2i; removes what it tagged at the end."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex[:8]
        self.built: Dict[str, subprocess.CompletedProcess] = {}

    def tag(self, app: str) -> str:
        return f"seldon-s2i-test-r-{app}:{self.run_id}"

    def build(self, app: str) -> subprocess.CompletedProcess:
        if app not in self.built:
            self.built[app] = subprocess.run(
                [SELDON_S2I, "build", str(APPS / app), BUILDER, self.tag(app), "--network", "host",
                 "--pull-policy", "never", "-i", f"{HOST_CA_BUNDLE}:/tmp/ca"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
        return self.built[app]

    def image(self, app: str) -> str:
        build = self.build(app)
        assert build.returncode == 0, build.stdout
        return self.tag(app)

    def cleanup(self) -> None:
        tags = [self.tag(app) for app in self.built if image_exists(self.tag(app))]
        if tags:
            docker("rmi", "-f", *tags, check=False)


@pytest.fixture(scope="session")
def r_apps() -> Iterator[RApps]:
    if not image_exists(BUILDER):
        pytest.fail(f"builder image {BUILDER} missing (run `make build LANGUAGES=r`)")
    apps = RApps()
    yield apps
    apps.cleanup()


@pytest.fixture
def serve_r(run_container: Callable, free_port: Callable, wait_for_http: Callable) -> Callable[..., tuple]:
    """serve_r(image, user=None, env=None) -> (REST base URL, metrics URL, container)."""

    def start(image: str, user: str | None = None, env: Dict[str, str] | None = None) -> tuple:
        http, metrics = free_port(), free_port()
        ports = {"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(http), "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics)}
        container = run_container(image, env={**ports, **(env or {})}, user=user)
        base = f"http://127.0.0.1:{http}"
        wait_for_http(f"{base}/health/ping", container)
        return base, f"http://127.0.0.1:{metrics}/metrics", container

    return start


@pytest.mark.parametrize("user", [None, "123456:0"], ids=["uid-1001", "arbitrary-uid"])
def test_rpart_model_trained_at_build_time_answers_class_probabilities(r_apps: RApps, serve_r: Callable,
                                                                        user: str | None) -> None:
    base, _, container = serve_r(r_apps.image("rpart-model"), user=user)
    answer = requests.post(f"{base}/api/v1.0/predictions", json={"data": {"ndarray": IRIS_ROWS}}, timeout=30).json()
    assert answer["data"]["names"] == ["setosa", "versicolor", "virginica"]
    probabilities = answer["data"]["ndarray"]
    assert probabilities[0][0] == 1.0 and probabilities[1][2] > 0.9
    assert answer["meta"]["tags"] == {"greeting": "hello seldon"}  # hellor, installed from the local repository
    # The httpuv/jsonlite fast paths (server.R, codec.R, json.R) are active with the builder's packages.
    assert "---> Serving REST" in container.logs() and "slower paths" not in container.logs()


def test_rpart_model_answers_a_form_json_and_a_tensor(r_apps: RApps, serve_r: Callable) -> None:
    base, _, _ = serve_r(r_apps.image("rpart-model"))
    form = requests.post(f"{base}/predict", data={"json": '{"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}}'}, timeout=30)
    assert form.status_code == 200 and form.json()["data"]["ndarray"] == [[1.0, 0.0, 0.0]]
    tensor = requests.post(f"{base}/predict", json={"data": {"tensor": {"shape": [1, 4], "values": IRIS_ROWS[0]}}},
                           timeout=30).json()
    assert tensor["data"]["tensor"] == {"shape": [1, 3], "values": [1.0, 0.0, 0.0]}


def test_a_body_that_arrives_in_many_chunks_is_read_whole(r_apps: RApps, serve_r: Callable) -> None:
    # ~2.2 MB: httpuv hands it to R in pieces (64 KiB reads), which server.R's in_memory_bodies() joins
    base, _, _ = serve_r(r_apps.image("rpart-model"))
    rows = [IRIS_ROWS[i % 2] for i in range(100_000)]
    answer = requests.post(f"{base}/api/v1.0/predictions", json={"data": {"ndarray": rows}}, timeout=120).json()
    probabilities = answer["data"]["ndarray"]
    assert len(probabilities) == 100_000
    assert probabilities[0][0] == 1.0 and probabilities[99_999][2] > 0.9


def test_bad_input_is_a_400_status_and_the_server_survives(r_apps: RApps, serve_r: Callable) -> None:
    base, _, container = serve_r(r_apps.image("rpart-model"))
    for body in ('{"data": ', '{"data": {"tensor": {"shape": [2, 2], "values": [1]}}}', '{"strData": 5}',
                 '{"data": {"ndarray": [[1, 2], [3]]}}', '{"data": {"ndarray": [[1, [2]], [3, 4]]}}'):
        response = requests.post(f"{base}/predict", data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 400, body
        assert response.json()["status"]["reason"] == "MICROSERVICE_BAD_DATA"
    wrong = requests.post(f"{base}/predict", json={"data": {"ndarray": [[1, 2]]}}, timeout=30)
    assert wrong.status_code == 500 and wrong.json()["status"]["info"]  # R's message from user code
    assert container.running()
    health = requests.get(f"{base}/health/status", timeout=30).json()
    assert health == {"strData": "healthy", "meta": {"tags": {"greeting": "hello seldon"}}}


def test_metrics_port_speaks_prometheus_text_with_the_python_wrappers_labels(r_apps: RApps, serve_r: Callable) -> None:
    base, metrics, _ = serve_r(r_apps.image("router-app"),
                               env={"PREDICTIVE_UNIT_ID": "router", "SELDON_DEPLOYMENT_ID": "dep"})
    routed = requests.post(f"{base}/route", json={"data": {"ndarray": [[7, 1]]}}, timeout=30).json()
    assert routed["data"]["ndarray"] == [[1]]
    feedback = {"request": {"data": {"ndarray": [[7, 1]]}}, "response": {"meta": {"routing": {"router": 1}}},
                "reward": 2.5}
    assert requests.post(f"{base}/api/v1.0/feedback", json=feedback, timeout=30).status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(requests.get(metrics, timeout=30).text)}
    reward = families["seldon_api_model_feedback_reward"].samples[0]
    assert reward.value == 2.5
    assert reward.labels["method"] == "feedback" and reward.labels["model_name"] == "router"
    assert reward.labels["deployment_name"] == "dep" and reward.labels["worker_id"]
    assert families["seldon_api_model_feedback"].samples[0].value == 1.0
    assert {s.labels["method"] for s in families["seldon_s2i_requests"].samples} == {"router", "feedback"}


def test_transformer_gets_typed_parameters_and_combiner_aggregates(r_apps: RApps, serve_r: Callable) -> None:
    params = '[{"name": "offset", "value": "10", "type": "INT"}]'
    base, _, _ = serve_r(r_apps.image("transformer-app"), env={"PREDICTIVE_UNIT_PARAMETERS": params})
    answer = requests.post(f"{base}/transform-input", json={"data": {"ndarray": [[1, 2]]}}, timeout=30).json()
    assert answer["data"]["ndarray"] == [[11, 12]]
    base, _, _ = serve_r(r_apps.image("combiner-app"))
    messages = [{"data": {"ndarray": [[1.0, 2.0]]}}, {"data": {"ndarray": [[3.0, 4.0]]}}]
    assert requests.post(f"{base}/aggregate", json=messages, timeout=30).json()["data"]["ndarray"] == [[2.0, 3.0]]


def test_sigterm_answers_the_request_in_progress_then_exits_0(r_apps: RApps, serve_r: Callable) -> None:
    base, _, container = serve_r(r_apps.image("slow-model"))
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(requests.post, f"{base}/predict", json={"strData": "2"}, timeout=30)
        time.sleep(0.7)  # the request is in progress (the model sleeps 2 s)
        started = time.monotonic()
        docker("kill", "--signal", "TERM", container.id)
        docker("wait", container.id, timeout=30)
        assert answer.result().json() == {"strData": "2", "meta": {}}
    assert time.monotonic() - started < 8  # not docker's 10 s SIGKILL
    assert container.exit_code() == 0
    assert "---> Stopped" in container.logs()


SHOULD_FAIL = [
    ("parse-error-should-fail", "ERROR: MODEL_NAME=Broken.R does not load"),
    ("install-failing-should-fail", "ERROR: install.R failed"),
    ("grpc-api-should-fail", "ERROR: API_TYPE=GRPC: expected REST"),
    ("no-initialise-should-fail", "ERROR: MODEL_NAME=Forgot.R defines no function initialise_seldon(params)"),
]


@pytest.mark.parametrize("app,message", SHOULD_FAIL, ids=[row[0] for row in SHOULD_FAIL])
def test_bad_r_app_fails_the_build_clearly_and_tags_nothing(r_apps: RApps, app: str, message: str) -> None:
    build = r_apps.build(app)
    assert build.returncode != 0
    assert message in build.stdout, build.stdout
    assert not image_exists(r_apps.tag(app))


def test_builder_runs_as_1001_and_prints_usage(r_apps: RApps) -> None:
    template = '{{.Config.User}} {{index .Config.Labels "io.openshift.s2i.scripts-url"}}'
    labels: List[str] = docker("image", "inspect", "-f", template, BUILDER).stdout.decode().split()
    assert labels == ["1001", "image:///usr/libexec/s2i"]
    usage = docker("run", "--rm", "--network", "none", BUILDER).stdout.decode()
    assert "s2i build <SOURCE-REPOSITORY> seldon-r45 <APP-NAME>" in usage and "R version 4.5" in usage


def test_injected_ca_is_trusted_while_building_and_not_left_in_the_image(r_apps: RApps) -> None:
    assert "---> Trusting 1 extra CA file(s) from /tmp/ca for this build only" in r_apps.build("rpart-model").stdout
    left = docker("run", "--rm", "--network", "none", r_apps.image("rpart-model"), "sh", "-c",
                  "find /tmp/ca -type f -size +0; ls /tmp | grep seldon-s2i-ca || true").stdout.decode()
    assert left.strip() == ""


def test_licence_report_lists_the_r_packages(r_apps: RApps) -> None:
    report = docker("run", "--rm", "--network", "none", r_apps.image("rpart-model"),
                    "cat", "/microservice/licenses/license_info.csv").stdout.decode()
    assert '"hellor","0.1.0"' in report and '"rpart"' in report and '"httpuv"' in report




def test_incremental_build_keeps_the_user_library(r_apps: RApps) -> None:
    image = r_apps.image("rpart-model")
    rebuilt = subprocess.run([SELDON_S2I, "build", str(APPS / "rpart-model"), BUILDER, image, "--network", "host",
                              "--pull-policy", "never", "--incremental"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    assert rebuilt.returncode == 0, rebuilt.stdout
    assert "---> Restoring the dependency cache of the previous image" in rebuilt.stdout
    assert "---> Kept from the previous image: hellor" in rebuilt.stdout
    assert "DONE (hellor)" not in rebuilt.stdout  # not installed again


def test_r_wrapper_passes_the_rest_conformance_suite(r_apps: RApps) -> None:
    """test/conformance against the seldon-r image (profile wrappers/r-image.json): its own pytest run,
    since one run serves one wrapper profile."""
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test/conformance",
                             "--wrapper", "r-image", "--wrapper-image", BUILDER],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1200)
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout[-5000:]
    assert " passed" in summary and "failed" not in summary, summary

"""The NodeJS builders on a real engine: image contract, real builds of test/apps/nodejs, and the
images served over loopback as UID 1001 and as an arbitrary UID (OpenShift), REST, gRPC and metrics.

Each app is built once per session with `seldon-s2i build` on the default NodeJS builder; builds that
install from the npm registry get the host CA bundle injected with `-i` (the tests check that it does
not stay in the image).
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import pytest
import requests

from conformance.grpc_client import Client
from dockercli import docker, env_dict, image_exists, inspect_config, inspect_image

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "test" / "apps" / "nodejs"
SELDON_S2I = str(Path(sys.executable).parent / "seldon-s2i")
HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
DEFAULT_BUILDER = "seldon-nodejs"
ARBITRARY_UID = "1000710000:0"  # what OpenShift's restricted SCC gives a pod: a high UID in group 0


def nodejs_rows() -> Dict[str, str]:
    """{builder image: Node.js major version} for the nodejs rows of builders/matrix (via matrix.sh)."""
    listed = subprocess.run([str(ROOT / "builders" / "matrix.sh")], capture_output=True, text=True, check=True,
                            env={"PATH": "/usr/bin:/bin", "LANGUAGES": "nodejs"}).stdout
    return {line.split()[6]: line.split()[1] for line in listed.splitlines()}


ROWS = nodejs_rows()


class Apps:
    """Builds each app once per session; removes every image it tagged at the end."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex[:8]
        self.built: Dict[str, subprocess.CompletedProcess] = {}
        self.tags: List[str] = []

    def build(self, app: str) -> subprocess.CompletedProcess:
        if app not in self.built:
            tag = f"seldon-s2i-test-nodejs-{app}:{self.run_id}"
            self.tags.append(tag)
            self.built[app] = subprocess.run(
                [SELDON_S2I, "build", str(APPS / app), DEFAULT_BUILDER, tag, "--network", "host",
                 "--pull-policy", "never", "-i", f"{HOST_CA_BUNDLE}:/tmp/ca"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
            self.built[app].tag = tag  # type: ignore[attr-defined]
        return self.built[app]

    def image(self, app: str) -> str:
        build = self.build(app)
        assert build.returncode == 0, f"building {app} failed:\n{build.stdout}"
        return build.tag  # type: ignore[attr-defined]

    def cleanup(self) -> None:
        existing = [tag for tag in self.tags if image_exists(tag)]
        if existing:
            docker("rmi", "-f", *existing, check=False)


@pytest.fixture(scope="session")
def nodejs_apps() -> Iterator[Apps]:
    missing = [image for image in [*ROWS, DEFAULT_BUILDER] if not image_exists(image)]
    if missing:
        pytest.fail(f"builder images missing: {missing} (run `make build LANGUAGES=nodejs`)")
    apps = Apps()
    yield apps
    apps.cleanup()


@pytest.fixture
def start(run_container: Callable, free_port: Callable, wait_for_http: Callable) -> Callable[..., Dict[str, str]]:
    """start(image, user=None, env=None) -> {"rest", "grpc", "metrics", "container"} on 127.0.0.1."""

    def run(image: str, user: Optional[str] = None, env: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        http, grpc, metrics = free_port(), free_port(), free_port()
        ports = {"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(http), "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": str(grpc),
                 "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics)}
        container = run_container(image, env={**ports, **(env or {})}, user=user)
        rest = f"http://127.0.0.1:{http}"
        wait_for_http(f"{rest}/health/ping", container)
        return {"rest": rest, "grpc": f"127.0.0.1:{grpc}", "metrics": f"http://127.0.0.1:{metrics}/metrics",
                "container": container.id}

    return run


# --- the builder images ------------------------------------------------------------------------------

@pytest.mark.parametrize("image", sorted(ROWS))
def test_nodejs_builder_runs_its_matrix_node_as_1001_with_s2i_labels(nodejs_apps: Apps, image: str) -> None:
    config = inspect_config(image)
    labels = config["Labels"]
    assert config["User"] == "1001" and config["WorkingDir"] == "/microservice"
    assert labels["io.openshift.s2i.scripts-url"] == "image:///usr/libexec/s2i"
    assert labels["usage"] == f"s2i build <SOURCE-REPOSITORY> {image} <APP-NAME>"
    assert f"nodejs{ROWS[image]}" in labels["io.openshift.tags"].split(",")
    assert env_dict(config)["HOME"] == "/microservice"
    report = docker("run", "--rm", "--network", "none", image, "/bin/sh", "-c",
                    "node --version; npm --version >/dev/null && echo npm-ok; id -u; id -g").stdout.decode().split()
    assert report[0].startswith(f"v{ROWS[image]}.")
    assert report[1:] == ["npm-ok", "1001", "0"]


def test_seldon_nodejs_is_the_24_builder_and_prints_usage(nodejs_apps: Apps) -> None:
    assert inspect_image("seldon-nodejs")["Id"] == inspect_image("seldon-nodejs24")["Id"]
    out = docker("run", "--rm", "--network", "none", "seldon-nodejs").stdout.decode()
    assert "s2i build <SOURCE-REPOSITORY> seldon-nodejs24 <APP-NAME>" in out  # the alias names its image
    assert "Node.js 24." in out and "MODEL_NAME=MyModel.js" in out


# --- building and serving the apps ------------------------------------------------------------------

@pytest.mark.parametrize("user", [None, ARBITRARY_UID], ids=["uid-1001", "arbitrary-uid"])
def test_model_app_answers_the_walkthrough_request_like_the_python_wrapper(nodejs_apps: Apps, start, user) -> None:
    server = start(nodejs_apps.image("model-app"), user=user)
    answer = requests.post(f"{server['rest']}/api/v0.1/predictions", json={"data": {"ndarray": [[1, 2]]}}, timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"data": {"names": ["t:0", "t:1"], "ndarray": [[2, 4]]}, "meta": {}}
    metrics = requests.get(server["metrics"], timeout=10).text
    assert 'seldon_s2i_requests_total{method="predict",transport="rest",code="200"} 1' in metrics


def test_an_exception_in_user_code_is_a_500_with_its_message_and_the_server_survives(nodejs_apps: Apps, start) -> None:
    server = start(nodejs_apps.image("model-app"))
    failed = requests.post(f"{server['rest']}/predict", json={"strData": "not rows"}, timeout=10)
    assert failed.status_code == 500
    status = failed.json()["status"]
    assert status["reason"] == "MICROSERVICE_INTERNAL_ERROR" and "map is not a function" in status["info"]
    bad = requests.post(f"{server['rest']}/predict", data=b'{"data": ', headers={"Content-Type": "application/json"},
                        timeout=10)
    assert bad.status_code == 400 and bad.json()["status"]["info"] == "Can't find JSON in data"
    again = requests.post(f"{server['rest']}/predict", json={"data": {"ndarray": [[3]]}}, timeout=10)
    assert again.status_code == 200 and again.json()["data"]["ndarray"] == [[6]]


def test_an_oversized_body_is_a_413_seldon_status(nodejs_apps: Apps, start) -> None:
    server = start(nodejs_apps.image("model-app"), env={"SELDON_S2I_MAX_REQUEST_BYTES": "1000"})
    answer = requests.post(f"{server['rest']}/predict", json={"data": {"ndarray": [[0.5] * 1000]}}, timeout=10)
    assert answer.status_code == 413
    assert answer.json()["status"]["reason"] == "MICROSERVICE_BAD_DATA"
    small = requests.post(f"{server['rest']}/predict", json={"data": {"ndarray": [[1]]}}, timeout=10)
    assert small.status_code == 200


def test_transformer_app_transforms_input(nodejs_apps: Apps, start) -> None:
    server = start(nodejs_apps.image("transformer-app"), user=ARBITRARY_UID)
    request = {"data": {"tensor": {"shape": [1, 2], "values": [1, 2.5]}}}
    answer = requests.post(f"{server['rest']}/transform-input", json=request, timeout=10)
    assert answer.json() == {"data": {"names": ["t:0", "t:1"], "tensor": {"shape": [1, 2], "values": [2, 3.5]}},
                             "meta": {}}


def test_router_app_routes_over_rest_and_grpc(nodejs_apps: Apps, start) -> None:
    server = start(nodejs_apps.image("router-app"))
    rest = requests.post(f"{server['rest']}/route", json={"data": {"ndarray": [[7]]}}, timeout=10)
    assert rest.json()["data"]["ndarray"] == [[1]]
    client = Client(server["grpc"])
    try:
        code, details, body = client.call("Router", "Route", {"data": {"ndarray": [[7]]}})
    finally:
        client.close()
    assert (code, details) == ("OK", "")
    assert body["data"]["ndarray"] == [[1.0]]


def test_package_lock_app_installs_with_npm_ci_and_keeps_no_ca_content(nodejs_apps: Apps, start) -> None:
    build = nodejs_apps.build("package-lock-app")
    assert build.returncode == 0, build.stdout
    assert "npm ci" in build.stdout
    image = nodejs_apps.image("package-lock-app")
    server = start(image, user=ARBITRARY_UID)
    answer = requests.post(f"{server['rest']}/predict", json={"strData": "hello seldon world"}, timeout=10)
    assert answer.json()["strData"] == "Hello Seldon World"
    listing = docker("run", "--rm", "--network", "none", image, "/bin/sh", "-c",
                     "find /tmp/ca -type f -size +0 | wc -l; "
                     "grep -c '^capitalize,2.0.4,MIT$' /microservice/licenses/license_info.csv").stdout
    assert listing.decode().split() == ["0", "1"]  # the injected CA is truncated (as s2i does); the licence row


def test_save_artifacts_hands_on_the_npm_cache(nodejs_apps: Apps) -> None:
    image = nodejs_apps.image("package-lock-app")
    tar = docker("run", "--rm", "--network", "none", image, "/usr/libexec/s2i/save-artifacts").stdout
    names = tarfile.open(fileobj=io.BytesIO(tar)).getnames()
    assert "key" in names and any(name.startswith("npm/_cacache/") for name in names)


def test_sigterm_stops_the_server_gracefully(nodejs_apps: Apps, start) -> None:
    server = start(nodejs_apps.image("model-app"))
    docker("stop", "-t", "20", server["container"])
    assert docker("inspect", "-f", "{{.State.ExitCode}}", server["container"]).stdout.decode().strip() == "0"


@pytest.mark.parametrize("app, says", [
    ("syntax-error-should-fail", "SyntaxError: Unexpected token"),
    ("no-export-should-fail", "NoExport.js does not export a class or constructor function"),
    ("unresolvable-dependency-should-fail", "npm error 404"),
    ("no-model-name-should-fail", "ERROR: MODEL_NAME is not set: add a line MODEL_NAME=<YourModel>.js"),
])
def test_should_fail_apps_fail_the_build_with_an_error_and_no_image(nodejs_apps: Apps, app: str, says: str) -> None:
    build = nodejs_apps.build(app)
    assert build.returncode == 1, build.stdout
    assert says in build.stdout
    assert "ERROR: " in build.stdout and "Traceback" not in build.stdout
    assert not image_exists(build.tag)  # type: ignore[attr-defined]


# --- metrics: the Python wrapper's names and labels -------------------------------------------------

def metric_shapes(url: str) -> Dict[str, set]:
    """{sample name: {(sorted label names, method label)}} of a Prometheus text exposition, for the
    families both wrappers define (the user's tm_*, feedback and per-request ones)."""
    from prometheus_client.parser import text_string_to_metric_families

    shapes: Dict[str, set] = {}
    for family in text_string_to_metric_families(requests.get(url, timeout=10).text):
        for sample in family.samples:
            if sample.name.startswith(("tm_", "seldon_api_model_feedback", "seldon_s2i_request")):
                if sample.name.endswith("_created"):
                    continue
                shapes.setdefault(sample.name, set()).add(
                    (tuple(sorted(sample.labels)), sample.labels.get("method"), sample.labels.get("le")))
    return shapes


def test_metrics_have_the_python_wrappers_names_labels_and_buckets(nodejs_apps: Apps) -> None:
    from conformance import suite
    from conformance.wrapper import WrapperProcess

    model = suite.models()["tags_metrics"]
    image_profile = suite.profile("nodejs-image")
    servers = {
        "python": WrapperProcess(suite.profile("python").command, model, model.path("python")),
        "nodejs": WrapperProcess(image_profile.command, model, model.path("nodejs"), image=DEFAULT_BUILDER,
                                 stop_command=image_profile.stop_command),
    }
    try:
        for server in servers.values():
            server.start()
        for server in servers.values():
            server.wait_ready(grpc_too=False)
            requests.post(f"{server.base_url}/predict", json={"data": {"ndarray": [[1]]}}, timeout=10)
            requests.post(f"{server.base_url}/send-feedback", json={"request": {"data": {"ndarray": [[1]]}},
                                                                    "reward": 1}, timeout=10)
        shapes = {name: metric_shapes(f"http://127.0.0.1:{server.metrics_port}/metrics")
                  for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    assert "tm_timer_tagged_bucket" in shapes["python"] and "seldon_api_model_feedback_total" in shapes["python"]
    assert shapes["nodejs"] == shapes["python"]

"""The Java builder (seldon-java, builders/java) on the real engine: the apps of test/apps/java built
with `seldon-s2i build`, served as UID 1001 and as an arbitrary UID, over REST, gRPC and metrics.

Each app is built once per session (JavaApps); every image is removed at the end. The builder itself
comes from `make build` (LANGUAGES=java); a missing builder fails the tests.
"""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import tarfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conformance.grpc_client import Client
from dockercli import docker, image_exists, inspect_config

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "test" / "apps" / "java"
BUILDER = "seldon-java"
SELDON_S2I = str(Path(sys.executable).parent / "seldon-s2i")
HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
CA_DIR = "/tmp/ca"  # the builder's default CA_BUNDLE location


@dataclass
class Build:
    returncode: int
    log: str
    tag: str


def build(app: str, tag: str, *extra: str) -> Build:
    args = [SELDON_S2I, "build", str(APPS / app), BUILDER, tag, "--network", "host", "--pull-policy", "never",
            "-i", f"{HOST_CA_BUNDLE}:{CA_DIR}", *extra]
    result = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    return Build(result.returncode, result.stdout.decode(errors="replace"), tag)


class JavaApps:
    """Builds each Java app once per session; removes every image it tagged at the end."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex[:8]
        self.built: Dict[str, Build] = {}

    def build(self, app: str) -> Build:
        if app not in self.built:
            self.built[app] = build(app, f"seldon-s2i-test-java-{app}:{self.run_id}")
        return self.built[app]

    def image(self, app: str) -> str:
        result = self.build(app)
        assert result.returncode == 0, f"building {app} with {BUILDER} failed:\n{result.log}"
        return result.tag

    def cleanup(self) -> None:
        tags = [b.tag for b in self.built.values() if image_exists(b.tag)]
        if tags:
            docker("rmi", "-f", *tags, check=False)


@pytest.fixture(scope="session")
def java_apps() -> Iterator[JavaApps]:
    if not image_exists(BUILDER):
        pytest.fail(f"builder image {BUILDER} is missing (run `make build LANGUAGES=java`)")
    apps = JavaApps()
    yield apps
    apps.cleanup()


class Served:
    """A running app container: its REST, gRPC and metrics addresses on 127.0.0.1."""

    def __init__(self, container, rest: str, grpc: str, metrics: str) -> None:
        self.container, self.rest, self.grpc, self.metrics = container, rest, grpc, metrics


@pytest.fixture
def serve_java(run_container: Callable, free_port: Callable, wait_for_http: Callable) -> Callable[..., Served]:
    def start(image: str, user: Optional[str] = None, env: Optional[Dict[str, str]] = None) -> Served:
        http, grpc, metrics = free_port(), free_port(), free_port()
        ports = {"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(http), "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": str(grpc),
                 "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics)}
        container = run_container(image, env={**ports, **(env or {})}, user=user)
        rest = f"http://127.0.0.1:{http}"
        wait_for_http(f"{rest}/health/ping", container)
        return Served(container, rest, f"127.0.0.1:{grpc}", f"http://127.0.0.1:{metrics}/metrics")

    return start


def predict(base: str, payload: dict, path: str = "/api/v1.0/predictions") -> requests.Response:
    return requests.post(base + path, json=payload, timeout=30)


# --- the builder ----------------------------------------------------------------------------------

def test_java_builder_has_the_s2i_labels_user_and_jdk_21() -> None:
    config = inspect_config(BUILDER)
    labels = config["Labels"]
    assert labels["io.openshift.s2i.scripts-url"] == "image:///usr/libexec/s2i"
    assert labels["io.openshift.s2i.destination"] == "/tmp"
    assert config["User"] == "1001" and config["WorkingDir"] == "/microservice"
    version = docker("run", "--rm", "--network", "none", BUILDER, "java", "-version").stderr.decode()
    assert 'version "21' in version


def test_java_builder_prints_its_usage() -> None:
    out = docker("run", "--rm", "--network", "none", BUILDER).stdout.decode()
    assert "s2i build <SOURCE-REPOSITORY> seldon-java21 <APP-NAME>" in out
    assert "MODEL_NAME=com.example.MyModel" in out


def test_java_builder_keeps_javac_maven_and_the_cds_archive_but_not_protoc_or_jmods() -> None:
    """The builder's slimming (builders/java/Dockerfile): what only generated the wrapper's sources, and the
    jmods only jlink reads, are gone; what builds and runs read stays, and dpkg's database agrees."""
    script = r"""
        java_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
        echo "jmods: $(ls -d "$java_home/jmods" 2>/dev/null || echo absent)"
        echo "protoc: $(command -v protoc grpc_java_plugin || echo absent)"
        echo "packages: $(dpkg-query -W -f='${db:Status-Status}\n' protobuf-compiler libprotobuf-dev libc6-dev 2>&1 |
                          grep -cx installed || true)"
        echo "headers: $(find /usr/include -type f | wc -l) static: $(find / -xdev -name '*.a' | wc -l)"
        java -Xshare:on -version >/dev/null 2>&1 && echo "cds: on"
        javac --release 17 -version 2>&1 | sed 's/^javac .*/javac: ok/'
        mvn -v | sed -n '1s/.*Apache Maven.*/maven: ok/p'
    """
    out = docker("run", "--rm", "--network", "none", BUILDER, "bash", "-c", script).stdout.decode().split("\n")
    assert [line for line in out if line] == ["jmods: absent", "protoc: absent", "packages: 0",
                                              "headers: 0 static: 0", "cds: on", "javac: ok", "maven: ok"]


# --- building -------------------------------------------------------------------------------------

def test_plain_sources_are_compiled_with_javac(java_apps: JavaApps) -> None:
    result = java_apps.build("plain-model")
    assert result.returncode == 0, result.log
    assert "Compiling src/main/java with javac" in result.log


def test_pom_project_builds_offline_against_the_image_repositories(java_apps: JavaApps) -> None:
    result = java_apps.build("pom-model")
    assert result.returncode == 0, result.log
    assert "Building pom.xml with Maven (offline" in result.log
    assert "building with the project's repositories" not in result.log


@pytest.mark.parametrize("app, message", [
    ("compile-error-should-fail", "src/main/java does not compile"),
    ("not-a-model-should-fail", "does not implement io.seldon.wrapper.api.SeldonPredictionService"),
])
def test_bad_java_app_fails_the_build_with_one_error_line_and_tags_nothing(java_apps: JavaApps, app: str,
                                                                          message: str) -> None:
    result = java_apps.build(app)
    assert result.returncode != 0
    errors = [line for line in result.log.splitlines() if line.startswith("ERROR: ") and message in line]
    assert len(errors) == 1, result.log
    if app == "compile-error-should-fail":
        assert "incompatible types: String cannot be converted to int" in result.log  # javac's own message
    assert not image_exists(result.tag)


def test_injected_ca_and_truststore_do_not_survive_in_the_image(java_apps: JavaApps) -> None:
    image = java_apps.image("plain-model")
    out = docker("run", "--rm", "--network", "none", "--entrypoint", "", image, "sh", "-c",
                 f"find {CA_DIR} -type f -size +0 | wc -l; ls /tmp | grep -c seldon-s2i || true").stdout.decode()
    assert out.split() == ["0", "0"]


def test_licence_report_lists_the_jars_and_their_debian_packages(java_apps: JavaApps) -> None:
    image = java_apps.image("plain-model")
    report = docker("run", "--rm", "--network", "none", "--entrypoint", "", image,
                    "cat", "/microservice/licenses/license_info.csv").stdout.decode()
    assert "seldon-java-wrapper,0.1.0" in report
    assert "libprotobuf-java" in report and "libgrpc-java" in report


def test_save_artifacts_writes_only_a_tar_of_the_maven_repository(java_apps: JavaApps) -> None:
    image = java_apps.image("pom-model")
    out = docker("run", "--rm", "--network", "none", "--entrypoint", "", image, "/usr/libexec/s2i/save-artifacts")
    names = tarfile.open(fileobj=io.BytesIO(out.stdout)).getnames()
    assert "key" in names and "m2" in names


# --- serving --------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", [None, "123456:0"])
def test_model_serves_rest_grpc_and_metrics_as_1001_and_an_arbitrary_uid(
        java_apps: JavaApps, serve_java: Callable, user: Optional[str]) -> None:
    image = java_apps.image("plain-model")
    served = serve_java(image, user=user, env={
        "PREDICTIVE_UNIT_PARAMETERS": json.dumps([{"name": "scale", "value": "3", "type": "INT"}])})
    answer = predict(served.rest, {"data": {"ndarray": [[1, 2.5]]}, "meta": {"puid": "p1"}})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"data": {"names": [], "ndarray": [[3, 7.5]]}, "meta": {"puid": "p1"}}
    client = Client(served.grpc)
    try:
        code, _, body = client.call("Model", "Predict", {"data": {"ndarray": [[2.0]]}})
    finally:
        client.close()
    assert code == "OK" and body["data"]["ndarray"] == [[6.0]]
    uid = docker("exec", served.container.id, "id", "-u").stdout.decode().strip()
    assert uid == ("1001" if user is None else "123456")


def test_metrics_are_prometheus_text_with_the_python_wrappers_names(java_apps: JavaApps,
                                                                    serve_java: Callable) -> None:
    served = serve_java(java_apps.image("plain-model"))
    for _ in range(3):
        assert predict(served.rest, {"data": {"ndarray": [[1]]}}).status_code == 200
    assert predict(served.rest, {"data": {"ndarray": "x"}}).status_code == 400
    text = requests.get(served.metrics, timeout=10).text
    families = {family.name: family for family in text_string_to_metric_families(text)}
    requests_total = {(s.labels["method"], s.labels["transport"], s.labels["code"]): s.value
                      for s in families["seldon_s2i_requests"].samples}
    assert requests_total[("predict", "rest", "200")] == 3.0
    assert requests_total[("predict", "rest", "400")] == 1.0
    latency = families["seldon_s2i_request_duration_seconds"]
    assert latency.type == "histogram"
    buckets = [s for s in latency.samples if s.name.endswith("_bucket") and s.labels["method"] == "predict"]
    assert [s.labels["le"] for s in buckets][:3] == ["0.0005", "0.001", "0.0025"]
    assert buckets[-1].labels["le"] == "+Inf" and buckets[-1].value == 4.0


def test_pom_model_uses_its_own_dependency(java_apps: JavaApps, serve_java: Callable) -> None:
    served = serve_java(java_apps.image("pom-model"))
    answer = predict(served.rest, {"strData": "héllo"}, path="/predict")
    assert answer.status_code == 200, answer.text
    assert answer.json()["jsonData"] == {"length": 5, "upper": "HÉLLO"}


@pytest.mark.parametrize("app, path, payload, expected", [
    ("router-app", "/route", {"data": {"ndarray": [[1, 9]]}}, {"ndarray": [[1]]}),
    ("transformer-app", "/transform-input", {"data": {"tensor": {"shape": [1, 2], "values": [1, -2]}}},
     {"tensor": {"shape": [1, 2], "values": [-1.0, 2.0]}}),
    ("combiner-app", "/aggregate", {"seldonMessages": [{"data": {"tensor": {"shape": [2], "values": [1, 2]}}},
                                                       {"data": {"tensor": {"shape": [2], "values": [3, 6]}}}]},
     {"tensor": {"shape": [2], "values": [2.0, 4.0]}}),
])
def test_graph_units_answer_their_endpoint(java_apps: JavaApps, serve_java: Callable, app: str, path: str,
                                           payload: dict, expected: dict) -> None:
    served = serve_java(java_apps.image(app))
    answer = predict(served.rest, payload, path=path)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert {key: value for key, value in data.items() if key != "names"} == expected


def test_exception_in_user_code_is_500_with_its_message_and_the_server_survives(
        java_apps: JavaApps, serve_java: Callable) -> None:
    served = serve_java(java_apps.image("router-app"))
    failed = predict(served.rest, {"data": {"ndarray": []}}, path="/route")  # the router throws
    assert failed.status_code == 500
    assert failed.json()["status"] == {"code": -1, "info": "no number to route on",
                                       "reason": "MICROSERVICE_INTERNAL_ERROR", "status": 1}
    assert predict(served.rest, {"data": {"ndarray": [[0]]}}, path="/route").status_code == 200


def test_oversized_bodies_are_refused_and_malformed_grpc_is_invalid_argument(java_apps: JavaApps,
                                                                             serve_java: Callable) -> None:
    served = serve_java(java_apps.image("plain-model"),
                        env={"SELDON_S2I_MAX_REQUEST_BYTES": "1000", "GRPC_MAX_MESSAGE_LENGTH": "1000"})
    big = predict(served.rest, {"strData": "x" * 2000})
    assert big.status_code == 413 and big.json()["status"]["reason"] == "MICROSERVICE_BAD_DATA"
    client = Client(served.grpc)
    try:
        code, details, _ = client.call("Model", "Predict", {"data": {"tensor": {"shape": [2, 2], "values": [1]}}})
        too_big, _, _ = client.call("Model", "Predict", {"strData": "x" * 2000})
        fine, _, body = client.call("Model", "Predict", {"data": {"ndarray": [[1]]}})
    finally:
        client.close()
    assert code == "INVALID_ARGUMENT" and "tensor shape" in details
    # grpc-java 1.41 (Debian's) resets the stream of an oversized message instead of answering
    # RESOURCE_EXHAUSTED: the client sees CANCELLED or INTERNAL; the server says why.
    assert too_big in ("CANCELLED", "INTERNAL", "RESOURCE_EXHAUSTED")
    assert "RESOURCE_EXHAUSTED: gRPC message exceeds maximum size 1000" in served.container.logs()
    assert fine == "OK" and body["data"]["ndarray"] == [[2.0]]


def test_sigterm_stops_the_server_gracefully(java_apps: JavaApps, serve_java: Callable) -> None:
    served = serve_java(java_apps.image("plain-model"))
    docker("stop", "-t", "30", served.container.id)
    assert not served.container.running()
    assert "SIGTERM: finishing the requests in flight" in served.container.logs()


def test_sigterm_lets_a_rest_request_finish_for_up_to_seldon_s2i_grace_seconds(java_apps: JavaApps,
                                                                              serve_java: Callable) -> None:
    """A 7 s REST request in flight at SIGTERM: with SELDON_S2I_GRACE_SECONDS=20 it answers 200 (the grace is
    not capped at 5 s); with SELDON_S2I_GRACE_SECONDS=1 it is cut off. Both containers exit 0."""
    image = java_apps.image("operator-contract-app")
    slow_parameter = json.dumps([{"name": "slow_millis", "value": "7000", "type": "INT"}])
    served = {grace: serve_java(image, env={"SELDON_S2I_GRACE_SECONDS": grace, "SERVICE_TYPE": "MODEL",
                                            "PREDICTIVE_UNIT_PARAMETERS": slow_parameter})
              for grace in ("20", "1")}
    slow = {"data": {"names": ["slow"], "ndarray": [[1.0]]}}

    def answer(grace: str) -> object:
        try:
            response = requests.post(f"{served[grace].rest}/api/v1.0/predictions", json=slow, timeout=60)
        except requests.ConnectionError:
            return "cut off"
        return response.status_code, response.json()["data"]["ndarray"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = {grace: pool.submit(answer, grace) for grace in served}
        time.sleep(1.0)  # both requests are running
        stops = [pool.submit(docker, "stop", "-t", "30", s.container.id) for s in served.values()]
        results = {grace: future.result() for grace, future in answers.items()}
        for stop in stops:
            stop.result()
    assert results == {"20": (200, [[2.0]]), "1": "cut off"}
    assert [s.container.exit_code() for s in served.values()] == [0, 0]


@pytest.mark.parametrize("grace, message", [("abc", "must be an integer, got 'abc'"),
                                            ("-3", "must be 0 or more seconds, got '-3'")])
def test_a_bad_seldon_s2i_grace_seconds_is_one_error_line_and_exit_2(grace: str, message: str) -> None:
    result = docker("run", "--rm", "--network", "none", "-e", f"SELDON_S2I_GRACE_SECONDS={grace}", BUILDER,
                    "sh", "-c", 'exec java -cp "$(cat /opt/seldon/wrapper.classpath)" io.seldon.wrapper.Microservice '
                    "com.example.Absent MODEL", check=False)
    output = (result.stdout + result.stderr).decode()
    assert result.returncode == 2, output
    assert output.strip().splitlines() == [f"ERROR: SELDON_S2I_GRACE_SECONDS {message}"]


def test_a_run_without_a_build_says_so_in_one_line(run_container: Callable) -> None:
    container = run_container(BUILDER, env={"MODEL_NAME": "com.example.X", "SERVICE_TYPE": "MODEL"},
                              command=["/usr/libexec/s2i/run"])
    for _ in range(100):
        if not container.running():
            break
        time.sleep(0.1)
    assert container.exit_code() == 1
    lines: List[str] = [line for line in container.logs().splitlines() if line.startswith("ERROR: ")]
    assert len(lines) == 1 and "was not built by the Seldon Java builder" in lines[0]


def test_incremental_build_restores_the_maven_repository_of_the_previous_image(java_apps: JavaApps) -> None:
    tag = f"seldon-s2i-test-java-incremental:{java_apps.run_id}"
    try:
        first = build("pom-model", tag, "--incremental")
        assert first.returncode == 0, first.log
        second = build("pom-model", tag, "--incremental")
        assert second.returncode == 0, second.log
        assert "Restoring the dependency cache of the previous image" in second.log
    finally:
        docker("rmi", "-f", tag, check=False)
        replaced = docker("images", "-q", "-f", "dangling=true", "-f", f"label=io.k8s.display-name={tag}",
                          check=False).stdout.decode().split()
        if replaced:
            docker("rmi", "-f", *replaced, check=False)


def test_a_port_in_use_is_one_error_line_and_exit_1(java_apps: JavaApps, run_container: Callable,
                                                     free_port: Callable) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        container = run_container(java_apps.image("plain-model"), env={
            "SELDON_S2I_HOST": "127.0.0.1", "PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(port),
            "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": str(free_port()),
            "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(free_port())})
        for _ in range(300):
            if not container.running():
                break
            time.sleep(0.1)
        assert container.exit_code() == 1
    errors = [line for line in container.logs().splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1 and f"REST {port}" in errors[0] and "Exception" not in container.logs()

"""The Seldon Core 1.17.1 operator's container contract, proven on the real engine for every builder language.

No Kubernetes runs here (DESIGN.md), so the pod is reproduced with `docker run`, from the manifest that
`seldon-s2i deployment` writes, as the operator builds it (docs: /etc/podinfo, defaults.go's ports,
the controller's environment; see OperatorPod): each graph container gets the ports 9000+i, 9500+i, 6000+i
in graph order (other free loopback ports when those are taken: other engines share this host's network),
PREDICTIVE_UNIT_* / PREDICTOR_ID / SELDON_DEPLOYMENT_ID / PREDICTIVE_UNIT_PARAMETERS from its node,
the pod's annotations read-only in /etc/podinfo/annotations, `--user 12345:0` (OpenShift's arbitrary UID),
`--read-only` with a tmpfs /tmp, host networking; the kubelet's TCP probes are TCP connects.

The graph is TRANSFORMER -> MODEL, both from ONE image per language (built once per session): the
transformer is that image with SERVICE_TYPE=TRANSFORMER (from its node type; the operator would run a
transformer image as it is). An executor-playing client (`executor_predict`) calls the transformer's
/transform-input, then the model's /api/v1.0/predictions, merging `meta` as the executor does, and must get
the same answer as the same chain of the Python reference (seldon-core 1.17.1, .venv-ref) on the Python app.

A language plugs in with one row of CONTRACT_APPS: its builder and a test app under test/apps/ that behaves
like operator-contract-app/ContractModel.py: `transform_input` adds the parameter `offset` (FLOAT, default 0),
`predict` multiplies by `scale` (FLOAT, default 2), a request whose names are ["slow"] takes ~1.5 s, `tags()`
gives {<parameter `tag`>: "called"} and `metrics()` one COUNTER contract_calls_total of 1.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests

import ports
from conformance.grpc_client import Client
from conformance.suite import Model
from conformance.wrapper import WrapperProcess
from dockercli import docker

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "test" / "apps"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
SELDON_S2I = str(Path(sys.executable).with_name("seldon-s2i"))
REFERENCE_MICROSERVICE = ROOT / ".venv-ref" / "bin" / "seldon-core-microservice"
PYTHON_APP = APPS / "operator-contract-app"
PUID = "contract-puid-0001"
REQUEST = {"data": {"ndarray": [[1.0, 2.0]]}, "meta": {"puid": PUID}}
PARAMETERS = ["-p", "offset=10:FLOAT", "-p", "tag=transformer:STRING"]
ANNOTATIONS = ["-a", "seldon.io/rest-timeout=100000", "-a", "seldon.io/grpc-max-message-size=10000000"]
GRACE_SECONDS = 10  # docker stop -t: the operator's SIGTERM -> SIGKILL interval (terminationGracePeriod - preStop)


@dataclass(frozen=True)
class ContractApp:
    """One language's row: its builder image and its contract app (a directory under test/apps/)."""

    language: str
    builder: str
    app: str
    grpc: bool = True  # the builder serves gRPC (else its nodes' endpoint is REST: no gRPC port is probed)


CONTRACT_APPS = (
    ContractApp("python", "seldon-python311", "operator-contract-app"),
    ContractApp("java", "seldon-java21", "java/operator-contract-app"),
    ContractApp("r", "seldon-r45", "r/operator-contract-app", grpc=False),
    ContractApp("nodejs", "seldon-nodejs24", "nodejs/operator-contract-app"),
)


# ---- the operator's pod, from the manifest ------------------------------------------------------------------

@dataclass
class Unit:
    """One graph container of the pod: its node, ports and the environment the operator injects."""

    node: Dict[str, Any]
    image: str
    http: int
    grpc: int
    metrics: int
    env: Dict[str, str] = field(default_factory=dict)
    container: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}"


def _graph_order(node: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [node, *(n for child in node.get("children", []) for n in _graph_order(child))]


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _operator_ports(count: int) -> List[Tuple[int, int, int]]:
    """9000+i, 9500+i, 6000+i (defaults.go) when all are free, else free loopback ports."""
    wanted = [(9000 + i, 9500 + i, 6000 + i) for i in range(count)]
    if all(_free(port) for triple in wanted for port in triple):
        return wanted
    return [(ports.free_port(), ports.free_port(), ports.free_port()) for _ in range(count)]


def operator_pod(manifest: Dict[str, Any]) -> List[Unit]:
    """The graph containers of the manifest's first predictor with what the operator injects into each."""
    predictor = manifest["spec"]["predictors"][0]
    images = {c["name"]: c["image"] for spec in predictor["componentSpecs"] for c in spec["spec"]["containers"]}
    nodes = _graph_order(predictor["graph"])
    units = []
    for node, (http, grpc, metrics) in zip(nodes, _operator_ports(len(nodes))):
        unit = Unit(node, images[node["name"]], http, grpc, metrics)
        unit.env = {
            "PREDICTIVE_UNIT_SERVICE_PORT": str(http),
            "PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(http), "MLSERVER_HTTP_PORT": str(http),
            "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": str(grpc), "MLSERVER_GRPC_PORT": str(grpc),
            "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics), "MLSERVER_METRICS_PORT": str(metrics),
            "PREDICTIVE_UNIT_METRICS_ENDPOINT": "/prometheus", "MLSERVER_METRICS_ENDPOINT": "/prometheus",
            "PREDICTIVE_UNIT_ID": node["name"], "MLSERVER_MODEL_NAME": node["name"],
            "PREDICTIVE_UNIT_IMAGE": unit.image,
            "PREDICTOR_ID": predictor["name"], "PREDICTOR_LABELS": json.dumps({"version": predictor["name"]}),
            "SELDON_DEPLOYMENT_ID": manifest["metadata"]["name"], "SELDON_EXECUTOR_ENABLED": "true",
        }
        if node.get("parameters"):
            unit.env["PREDICTIVE_UNIT_PARAMETERS"] = json.dumps(node["parameters"])
        units.append(unit)
    return units


def podinfo_annotations(manifest: Dict[str, Any]) -> str:
    """/etc/podinfo/annotations: the pod's annotations (spec's and the predictor's) as key="value" lines."""
    annotations = {**manifest["spec"].get("annotations", {}), **manifest["spec"]["predictors"][0]["annotations"],
                   "prometheus.io/scrape": "true", "prometheus.io/path": "/prometheus"}
    return "".join(f"{key}={json.dumps(str(value))}\n" for key, value in annotations.items())


def tcp_probe(port: int, timeout: float = 120) -> None:
    """The kubelet's tcpSocket probe, repeated until it passes (AssertionError after `timeout` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"TCP probe on port {port} did not pass in {timeout} s")


# ---- the executor's part -----------------------------------------------------------------------------------

def _post(url: str, body: Dict[str, Any]) -> Dict[str, Any]:
    response = requests.post(url, json=body, timeout=30)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text}"
    return response.json()


def executor_predict(transformer_url: str, model_url: str, request: Dict[str, Any]) -> Dict[str, Any]:
    """TRANSFORMER -> MODEL as the executor runs it (seldon-core executor/predictor/predictor_process.go):
    the root's transformInput, then the child's Predict, each answer handed on as the next request, meta
    and its puid included (the Seldon protocol's Chain); each node merges the meta it receives (tags,
    metrics, requestPath) into its answer, so the last answer is the graph's."""
    transformed = _post(f"{transformer_url}/transform-input", request)
    return _post(f"{model_url}/api/v1.0/predictions", transformed)


# ---- fixtures: one image per language, its pod, the reference chain ---------------------------------------

@pytest.fixture(scope="module", params=CONTRACT_APPS, ids=lambda app: app.language)
def contract_image(request: pytest.FixtureRequest) -> Iterator[Tuple[ContractApp, str]]:
    app: ContractApp = request.param
    tag = f"seldon-s2i-contract-{app.language}:{uuid.uuid4().hex[:8]}"
    inject = ["-i", f"{HOST_CA}:/tmp/ca"] if HOST_CA.is_file() else []
    build = subprocess.run([SELDON_S2I, "build", str(APPS / app.app), app.builder, tag, *inject],
                           capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    yield app, tag
    docker("rmi", "-f", tag, check=False)


def deployment_manifest(image: str, app_dir: Path, workdir: Path, model_from_image: bool = True) -> Dict[str, Any]:
    """`seldon-s2i deployment` of TRANSFORMER -> MODEL from one image: the transformer's facts from a copy of
    the app's .s2i/environment saying TRANSFORMER (IMAGE=DIR), the model's from the image on the engine
    (or, model_from_image=False, from the app's .s2i/environment)."""
    transformer = workdir / "transformer"
    (transformer / ".s2i").mkdir(parents=True)
    environment = (app_dir / ".s2i" / "environment").read_text()
    (transformer / ".s2i" / "environment").write_text(environment.replace("=MODEL", "=TRANSFORMER"))
    child = image if model_from_image else f"{image}={app_dir}"
    result = subprocess.run([SELDON_S2I, "deployment", f"{image}={transformer}", "--child", child,
                             "--name", "contract", *PARAMETERS, *ANNOTATIONS, "-o", "json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    (workdir / "seldon-deploy.json").write_text(result.stdout)
    check = subprocess.run([SELDON_S2I, "deployment", "--check", str(workdir / "seldon-deploy.json")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def pod(contract_image: Tuple[ContractApp, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[List[Unit]]:
    """The manifest's pod on the engine, as the operator runs it; probes passed."""
    app, image = contract_image
    workdir = tmp_path_factory.mktemp(f"contract-{app.language}")
    manifest = deployment_manifest(image, APPS / app.app, workdir)
    podinfo = workdir / "podinfo"
    podinfo.mkdir(mode=0o755)
    (podinfo / "annotations").write_text(podinfo_annotations(manifest))
    podinfo.chmod(0o755)
    (podinfo / "annotations").chmod(0o644)
    units = operator_pod(manifest)
    try:
        for unit in units:
            unit.container = f"contract-{app.language}-{unit.node['name']}-{uuid.uuid4().hex[:6]}"
            env = [arg for name, value in unit.env.items() for arg in ("-e", f"{name}={value}")]
            docker("run", "-d", "--name", unit.container, "--network", "host", "--user", "12345:0", "--read-only",
                   "--tmpfs", "/tmp", "-v", f"{podinfo}:/etc/podinfo:ro", "-e", f"SERVICE_TYPE={unit.node['type']}",
                   *env, image)
        for unit in units:
            tcp_probe(unit.http)
            if app.grpc:
                tcp_probe(unit.grpc)
        yield units
    finally:
        for unit in units:
            if unit.container:
                docker("rm", "-f", unit.container, check=False)


@pytest.fixture(scope="module")
def reference_answer(contract_image: Tuple[ContractApp, str], tmp_path_factory: pytest.TempPathFactory
                     ) -> Dict[str, Any]:
    """The executor chain's answer from seldon-core 1.17.1 serving the Python contract app, run the same way
    (same manifest, so the same unit names, image and parameters; local processes on free ports)."""
    workdir = tmp_path_factory.mktemp("contract-reference")
    manifest = deployment_manifest(contract_image[1], PYTHON_APP, workdir, model_from_image=False)
    processes = []
    try:
        for unit in operator_pod(manifest):
            command = f"{REFERENCE_MICROSERVICE} {{model_name}} --service-type {{service_type}}"
            env = {name: value for name, value in unit.env.items() if "PORT" not in name}
            model = Model(unit.node["name"], "ContractModel", unit.node["type"], "", env)
            processes.append(WrapperProcess(command, model, PYTHON_APP).start())
        for process in processes:
            process.wait_ready(grpc_too=False)
        return executor_predict(processes[0].base_url, processes[1].base_url, REQUEST)
    finally:
        for process in processes:
            process.stop()


# ---- the tests, in the pod's life order: the last one stops it ---------------------------------------------

def test_every_builder_language_has_a_contract_app():
    """A language that lands in builders/matrix plugs in here with its row and test app."""
    rows = [line.split() for line in (ROOT / "builders" / "matrix").read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    assert {row[0] for row in rows} <= {app.language for app in CONTRACT_APPS}
    assert all((APPS / app.app / ".s2i" / "environment").is_file() for app in CONTRACT_APPS)


def test_the_units_answer_with_their_parameters_on_rest_and_grpc(pod: List[Unit],
                                                               contract_image: Tuple[ContractApp, str]):
    transformer, model = pod
    assert _post(f"{transformer.url}/transform-input", REQUEST)["data"]["ndarray"] == [[11.0, 12.0]]
    assert _post(f"{model.url}/api/v1.0/predictions", REQUEST)["data"]["ndarray"] == [[2.0, 4.0]]
    if not contract_image[0].grpc:
        return
    client = Client(f"127.0.0.1:{model.grpc}")
    try:
        code, details, answer = client.call("Model", "Predict", {"data": {"ndarray": [[1.0, 2.0]]}})
    finally:
        client.close()
    assert (code, details) == ("OK", "") and answer["data"]["ndarray"] == [[2.0, 4.0]]


def test_metrics_appear_at_prometheus_with_the_deployments_labels(pod: List[Unit]):
    transformer, model = pod
    _post(f"{model.url}/api/v1.0/predictions", REQUEST)
    text = requests.get(f"http://127.0.0.1:{model.metrics}/prometheus", timeout=10).text
    samples = [line for line in text.splitlines() if line.startswith("contract_calls_total{")]
    assert samples, text[-2000:]
    for label in ('deployment_name="contract"', 'predictor_name="default"', f'model_name="{model.node["name"]}"'):
        assert all(label in sample for sample in samples), samples


def test_the_executor_chain_answers_like_the_reference(pod: List[Unit], reference_answer: Dict[str, Any]):
    transformer, model = pod
    ours = executor_predict(transformer.url, model.url, REQUEST)
    assert ours["data"]["ndarray"] == [[22.0, 24.0]]
    assert ours["meta"]["puid"] == PUID
    assert ours["meta"]["tags"] == {"transformer": "called", "unit": "called"}
    assert ours["meta"]["requestPath"] == {unit.node["name"]: unit.image for unit in pod}
    assert [metric["key"] for metric in ours["meta"]["metrics"]] == ["contract_calls_total"] * 2
    assert ours == reference_answer


def test_stopping_the_pod_finishes_every_in_flight_request_and_exits_0(pod: List[Unit]):
    """docker stop -t 10 while four slow requests are in flight (one running, three queued): all answer
    right, the probes' ports close, and each container exits 0 (SIGKILL would give 137)."""
    transformer, model = pod
    slow = {"data": {"names": ["slow"], "ndarray": [[1.0]]}}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = [pool.submit(requests.post, f"{model.url}/api/v1.0/predictions", json=slow, timeout=60)
                   for _ in range(4)]
        time.sleep(0.5)  # all four sent: one runs, three wait
        stopped = threading.Thread(target=docker, args=("stop", "-t", str(GRACE_SECONDS), model.container))
        stopped.start()
        results = [future.result() for future in answers]
        stopped.join()
    assert [(r.status_code, r.json()["data"]["ndarray"]) for r in results] == [(200, [[2.0]])] * 4
    docker("stop", "-t", str(GRACE_SECONDS), transformer.container)
    for unit in pod:
        state = json.loads(docker("inspect", "-f", "{{json .State}}", unit.container).stdout)
        assert (state["Running"], state["ExitCode"], state["OOMKilled"]) == (False, 0, False), unit.container

"""Every Python builder serves the Open Inference (V2) protocol when `.s2i/environment` asks for it.

For each Python row of builders/matrix, two small apps are built once per module (~4 s each, no
dependencies to install): `v2-model` (PROTOCOL=v2) and `v2-both-model` (PROTOCOL=both). Each image runs
twice, side by side, with host networking:

- as its own user (UID 1001), with only PREDICTIVE_UNIT_* ports: the V2 model name is the class name;
- as the Seldon operator runs it (test_operator_contract.operator_pod: the environment it injects from
  the manifest `seldon-s2i deployment` writes, MLSERVER_* included) under an arbitrary UID (`12345:0`,
  OpenShift's): the V2 model name is the graph node's, where the operator's executor sends `/v2/models/
  <node>/infer`. The manifest's spec.protocol is v2: by default for PROTOCOL=v2, by `--protocol v2` for
  PROTOCOL=both.

Every container answers V2 ready, REST infer and gRPC ModelInfer; PROTOCOL=both also answers the v1 REST
and gRPC predictions on the same ports, PROTOCOL=v2 answers none (404). A PROTOCOL the builder does not know
fails the build in one ERROR line and tags nothing; so does PROTOCOL=v2 on a builder that serves v1 only
(NodeJS's, standing for every such language: the check is s2i/lib/contract.sh's). A TRANSFORMER -> MODEL
graph under spec.protocol v2 answers the chain the operator's executor makes of it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import grpc
import numpy as np
import pytest
import requests

import ports
from conformance.grpc_client import Client
from dockercli import docker, image_exists
from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb
from test_operator_contract import operator_pod

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "test" / "apps"
SELDON_S2I = str(Path(sys.executable).with_name("seldon-s2i"))
PROTOCOL_APPS = {"v2": "v2-model", "both": "v2-both-model"}
INFER = {"inputs": [{"name": "x", "shape": [1, 2], "datatype": "INT32", "data": [3, 4]}]}


def matrix_builders(language: str) -> List[str]:
    """A language's builder images in builders/matrix (builders/matrix.sh is the one reader of the file)."""
    listed = subprocess.run([str(ROOT / "builders" / "matrix.sh")], capture_output=True, text=True, check=True,
                            env={"PATH": "/usr/bin:/bin", "LANGUAGES": language}).stdout
    return [line.split()[6] for line in listed.splitlines()]


BUILDERS = matrix_builders("python")


def build(app: str, builder: str, tag: str, *flags: str) -> subprocess.CompletedProcess:
    """`seldon-s2i build` of a test app; nothing to install, so no CA bundle is needed."""
    return subprocess.run([SELDON_S2I, "build", str(APPS / app), builder, tag, "--network", "host",
                           "--pull-policy", "never", *flags], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def images() -> Iterator[Dict[Tuple[str, str], str]]:
    """(builder, PROTOCOL) -> an image of the app with that PROTOCOL, and (first builder, "transformer") ->
    transformer-app with PROTOCOL=v2; each built once, all removed at the end (after their containers)."""
    missing = [builder for builder in BUILDERS if not image_exists(builder)]
    if missing:
        pytest.fail(f"builder images missing: {missing} (run `make build LANGUAGES=python`)")
    run_id = uuid.uuid4().hex[:8]
    built: Dict[Tuple[str, str], str] = {}
    try:
        for builder in BUILDERS:
            for protocol, app in PROTOCOL_APPS.items():
                tag = f"seldon-s2i-test-{app}:{builder}-{run_id}"
                result = build(app, builder, tag)
                assert result.returncode == 0, f"building {app} with {builder} failed:\n{result.stdout}"
                built[(builder, protocol)] = tag
        # transformer-app (AddOne, API_TYPE=REST) with PROTOCOL=v2 from the build's -e, for a V2 graph
        tag = f"seldon-s2i-test-transformer-app:v2-{run_id}"
        result = build("transformer-app", BUILDERS[0], tag, "-e", "PROTOCOL=v2")
        assert result.returncode == 0, f"building transformer-app failed:\n{result.stdout}"
        built[(BUILDERS[0], "transformer")] = tag
        yield built
    finally:
        if built:
            docker("rmi", "-f", *built.values(), check=False)


def deployment(image: str, *flags: str) -> Dict:
    """`seldon-s2i deployment IMAGE` (facts from the image on the engine) as JSON."""
    result = subprocess.run([SELDON_S2I, "deployment", image, "--name", "v2", "-o", "json", *flags],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def model_infer(grpc_port: int, model: str) -> List[int]:
    """gRPC inference.GRPCInferenceService/ModelInfer of INFER; the first output's INT32 values."""
    request = pb.ModelInferRequest(model_name=model, inputs=[pb.ModelInferRequest.InferInputTensor(
        name="x", datatype="INT32", shape=[1, 2], contents=pb.InferTensorContents(int_contents=[3, 4]))])
    with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
        call = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer",
                                   request_serializer=pb.ModelInferRequest.SerializeToString,
                                   response_deserializer=pb.ModelInferResponse.FromString)
        response = call(request, timeout=30, wait_for_ready=True)
    output = response.outputs[0]
    assert (output.datatype, list(output.shape)) == ("INT32", [1, 2]), response
    if response.raw_output_contents:
        return np.frombuffer(response.raw_output_contents[0], dtype="<i4").tolist()
    return list(output.contents.int_contents)


def check_v2(http: int, grpc_port: int, model: str) -> None:
    """V2 health, model ready, REST infer and gRPC ModelInfer of `model` on these ports."""
    base = f"http://127.0.0.1:{http}/v2"
    assert requests.get(f"{base}/health/ready", timeout=10).status_code == 200
    assert requests.get(f"{base}/models/{model}/ready", timeout=10).status_code == 200
    assert requests.get(f"{base}/models/not-{model}/ready", timeout=10).status_code == 404
    response = requests.post(f"{base}/models/{model}/infer", json=INFER, timeout=30)
    assert response.status_code == 200, response.text
    output = response.json()["outputs"][0]
    assert (output["datatype"], output["shape"], output["data"]) == ("INT32", [1, 2], [6, 8])
    assert model_infer(grpc_port, model) == [6, 8]


def check_large_v2(http: int, model: str) -> None:
    """A 24 MB V2 body (12 million INT32 values) answered: read in time linear in its size. On gunicorn 23
    (the Python 3.9 image) the worker's buffered request was read back quadratically: ~56 s for 24 MB."""
    values = 12_000_000
    body = (b'{"inputs":[{"name":"x","shape":[1,%d],"datatype":"INT32","data":[' % values
            + b"1," * (values - 1) + b"1]}]}")
    response = requests.post(f"http://127.0.0.1:{http}/v2/models/{model}/infer", data=body, timeout=30,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text[:300]
    output = response.json()["outputs"][0]
    assert output["shape"] == [1, values] and output["data"][0] == output["data"][-1] == 2


def check_v1(http: int, grpc_port: int, served: bool) -> None:
    """v1 REST and gRPC predictions on the same ports: answered (PROTOCOL=both) or not (PROTOCOL=v2)."""
    response = requests.post(f"http://127.0.0.1:{http}/api/v1.0/predictions",
                             json={"data": {"ndarray": [[1, 2]]}}, timeout=30)
    if not served:
        assert response.status_code == 404, response.text
        return
    assert response.status_code == 200, response.text
    assert response.json()["data"]["ndarray"] == [[2, 4]]
    client = Client(f"127.0.0.1:{grpc_port}")
    try:
        status, details, answer = client.call("Model", "Predict", {"data": {"ndarray": [[1, 2]]}})
    finally:
        client.close()
    assert status == "OK", details
    assert answer is not None and answer["data"]["ndarray"] == [[2, 4]]


@pytest.mark.parametrize("protocol", list(PROTOCOL_APPS))
@pytest.mark.parametrize("builder", BUILDERS)
def test_the_image_serves_v2_as_1001_and_under_the_operator_as_an_arbitrary_uid(
        images: Dict[Tuple[str, str], str], run_container: Callable, wait_for_http: Callable,
        builder: str, protocol: str) -> None:
    image = images[(builder, protocol)]
    manifest = deployment(image, *(["--protocol", "v2"] if protocol == "both" else []))
    assert manifest["spec"]["protocol"] == "v2"
    (unit,) = operator_pod(manifest)
    http, grpc_port, metrics = ports.free_port(), ports.free_port(), ports.free_port()
    own_user = run_container(image, env={"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": str(http),
                                         "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": str(grpc_port),
                                         "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": str(metrics)})
    operated = run_container(image, env=unit.env, user="12345:0")
    node = unit.node["name"]
    wait_for_http(f"http://127.0.0.1:{http}/v2/health/ready", own_user)
    wait_for_http(f"{unit.url}/v2/models/{node}/ready", operated)
    assert docker("exec", own_user.id, "id", "-u").stdout.decode().strip() == "1001"
    check_v2(http, grpc_port, "Doubler")  # no MLSERVER_MODEL_NAME, no PREDICTIVE_UNIT_ID: the class name
    check_large_v2(http, "Doubler")
    check_v2(unit.http, unit.grpc, node)
    check_v1(http, grpc_port, served=protocol == "both")
    check_v1(unit.http, unit.grpc, served=protocol == "both")


def test_an_unknown_protocol_fails_the_build_in_one_error_line_and_tags_nothing() -> None:
    tag = f"seldon-s2i-test-unknown-protocol:{uuid.uuid4().hex[:8]}"
    result = build("unknown-protocol-should-fail", BUILDERS[0], tag)
    assert result.returncode != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR: ") and "PROTOCOL" in line]
    assert errors == ["ERROR: PROTOCOL=v3 is not one of v1, v2, both (set in .s2i/environment)"], result.stdout
    assert "Installing" not in result.stdout and "Checking that MODEL_NAME" not in result.stdout
    assert not image_exists(tag)


def test_a_builder_serving_v1_only_refuses_protocol_v2_in_one_error_line_and_tags_nothing() -> None:
    builder = matrix_builders("nodejs")[0]  # every v1-only language shares this check (s2i/lib/contract.sh)
    if not image_exists(builder):
        pytest.fail(f"builder image {builder} missing (run `make build LANGUAGES=nodejs`)")
    tag = f"seldon-s2i-test-nodejs-v2:{uuid.uuid4().hex[:8]}"
    result = build("nodejs/model-app", builder, tag, "-e", "PROTOCOL=v2")
    assert result.returncode != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR: ") and "PROTOCOL" in line]
    assert errors == ["ERROR: PROTOCOL=v2: this builder serves the Seldon protocol (v1) only, not the Open Inference "
                      "(V2) protocol: remove PROTOCOL from .s2i/environment or set PROTOCOL=v1"], result.stdout
    assert not image_exists(tag)


def executor_v2_chain(units: List, request: Dict) -> Dict:
    """A graph under spec.protocol v2, called as seldon-core 1.17.1's executor does
    (executor/api/rest/client.go): each node's POST /v2/models/<node name>/infer, the answer handed on
    with its `outputs` renamed `inputs` (ChainKFserving)."""
    body = request
    for unit in units:
        response = requests.post(f"{unit.url}/v2/models/{unit.node['name']}/infer", json=body, timeout=30)
        assert response.status_code == 200, f"{unit.node['name']}: {response.status_code} {response.text}"
        answer = response.json()
        body = {("inputs" if key == "outputs" else key): value for key, value in answer.items()}
    return answer


def test_a_v2_graph_of_a_transformer_and_a_model_chains_as_the_executor_calls_it(
        images: Dict[Tuple[str, str], str], run_container: Callable, wait_for_http: Callable) -> None:
    manifest = deployment(images[(BUILDERS[0], "transformer")], "--child", images[(BUILDERS[0], "v2")])
    assert (manifest["spec"]["protocol"], manifest["spec"]["transport"]) == ("v2", "rest")
    units = operator_pod(manifest)
    for unit in units:
        container = run_container(unit.image, env=unit.env, user="12345:0")
        wait_for_http(f"{unit.url}/v2/models/{unit.node['name']}/ready", container)
    output = executor_v2_chain(units, INFER)["outputs"][0]
    assert (output["datatype"], output["shape"], output["data"]) == ("INT32", [1, 2], [8, 10])  # (x + 1) * 2

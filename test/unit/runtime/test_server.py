"""Real servers: `python -m seldon_s2i.runtime` on free loopback ports, hit over REST, gRPC and metrics."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import grpc
import numpy as np
import pytest
import requests
from google.protobuf import empty_pb2
from PIL import Image

from seldon_s2i.runtime.proto import prediction_pb2 as pb

from .conftest import MODELS, WALKTHROUGH_APP

PARAMS = json.dumps([{"name": "scale", "value": "2", "type": "FLOAT"},
                     {"name": "label", "value": "lbl", "type": "STRING"},
                     {"name": "flag", "value": "true", "type": "BOOL"}, {"name": "count", "value": "4", "type": "INT"}])


def post(server, path, body, **kwargs):
    return requests.post(server.url + path, json=body, timeout=30, **kwargs)


def grpc_call(server, method, request, response_type=pb.SeldonMessage):
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}",
                               options=[("grpc.max_receive_message_length", -1)]) as channel:
        stub = channel.unary_unary(method, request_serializer=type(request).SerializeToString,
                                   response_deserializer=response_type.FromString)
        return stub(request, timeout=30)


@pytest.fixture
def full(start_server):
    return start_server("FullModel", env={"PREDICTIVE_UNIT_PARAMETERS": PARAMS, "PREDICTIVE_UNIT_ID": "full-unit",
                                          "PREDICTIVE_UNIT_IMAGE": "repo/full:0.3"})


def test_walkthrough_image_over_rest_and_grpc(start_server, tmp_path):
    server = start_server("MyModel", env={"GRPC_MAX_MESSAGE_LENGTH": str(64 * 1024 * 1024)},
                          cwd=WALKTHROUGH_APP)
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    for path in ("/api/v0.1/predictions", "/predict"):
        response = post(server, path, {"binData": base64.b64encode(buf.getvalue()).decode()})
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "application/json" and response.text.endswith("}\n")
        tensor = response.json()["data"]["tensor"]
        assert tensor["shape"] == [96, 128, 3]
        assert np.array_equal(np.array(tensor["values"], dtype=np.uint8).reshape(96, 128, 3), image)
        assert response.json()["data"]["names"] == [f"t:{i}" for i in range(128)]
    reply = grpc_call(server, "/seldon.protos.Model/Predict", pb.SeldonMessage(binData=buf.getvalue()))
    assert list(reply.data.tensor.shape) == [96, 128, 3]
    assert np.array_equal(np.array(reply.data.tensor.values).reshape(96, 128, 3), image)
    # multipart upload, as `curl -F binData=@img.png`
    response = requests.post(server.url + "/predict", files={"binData": ("img.png", buf.getvalue())}, timeout=30)
    assert response.status_code == 200 and response.json()["data"]["tensor"]["shape"] == [96, 128, 3]
    assert "predict called..." in server.output()  # the user's logger lines reach the logs


def test_parameters_load_tags_metrics_and_metadata(full):
    response = post(full, "/api/v1.0/predictions", {"data": {"ndarray": [[1, 2]]}, "meta": {"puid": "abc"}})
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"names": ["t:0", "t:1"], "ndarray": [[2.0, 4.0]]}
    assert body["meta"]["puid"] == "abc"
    assert body["meta"]["tags"] == {"model": "lbl", "params": "2.0/True/4", "loaded": 1}
    assert body["meta"]["requestPath"] == {"full-unit": "repo/full:0.3"}
    assert body["meta"]["metrics"][0] == {"key": "full_calls", "type": "COUNTER", "value": 1,
                                          "tags": {"kind": "call", "method": "predict"}}
    # SeldonResponse runtime tags and metrics
    body = post(full, "/predict", {"data": {"ndarray": [[42]]}}).json()
    assert body["meta"]["tags"]["runtime"] == "yes"
    assert {"key": "runtime_gauge", "type": "GAUGE", "value": 7.0} in body["meta"]["metrics"]
    metadata = requests.get(full.url + "/metadata", timeout=5).json()
    assert metadata["name"] == "full" and metadata["versions"] == ["v1"] and metadata["platform"] == ""
    reply = grpc_call(full, "/seldon.protos.Model/Metadata", empty_pb2.Empty(), pb.SeldonModelMetadata)
    assert reply.name == "full" and reply.inputs[0].messagetype == "ndarray"
    metrics = requests.get(f"http://127.0.0.1:{full.metrics_port}/metrics", timeout=5).text
    assert 'full_calls_total{' in metrics and 'kind="call"' in metrics and 'model_name="full-unit"' in metrics
    assert 'image_name="repo/full"' in metrics and 'method="predict"' in metrics
    assert "full_time_bucket" in metrics and "runtime_gauge{" in metrics
    assert 'seldon_s2i_requests_total{code="200",method="predict",transport="rest"}' in metrics
    assert requests.get(f"http://127.0.0.1:{full.metrics_port}/other", timeout=5).status_code == 404


def test_all_rest_endpoints(full):
    assert requests.get(full.url + "/health/ping", timeout=5).text == "pong"
    assert requests.get(full.url + "/health/status", timeout=5).json()["jsonData"] == {"healthy": True}
    assert post(full, "/transform-input", {"data": {"ndarray": [[1, 2]]}}).json()["data"]["ndarray"] == [[1, 2]]
    assert post(full, "/transform-output", {"strData": "s"}).json()["strData"] == "s"
    routed = post(full, "/route", {"data": {"ndarray": [[3]]}}).json()
    assert routed["data"]["ndarray"] == [[3]]
    aggregated = post(full, "/aggregate", [{"data": {"ndarray": [1]}}, {"data": {"ndarray": [2]}}]).json()
    assert aggregated["data"]["ndarray"] == [[1.0, 2.0]]
    feedback = post(full, "/send-feedback", {"request": {"data": {"ndarray": [[1]]}}, "reward": 1.0}).json()
    assert feedback["data"]["ndarray"] == [[1.0, 1.0]]
    bad = post(full, "/api/v1.0/feedback", {"request": {}, "bogus": 1})
    assert bad.status_code == 400 and bad.json()["status"]["info"].startswith("Invalid JSON")
    # form and query `json=` as the Python SeldonClient sends them
    form = requests.post(full.url + "/predict", data={"json": json.dumps({"strData": "f"})}, timeout=5)
    assert form.json()["strData"] == "f"
    query = requests.get(full.url + "/predict", params={"json": json.dumps({"strData": "q"})}, timeout=5)
    assert query.json()["strData"] == "q"
    assert "paths" in requests.get(full.url + "/seldon.json", timeout=5).json()
    metrics = requests.get(f"http://127.0.0.1:{full.metrics_port}/metrics", timeout=5).text
    assert "seldon_api_model_feedback_total{" in metrics and "seldon_api_model_feedback_reward_total{" in metrics


def test_bad_input_gives_4xx_and_worker_survives(full):
    cases = [
        (requests.post(full.url + "/predict", data=b"{not json", headers={"Content-Type": "application/json"},
                       timeout=5), 400, "Can't find JSON in data"),
        (requests.post(full.url + "/predict", data=b"plain", timeout=5), 400, "Can't find JSON in data"),
        (post(full, "/predict", {"binData": "@@@"}), 400, "binData is not valid base64"),
        (post(full, "/predict", {"data": {"tensor": {"shape": [3], "values": [1, 2]}}}), 400, "shape"),
        (post(full, "/predict", {"nothing": 1}), 400, "Invalid request data type"),
        (post(full, "/predict", {"data": {"ndarray": [[13]]}}), 500, "unlucky input"),
        (requests.get(full.url + "/no/such/route", timeout=5), 500, "404 Not Found"),
        (requests.get(full.url + "/api/v1.0/predictions", timeout=5), 500, "405 Method Not Allowed"),
    ]
    for response, status, info in cases:
        assert response.status_code == status, response.text
        body = response.json()["status"]
        assert info in body["info"] and body["code"] == -1 and body["status"] == 1
        assert body["reason"] == ("MICROSERVICE_INTERNAL_ERROR" if status == 500 else "MICROSERVICE_BAD_DATA")
    assert post(full, "/predict", {"data": {"ndarray": [[1]]}}).status_code == 200


def test_body_limit_413(start_server):
    server = start_server("EchoModel", env={"SELDON_S2I_MAX_REQUEST_BYTES": "1000"}, grpc=False)
    response = post(server, "/predict", {"strData": "x" * 2000})
    assert response.status_code == 413 and response.json()["status"]["status"] == 1
    form = requests.post(server.url + "/predict", data={"json": json.dumps({"strData": "x" * 2000})}, timeout=5)
    assert form.status_code == 413
    assert post(server, "/predict", {"strData": "ok"}).json()["strData"] == "ok"


def test_raw_hooks_and_route_type(start_server):
    server = start_server("RawModel")
    teapot = post(server, "/predict", {"strData": "teapot"})
    assert teapot.status_code == 418
    raw = post(server, "/predict", {"strData": "x", "meta": {}}).json()
    assert raw["jsonData"] == {"raw": True, "got": ["meta", "strData"]}
    route = post(server, "/route", {"data": {"ndarray": [[1]]}})
    assert route.status_code == 400 and route.json()["status"]["info"] == "Routing response must be int but got 1"
    reply = grpc_call(server, "/seldon.protos.Model/Predict", pb.SeldonMessage(strData="in"))
    assert reply.strData == "raw grpc"


def test_grpc_services_errors_and_reflection(full):
    request = pb.SeldonMessage()
    request.data.tensor.shape.extend([1, 2])
    request.data.tensor.values.extend([1, 2])
    for method in ("/seldon.protos.Model/Predict", "/seldon.protos.Seldon/Predict"):
        reply = grpc_call(full, method, request)
        assert list(reply.data.tensor.values) == [2.0, 4.0] and list(reply.data.names) == ["t:0", "t:1"]
    for method in ("/seldon.protos.Generic/TransformInput", "/seldon.protos.Transformer/TransformInput",
                   "/seldon.protos.OutputTransformer/TransformOutput"):
        assert list(grpc_call(full, method, request).data.tensor.values) == [1.0, 2.0]
    assert list(grpc_call(full, "/seldon.protos.Router/Route", request).data.tensor.values) == [1.0]
    message_list = pb.SeldonMessageList(seldonMessages=[request, request])
    assert list(grpc_call(full, "/seldon.protos.Combiner/Aggregate", message_list).data.tensor.values) == [1, 2, 1, 2]
    feedback = pb.Feedback(request=request, reward=2.0)
    assert list(grpc_call(full, "/seldon.protos.Model/SendFeedback", feedback).data.tensor.values) == [2.0, 1.0]
    unlucky = pb.SeldonMessage()
    unlucky.data.ndarray.extend([13])
    with pytest.raises(grpc.RpcError) as info:
        grpc_call(full, "/seldon.protos.Model/Predict", unlucky)
    assert info.value.code() == grpc.StatusCode.UNKNOWN
    assert info.value.details() == "Exception calling application: unlucky input"
    with pytest.raises(grpc.RpcError) as info:
        grpc_call(full, "/seldon.protos.Model/Predict", pb.SeldonMessage())
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    from grpc_reflection.v1alpha import reflection_pb2

    with grpc.insecure_channel(f"127.0.0.1:{full.grpc_port}") as channel:
        stub = channel.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                     request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                                     response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
        answer = next(iter(stub(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10)))
    services = {s.name for s in answer.list_services_response.service}
    assert {f"seldon.protos.{name}" for name in ("Model", "Generic", "Seldon", "Combiner")} <= services
    assert post(full, "/predict", {"data": {"ndarray": [[1]]}}).status_code == 200


def test_sigterm_finishes_in_flight_request(start_server):
    server = start_server("FullModel")
    result = {}

    def slow_request():
        result["response"] = post(server, "/predict", {"data": {"ndarray": [[7, 1.5]]}})

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGTERM)
    thread.join(30)
    assert result["response"].status_code == 200
    assert result["response"].json()["data"]["ndarray"] == [[7.0, 1.5]]
    assert server.proc.wait(40) == 0


def test_dead_child_stops_the_service(start_server):
    server = start_server("LoadFailsModel", wait=False)
    assert server.proc.wait(60) != 0
    assert "weights file missing" in server.output()


def test_grpc_only_service_and_dotted_class(start_server):
    server = start_server("pkg.dotted.Dotted", env={"API_TYPE": "GRPC", "PREDICTIVE_UNIT_HTTP_SERVICE_PORT": ""},
                          wait=False)
    deadline = time.monotonic() + 30
    while True:
        try:
            reply = grpc_call(server, "/seldon.protos.Model/Predict", pb.SeldonMessage(strData="s"))
            break
        except grpc.RpcError:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.2)
    assert reply.strData == "dotted:s"
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/health/ping", timeout=2)


def test_bad_metadata_is_500(start_server):
    server = start_server("BadMetaModel", grpc=False)
    response = requests.get(server.url + "/metadata", timeout=5)
    assert response.status_code == 500
    assert response.json()["status"] == {"code": -1, "info": "Model metadata unavailable",
                                         "reason": "MICROSERVICE_BAD_METADATA", "status": 1}


@pytest.mark.parametrize("args, env, message", [
    (["NoSuchModel"], {}, "cannot import model class 'NoSuchModel'"),
    (["FullModel"], {"PREDICTIVE_UNIT_PARAMETERS": '[{"name":"count","value":"x","type":"INT"}]'},
     "Bad model parameter: count with value x can't be parsed as a INT"),
    (["FullModel", "--bogus"], {}, "unknown arguments"),
])
def test_startup_errors_are_one_line(args, env, message):
    from .conftest import free_port

    # Free ports of its own: the default 9000/5001/6000 may be held by another program on a shared host,
    # and the port check would then speak first.
    ports = {f"PREDICTIVE_UNIT_{kind}_SERVICE_PORT": str(free_port()) for kind in ("HTTP", "GRPC", "METRICS")}
    result = subprocess.run([sys.executable, "-m", "seldon_s2i.runtime", *args], cwd=MODELS,
                            env=dict(os.environ, **ports, **env), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr


def test_serve_main_reads_s2i_environment(tmp_path):
    model_dir = tmp_path / "model"
    (model_dir / ".s2i").mkdir(parents=True)
    (model_dir / "Hello.py").write_text("class Hello:\n    def predict(self, X, names):\n        return 'hi ' + X\n")
    (model_dir / ".s2i" / "environment").write_text(
        "MODEL_NAME=Hello\nAPI_TYPE=REST\nSERVICE_TYPE=MODEL\nPERSISTENCE=0\n")
    from .conftest import free_port

    port, metrics = free_port(), free_port()
    code = ("import sys; from seldon_s2i.runtime.serve import serve_main; "
            f"sys.exit(serve_main([{str(model_dir)!r}, '--http-port', '{port}', '--metrics-port', '{metrics}']))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.post(f"http://127.0.0.1:{port}/predict", json={"strData": "there"}, timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert response.json()["strData"] == "hi there"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(40) == 0
    missing = subprocess.run([sys.executable, "-c", "import sys; from seldon_s2i.runtime.serve import serve_main; "
                              f"sys.exit(serve_main([{str(tmp_path / 'nope')!r}]))"], capture_output=True, text=True)
    assert missing.returncode == 2 and "is not a directory" in missing.stderr


def test_killed_grpc_worker_stops_the_service(start_server):
    server = start_server("EchoModel")
    children = open(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read().split()
    grpc_workers = [pid for pid in children
                    if any(f":{server.grpc_port:04X}" in line for line in _listening_sockets(int(pid)))]
    assert grpc_workers, server.output()
    os.kill(int(grpc_workers[0]), signal.SIGKILL)
    assert server.proc.wait(40) == 1
    assert "stopped unexpectedly (killed by signal 9)" in server.output()


def _listening_sockets(pid):
    """Lines of /proc/net/tcp for the sockets process `pid` holds (to find the gRPC worker)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    lines = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            lines += [line for line in handle if line.split()[9] in inodes]
    return lines


def test_host_ipv6_loopback_serves_rest_grpc_and_metrics_there_and_not_on_ipv4(start_server):
    server = start_server("EchoModel", "--host", "::1", wait=False)
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"http://[::1]:{server.http_port}/health/ping", timeout=1).text == "pong":
                break
        except requests.ConnectionError:
            assert server.proc.poll() is None and time.monotonic() < deadline, server.output()
            time.sleep(0.1)
    assert requests.get(f"http://[::1]:{server.metrics_port}/metrics", timeout=5).status_code == 200
    with grpc.insecure_channel(f"[::1]:{server.grpc_port}") as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = channel.unary_unary("/seldon.protos.Model/Predict",
                                   request_serializer=pb.SeldonMessage.SerializeToString,
                                   response_deserializer=pb.SeldonMessage.FromString)
        assert stub(pb.SeldonMessage(strData="v6"), timeout=30).strData == "v6"
    for port in (server.http_port, server.grpc_port, server.metrics_port):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5)


def test_host_that_is_not_an_address_of_this_machine_is_one_error_line(start_server):
    server = start_server("EchoModel", "--host", "192.0.2.1", wait=False)  # TEST-NET-1: never local
    assert server.proc.wait(30) == 2
    lines = server.output().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: cannot listen on host '192.0.2.1'"), lines


@pytest.mark.parametrize("listener", ["http", "grpc", "metrics"])
def test_a_port_another_server_listens_on_is_one_error_line_even_if_that_server_shares_it(start_server, listener):
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as a gRPC worker of another service does
    squatter.bind(("0.0.0.0", 0))
    squatter.listen()
    port = squatter.getsockname()[1]
    try:
        server = start_server("EchoModel", f"--{listener}-port", str(port), wait=False)
        assert server.proc.wait(30) == 2
        lines = server.output().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"ERROR: cannot listen on {listener} port {port}"), lines
    finally:
        squatter.close()

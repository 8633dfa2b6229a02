"""PROTOCOL=both (V2 beside v1 on the same ports) and `seldon-s2i serve --protocol v2`, on real processes."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
import requests
from v2_servers import MODELS, V2Client, start_ours

from seldon_s2i.runtime.proto import prediction_pb2
from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb

INFER = {"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP64", "data": [1.5, 2.5]}]}


@pytest.fixture(scope="module")
def both():
    process = start_ours("echo", {"PROTOCOL": "both"})
    try:
        process.wait_ready("echo")
        yield process
    finally:
        process.stop()


def test_both_serves_v1_and_v2_rest_on_the_same_port(both):
    v1 = requests.post(f"{both.base_url}/api/v1.0/predictions", json={"data": {"ndarray": [[1, 2]]}}, timeout=10)
    v2 = requests.post(f"{both.base_url}/v2/models/echo/infer", json=INFER, timeout=10)
    assert v1.status_code == 200 and v1.json()["data"]["ndarray"] == [[1, 2]]
    assert v2.status_code == 200 and v2.json()["outputs"][0]["data"] == [1.5, 2.5]


def test_both_serves_v1_and_v2_grpc_on_the_same_port(both):
    with grpc.insecure_channel(both.grpc_target) as channel:
        predict = channel.unary_unary("/seldon.protos.Model/Predict",
                                      request_serializer=prediction_pb2.SeldonMessage.SerializeToString,
                                      response_deserializer=prediction_pb2.SeldonMessage.FromString)
        answer = predict(prediction_pb2.SeldonMessage(strData="hello"), timeout=10)
    assert answer.strData == "hello"
    client = V2Client(both.grpc_target)
    try:
        request = pb.ModelInferRequest(model_name="echo")
        request.inputs.add(name="x", datatype="INT32", shape=[2]).contents.int_contents.extend([4, 5])
        assert list(client.infer(request).outputs[0].contents.int_contents) == [4, 5]
    finally:
        client.close()


def test_v2_infer_calls_are_counted_in_the_prometheus_metrics(both):
    requests.post(f"{both.base_url}/v2/models/echo/infer", json=INFER, timeout=10)
    requests.post(f"{both.base_url}/v2/models/echo/infer", json={}, timeout=10)
    metrics = requests.get(f"http://127.0.0.1:{both.metrics_port}/metrics", timeout=10).text
    counted = [line for line in metrics.splitlines() if line.startswith("seldon_s2i_requests_total{")
               and 'method="infer"' in line and 'transport="rest"' in line]
    assert any('code="200"' in line for line in counted) and any('code="400"' in line for line in counted), counted
    client = V2Client(both.grpc_target)
    try:
        request = pb.ModelInferRequest(model_name="echo")
        request.inputs.add(name="x", datatype="INT32", shape=[1]).contents.int_contents.append(1)
        client.infer(request)
        request.model_name = "nosuchmodel"
        with pytest.raises(grpc.RpcError):
            client.infer(request)
    finally:
        client.close()
    metrics = requests.get(f"http://127.0.0.1:{both.metrics_port}/metrics", timeout=10).text
    counted = [line for line in metrics.splitlines() if line.startswith("seldon_s2i_requests_total{")
               and 'method="infer"' in line and 'transport="grpc"' in line]
    assert any('code="OK"' in line for line in counted) and any('code="NOT_FOUND"' in line for line in counted), \
        counted


def test_an_error_answer_keeps_the_connection_usable(both):
    connection = http.client.HTTPConnection("127.0.0.1", both.http_port, timeout=10)
    try:
        large = json.dumps({"inputs": [{"name": "x", "shape": [200000], "datatype": "FP32",
                                         "data": [0.5] * 200000}]}).encode()  # more than gunicorn drains itself
        for path, body, expected in [("/v2/health/live", large, 405), ("/v2/models/echo/infer", large, 200),
                                     ("/v2/nowhere", large, 404), ("/v2/models/echo/infer", INFER, 200)]:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            connection.request("POST", path, data, {"Content-Type": "application/json"})
            response = connection.getresponse()
            assert (response.status, response.will_close) == (expected, False), response.read()
            response.read()
    finally:
        connection.close()


def test_seldon_s2i_serve_with_protocol_v2_serves_the_directory_over_v2(tmp_path: Path):
    import ports

    source = tmp_path / "model"
    (source / ".s2i").mkdir(parents=True)
    shutil.copy(MODELS / "ours" / "Echo.py", source)
    (source / ".s2i" / "environment").write_text("MODEL_NAME=Echo\nSERVICE_TYPE=MODEL\n")
    http, grpc_port, metrics = ports.free_port(), ports.free_port(), ports.free_port()
    cli = Path(sys.executable).parent / "seldon-s2i"
    env = {k: v for k, v in os.environ.items() if k not in ("PROTOCOL", "MLSERVER_MODEL_NAME", "PREDICTIVE_UNIT_ID")}
    proc = subprocess.Popen([str(cli), "serve", str(source), "--protocol", "v2", "--http-port", str(http),
                             "--grpc-port", str(grpc_port), "--metrics-port", str(metrics)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        from http_wait import wait_for_http

        wait_for_http(f"http://127.0.0.1:{http}/v2/health/ready", timeout=60,
                      died=lambda: proc.poll() is not None and f"serve exited {proc.returncode}")
        answer = requests.post(f"http://127.0.0.1:{http}/v2/models/Echo/infer", json=INFER, timeout=10)
        assert answer.status_code == 200 and answer.json()["model_name"] == "Echo"
        assert requests.post(f"http://127.0.0.1:{http}/api/v1.0/predictions", json={}, timeout=10).status_code == 404
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def test_seldon_s2i_serve_refuses_an_unknown_protocol_in_one_line(tmp_path: Path):
    (tmp_path / ".s2i").mkdir()
    (tmp_path / ".s2i" / "environment").write_text("MODEL_NAME=Echo\nSERVICE_TYPE=MODEL\nPROTOCOL=v3\n")
    env = {k: v for k, v in os.environ.items() if k != "PROTOCOL"}
    result = subprocess.run([str(Path(sys.executable).parent / "seldon-s2i"), "serve", str(tmp_path)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"ERROR: PROTOCOL=v3 is not one of v1, v2, both (set in "
                                                  f"{tmp_path / '.s2i' / 'environment'})"]


def test_a_chunked_v2_body_is_read_whole(both):
    large = json.dumps({"inputs": [{"name": "x", "shape": [50000], "datatype": "FP32", "data": [0.25] * 50000}]})
    for body in (json.dumps(INFER), large):
        pieces = (body[i:i + 7000].encode() for i in range(0, len(body), 7000))  # requests sends a generator chunked
        answer = requests.post(f"{both.base_url}/v2/models/echo/infer", data=pieces, timeout=20,
                               headers={"Content-Type": "application/json"})
        assert answer.status_code == 200, answer.text[:300]
        assert answer.json()["outputs"][0]["data"] == json.loads(body)["inputs"][0]["data"]


@pytest.mark.parametrize("path, v2", [("/v2/models/echo/infer", True), ("/api/v1.0/predictions", False)])
def test_requests_the_worker_refuses_itself_get_the_body_of_their_protocol_also_on_a_reused_connection(both, path, v2):
    good = json.dumps(INFER if v2 else {"data": {"ndarray": [[1]]}}).encode()
    refused = [(b"Content-Length: 300000000\r\n", 413), (b"Content-Length: abc\r\n", 400),
               (b"X-Big: " + b"a" * 70000 + b"\r\n", 431)]
    for header, status in refused:
        with socket.create_connection(("127.0.0.1", both.http_port), timeout=10) as sock:
            sock.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s"
                         % (path.encode(), len(good), good))
            first = sock.recv(65536)
            assert first.startswith(b"HTTP/1.1 200"), first
            sock.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (path.encode(), header))
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 %d " % status), answer[:300]
        document = json.loads(body)
        assert ("error" in document) if v2 else (document["status"]["status"] == 1), document

"""Property-based fuzzing of OUR V2 protocol (hypothesis, derandomized: the same examples on every run).

Generated V2-shaped infer requests (every datatype, wrong ones too, shapes that do and do not match the
data, nested data, content types, several inputs, requested outputs), random JSON, random bytes,
methods and paths, and random gRPC ModelInferRequests (typed and raw contents) against the echo model,
which never raises: so any 5xx or gRPC INTERNAL/UNKNOWN is the runtime's fault. Every error body must
be V2's `{"error": "..."}`, and afterwards the server must answer with the same process tree (no
worker died and was replaced).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import urllib.parse
from typing import Dict, Optional

import grpc
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from v2_servers import V2Client, start_ours

from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb

FUZZ_SETTINGS = settings(max_examples=200, derandomize=True, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
OK_STATUSES = (200, 400, 404, 405, 413)
DATATYPES = ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32",
             "FP64", "BYTES"]
sent = {"count": 0}


def process_tree(session_id: int) -> Dict[int, str]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--sid", str(session_id)], capture_output=True, text=True).stdout
    return {int(line.split(None, 1)[0]): line.split(None, 1)[1] for line in out.splitlines() if line.strip()}


@pytest.fixture(scope="module")
def server():
    process = start_ours("echo")
    try:
        process.wait_ready("echo")
        before = process_tree(process.proc.pid)
        client = V2Client(process.grpc_target)
        process.client = client
        yield process
        client.close()
        assert http_request(process, "GET", "/v2/health/ready", None)[0] == 200
        assert process_tree(process.proc.pid) == before, "a process of the runtime died or was replaced"
    finally:
        process.stop()


def http_request(server, method: str, path: str, body: Optional[bytes], content_type: str = "application/json"):
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body or b"")
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
        sent["count"] += 1


def check(server, method: str, path: str, body: Optional[bytes]) -> None:
    status, payload = http_request(server, method, path, body)
    assert status in OK_STATUSES, (method, path, body[:300] if body else body, status, payload[:300])
    if method == "HEAD" or not payload and status == 200:
        return
    document = json.loads(payload)
    if status != 200:
        assert list(document) == ["error"] and isinstance(document["error"], str), document
    elif path.endswith("/infer"):
        assert isinstance(document["outputs"], list) and document["model_name"] == "echo"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20)
scalars = st.booleans() | st.integers(-2**65, 2**65) | st.floats(allow_nan=False) | st.text(max_size=6)
data = st.recursive(st.lists(scalars, max_size=8), lambda children: st.lists(children, max_size=3), max_leaves=16)
shapes = st.lists(st.integers(-1, 4), max_size=3) | json_values
content_type = st.sampled_from(["np", "str", "base64", "pd", "nplist", "xyz", 3])
v2_input = st.fixed_dictionaries(
    {"name": st.text(max_size=5), "shape": shapes, "datatype": st.sampled_from(DATATYPES + ["FP8", ""]),
     "data": data},
    optional={"parameters": st.fixed_dictionaries({}, optional={"content_type": content_type}) | json_values})
matching_input = st.sampled_from(DATATYPES).flatmap(lambda datatype: st.integers(0, 6).flatmap(
    lambda n: st.fixed_dictionaries({
        "name": st.just("x"), "shape": st.sampled_from([[n], [1, n], [n, 1]]), "datatype": st.just(datatype),
        "data": st.lists(scalars, min_size=n, max_size=n)},
        optional={"parameters": st.fixed_dictionaries({"content_type": content_type})})))
v2_request = st.fixed_dictionaries(
    {"inputs": st.lists(v2_input | matching_input, max_size=3)},
    optional={"id": st.text(max_size=8) | json_values, "parameters": st.fixed_dictionaries(
        {}, optional={"content_type": content_type}) | json_values,
        "outputs": st.lists(st.fixed_dictionaries({"name": st.text(max_size=4)}), max_size=2) | json_values})
paths = st.sampled_from(["/v2/models/echo/infer", "/v2/models/echo/versions/1/infer", "/v2/models/other/infer",
                         "/v2/models/echo", "/v2/models/echo/ready", "/v2", "/v2/health/live", "/v2/models//infer"])


@FUZZ_SETTINGS
@given(body=v2_request)
def test_v2_shaped_infer_requests(server, body):
    check(server, "POST", "/v2/models/echo/infer", json.dumps(body).encode())


@FUZZ_SETTINGS
@given(body=json_values, path=paths)
def test_random_json(server, body, path):
    check(server, "POST", path, json.dumps(body).encode())


@FUZZ_SETTINGS
@given(path=paths | st.text(max_size=20).map(lambda p: "/v2/" + urllib.parse.quote(p)),
       method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD"]), body=st.binary(max_size=100))
def test_random_bytes_methods_and_paths(server, path, method, body):
    check(server, method, path, body)


typed_fields = ["bool_contents", "int_contents", "int64_contents", "uint_contents", "uint64_contents",
                "fp32_contents", "fp64_contents", "bytes_contents"]
field_values = {"bool_contents": st.booleans(), "int_contents": st.integers(-2**31, 2**31 - 1),
                "int64_contents": st.integers(-2**63, 2**63 - 1), "uint_contents": st.integers(0, 2**32 - 1),
                "uint64_contents": st.integers(0, 2**64 - 1), "fp32_contents": st.floats(width=32),
                "fp64_contents": st.floats(), "bytes_contents": st.binary(max_size=6)}
grpc_input = st.tuples(st.sampled_from(DATATYPES + ["FP8"]), st.lists(st.integers(0, 4), max_size=3),
                       st.sampled_from(typed_fields).flatmap(lambda f: st.tuples(
                           st.just(f), st.lists(field_values[f], max_size=8))),
                       st.none() | st.binary(max_size=24))


@FUZZ_SETTINGS
@given(inputs=st.lists(grpc_input, max_size=3), model=st.sampled_from(["echo", "echo", "other"]),
       raw=st.booleans())
def test_grpc_infer_requests(server, inputs, model, raw):
    request = pb.ModelInferRequest(model_name=model)
    for datatype, shape, (field, values), raw_bytes in inputs:
        tensor = request.inputs.add(name="x", datatype=datatype, shape=shape)
        getattr(tensor.contents, field).extend(values)
        if raw:
            request.raw_input_contents.append(raw_bytes or b"")
    try:
        server.client.infer(request)
    except grpc.RpcError as error:
        assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND), \
            (request, error.code(), error.details())
        assert error.details()

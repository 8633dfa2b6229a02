"""Differential tests: the same V2 requests to MLServer 1.7.1 and to our runtime (PROTOCOL=v2), the same
models (test/compat_v2/models), answers compared.

Equal up to the documented differences (docs/v2-protocol.md, "Differences from MLServer"): `id` is
sent by the tests, so it must be echoed by both; numbers are compared as values of the output's
datatype (our JSON writes float32 values in their shortest form, MLServer as float64 expansions);
`/v2` names the server; status codes of bad requests are in BAD_REQUESTS.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List

import numpy as np
import pytest
import requests
from grpc import RpcError, StatusCode
from v2_servers import IMPLEMENTATIONS

from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb

MLSERVER, OURS = "mlserver", "ours"
NUMERIC_DTYPES = {"BOOL": np.bool_, "UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32,
                  "UINT64": np.uint64, "INT8": np.int8, "INT16": np.int16, "INT32": np.int32, "INT64": np.int64,
                  "FP16": np.float16, "FP32": np.float32, "FP64": np.float64}
SHAPES = [[], [0], [3], [2, 3]]


def sample_values(datatype: str, count: int) -> List[Any]:
    """`count` values of `datatype` that exercise its edges (extremes, non-representable decimals)."""
    if datatype == "BOOL":
        pool: List[Any] = [True, False, False]
    elif datatype == "BYTES":
        pool = ["a", "", "héllo wörld"]
    elif datatype.startswith(("INT", "UINT")):
        info = np.iinfo(NUMERIC_DTYPES[datatype])
        pool = [int(info.max), int(info.min), 7]
    else:
        pool = [0.1, -2.5, 1e4] if datatype != "FP16" else [0.5, -2.5, 1000.0]
    return [pool[i % len(pool)] for i in range(count)]


def infer_body(datatype: str, shape: List[int], request_id: str) -> Dict[str, Any]:
    return {"id": request_id, "inputs": [{"name": "x", "shape": shape, "datatype": datatype,
                                          "data": sample_values(datatype, math.prod(shape))}]}


def normalized(doc: Dict[str, Any]) -> Dict[str, Any]:
    """A JSON infer response with each output's data as values of its datatype (a tuple of str for BYTES)."""
    out = dict(doc)
    outputs = []
    for output in doc.get("outputs", []):
        output = dict(output)
        dtype = NUMERIC_DTYPES.get(output["datatype"])
        data = output["data"]
        output["data"] = tuple(map(str, data)) if dtype is None else np.array(data, dtype=dtype).tobytes()
        outputs.append(output)
    out["outputs"] = outputs
    return out


def post(servers, impl: str, model: str, body: Any, path: str = "infer") -> requests.Response:
    return requests.post(f"{servers.url(impl, model)}/v2/models/{model}/{path}", json=body, timeout=30)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)) or "scalar")
@pytest.mark.parametrize("datatype", [*NUMERIC_DTYPES, "BYTES"])
def test_rest_echo_of_every_datatype_and_shape_equals_mlservers(servers, datatype, shape):
    body = infer_body(datatype, shape, f"echo-{datatype}-{len(shape)}")
    answers = {impl: post(servers, impl, "echo", body) for impl in IMPLEMENTATIONS}
    assert {impl: a.status_code for impl, a in answers.items()} == {OURS: 200, MLSERVER: 200}, answers[OURS].text
    ours, theirs = normalized(answers[OURS].json()), normalized(answers[MLSERVER].json())
    assert ours == theirs
    assert ours["outputs"][0]["shape"] == shape


def comparable(response: Any) -> Any:
    """A ModelInferResponse without empty `contents` submessages (MLServer sets them on raw outputs)."""
    response = type(response).FromString(response.SerializeToString())
    for output in response.outputs:
        if not output.contents.ListFields():
            output.ClearField("contents")
    return response


def grpc_request(model: str, datatype: str, shape: List[int], request_id: str) -> Any:
    request = pb.ModelInferRequest(model_name=model, id=request_id)
    tensor = request.inputs.add(name="x", datatype=datatype, shape=shape)
    values = sample_values(datatype, math.prod(shape))
    field = {"BOOL": "bool_contents", "INT8": "int_contents", "INT16": "int_contents", "INT32": "int_contents",
             "INT64": "int64_contents", "UINT8": "uint_contents", "UINT16": "uint_contents",
             "UINT32": "uint_contents", "UINT64": "uint64_contents", "FP32": "fp32_contents",
             "FP64": "fp64_contents", "BYTES": "bytes_contents"}[datatype]
    if datatype == "BYTES":
        values = [v.encode() for v in values]
    getattr(tensor.contents, field).extend(values)
    return request


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)) or "scalar")
@pytest.mark.parametrize("datatype", [d for d in [*NUMERIC_DTYPES, "BYTES"] if d != "FP16"])
def test_grpc_echo_of_every_typed_datatype_equals_mlservers(servers, datatype, shape):
    answers = {impl: servers.grpc(impl, "echo").infer(grpc_request("echo", datatype, shape, f"g-{datatype}"))
               for impl in IMPLEMENTATIONS}
    assert answers[OURS] == answers[MLSERVER]
    assert list(answers[OURS].outputs[0].shape) == shape


def test_several_inputs_come_back_one_output_per_input_like_mlservers(servers):
    body = {"id": "multi", "inputs": [{"name": "a", "shape": [2], "datatype": "INT32", "data": [1, 2]},
                                      {"name": "b", "shape": [1, 2], "datatype": "FP64", "data": [0.5, 1.5]}]}
    answers = {impl: post(servers, impl, "echo", body) for impl in IMPLEMENTATIONS}
    assert answers[OURS].status_code == answers[MLSERVER].status_code == 200, answers[OURS].text
    assert normalized(answers[OURS].json()) == normalized(answers[MLSERVER].json())
    assert [o["name"] for o in answers[OURS].json()["outputs"]] == ["a", "b"]


def test_init_metadata_is_the_v2_model_metadata_like_mlservers_model_settings(servers):
    answers = {impl: requests.get(f"{servers.url(impl, 'classifier')}/v2/models/classifier", timeout=10).json()
               for impl in IMPLEMENTATIONS}
    assert answers[OURS]["inputs"] == [{"name": "features", "datatype": "FP64", "shape": [-1, 4]}]
    assert {k: v for k, v in answers[OURS].items() if k != "parameters"} == \
        {k: v for k, v in answers[MLSERVER].items() if k != "parameters"}
    request = pb.ModelMetadataRequest(name="classifier")
    grpc_answers = {impl: servers.grpc(impl, "classifier").call("ModelMetadata", request, pb.ModelMetadataResponse)
                    for impl in IMPLEMENTATIONS}
    assert list(grpc_answers[OURS].outputs) == list(grpc_answers[MLSERVER].outputs)
    assert grpc_answers[OURS].platform == grpc_answers[MLSERVER].platform == "numpy"


def test_grpc_raw_input_contents_give_raw_output_contents_like_mlservers(servers):
    request = pb.ModelInferRequest(model_name="echo", id="raw")
    request.inputs.add(name="x", datatype="FP32", shape=[1, 3])
    request.raw_input_contents.append(np.array([1.5, -2, 0.1], dtype="<f4").tobytes())
    answers = {impl: servers.grpc(impl, "echo").infer(request) for impl in IMPLEMENTATIONS}
    assert comparable(answers[OURS]) == comparable(answers[MLSERVER])
    assert np.frombuffer(answers[OURS].raw_output_contents[0], dtype="<f4").tolist() == \
        np.array([1.5, -2, 0.1], dtype=np.float32).tolist()


@pytest.mark.parametrize("datatype", ["FP16", "FP32", "INT8", "UINT64", "BOOL"])
def test_grpc_raw_contents_of_other_datatypes_equal_mlservers(servers, datatype):
    request = pb.ModelInferRequest(model_name="echo", id=f"raw-{datatype}")
    request.inputs.add(name="x", datatype=datatype, shape=[2, 3])
    values = np.array(sample_values(datatype, 6), dtype=NUMERIC_DTYPES[datatype])
    request.raw_input_contents.append(values.astype(values.dtype.newbyteorder("<")).tobytes())
    answers = {impl: servers.grpc(impl, "echo").infer(request) for impl in IMPLEMENTATIONS}
    assert comparable(answers[OURS]) == comparable(answers[MLSERVER])
    assert answers[OURS].raw_output_contents[0] == request.raw_input_contents[0]


def test_rest_classifier_outputs_one_tensor_per_class_name_like_mlservers(servers):
    body = {"id": "c", "inputs": [{"name": "features", "shape": [2, 4], "datatype": "FP64",
                                   "data": [5.1, 3.5, 1.4, 0.2, 6.2, 2.9, 4.3, 1.3]}]}
    answers = {impl: post(servers, impl, "classifier", body) for impl in IMPLEMENTATIONS}
    assert answers[OURS].status_code == answers[MLSERVER].status_code == 200, answers[OURS].text
    ours, theirs = answers[OURS].json(), answers[MLSERVER].json()
    assert [o["name"] for o in ours["outputs"]] == ["setosa", "versicolor", "virginica"]
    assert normalized(ours) == normalized(theirs) or (
        [(o["name"], o["shape"], o["datatype"]) for o in ours["outputs"]]
        == [(o["name"], o["shape"], o["datatype"]) for o in theirs["outputs"]]
        and np.allclose([o["data"] for o in ours["outputs"]], [o["data"] for o in theirs["outputs"]], rtol=1e-12))


def test_grpc_classifier_equals_mlservers(servers):
    request = pb.ModelInferRequest(model_name="classifier", id="gc")
    request.inputs.add(name="features", datatype="FP64", shape=[1, 3]).contents.fp64_contents.extend([1, 2, 3])
    answers = {impl: servers.grpc(impl, "classifier").infer(request) for impl in IMPLEMENTATIONS}
    assert [o.name for o in answers[OURS].outputs] == ["setosa", "versicolor", "virginica"]
    for ours, theirs in zip(answers[OURS].outputs, answers[MLSERVER].outputs):
        assert (ours.name, list(ours.shape), ours.datatype) == (theirs.name, list(theirs.shape), theirs.datatype)
        assert np.allclose(ours.contents.fp64_contents, theirs.contents.fp64_contents, rtol=1e-12)


def test_rest_strings_with_content_type_str_equal_mlservers(servers):
    body = {"id": "s", "inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["abc", "héllo"],
                                   "parameters": {"content_type": "str"}}]}
    answers = {impl: post(servers, impl, "upper", body) for impl in IMPLEMENTATIONS}
    assert answers[OURS].status_code == 200, answers[OURS].text
    assert answers[OURS].json() == answers[MLSERVER].json()
    assert answers[OURS].json()["outputs"][0]["data"] == ["ABC", "HÉLLO"]


@pytest.mark.parametrize("path", ["/v2/health/live", "/v2/health/ready", "/v2/models/echo/ready",
                                  "/v2/models/echo"])
def test_health_and_model_metadata_equal_mlservers(servers, path):
    answers = {impl: requests.get(servers.url(impl, "echo") + path, timeout=10) for impl in IMPLEMENTATIONS}
    assert answers[OURS].status_code == answers[MLSERVER].status_code == 200
    assert answers[OURS].content == answers[MLSERVER].content or answers[OURS].json() == answers[MLSERVER].json()


def test_server_metadata_has_mlservers_fields_with_our_name(servers):
    answers = {impl: requests.get(servers.url(impl, "echo") + "/v2", timeout=10).json() for impl in IMPLEMENTATIONS}
    assert answers[MLSERVER]["name"] == "mlserver" and answers[OURS]["name"] == "seldon-s2i"
    assert answers[OURS].keys() == answers[MLSERVER].keys()
    assert answers[OURS]["extensions"] == answers[MLSERVER]["extensions"]


def test_grpc_health_and_metadata_equal_mlservers(servers):
    for rpc, request, response_type in [("ServerLive", pb.ServerLiveRequest(), pb.ServerLiveResponse),
                                        ("ServerReady", pb.ServerReadyRequest(), pb.ServerReadyResponse),
                                        ("ModelReady", pb.ModelReadyRequest(name="echo"), pb.ModelReadyResponse),
                                        ("ModelMetadata", pb.ModelMetadataRequest(name="echo"),
                                         pb.ModelMetadataResponse)]:
        answers = {impl: servers.grpc(impl, "echo").call(rpc, request, response_type) for impl in IMPLEMENTATIONS}
        assert answers[OURS] == answers[MLSERVER], rpc


# Bad requests: (model, body or raw bytes) -> (our status, MLServer's status). Ours answers the V2
# protocol's 400/404; MLServer answers FastAPI's 422 for a body that fails its schema and 500 when the
# data does not fill the shape (docs/v2-protocol.md).
BAD_REQUESTS = {
    "unknown model": ("nosuchmodel", {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]},
                      404, 404),
    "data shorter than shape": ("echo", {"inputs": [{"name": "x", "shape": [3], "datatype": "FP32",
                                                     "data": [1, 2]}]}, 400, 500),
    "unknown datatype": ("echo", {"inputs": [{"name": "x", "shape": [1], "datatype": "FP99", "data": [1]}]},
                         400, 422),
    "missing inputs": ("echo", {"id": "no-inputs"}, 400, 422),
    "empty inputs": ("echo", {"inputs": []}, 400, 500),
    "invalid JSON": ("echo", b"{not json", 400, 422),
}


@pytest.mark.parametrize("case", BAD_REQUESTS)
def test_bad_rest_requests_get_v2_error_json_with_documented_status(servers, case):
    model, body, ours_status, mlserver_status = BAD_REQUESTS[case]
    answers = {}
    for impl in IMPLEMENTATIONS:
        url = f"{servers.url(impl, 'echo' if model == 'nosuchmodel' else model)}/v2/models/{model}/infer"
        answers[impl] = (requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=10)
                         if isinstance(body, bytes) else requests.post(url, json=body, timeout=10))
    assert (answers[OURS].status_code, answers[MLSERVER].status_code) == (ours_status, mlserver_status)
    error = answers[OURS].json()
    assert list(error) == ["error"] and error["error"]
    if ours_status == mlserver_status:
        assert answers[OURS].json() == answers[MLSERVER].json()


@pytest.mark.parametrize("case,code", [("unknown model", StatusCode.NOT_FOUND),
                                       ("data shorter than shape", StatusCode.INVALID_ARGUMENT),
                                       ("unknown datatype", StatusCode.INVALID_ARGUMENT),
                                       ("no inputs", StatusCode.INVALID_ARGUMENT)])
def test_bad_grpc_requests_get_invalid_argument_or_not_found(servers, case, code):
    request = grpc_request("echo", "FP32", [3], "bad")
    if case == "unknown model":
        request.model_name = "nosuchmodel"
    elif case == "data shorter than shape":
        request.inputs[0].shape[:] = [4]
    elif case == "no inputs":
        del request.inputs[:]
    else:
        request.inputs[0].datatype = "FP99"
    with pytest.raises(RpcError) as raised:
        servers.grpc(OURS, "echo").infer(request)
    assert raised.value.code() == code
    assert raised.value.details()
    with pytest.raises(RpcError):  # MLServer refuses it too (its codes: docs/v2-protocol.md)
        servers.grpc(MLSERVER, "echo").infer(request)


def test_user_exception_is_500_with_its_message_and_the_worker_lives_on(servers):
    body = infer_body("FP32", [1, 3], "fail")
    answers = {impl: post(servers, impl, "failing", body) for impl in IMPLEMENTATIONS}
    assert answers[OURS].status_code == answers[MLSERVER].status_code == 500
    assert answers[OURS].json() == {"error": "model failed on purpose"}
    assert answers[MLSERVER].text == "Internal Server Error"  # MLServer hides the message (documented)
    with pytest.raises(RpcError) as raised:
        servers.grpc(OURS, "failing").infer(grpc_request("failing", "FP32", [3], "gfail"))
    assert "model failed on purpose" in raised.value.details()
    assert servers.ours["failing"].alive()
    assert requests.get(f"{servers.url(OURS, 'failing')}/v2/models/failing/ready", timeout=10).status_code == 200

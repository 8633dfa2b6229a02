"""Differential tests of answer encoding: what user methods return (models/encoding), and what they are handed
from multipart requests (models/describe), sent to the reference and to ours over REST and gRPC.

Same answer as the reference unless the case is in differences.py; there, ours must be what the doc promises:
over REST a 200 whose body is the JSON of runtime/encoding.py's rules, over gRPC an OK answer carrying exactly
the JSON that our REST answer carries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

import grpc
import pytest
from google.protobuf import json_format, text_format

from cases_rest import RestCase
from compare import is_seldon_status, parsed, send
from differences import ALLOWED
from servers import OURS, REFERENCE

# Request shapes: an ndarray request (answers that are lists stay ndarrays) or a strData one (dicts -> jsonData).
LIST_KINDS = ["mixed_rows", "mixed_strings_rows", "none_in_rows", "numpy_in_rows", "numpy_scalars_in_rows",
              "nan_in_rows", "object_array"]
DICT_KINDS = ["flask_types", "date", "aware_datetime", "time", "dataclass", "dataclass_top", "html", "onnx",
              "numpy_scalars", "bytes_in_dict", "tuple_in_dict", "set_in_dict", "nan_in_dict", "int_keys", "nested",
              "complex_in_dict"]
TENSOR_KINDS = ["mixed_rows"]  # a list answered to a strData request becomes a tensor


def request_for(kind: str, shape: str) -> Dict[str, Any]:
    if shape == "nd":
        return {"data": {"names": [kind], "ndarray": [[0]]}}
    return {"strData": kind}


@dataclass(frozen=True)
class EncodingCase:
    id: str
    kind: str
    shape: str  # "nd" or "str"

    @property
    def request(self) -> Dict[str, Any]:
        return request_for(self.kind, self.shape)


def _cases(prefix: str) -> List[EncodingCase]:
    shapes = [(k, "nd") for k in LIST_KINDS] + [(k, "str") for k in DICT_KINDS] + [(k, "str") for k in TENSOR_KINDS]
    return [EncodingCase(f"{prefix}-{kind}-{shape}", kind, shape) for kind, shape in shapes]


REST_CASES = _cases("encoding-rest")
GRPC_CASES = _cases("encoding-grpc")

# Multipart: what predict (describe) and predict_raw (describe_raw) are handed for each kind of part.
MULTIPART = {
    "bin-file": {"binData": ("f.bin", b"\x00\x01hi\xff")},
    "str-file": {"strData": ("f.txt", "héllo".encode())},
    "str-field": {"strData": (None, "héllo".encode())},
    "json-data-field": {"jsonData": (None, b'{"a": [1, 2.5]}')},
    "json-data-file": {"jsonData": ("d.json", b'{"a": [1, 2.5]}')},
    "json-field": {"json": (None, b'{"strData": "x"}')},
    "data-field": {"data": (None, b'{"ndarray": [[1, 2]]}')},
    "meta-and-bin-file": {"meta": (None, b'{"puid": "p1"}'), "binData": ("f.bin", b"abc")},
    "bin-field": {"binData": (None, b'"AAE="')},
    "other-file": {"other": ("o.txt", b"xyz")},
    "str-file-not-utf8": {"strData": ("f.txt", b"\xff\xfe")},
    "bin-field-not-json": {"binData": (None, b"AAE=")},
}
MULTIPART_CASES = [RestCase(f"{model}-multipart-{name}", model, "/predict", files=files)
                   for model in ("describe", "describe_raw") for name, files in MULTIPART.items()]

CASE_IDS = [case.id for case in REST_CASES + GRPC_CASES + MULTIPART_CASES]


def rest_case(case: EncodingCase) -> RestCase:
    return RestCase(case.id, "encoding", "/predict", json=case.request)


def grpc_answer(pair, impl: str, request: Dict[str, Any]) -> Tuple[str, str, Any]:
    """(code, details, body): JSON of the answer, or its text form when JSON cannot hold it (NaN numbers in
    a protobuf Value); object addresses in details are masked."""
    client = pair.grpc(impl)
    try:
        message = client.stub("Model", "Predict")(client.message("Model", "Predict", request), timeout=30)
    except grpc.RpcError as exc:
        details = exc.details() or ""
        return exc.code().name, details.split(" at 0x")[0], None
    try:
        return "OK", "", json_format.MessageToDict(message)
    except json_format.Error:
        return "OK", "", text_format.MessageToString(message)


def typed(value: Any) -> str:
    """A comparable form that tells True from 1.0 (Python's == does not)."""
    return json.dumps(value, sort_keys=True)


def as_protobuf_numbers(value: Any) -> Any:
    """JSON as it looks after a trip through protobuf: every number a double (bools stay bools)."""
    if isinstance(value, bool) or not isinstance(value, (int, list, dict)):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, list):
        return [as_protobuf_numbers(v) for v in value]
    return {k: as_protobuf_numbers(v) for k, v in value.items()}


def payload(body: Dict[str, Any]) -> Any:
    """The answer's payload field (jsonData, or data without names)."""
    if "jsonData" in body:
        return body["jsonData"]
    return {k: v for k, v in body["data"].items() if k != "names"}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=pytest.mark.model("encoding")) for c in REST_CASES])
def test_rest_answer_encoding_equals_the_reference_or_the_documented_rule(case: EncodingCase, pair):
    reference = parsed(send(pair.reference.base_url, rest_case(case)), drop_puid=True)
    ours = parsed(send(pair.ours.base_url, rest_case(case)), drop_puid=True)
    difference = ALLOWED.get(case.id)
    if difference is None:
        assert typed(ours) == typed(reference), "ours differs from the reference (not listed in differences.py)"
        return
    assert ours != reference, f"listed as a difference ({difference.doc}) but both answer the same: remove the entry"
    assert ours[0] == difference.ours_status, f"{difference.doc}: ours answered {ours}"
    assert reference[0] == 500 and is_seldon_status(reference[2]), "we only deviate where the reference fails"
    assert typed(payload(ours[2])) == typed(EXPECTED_REST[case.kind])


# What ours answers where the reference fails with 500 (the rules of runtime/encoding.py).
F32 = {0.1: 0.10000000149011612, 0.9: 0.8999999761581421, 0.8: 0.800000011920929, 0.2: 0.20000000298023224}
EXPECTED_REST = {
    "numpy_in_rows": {"ndarray": [[1, 2], [3, 4]]},
    "numpy_scalars_in_rows": {"ndarray": [[0.25, 2], [1.5, 3]]},
    "time": {"t": "03:04:05"},
    "onnx": {"label": [1, 0], "probabilities": [[F32[0.1], F32[0.9]], [F32[0.8], F32[0.2]]]},
    "numpy_scalars": {"b": True, "d": 0.25, "f": 0.5, "i": 3, "s": "text", "u": 7},
    "bytes_in_dict": {"b": "AAFiaW5hcnn/"},
    "nested": {"a": [{"b": [0, 1, 2]}, ["2.5", "Sun, 17 May 2020 00:00:00 GMT"]],
               "c": {"d": [1e-07, None, True]}},
}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=pytest.mark.model("encoding")) for c in GRPC_CASES])
def test_grpc_answer_encoding_equals_the_reference_or_carries_our_rest_json(case: EncodingCase, pair):
    reference = typed(grpc_answer(pair, REFERENCE, case.request))
    ours = grpc_answer(pair, OURS, case.request)
    difference = ALLOWED.get(case.id)
    if difference is None:
        assert typed(ours) == reference, "ours differs from the reference (not listed in differences.py)"
        return
    assert typed(ours) != reference, f"listed as a difference ({difference.doc}) but both answer the same: remove it"
    assert ours[0] == difference.ours_grpc_code, f"{difference.doc}: ours answered {ours}"
    rest_status, _, rest_body = parsed(send(pair.ours.base_url, rest_case(case)), drop_puid=True)
    if ours[0] == "OK":
        assert rest_status == 200, rest_body
        rest_json = as_protobuf_numbers(payload(rest_body))
        assert typed(payload(ours[2])) == typed(rest_json), "gRPC must carry our REST JSON"
    elif ours[0] == "UNKNOWN":  # a value no rule converts: the same message as over REST
        assert rest_status == 500 and ours[1] == "Exception calling application: " + rest_body["status"]["info"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=pytest.mark.model(c.model)) for c in MULTIPART_CASES])
def test_multipart_parts_reach_the_model_as_in_the_reference(case: RestCase, pair):
    reference = parsed(send(pair.reference.base_url, case), drop_puid=False)
    ours = parsed(send(pair.ours.base_url, case), drop_puid=False)
    difference = ALLOWED.get(case.id)
    if difference is None:
        assert typed(ours) == typed(reference), "ours differs from the reference (not listed in differences.py)"
        return
    assert ours != reference, f"listed as a difference ({difference.doc}) but both answer the same: remove the entry"
    assert ours[0] == difference.ours_status and is_seldon_status(ours[2]), f"{difference.doc}: ours answered {ours}"


@pytest.mark.model("describe_raw")
def test_predict_raw_gets_a_binary_file_part_as_base64_bytes_and_json_binData_as_text(pair):
    uploaded = send(pair.ours.base_url, RestCase("x", "describe_raw", "/predict", files=MULTIPART["bin-file"]))
    as_json = send(pair.ours.base_url, RestCase("x", "describe_raw", "/predict", json={"binData": "AAFoaf8="}))
    assert json.loads(uploaded.content)["jsonData"]["binData"] == ["bytes", "b'AAFoaf8='"]
    assert json.loads(as_json.content)["jsonData"]["binData"] == ["str", "'AAFoaf8='"]


"""The V2 REST codec's two ways through a body give the same InferRequest, or the same 400, for every body.

json_codec.parse_request parses a body of SIMDJSON_MIN_BYTES or more with simdjson, copying each numeric
input's `data` straight into a numpy array, and falls back to orjson (the way every smaller body goes) for
whatever simdjson does not take. Here the threshold is lowered to 0 so that the simdjson path sees every
generated body, and its outcome is compared with orjson's alone.
"""

from __future__ import annotations

import json
from unittest import mock

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seldon_s2i.runtime.v2 import json_codec
from seldon_s2i.runtime.v2.tensors import DATATYPES, V2Error

NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-300, max_value=300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from([0, -0.0, 0.5, 2**53 + 1, 2**60 + 2**36 + 1, 2**63, 2**64 - 1, 16777217, 1e39, 65520.0]),
)
ODD = st.one_of(st.booleans(), st.none(), st.text(max_size=3), st.just({"a": 1}))
VALUES = st.one_of(st.lists(NUMBERS, max_size=12),
                   st.lists(st.one_of(NUMBERS, ODD), max_size=6),
                   st.lists(st.lists(NUMBERS, max_size=4), max_size=4),
                   st.lists(st.one_of(NUMBERS, st.lists(NUMBERS, max_size=2)), max_size=5),
                   st.lists(st.booleans(), max_size=5), st.lists(st.text(max_size=3), max_size=4),
                   NUMBERS)


def _count(data) -> int:
    return sum(_count(v) for v in data) if isinstance(data, list) else 1


@st.composite
def bodies(draw) -> bytes:
    inputs = []
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        data = draw(VALUES)
        count = _count(data) if isinstance(data, list) else 1
        shape = draw(st.one_of(st.just([count]), st.just([1, count]),
                               st.lists(st.integers(min_value=0, max_value=4), max_size=3)))
        item = {"name": f"in{i}", "datatype": draw(st.sampled_from([*DATATYPES, "FP8"])), "shape": shape,
                "data": data}
        if draw(st.booleans()):
            item["parameters"] = {"content_type": draw(st.sampled_from(["np", "str", "base64"]))}
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            del item[draw(st.sampled_from(["name", "datatype", "shape", "data"]))]
        inputs.append(item)
    doc = {"inputs": inputs}
    if draw(st.booleans()):
        doc["id"] = draw(st.one_of(st.text(max_size=4), st.integers()))
    if draw(st.booleans()):
        doc["parameters"] = {"x": draw(st.lists(NUMBERS, max_size=2))}
    body = json.dumps(doc, separators=(",", ":")).encode()  # orjson writes no integer beyond 64 bits
    return draw(st.sampled_from([body, body, body, body + b" ", b"\xef\xbb\xbf" + body, body + b"x",
                                 body.replace(b'"data":', b'"data":[1],"data":', 1)]))


def outcome(parse, body: bytes):
    """What a parse of `body` gives, in a form that compares exactly (dtype, bytes: the sign of zero too)."""
    try:
        request = parse(body)
    except V2Error as exc:
        return ("error", exc.status, exc.message)
    tensors = [(t.name, t.datatype, t.shape, t.data.dtype.str,
                t.data.tolist() if t.data.dtype == object else t.data.tobytes(), t.parameters)
               for t in request.inputs]
    return (request.id, request.parameters, request.outputs, tensors)


def simdjson_way(body: bytes):
    with mock.patch.object(json_codec, "SIMDJSON_MIN_BYTES", 0):
        return json_codec.parse_request(body)


def orjson_way(body: bytes):
    return json_codec._request(json_codec._loads(body))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_both_ways_agree(body):
    assert outcome(simdjson_way, body) == outcome(orjson_way, body)


def _one(datatype: str, data, shape=None) -> bytes:
    return json.dumps({"inputs": [{"name": "x", "datatype": datatype, "shape": shape or [len(data)],
                                   "data": data}]}).encode()


EDGES = [
    _one("FP32", [2**60 + 2**36 + 1]),  # rounded twice (to a double, then to float32) would be 1 ulp off
    _one("FP16", [2**53 + 2**42 + 1]), _one("FP32", [16777217]), _one("FP64", [2**64]), _one("FP64", [-(2**63) - 1]),
    _one("FP32", [-0, -0.0]), _one("INT16", [-0]), _one("FP32", [1e39]), _one("FP16", [65520.0]),
    _one("FP32", [1.0, [2.0]], [2]), _one("FP32", [[1.0], 2.0], [2]), _one("INT8", [1, [], [2]], [2]),
    _one("BOOL", [True, [False]], [2]), _one("BYTES", ["a", ["b"]], [2]), _one("FP32", [True, 1.0]),
    _one("FP32", [True, False]), _one("UINT8", [-1]), _one("UINT64", [2**64 - 1]), _one("INT64", [2**63]),
    _one("INT32", [1.0]), _one("FP32", [None]), _one("FP32", [1, "2"]), _one("FP32", [], [0]), _one("INT8", [[]], [0]),
    b'\xef\xbb\xbf' + _one("FP32", [1.0]), _one("FP32", [1.0]) + b" x",
    b'{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1],"data":[2]}]}',
    b'{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1.0]}],"inputs":[]}',
    b'{"inputs":[{"name":"\\ud800","datatype":"FP32","shape":[1],"data":[1]}]}',
    b'{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1e400]}]}',
    b'{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[01]}]}', b'[1]', b'{"inputs":[5]}', b'{}',
    *[b'{"inputs":[{"name":"x","datatype":"%s","shape":[1],"data":%s}]}'
      % (datatype, b"[" * depth + value + b"]" * depth)
      for depth in (1020, 1021, 1022) for datatype, value in ((b"FP32", b"1.5"), (b"BOOL", b"true"))],  # JSON's limit
]


@pytest.mark.parametrize("body", EDGES)
def test_both_ways_agree_on_edges(body):
    assert outcome(simdjson_way, body) == outcome(orjson_way, body)


@pytest.mark.parametrize("datatype, dtype", [("FP32", np.float64), ("FP16", np.float64), ("INT8", np.int64),
                                             ("INT64", np.int64), ("UINT16", np.uint64)])
def test_numeric_data_skips_python_lists(datatype, dtype):
    body = orjson.dumps({"inputs": [{"name": "x", "datatype": datatype, "shape": [2, 2], "data": [[1, 2], [3, 4]]}]})
    data = json_codec._parse_numeric(body)["inputs"][0]["data"]
    assert isinstance(data, np.ndarray) and data.dtype == dtype and data.tolist() == [1, 2, 3, 4]


@pytest.mark.parametrize("data", [[1, "2"], [1, None], [True, 1.0], [1e300, 2**60 + 1]])
def test_what_simdjson_does_not_take_goes_the_orjson_way(data):
    body = orjson.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [2], "data": data}]})
    with pytest.raises(json_codec._SIMDJSON_ERRORS):
        json_codec._parse_numeric(body)


def test_an_image_sized_body_takes_the_simdjson_way_and_keeps_every_value():
    values = [round((i % 251) / 251, 4) for i in range(150528)]
    body = orjson.dumps({"inputs": [{"name": "x", "shape": [1, 150528], "datatype": "FP32", "data": values}]})
    assert len(body) >= json_codec.SIMDJSON_MIN_BYTES
    assert isinstance(json_codec._parse_numeric(body)["inputs"][0]["data"], np.ndarray)
    tensor = json_codec.parse_request(body).inputs[0]
    assert tensor.data.shape == (1, 150528) and tensor.data.dtype == np.float32
    assert np.array_equal(tensor.data.ravel(), np.array(values, dtype=np.float32))


def test_a_document_still_referenced_does_not_stop_the_next_parse():
    body = _one("FP32", list(range(300)))
    held = json_codec._parse_document(body)  # the thread's parser cannot parse again while this lives
    assert len(body) >= json_codec.SIMDJSON_MIN_BYTES
    tensor = json_codec.parse_request(body).inputs[0]
    assert tensor.data.tolist() == list(range(300)) and isinstance(json_codec._parse_numeric(body)["inputs"][0]["data"],
                                                                  np.ndarray)
    assert len(held["inputs"]) == 1


def test_data_nested_up_to_the_json_depth_limit_is_flattened_without_recursion():
    body = b'{"inputs":[{"name":"x","datatype":"BOOL","shape":[1],"data":%s}]}' % (b"[" * 1021 + b"true" + b"]" * 1021)
    assert json_codec.parse_request(body).inputs[0].data.tolist() == [True]


@pytest.mark.parametrize("datatype, data", [("FP32", [1, True]), ("INT32", [1, True]), ("UINT8", [False, 1]),
                                            ("FP64", [True, False]), ("INT8", [[1], [True]])])
def test_a_boolean_among_numbers_is_refused_like_booleans_alone(datatype, data):
    with pytest.raises(V2Error, match=f"data does not fit datatype {datatype}: got boolean values"):
        json_codec.parse_request(_one(datatype, data, [2]))

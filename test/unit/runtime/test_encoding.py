"""encoding: every kind of value a user method may return, and the same JSON on both transports.

Where the reference answers, Flask's own JSON provider (flask.json.provider._default, the same rules in
Flask 2.2 and 3.x) is the oracle for the REST bytes; the gRPC form must parse to the same JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
import math
import uuid

import numpy as np
import pytest
from flask.json.provider import _default as flask_default
from google.protobuf import json_format, struct_pb2
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.http import http_date as werkzeug_http_date

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime import encoding, jsonout


@dataclasses.dataclass
class Point:
    x: int
    y: float
    tags: tuple


class Html:
    def __html__(self):
        return "<i>x</i>"


class Color(enum.IntEnum):
    RED = 1


class Word(str, enum.Enum):
    HI = "hi"


UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")
PLUS_2 = dt.timezone(dt.timedelta(hours=2))

# (id, value, its JSON form)
KINDS = [
    ("str", "héllo", "héllo"),
    ("int", 7, 7),
    ("big-int", 2**70, 2**70),
    ("float", 0.1, 0.1),
    ("bool", True, True),
    ("none", None, None),
    ("mixed-list-keeps-types", [[1, 0.7, True, "x", None]], [[1, 0.7, True, "x", None]]),
    ("tuple", (1, "two", 3.0), [1, "two", 3.0]),
    ("dict-int-keys", {2: "b", 1: "a"}, {"1": "a", "2": "b"}),
    ("numpy-int-array", np.array([[1, 2]], dtype=np.int64), [[1, 2]]),
    ("numpy-float32-array-widened", np.array([0.1], dtype=np.float32), [float(np.float32(0.1))]),
    ("numpy-bool-array", np.array([True, False]), [True, False]),
    ("numpy-string-array", np.array(["a", "b"]), ["a", "b"]),
    ("numpy-object-array", np.array([[dt.date(2024, 1, 2), 1]], dtype=object), [["Tue, 02 Jan 2024 00:00:00 GMT", 1]]),
    ("numpy-scalars", [np.int64(3), np.float32(0.5), np.bool_(True), np.uint8(7), np.str_("s"), np.float64(0.25)],
     [3, 0.5, True, 7, "s", 0.25]),
    ("numpy-deep", {"a": [{"b": np.arange(3)}]}, {"a": [{"b": [0, 1, 2]}]}),
    ("datetime-naive-is-utc", dt.datetime(2024, 1, 2, 3, 4, 5), "Tue, 02 Jan 2024 03:04:05 GMT"),
    ("datetime-aware", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=PLUS_2), "Tue, 02 Jan 2024 01:04:05 GMT"),
    ("date", dt.date(2024, 1, 2), "Tue, 02 Jan 2024 00:00:00 GMT"),
    ("time-iso", dt.time(3, 4, 5, 6), "03:04:05.000006"),
    ("decimal", decimal.Decimal("1.10"), "1.10"),
    ("uuid", UUID, "12345678-1234-5678-1234-567812345678"),
    ("dataclass", Point(1, 2.5, (dt.date(2020, 5, 17),)),
     {"x": 1, "y": 2.5, "tags": ["Sun, 17 May 2020 00:00:00 GMT"]}),
    ("html", Html(), "<i>x</i>"),
    ("bytes-base64", b"\x00\x01\xff", "AAH/"),
    ("bytearray-base64", bytearray(b"ab"), "YWI="),
    ("int-enum", Color.RED, 1),
    ("str-enum", Word.HI, "hi"),
]

# Values Flask's provider (the reference) converts: ours must give the same JSON.
FLASK_KINDS = {"datetime-naive-is-utc", "datetime-aware", "date", "decimal", "uuid", "dataclass", "html"}


@pytest.mark.parametrize("value, expected", [pytest.param(v, e, id=i) for i, v, e in KINDS])
def test_every_kind_becomes_its_json_form(value, expected):
    converted = encoding.to_jsonable(value)
    assert converted == expected
    assert type(converted) is type(expected)


@pytest.mark.parametrize("value, expected", [pytest.param(v, e, id=i) for i, v, e in KINDS])
def test_rest_bytes_parse_to_the_same_json_as_the_grpc_form(value, expected):
    body = {"jsonData": {"v": value}}
    assert json.loads(jsonout.dumps(body)) == {"jsonData": {"v": expected}}


@pytest.mark.parametrize("value", [pytest.param(v, id=i) for i, v, _ in KINDS if i in FLASK_KINDS])
def test_what_flask_converts_is_converted_to_flasks_bytes(value):
    flask_bytes = (json.dumps({"v": value}, default=flask_default, sort_keys=True, separators=(",", ":"))
                   + "\n").encode()
    assert jsonout.dumps({"v": value}) == flask_bytes


@pytest.mark.parametrize("value", [
    dt.datetime(2024, 1, 2, 3, 4, 5), dt.datetime(1999, 12, 31, 23, 59, 59, 999, tzinfo=PLUS_2),
    dt.date(2024, 2, 29), dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-11)))])
def test_http_date_equals_werkzeugs(value):
    assert encoding.http_date(value) == werkzeug_http_date(value)


@pytest.mark.parametrize("value, type_name", [({1, 2}, "set"), (frozenset(), "frozenset"), (1 + 2j, "complex"),
                                              (object(), "object"), (Point, "type")])
def test_unsupported_values_raise_flasks_type_error(value, type_name):
    message = f"Object of type {type_name} is not JSON serializable"
    with pytest.raises(TypeError, match=message):
        encoding.to_jsonable({"v": value})
    with pytest.raises(TypeError, match=message):
        jsonout.dumps({"v": value})


leaves = (st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats() | st.text(max_size=5)
          | st.integers(-2**31, 2**31).map(np.int64) | st.floats(width=32).map(np.float32) | st.booleans().map(np.bool_)
          | st.lists(st.floats(width=32), max_size=4).map(lambda xs: np.array(xs, dtype=np.float32))
          | st.dates() | st.datetimes() | st.decimals(allow_nan=False) | st.uuids() | st.binary(max_size=6)
          | st.times())
nested = st.recursive(leaves, lambda children: st.lists(children, max_size=3) | st.tuples(children, children)
                      | st.dictionaries(st.text(max_size=4), children, max_size=3), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(nested)
def test_any_nesting_gives_the_same_json_over_rest_and_grpc(value):
    rest = json.loads(jsonout.dumps({"v": value}))["v"]
    assert json.dumps(rest, sort_keys=True) == json.dumps(encoding.to_jsonable(value), sort_keys=True)


@pytest.mark.parametrize("key, text", [("k", "k"), (1, "1"), (2.5, "2.5"), (True, "true"), (False, "false"),
                                       (None, "null"), (Color.RED, "1")])
def test_keys_are_written_as_json_dumps_writes_them(key, text):
    assert encoding.json_key(key) == text == json.loads(json.dumps({key: 0})).popitem()[0]


def test_keys_json_refuses_are_refused_on_both_transports():
    with pytest.raises(TypeError, match="keys must be str, int, float, bool or None, not tuple"):
        encoding.to_jsonable({(1, 2): "x"})
    with pytest.raises(TypeError, match="keys must be str, int, float, bool or None"):
        jsonout.dumps({(1, 2): "x"})


def test_nan_and_infinity_stay_floats():
    converted = encoding.to_jsonable({"x": float("nan"), "y": [np.float32("inf")]})
    assert math.isnan(converted["x"]) and converted["y"] == [math.inf]
    assert jsonout.dumps({"x": float("nan"), "y": [np.float32("-inf")]}) == b'{"x":NaN,"y":[-Infinity]}\n'


def _ndarray_of(result, request_kind=c.NDARRAY):
    output = c.shape_output(result, request_kind)
    rest = json.loads(jsonout.dumps(c.RestCodec.encode(output, {})))
    grpc = json_format.MessageToDict(c.ProtoCodec.encode(output, {}))
    return rest["data"], grpc["data"]


def test_a_mixed_list_answered_as_ndarray_keeps_ints_floats_and_bools():
    rest, grpc = _ndarray_of([[1, 0.7, True], [2, 0.4, False]])
    assert rest["ndarray"] == [[1, 0.7, True], [2, 0.4, False]]
    assert [type(v) for v in rest["ndarray"][0]] == [int, float, bool]
    assert grpc["ndarray"] == [[1.0, 0.7, True], [2.0, 0.4, False]]  # protobuf numbers are doubles
    assert type(grpc["ndarray"][0][2]) is bool


def test_a_mixed_list_answered_as_a_tensor_goes_through_numpy_like_the_reference():
    rest, grpc = _ndarray_of([[1, 0.7, True]], c.TENSOR)
    assert rest["tensor"] == {"shape": [1, 3], "values": [1.0, 0.7, 1.0]}
    assert grpc["tensor"] == {"shape": [1, 3], "values": [1.0, 0.7, 1.0]}


def test_numpy_inside_an_ndarray_list_is_converted_on_both_transports():
    rest, grpc = _ndarray_of([np.array([1, 2]), [np.float32(0.5), np.int64(3)]])
    assert rest["ndarray"] == grpc["ndarray"] == [[1, 2], [0.5, 3]]


def test_an_object_array_answered_as_ndarray_uses_the_same_rules_on_both_transports():
    rest, grpc = _ndarray_of(np.array([[dt.date(2024, 1, 2), decimal.Decimal("1.5")]], dtype=object))
    assert rest["ndarray"] == grpc["ndarray"] == [["Tue, 02 Jan 2024 00:00:00 GMT", "1.5"]]


def test_json_data_over_grpc_carries_the_rest_json():
    result = {"label": np.array([1, 0], dtype=np.int64),
              "probabilities": np.array([[0.1, 0.9], [0.8, 0.2]], dtype=np.float32),
              "at": dt.datetime(2024, 1, 2, 3, 4, 5), "amount": decimal.Decimal("1.10"), "id": UUID}
    output = c.shape_output(result, c.STR_DATA)
    rest = json.loads(jsonout.dumps(c.RestCodec.encode(output, {})))["jsonData"]
    grpc = json_format.MessageToDict(c.ProtoCodec.encode(output, {}))["jsonData"]
    assert grpc == rest
    assert rest["at"] == "Tue, 02 Jan 2024 03:04:05 GMT" and rest["label"] == [1, 0]


def test_a_zero_dimensional_ndarray_answer_is_a_user_error_over_grpc():
    output = c.Output(c.NDARRAY, np.array(5))
    with pytest.raises(TypeError, match="must be a list"):
        c.ProtoCodec.encode(output, {})


def test_plain_numeric_arrays_skip_the_walk():
    assert encoding.is_plain_array(np.zeros(3, dtype=np.float32))
    assert encoding.is_plain_array(np.zeros(3, dtype=np.bool_))
    assert not encoding.is_plain_array(np.array(["a"]))
    assert not encoding.is_plain_array(np.array([None], dtype=object))


def test_grpc_ndarray_items_are_a_list_value():
    items = c.ndarray_items([[np.int64(1), "x"]])
    value = struct_pb2.ListValue()
    value.extend(items)
    assert json_format.MessageToDict(value) == [[1.0, "x"]]

"""Request decoding and response rules of the shared codec (spec §3.2-§3.4), both transports."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from google.protobuf import json_format

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime.errors import SeldonError
from seldon_s2i.runtime.proto import prediction_pb2 as pb

# ------------------------------------------------------------------ REST decoding

def test_rest_ndarray_keeps_ints_and_names():
    d = c.RestCodec.decode({"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}, "meta": {"puid": "p"}})
    assert d.X.dtype == np.int64 and d.X.tolist() == [[1, 2]]
    assert d.names == ["a", "b"] and d.kind == c.NDARRAY and d.meta == {"puid": "p"}


def test_rest_meta_absent_is_none():
    assert c.RestCodec.decode({"strData": "x"}).meta is None


def test_rest_tensor_integer_values_are_int64():
    d = c.RestCodec.decode({"data": {"tensor": {"shape": [2, 2], "values": [1, 2, 3, 4]}}})
    assert d.X.dtype == np.int64 and d.X.shape == (2, 2) and d.kind == c.TENSOR


def test_rest_tensor_shape_mismatch_is_400():
    with pytest.raises(SeldonError) as info:
        c.RestCodec.decode({"data": {"tensor": {"shape": [3], "values": [1, 2]}}})
    assert info.value.status_code == 400 and "shape" in info.value.message


def test_rest_mixed_ndarray_becomes_strings():
    assert c.RestCodec.decode({"data": {"ndarray": [1, "a"]}}).X.dtype.kind == "U"


def test_rest_ragged_ndarray_is_400():
    with pytest.raises(SeldonError):
        c.RestCodec.decode({"data": {"ndarray": [[1, 2], [3]]}})


def test_rest_payloadless_data_is_empty_float_array_of_kind_ndarray():
    d = c.RestCodec.decode({"data": {"names": []}})
    assert d.X.shape == (0,) and d.X.dtype == np.float64 and d.kind == c.NDARRAY


def test_rest_priority_data_over_json_over_str_over_bin():
    msg = {"binData": "YQ==", "strData": "s", "jsonData": {"j": 1}, "data": {"ndarray": [1]}}
    assert c.RestCodec.decode(msg).kind == c.NDARRAY
    del msg["data"]
    assert c.RestCodec.decode(msg).X == {"j": 1}
    del msg["jsonData"]
    assert c.RestCodec.decode(msg).X == "s"
    del msg["strData"]
    assert c.RestCodec.decode(msg).X == b"a"


def test_rest_bindata_accepts_line_wrapped_base64_and_rejects_garbage():
    wrapped = base64.encodebytes(b"hello world" * 10).decode()
    assert "\n" in wrapped
    assert c.RestCodec.decode({"binData": wrapped}).X == b"hello world" * 10
    with pytest.raises(SeldonError) as info:
        c.RestCodec.decode({"binData": "aGVsbG8*"})
    assert "base64" in info.value.message


def test_rest_multipart_bindata_is_base64_bytes_decoded_like_text():
    assert c.RestCodec.decode({"binData": base64.b64encode(b"\x00\xff")}).X == b"\x00\xff"
    assert c.RestCodec.decode({"binData": base64.encodebytes(b"\x00\xff" * 40)}).X == b"\x00\xff" * 40


@pytest.mark.parametrize("body", [{}, [], {"unknown": 1}, "text"])
def test_rest_unknown_payload_is_invalid_request(body):
    with pytest.raises(SeldonError) as info:
        c.RestCodec.decode(body)
    assert info.value.message.startswith("Invalid request data type")


def test_rest_tftensor_roundtrip_without_tensorflow():
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    as_json = json_format.MessageToDict(c.numpy_to_tftensor(arr))
    assert as_json["dtype"] == "DT_FLOAT"
    d = c.RestCodec.decode({"data": {"tftensor": as_json}})
    assert d.kind == c.TFTENSOR and d.X.dtype == np.float32 and np.array_equal(d.X, arr)


def test_tftensor_typed_values_and_fill():
    t = json_format.ParseDict({"dtype": "DT_INT32", "tensorShape": {"dim": [{"size": "3"}]}, "intVal": [5]},
                              c.tfpb.TensorProto())
    assert c.tftensor_to_numpy(t).tolist() == [5, 5, 5]


def test_rest_aggregate_list_forms():
    msgs = [{"data": {"ndarray": [1]}}, {"strData": "x"}]
    assert [d.kind for d in c.RestCodec.decode_list(msgs)] == [c.NDARRAY, c.STR_DATA]
    assert len(c.RestCodec.decode_list({"seldonMessages": msgs})) == 2
    with pytest.raises(SeldonError):
        c.RestCodec.decode_list({"other": 1})


# ------------------------------------------------------------------ gRPC decoding

def test_proto_tensor_is_float64_via_frombuffer():
    m = pb.SeldonMessage()
    m.data.tensor.shape.extend([2, 3])
    m.data.tensor.values.extend(range(6))
    d = c.ProtoCodec.decode(m)
    assert d.X.dtype == np.float64 and d.X.shape == (2, 3) and d.X.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert d.meta == {}
    d.X[0, 0] = 9  # writable


def test_proto_ndarray_numbers_are_floats():
    m = pb.SeldonMessage()
    m.data.ndarray.extend([[1, 2]])
    m.data.names.extend(["a", "b"])
    d = c.ProtoCodec.decode(m)
    assert d.X.dtype == np.float64 and d.names == ["a", "b"] and d.kind == c.NDARRAY


def test_proto_other_payloads_and_meta():
    m = pb.SeldonMessage(binData=b"\x01")
    m.meta.puid = "abc"
    m.meta.tags["t"].string_value = "v"
    d = c.ProtoCodec.decode(m)
    assert d.X == b"\x01" and d.meta == {"puid": "abc", "tags": {"t": "v"}}
    assert c.ProtoCodec.decode(pb.SeldonMessage(strData="s")).X == "s"
    j = pb.SeldonMessage()
    json_format.ParseDict({"a": [1, "x"]}, j.jsonData)
    assert c.ProtoCodec.decode(j).X == {"a": [1.0, "x"]}


def test_proto_empty_message_is_invalid():
    with pytest.raises(SeldonError):
        c.ProtoCodec.decode(pb.SeldonMessage())


def test_tensor_bytes_roundtrip_large():
    arr = np.random.default_rng(0).integers(0, 255, (960, 1280, 3), dtype=np.uint8)
    t = pb.Tensor.FromString(c.tensor_bytes(arr.shape, arr))
    assert list(t.shape) == [960, 1280, 3]
    assert np.array_equal(c.tensor_values(t).reshape(arr.shape), arr)


def test_tensor_bytes_negative_shape_is_valid_varint():
    t = pb.Tensor.FromString(c.tensor_bytes((-1, 2), np.zeros(2)))
    assert list(t.shape) == [-1, 2]


# ------------------------------------------------------------------ response rules

@pytest.mark.parametrize("request_kind, expected", [
    (c.TENSOR, c.TENSOR), (c.NDARRAY, c.NDARRAY), (c.TFTENSOR, c.TFTENSOR),
    (c.BIN_DATA, c.TENSOR), (c.STR_DATA, c.TENSOR), (c.JSON_DATA, c.TENSOR), (c.NO_DATA, c.TENSOR)])
def test_numeric_output_kind_follows_request(request_kind, expected):
    assert c.shape_output(np.ones((2, 2)), request_kind).kind == expected


def test_non_numeric_outputs_are_ndarray_as_is():
    out = c.shape_output([["a", "b"]], c.BIN_DATA)
    assert out.kind == c.NDARRAY and out.value == [["a", "b"]] and out.names == ["t:0", "t:1"]
    assert c.shape_output(np.array([True, False]), c.TENSOR).kind == c.NDARRAY


def test_payload_types():
    assert c.shape_output({"a": 1}, c.NDARRAY).kind == c.JSON_DATA
    assert c.shape_output(b"x", c.NDARRAY).kind == c.BIN_DATA
    assert c.shape_output("x", c.NDARRAY).kind == c.STR_DATA
    with pytest.raises(SeldonError) as info:
        c.shape_output(None, c.NDARRAY)
    assert "Unknown data type returned as payload" in info.value.message


def test_names_rules():
    image = np.zeros((960, 1280, 3), dtype=np.uint8)
    names = c.shape_output(image, c.BIN_DATA).names
    assert len(names) == 1280 and names[:2] == ["t:0", "t:1"]
    assert c.shape_output(np.zeros(3), c.NDARRAY).names == []
    assert c.shape_output(np.zeros((1, 2)), c.NDARRAY, lambda: ["x", "y"]).names == ["x", "y"]
    assert c.shape_output(np.zeros((1, 2)), c.NDARRAY, lambda: None).names == ["t:0", "t:1"]


def test_rest_encode_tensor_and_bin():
    body = c.RestCodec.encode(c.shape_output(np.arange(4, dtype=np.float32).reshape(2, 2), c.BIN_DATA), {})
    assert body["data"]["tensor"]["shape"] == [2, 2]
    assert body["data"]["tensor"]["values"].dtype == np.float64
    assert c.RestCodec.encode(c.shape_output(b"\x00", c.NDARRAY), {})["binData"] == "AA=="


def test_proto_encode_each_kind():
    m = c.ProtoCodec.encode(c.shape_output(np.array([[1, 2]]), c.NDARRAY), {"tags": {"a": 1}})
    assert json_format.MessageToDict(m) == {"data": {"names": ["t:0", "t:1"], "ndarray": [[1.0, 2.0]]},
                                            "meta": {"tags": {"a": 1.0}}}
    m = c.ProtoCodec.encode(c.shape_output(np.array([[1, 2]]), c.TENSOR), {})
    assert list(m.data.tensor.values) == [1.0, 2.0] and m.HasField("meta")
    m = c.ProtoCodec.encode(c.shape_output({"k": [1]}, c.TENSOR), {})
    assert json_format.MessageToDict(m)["jsonData"] == {"k": [1.0]}
    m = c.ProtoCodec.encode(c.shape_output(np.ones((1, 2)), c.TFTENSOR), {})
    assert c.tftensor_to_numpy(m.data.tftensor).tolist() == [[1.0, 1.0]]


def test_proto_meta_that_json_cannot_carry_is_a_400():
    message = pb.SeldonMessage()
    message.meta.tags["x"].number_value = float("inf")  # found by test/compat/test_fuzz.py
    with pytest.raises(SeldonError) as info:
        c.ProtoCodec.decode(message)
    assert info.value.status_code == 400 and "meta cannot be represented as JSON" in info.value.message

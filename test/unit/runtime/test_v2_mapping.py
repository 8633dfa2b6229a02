"""The V2 mapping of docs/v2-protocol.md: requests -> the user's X and names, results -> outputs, over the
transport-neutral DataPlane and both wire codecs (JSON bodies and protobuf messages)."""

from __future__ import annotations

import base64
import struct

import numpy as np
import orjson
import pandas as pd
import pytest

from seldon_s2i.runtime.component import Component
from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb
from seldon_s2i.runtime.settings import Settings
from seldon_s2i.runtime.v2 import json_codec, proto_codec
from seldon_s2i.runtime.v2.dataplane import DataPlane, InferRequest
from seldon_s2i.runtime.v2.tensors import Tensor, V2Error, make_array, outputs_of, user_arguments


class Recorder:
    """A model that keeps what it received and returns `result` (or X when result is None)."""

    def __init__(self, result=None):
        self.result, self.seen = result, []

    def predict(self, X, names):
        self.seen.append((X, names))
        return X if self.result is None else self.result


def plane(user, service_type="MODEL", metadata=None) -> DataPlane:
    return DataPlane(Component(user, Settings(interface_name="M", service_type=service_type)), "m", metadata)


def infer_json(p: DataPlane, body: dict) -> dict:
    response = p.infer("m", None, json_codec.parse_request(orjson.dumps(body)))
    return orjson.loads(json_codec.response_body(response))


def tensor(name, datatype, shape, data, **parameters) -> dict:
    return {"name": name, "datatype": datatype, "shape": shape, "data": data,
            **({"parameters": parameters} if parameters else {})}


def test_one_input_is_its_array_with_shape_and_dtype_and_names_is_its_name():
    user = Recorder()
    infer_json(plane(user), {"inputs": [tensor("x", "INT16", [2, 2], [[1, 2], [3, 4]])]})
    X, names = user.seen[0]
    assert X.dtype == np.int16 and X.shape == (2, 2) and X.tolist() == [[1, 2], [3, 4]]
    assert names == ["x"]


def test_several_inputs_are_a_dict_by_name_in_request_order():
    X, names = user_arguments([Tensor("b", "FP32", (1,), np.array([1.0], np.float32)),
                               Tensor("a", "BYTES", (1,), np.array(["t"], dtype=object))], {})
    assert list(X) == ["b", "a"] and names == ["b", "a"]
    assert X["b"].dtype == np.float32 and X["a"].tolist() == ["t"]


def test_content_types_str_and_base64_decode_to_lists_of_str_and_bytes():
    user = Recorder(result="ok")
    p = plane(user)
    infer_json(p, {"inputs": [tensor("t", "BYTES", [2], ["ab", "cd"], content_type="str")]})
    infer_json(p, {"inputs": [tensor("t", "BYTES", [1], [base64.b64encode(b"\x00\xff").decode()],
                                     content_type="base64")]})
    assert user.seen[0][0] == ["ab", "cd"] and user.seen[1][0] == [b"\x00\xff"]


def test_request_content_type_pd_gives_a_dataframe_and_a_dataframe_gives_one_output_per_column():
    # Differential against MLServer's PandasCodec: test/compat_v2/test_v2_pandas.py; pandas absent (the
    # builder images): a 400 naming the fix, test/integration/test_builders.py.
    user = Recorder()
    answer = infer_json(plane(user), {"parameters": {"content_type": "pd"}, "inputs": [
        tensor("a", "INT64", [2, 1], [1, 2]), tensor("b", "FP32", [2], [0.5, 1.5]),
        tensor("s", "BYTES", [2], ["x", "y"], content_type="str")]})
    X, names = user.seen[0]
    assert isinstance(X, pd.DataFrame) and list(X.columns) == names == ["a", "b", "s"]
    assert [str(X[c].dtype) for c in ("a", "b")] == ["int64", "float32"] and X["s"].tolist() == ["x", "y"]
    assert answer["parameters"] == {"content_type": "pd"}
    assert answer["outputs"] == [
        {"name": "a", "shape": [2, 1], "datatype": "INT64", "data": [1, 2]},
        {"name": "b", "shape": [2, 1], "datatype": "FP32", "data": [0.5, 1.5]},
        {"name": "s", "shape": [2, 1], "datatype": "BYTES", "parameters": {"content_type": "str"}, "data": ["x", "y"]}]


def test_results_become_outputs_by_type():
    assert [(t.name, t.datatype, t.shape) for t in outputs_of(np.zeros((2, 3), np.uint8), lambda: None)] == \
        [("output-1", "UINT8", (2, 3))]
    (text,) = outputs_of("hi", lambda: None)
    assert (text.datatype, text.shape, text.data.tolist(), text.content_type) == ("BYTES", (1,), ["hi"], "str")
    (raw,) = outputs_of(b"\x00", lambda: None)
    assert raw.content_type == "base64" and raw.data.tolist() == [b"AA=="]
    by_key = outputs_of({"p": [0.5, 0.5], "label": ["a", "b"]}, lambda: None)
    assert [(t.name, t.datatype, t.shape) for t in by_key] == [("p", "FP64", (2,)), ("label", "BYTES", (2,))]
    (scalar,) = outputs_of(3, lambda: None)
    assert (scalar.datatype, scalar.shape) == ("INT64", (1,))
    assert outputs_of(None, lambda: None) == []


def test_class_names_name_one_output_per_column():
    outputs = outputs_of(np.array([[0.1, 0.9], [0.8, 0.2]]), lambda: ["cat", "dog"])
    assert [(t.name, t.shape, t.data.ravel().tolist()) for t in outputs] == \
        [("cat", (2, 1), [0.1, 0.8]), ("dog", (2, 1), [0.9, 0.2])]
    assert [t.name for t in outputs_of(np.zeros((2, 3)), lambda: ["cat", "dog"])] == ["output-1"]


def test_unencodable_results_are_500():
    with pytest.raises(V2Error) as raised:
        outputs_of(object(), lambda: None)
    assert raised.value.status == 500
    with pytest.raises(V2Error):
        outputs_of([[1, 2], [3]], lambda: None)


@pytest.mark.parametrize("datatype,values,problem", [
    ("FP32", [1, 2], "data has 2 elements but shape [3] needs 3"),
    ("FP99", [1, 2, 3], "unknown datatype 'FP99'"),
    ("UINT8", [1, 2, 300], "values outside 0..255"),
    ("INT32", [1, 2, 3.5], "got floating-point values"),
    ("FP64", [1, "2", 3], "got string values"),
    ("BOOL", [True, 1, 0], "got integer values"),
    ("BYTES", ["a", 1, "b"], "BYTES elements must be strings"),
])
def test_bad_tensors_are_400_naming_the_input(datatype, values, problem):
    with pytest.raises(V2Error) as raised:
        make_array("x", datatype, (3,), values)
    assert raised.value.status == 400 and problem in raised.value.message and "'x'" in raised.value.message


@pytest.mark.parametrize("body,problem", [
    (b"[1]", "request body must be a JSON object"),
    (b"{}", "inputs is missing"),
    (b'{"inputs": [{"name": "x", "datatype": "FP32", "data": [1]}]}', "shape is missing"),
    (b'{"inputs": [{"name": "x", "shape": [-1], "datatype": "FP32", "data": [1]}]}', "non-negative"),
    (b'{"inputs": [], "id": 5}', "id must be a string"),
])
def test_malformed_json_requests_are_400(body, problem):
    with pytest.raises(V2Error) as raised:
        json_codec.parse_request(body)
    assert raised.value.status == 400 and problem in raised.value.message


def test_unknown_model_or_version_is_404_and_metadata_comes_from_seldon_metadata():
    p = plane(Recorder(), metadata={"versions": ["1.2"], "platform": "sk", "custom": {"team": "x"},
                                    "inputs": [{"name": "f", "datatype": "FP32", "shape": [1, 4]},
                                               {"messagetype": "tensor"}]})
    assert p.model_metadata("m", "1.2") == {"name": "m", "versions": ["1.2"], "platform": "sk",
                                            "inputs": [{"name": "f", "datatype": "FP32", "shape": [1, 4]}],
                                            "outputs": [], "parameters": {"team": "x"}}
    for name, version in (("other", None), ("m", "9")):
        with pytest.raises(V2Error) as raised:
            p.infer(name, version, InferRequest(inputs=[]))
        assert raised.value.status == 404


@pytest.mark.parametrize("service_type,method", [("TRANSFORMER", "transform_input"),
                                                 ("OUTPUT_TRANSFORMER", "transform_output")])
def test_transformers_infer_through_their_transform_method(service_type, method):
    class Transformer:
        def __getattr__(self, name):
            if name == method:
                return lambda X, names: X * 2
            raise AttributeError(name)

    out = infer_json(plane(Transformer(), service_type), {"inputs": [tensor("x", "INT32", [2], [1, 2])]})
    assert out["outputs"][0]["data"] == [2, 4]


@pytest.mark.parametrize("service_type", ["ROUTER", "COMBINER", "OUTLIER_DETECTOR"])
def test_service_types_without_a_v2_meaning_answer_400(service_type):
    with pytest.raises(V2Error) as raised:
        plane(Recorder(), service_type).infer("m", None, InferRequest(inputs=[]))
    assert raised.value.status == 400 and f"SERVICE_TYPE={service_type}" in raised.value.message


def test_requested_outputs_filter_the_answer_and_the_id_is_kept_or_generated():
    p = plane(Recorder(result={"a": [1], "b": [2]}))
    one = [{"name": "x", "shape": [1], "datatype": "INT64", "data": [1]}]
    out = infer_json(p, {"id": "r1", "inputs": one, "outputs": [{"name": "b"}]})
    assert out["id"] == "r1" and [o["name"] for o in out["outputs"]] == ["b"]
    assert len(infer_json(p, {"inputs": one})["id"]) == 36


def test_grpc_typed_contents_and_raw_contents_decode_alike_and_answer_in_kind():
    p = plane(Recorder())
    typed = pb.ModelInferRequest(model_name="m")
    typed.inputs.add(name="x", datatype="UINT16", shape=[3]).contents.uint_contents.extend([1, 2, 65535])
    raw = pb.ModelInferRequest(model_name="m")
    raw.inputs.add(name="x", datatype="UINT16", shape=[3])
    raw.raw_input_contents.append(np.array([1, 2, 65535], "<u2").tobytes())
    typed_out = proto_codec.response_message(p.infer("m", None, proto_codec.parse_request(typed)), raw=False)
    raw_out = proto_codec.response_message(p.infer("m", None, proto_codec.parse_request(raw)), raw=True)
    assert list(typed_out.outputs[0].contents.uint_contents) == [1, 2, 65535]
    assert np.frombuffer(raw_out.raw_output_contents[0], "<u2").tolist() == [1, 2, 65535]


def test_grpc_raw_bytes_are_length_prefixed_and_fp16_answers_raw():
    p = plane(Recorder())
    request = pb.ModelInferRequest(model_name="m")
    request.inputs.add(name="t", datatype="BYTES", shape=[2])
    request.raw_input_contents.append(struct.pack("<I", 2) + b"ab" + struct.pack("<I", 0))
    parsed = proto_codec.parse_request(request)
    assert parsed.inputs[0].data.tolist() == [b"ab", b""]
    fp16 = pb.ModelInferRequest(model_name="m")
    fp16.inputs.add(name="h", datatype="FP16", shape=[2])
    fp16.raw_input_contents.append(np.array([0.5, 2], "<f2").tobytes())
    answer = proto_codec.response_message(p.infer("m", None, proto_codec.parse_request(fp16)), raw=False)
    assert np.frombuffer(answer.raw_output_contents[0], "<f2").tolist() == [0.5, 2.0]
    no_raw = pb.ModelInferRequest(model_name="m")
    no_raw.inputs.add(name="h", datatype="FP16", shape=[1])
    with pytest.raises(V2Error, match="FP16 has no typed contents field"):
        proto_codec.parse_request(no_raw)


@pytest.mark.parametrize("datatype", ["FP16", "FP32"])
def test_a_float_beyond_the_datatypes_range_is_a_400_not_an_infinity(datatype):
    user = Recorder()
    with pytest.raises(V2Error, match=f"does not fit datatype {datatype}: values outside its range"):
        infer_json(plane(user), {"inputs": [tensor("x", datatype, [1], [1e300])]})
    assert user.seen == []
    infer_json(plane(user), {"inputs": [tensor("x", "FP64", [1], [1e300])]})  # fits FP64
    assert user.seen[0][0].tolist() == [1e300]


def test_an_input_name_given_twice_is_a_400():
    user = Recorder()
    with pytest.raises(V2Error, match="input name 'x' is given more than once"):
        infer_json(plane(user), {"inputs": [tensor("x", "FP32", [1], [1.0]), tensor("x", "FP32", [1], [2.0])]})
    assert user.seen == []


@pytest.mark.parametrize("datatype,field,values", [
    ("BOOL", "bool_contents", [True, False]), ("INT32", "int_contents", [-(2 ** 31), 7]),
    ("INT64", "int64_contents", [-(2 ** 63), 2 ** 63 - 1]), ("UINT32", "uint_contents", [0, 2 ** 32 - 1]),
    ("UINT64", "uint64_contents", [0, 2 ** 64 - 1]), ("FP32", "fp32_contents", [0.1, float("inf")]),
    ("FP64", "fp64_contents", [0.1, -1e300])])
def test_grpc_typed_contents_read_without_checks_equal_the_checked_json_path(datatype, field, values):
    # proto_codec reads these fields by np.fromiter: their proto type already bounds every value.
    request = pb.ModelInferRequest(model_name="m")
    getattr(request.inputs.add(name="x", datatype=datatype, shape=[2, 1]).contents, field).extend(values)
    parsed = proto_codec.parse_request(request).inputs[0].data
    checked = make_array("x", datatype, (2, 1), list(getattr(request.inputs[0].contents, field)))
    assert (parsed.dtype, parsed.shape, parsed.tolist()) == (checked.dtype, checked.shape, checked.tolist())
    request.inputs[0].shape[:] = [3]
    with pytest.raises(V2Error, match="data has 2 elements but shape \\[3\\] needs 3"):
        proto_codec.parse_request(request)


def test_grpc_values_in_the_wrong_contents_field_or_in_two_places_are_named_in_the_400():
    """FP32 sent in int_contents was "data has 0 elements"; raw and typed contents together were accepted."""
    wrong = pb.ModelInferRequest(model_name="m")
    wrong.inputs.add(name="x", datatype="FP32", shape=[2]).contents.int_contents.extend([1, 2])
    with pytest.raises(V2Error, match=r"FP32 values belong in fp32_contents, got contents.int_contents"):
        proto_codec.parse_request(wrong)
    both = pb.ModelInferRequest(model_name="m")
    both.inputs.add(name="x", datatype="INT32", shape=[1]).contents.int_contents.append(1)
    both.raw_input_contents.append(struct.pack("<i", 1))
    with pytest.raises(V2Error, match=r"values both in raw_input_contents and in contents.int_contents"):
        proto_codec.parse_request(both)


def test_grpc_raw_bool_contents_take_only_bytes_0_and_1():
    request = pb.ModelInferRequest(model_name="m")
    request.inputs.add(name="b", datatype="BOOL", shape=[3])
    request.raw_input_contents.append(b"\x00\x01\x01")
    assert proto_codec.parse_request(request).inputs[0].data.tolist() == [False, True, True]
    request.raw_input_contents[0] = b"\x00\x02\x01"  # as REST refuses BOOL 2
    with pytest.raises(V2Error, match="raw BOOL contents hold a byte other than 0 or 1"):
        proto_codec.parse_request(request)

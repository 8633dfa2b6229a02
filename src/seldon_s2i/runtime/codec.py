"""The Seldon v1 message codec, shared by REST (JSON dicts) and gRPC (protos).

Decoding turns a SeldonMessage into what user methods receive (`Decoded`: X, names, meta, kind).
`shape_output` applies the response rules once for both transports (which payload field, tensor
or ndarray, names); `RestCodec` and `ProtoCodec` only materialise the result in their own form.

Documented transport differences kept from seldon-core 1.17.1 (spec §3.2): over REST a tensor of
integer values decodes to int64 and the request meta is passed as sent (None when absent); over
gRPC numbers arrive as float64 (protobuf doubles/ListValue) and meta is a dict ({} when empty).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import numpy as np
from google.protobuf import json_format

from seldon_s2i.runtime import encoding, jsonout
from seldon_s2i.runtime.errors import SeldonError
from seldon_s2i.runtime.proto import prediction_pb2 as pb
from seldon_s2i.runtime.proto import tensorflow_pb2 as tfpb

TENSOR = "tensor"
NDARRAY = "ndarray"
TFTENSOR = "tftensor"
BIN_DATA = "binData"
STR_DATA = "strData"
JSON_DATA = "jsonData"
CUSTOM_DATA = "customData"
NO_DATA = "none"  # no payload at all (health checks, feedback without data)

_DATA_KINDS = (TENSOR, NDARRAY, TFTENSOR)


@dataclass
class Decoded:
    """A request as user methods see it."""

    X: Any
    names: List[str]
    kind: str
    meta: Optional[Dict[str, Any]]

    @property
    def meta_dict(self) -> Dict[str, Any]:
        return self.meta if isinstance(self.meta, dict) else {}


@dataclass
class Output:
    """A user result after the response rules: which field, what value, which names."""

    kind: str
    value: Any
    names: List[str] = field(default_factory=list)


# --------------------------------------------------------------------------- response rules


@lru_cache(maxsize=64)
def default_names(width: int) -> Tuple[str, ...]:
    return tuple(f"t:{i}" for i in range(width))


def output_names(arr: np.ndarray, class_names: Optional[Callable[[], Any]]) -> List[str]:
    """§3.4: class_names() (or the attribute) for 2+ dimensions, else t:0..t:{shape[1]-1}.

    `class_names` returns None when the model has no names of its own.
    """
    if arr.ndim <= 1:
        return []
    names = class_names() if class_names is not None else None
    if names is not None:
        return list(names)
    return list(default_names(arr.shape[1]))


def shape_output(data: Any, request_kind: str, class_names: Optional[Callable[[], Any]] = None) -> Output:
    """§3.3: pick the payload field for a user result.

    dict -> jsonData, bytes -> binData, str -> strData; arrays: numeric ones keep the request's data
    kind (tensor, tftensor, ndarray) or become a tensor when the request carried no `data`; other
    arrays become an ndarray. Anything else is the reference's 400.

    A list sent as an ndarray is kept as the user built it (the reference's REST rule, utils.py
    construct_response_json: `[[1, 0.7, True]]` stays ints, floats and bools, not numpy's floats);
    the codecs convert its elements with `encoding`. Tensors are built from numpy's array of it.
    """
    if isinstance(data, dict):
        return Output(JSON_DATA, data)
    if isinstance(data, (bytes, bytearray)):
        return Output(BIN_DATA, bytes(data))
    if isinstance(data, str):
        return Output(STR_DATA, data)
    if isinstance(data, (np.ndarray, list)):
        try:
            arr = data if isinstance(data, np.ndarray) else np.array(data)
        except ValueError:
            arr = None  # ragged list: not numeric; sent as it is
        if arr is None or not np.issubdtype(arr.dtype, np.number):
            value = data.tolist() if isinstance(data, np.ndarray) else data
            names = output_names(arr, class_names) if arr is not None else []
            return Output(NDARRAY, value, names)
        kind = request_kind if request_kind in _DATA_KINDS else TENSOR
        value = data if kind == NDARRAY and isinstance(data, list) else arr
        return Output(kind, value, output_names(arr, class_names))
    raise SeldonError("Unknown data type returned as payload (must be list or np array):" + str(data))


# --------------------------------------------------------------------------- arrays


def tensor_from_values(values: Any, shape: Any) -> np.ndarray:
    """REST `data.tensor`: values reshaped; integer values stay int64 (reference behaviour)."""
    if not isinstance(values, list) or not isinstance(shape, list):
        raise SeldonError("data.tensor needs a list 'values' and a list 'shape'")
    try:
        arr = np.array(values)
    except ValueError as exc:
        raise SeldonError(f"data.tensor values are not a flat list of numbers: {exc}") from None
    if arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.number) or arr.size == 0):
        raise SeldonError("data.tensor values must be a flat list of numbers")
    return _reshape(arr, shape)


def _reshape(arr: np.ndarray, shape: Any) -> np.ndarray:
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        raise SeldonError(f"data.tensor shape must be a list of integers, got {shape!r}")
    try:
        return arr.reshape(shape)
    except ValueError as exc:
        raise SeldonError(f"data.tensor shape {shape} does not fit {arr.size} values: {exc}") from None


def ndarray_from_list(value: Any) -> np.ndarray:
    try:
        return np.array(value)
    except ValueError as exc:
        raise SeldonError(f"data.ndarray is not a rectangular array: {exc}") from None


# TensorFlow DataType <-> numpy, for tftensor without TensorFlow installed.
_TF_TO_NUMPY = {
    tfpb.DT_FLOAT: np.float32, tfpb.DT_DOUBLE: np.float64, tfpb.DT_INT32: np.int32, tfpb.DT_UINT8: np.uint8,
    tfpb.DT_INT16: np.int16, tfpb.DT_INT8: np.int8, tfpb.DT_STRING: np.object_, tfpb.DT_COMPLEX64: np.complex64,
    tfpb.DT_INT64: np.int64, tfpb.DT_BOOL: np.bool_, tfpb.DT_UINT16: np.uint16, tfpb.DT_COMPLEX128: np.complex128,
    tfpb.DT_HALF: np.float16, tfpb.DT_UINT32: np.uint32, tfpb.DT_UINT64: np.uint64,
}
_NUMPY_TO_TF = {np.dtype(v): k for k, v in _TF_TO_NUMPY.items() if v is not np.object_}
# Which repeated field holds the values when tensor_content is empty (TensorFlow's rules).
_TF_VALUE_FIELD = {
    tfpb.DT_FLOAT: "float_val", tfpb.DT_DOUBLE: "double_val", tfpb.DT_INT32: "int_val", tfpb.DT_UINT8: "int_val",
    tfpb.DT_INT16: "int_val", tfpb.DT_INT8: "int_val", tfpb.DT_UINT16: "int_val", tfpb.DT_INT64: "int64_val",
    tfpb.DT_BOOL: "bool_val", tfpb.DT_STRING: "string_val", tfpb.DT_HALF: "half_val",
    tfpb.DT_UINT32: "uint32_val", tfpb.DT_UINT64: "uint64_val", tfpb.DT_COMPLEX64: "scomplex_val",
    tfpb.DT_COMPLEX128: "dcomplex_val",
}


def tftensor_to_numpy(tensor: Any) -> np.ndarray:
    """TensorProto -> numpy (same result as tf.make_ndarray, without TensorFlow)."""
    dtype = _TF_TO_NUMPY.get(tensor.dtype)
    if dtype is None:
        raise SeldonError(f"tftensor dtype {tensor.dtype} is not supported")
    shape = [d.size for d in tensor.tensor_shape.dim]
    count = int(np.prod(shape)) if shape else 1
    if tensor.tensor_content and dtype is not np.object_:
        arr = np.frombuffer(tensor.tensor_content, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype)
        return _reshape(arr, shape)
    values = getattr(tensor, _TF_VALUE_FIELD[tensor.dtype])
    if tensor.dtype == tfpb.DT_HALF:
        arr = np.array(values, dtype=np.uint16).view(np.float16)
    elif dtype is np.complex64 or dtype is np.complex128:
        pairs = np.array(values, dtype=np.float32 if dtype is np.complex64 else np.float64)
        arr = pairs[0::2] + 1j * pairs[1::2]
    elif dtype is np.object_:
        arr = np.array(list(values), dtype=object)
    else:
        arr = np.array(values, dtype=dtype)
    if arr.size == count:
        return arr.reshape(shape)
    if arr.size == 0:
        return np.zeros(shape, dtype=dtype)
    # TensorFlow repeats the last value to fill the shape.
    filled = np.empty(count, dtype=arr.dtype)
    filled[: arr.size] = arr
    filled[arr.size:] = arr[-1]
    return filled.reshape(shape)


def numpy_to_tftensor(arr: np.ndarray) -> Any:
    """numpy -> TensorProto with tensor_content (what tf.make_tensor_proto produces for numbers)."""
    tensor = tfpb.TensorProto()
    native = arr.dtype if arr.dtype.isnative else arr.dtype.newbyteorder("=")
    dtype = _NUMPY_TO_TF.get(native)
    if dtype is None:
        raise SeldonError(f"cannot send a {arr.dtype} array as tftensor")
    tensor.dtype = dtype
    for size in arr.shape:
        tensor.tensor_shape.dim.add().size = size
    tensor.tensor_content = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    return tensor


# --------------------------------------------------------------------------- proto helpers


def _varint(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(buf: bytes, pos: int) -> Tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def tensor_values(tensor: Any) -> np.ndarray:
    """The doubles of a seldon.protos.Tensor as one float64 array, without a per-element loop.

    The message is re-serialised (a memcpy for packed doubles) and the packed payload of field 2
    is viewed with np.frombuffer.
    """
    raw = tensor.SerializeToString()
    chunks = []
    pos = 0
    while pos < len(raw):
        tag, pos = _read_varint(raw, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 2:
            length, pos = _read_varint(raw, pos)
            if number == 2:
                chunks.append(np.frombuffer(raw, dtype="<f8", count=length // 8, offset=pos))
            pos += length
        elif wire == 0:
            _, pos = _read_varint(raw, pos)
        elif wire == 1:
            if number == 2:
                chunks.append(np.frombuffer(raw, dtype="<f8", count=1, offset=pos))
            pos += 8
        elif wire == 5:
            pos += 4
        else:  # groups never occur in proto3 Tensor
            raise SeldonError("malformed Tensor message")
    if not chunks:
        return np.zeros(0, dtype=np.float64)
    values = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
    return values.astype(np.float64)  # native byte order and writable


def tensor_bytes(shape: Tuple[int, ...], arr: np.ndarray) -> bytes:
    """Serialised seldon.protos.Tensor for an array (packed fields written directly)."""
    parts = []
    if shape:
        packed = b"".join(_varint(int(d)) for d in shape)
        parts += [b"\x0a", _varint(len(packed)), packed]
    values = np.ascontiguousarray(arr, dtype="<f8").tobytes()
    if values:
        parts += [b"\x12", _varint(len(values)), values]
    return b"".join(parts)


def value_to_python(value: Any) -> Any:
    """google.protobuf.Value -> Python (numbers are floats, as MessageToDict gives)."""
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        return value.number_value
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "list_value":
        return list_value_to_python(value.list_value)
    if kind == "struct_value":
        return {k: value_to_python(v) for k, v in value.struct_value.fields.items()}
    return None


def list_value_to_python(list_value: Any) -> List[Any]:
    return [value_to_python(v) for v in list_value.values]


def ndarray_items(value: Any) -> List[Any]:
    """The elements of a gRPC `data.ndarray` ListValue: the JSON the REST transport sends for `value`
    (numeric arrays go through tolist() alone, everything else through `encoding.to_jsonable`).

    Raises TypeError for values the encoding rules refuse or a scalar (a 0-d array: no list)."""
    if isinstance(value, np.ndarray) and encoding.is_plain_array(value):
        items = value.tolist()
    else:
        items = encoding.to_jsonable(value)
    if not isinstance(items, list):
        raise TypeError(f"a gRPC data.ndarray must be a list, got {items!r} (return a list or a 1+-d array)")
    return items


# --------------------------------------------------------------------------- REST codec


def _b64decode(text: Union[str, bytes]) -> bytes:
    """Strict base64; whitespace (line-wrapped base64) is accepted, anything else is a 400.

    The reference drops invalid characters silently and hands the model corrupted bytes.
    """
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    try:
        compact = b"".join(text.split()) if isinstance(text, bytes) else "".join(text.split())
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SeldonError(f"binData is not valid base64: {exc}") from None


class RestCodec:
    """SeldonMessage as JSON-decoded dicts (the REST transport)."""

    transport = "rest"

    @staticmethod
    def decode(message: Any) -> Decoded:
        if not isinstance(message, dict):
            raise SeldonError(f"Invalid request data type: {message}")
        meta = message.get("meta")
        if meta is not None and not isinstance(meta, dict):
            raise SeldonError("meta must be a JSON object")
        if "data" in message:
            data = message["data"]
            if not isinstance(data, dict):
                raise SeldonError("data must be a JSON object")
            names = data.get("names") or []
            if not isinstance(names, list):
                raise SeldonError("data.names must be a list")
            if "tensor" in data:
                tensor = data["tensor"]
                if not isinstance(tensor, dict):
                    raise SeldonError("data.tensor must be an object with shape and values")
                X = tensor_from_values(tensor.get("values", []), tensor.get("shape", []))
                return Decoded(X, names, TENSOR, meta)
            if "ndarray" in data:
                return Decoded(ndarray_from_list(data["ndarray"]), names, NDARRAY, meta)
            if "tftensor" in data:
                if not isinstance(data["tftensor"], dict):
                    raise SeldonError("data.tftensor must be a TensorProto JSON object")
                try:
                    proto = json_format.ParseDict(data["tftensor"], tfpb.TensorProto())
                except json_format.ParseError as exc:
                    raise SeldonError(f"Invalid tftensor: {exc}") from None
                return Decoded(tftensor_to_numpy(proto), names, TFTENSOR, meta)
            return Decoded(np.array([]), names, NDARRAY, meta)
        if "jsonData" in message:
            return Decoded(message["jsonData"], [], JSON_DATA, meta)
        if "strData" in message:
            if not isinstance(message["strData"], str):
                raise SeldonError("strData must be a string")
            return Decoded(message["strData"], [], STR_DATA, meta)
        if "binData" in message:
            bin_data = message["binData"]
            if not isinstance(bin_data, (str, bytes)):  # bytes: a multipart file part, base64-encoded
                raise SeldonError("binData must be a base64 string")
            return Decoded(_b64decode(bin_data), [], BIN_DATA, meta)
        raise SeldonError(f"Invalid request data type: {message}")

    @staticmethod
    def decode_list(body: Any) -> List[Decoded]:
        if isinstance(body, dict) and isinstance(body.get("seldonMessages"), list):
            body = body["seldonMessages"]
        if not isinstance(body, list):
            raise SeldonError(f"Invalid request data type: {body}")
        if not body:
            raise SeldonError("Invalid request data type: an aggregate needs at least one SeldonMessage")
        return [RestCodec.decode(m) for m in body]

    @staticmethod
    def encode(output: Output, meta: Dict[str, Any]) -> Dict[str, Any]:
        kind, value = output.kind, output.value
        if kind == JSON_DATA:
            return {"jsonData": value, "meta": meta}
        if kind == BIN_DATA:
            return {"binData": base64.b64encode(value).decode("ascii"), "meta": meta}
        if kind == STR_DATA:
            return {"strData": value, "meta": meta}
        if kind == TENSOR:
            arr = jsonout.to_json_array(value)
            data = {"names": output.names, "tensor": {"shape": list(arr.shape), "values": arr.reshape(-1)}}
        elif kind == TFTENSOR:
            data = {"names": output.names, "tftensor": json_format.MessageToDict(numpy_to_tftensor(value))}
        else:
            if isinstance(value, np.ndarray):
                # A 0-d array is a scalar in JSON, as the reference's tolist() makes it.
                payload = value.item() if value.ndim == 0 else jsonout.to_json_array(value)
            else:
                payload = value
            data = {"names": output.names, "ndarray": payload}
        return {"data": data, "meta": meta}

    @staticmethod
    def raw_metrics(result: Any) -> List[Dict[str, Any]]:
        if isinstance(result, dict):
            meta = result.get("meta")
            if isinstance(meta, dict) and isinstance(meta.get("metrics"), list):
                return meta["metrics"]
        return []

    @staticmethod
    def strip_raw_metrics(result: Any) -> Any:
        if isinstance(result, dict) and isinstance(result.get("meta"), dict):
            result["meta"].pop("metrics", None)
        return result


# --------------------------------------------------------------------------- gRPC codec


def _meta_to_dict(message: Any) -> Dict[str, Any]:
    """message.meta as JSON-style dicts. Tags JSON cannot carry (NaN, Infinity) are the
    client's mistake: a 400, as the REST transport answers for them, not an internal error."""
    if not message.HasField("meta"):
        return {}
    try:
        return json_format.MessageToDict(message.meta)
    except json_format.Error as exc:
        raise SeldonError(f"meta cannot be represented as JSON: {exc}") from None


class ProtoCodec:
    """SeldonMessage protos (the gRPC transport, and feedback on both transports)."""

    transport = "grpc"

    @staticmethod
    def decode(message: Any) -> Decoded:
        meta = _meta_to_dict(message)
        which = message.WhichOneof("data_oneof")
        if which == "data":
            data = message.data
            names = list(data.names)
            data_kind = data.WhichOneof("data_oneof")
            if data_kind == "tensor":
                values = tensor_values(data.tensor)
                return Decoded(_reshape(values, list(data.tensor.shape)), names, TENSOR, meta)
            if data_kind == "ndarray":
                return Decoded(ndarray_from_list(list_value_to_python(data.ndarray)), names, NDARRAY, meta)
            if data_kind == "tftensor":
                return Decoded(tftensor_to_numpy(data.tftensor), names, TFTENSOR, meta)
            return Decoded(np.array([]), names, NDARRAY, meta)
        if which == "binData":
            return Decoded(message.binData, [], BIN_DATA, meta)
        if which == "strData":
            return Decoded(message.strData, [], STR_DATA, meta)
        if which == "jsonData":
            return Decoded(value_to_python(message.jsonData), [], JSON_DATA, meta)
        if which == "customData":
            return Decoded(message.customData, [], CUSTOM_DATA, meta)
        raise SeldonError(f"Invalid request data type: {json_format.MessageToJson(message)}")

    @staticmethod
    def decode_data_only(message: Any) -> Decoded:
        """Feedback decoding: only `.data` is read; any other payload gives an empty array."""
        if message.WhichOneof("data_oneof") == "data":
            return ProtoCodec.decode(message)
        return Decoded(np.array([]), [], NO_DATA, None)

    @staticmethod
    def decode_list(message_list: Any) -> List[Decoded]:
        if not message_list.seldonMessages:
            raise SeldonError("Invalid request data type: an aggregate needs at least one SeldonMessage")
        return [ProtoCodec.decode(m) for m in message_list.seldonMessages]

    @staticmethod
    def encode(output: Output, meta: Dict[str, Any]) -> Any:
        message = pb.SeldonMessage()
        if meta:
            json_format.ParseDict(meta, message.meta)
        else:
            message.meta.SetInParent()
        kind, value = output.kind, output.value
        if kind == JSON_DATA:
            # jsonData is a google.protobuf.Value: ParseDict takes any JSON value for it, not only a dict.
            json_format.ParseDict(encoding.to_jsonable(value), message.jsonData)  # type: ignore[arg-type]
        elif kind == BIN_DATA:
            message.binData = value
        elif kind == STR_DATA:
            message.strData = value
        else:
            data = message.data
            data.names.extend(output.names)
            if kind == TENSOR:
                data.tensor.SetInParent()
                data.tensor.MergeFromString(tensor_bytes(value.shape, value))
            elif kind == TFTENSOR:
                data.tftensor.CopyFrom(numpy_to_tftensor(value))
            else:
                data.ndarray.SetInParent()  # an empty list is still an ndarray
                data.ndarray.extend(ndarray_items(value))
        return message

    @staticmethod
    def raw_metrics(result: Any) -> List[Dict[str, Any]]:
        if result is not None and hasattr(result, "meta") and len(result.meta.metrics):
            return [json_format.MessageToDict(m) for m in result.meta.metrics]
        return []

    @staticmethod
    def strip_raw_metrics(result: Any) -> Any:
        if result is not None and hasattr(result, "meta"):
            del result.meta.metrics[:]
        return result

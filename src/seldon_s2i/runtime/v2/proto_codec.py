"""V2 gRPC messages (inference.ModelInferRequest / ModelInferResponse) <-> `InferRequest` / tensors.

Inputs come from the typed `contents` field of their datatype (BOOL bool_contents; INT8/16/32
int_contents; INT64 int64_contents; UINT8/16/32 uint_contents; UINT64 uint64_contents; FP32
fp32_contents; FP64 fp64_contents; BYTES bytes_contents) or, when the request has
`raw_input_contents`, from those raw little-endian bytes (one entry per input; BYTES elements each
preceded by a 4-byte little-endian length). FP16 has no typed field: raw only. Outputs use the same
form the request used: raw when the request was raw (or for FP16), typed contents otherwise.
"""

from __future__ import annotations

import math
import struct
from typing import Any, Dict, List, Tuple

import numpy as np

from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb
from seldon_s2i.runtime.v2.dataplane import InferRequest, InferResponse
from seldon_s2i.runtime.v2.tensors import DATATYPES, Tensor, V2Error, check_datatype, make_array

# Datatypes whose typed field has exactly their range (INT8/16 and UINT8/16 share wider fields: make_array checks them).
_EXACT_CONTENTS = frozenset({"BOOL", "INT32", "INT64", "UINT32", "UINT64", "FP32", "FP64"})
_CONTENTS_FIELD = {
    "BOOL": "bool_contents", "INT8": "int_contents", "INT16": "int_contents", "INT32": "int_contents",
    "INT64": "int64_contents", "UINT8": "uint_contents", "UINT16": "uint_contents", "UINT32": "uint_contents",
    "UINT64": "uint64_contents", "FP32": "fp32_contents", "FP64": "fp64_contents", "BYTES": "bytes_contents",
}


def parameters_to_dict(parameters: Any) -> Dict[str, Any]:
    """A map<string, InferParameter> as a dict of bool, int or str."""
    out: Dict[str, Any] = {}
    for key, value in parameters.items():
        choice = value.WhichOneof("parameter_choice")
        if choice is not None:
            out[key] = getattr(value, choice)
    return out


def fill_parameters(target: Any, parameters: Dict[str, Any]) -> None:
    """Write a dict into a map<string, InferParameter> (bool, int, anything else as its str)."""
    for key, value in parameters.items():
        if isinstance(value, bool):
            target[key].bool_param = value
        elif isinstance(value, int):
            target[key].int64_param = value
        else:
            target[key].string_param = str(value)


def _split_bytes(raw: bytes, where: str) -> List[bytes]:
    items, pos = [], 0
    while pos < len(raw):
        if pos + 4 > len(raw):
            raise V2Error(f"{where}: raw BYTES contents end inside a length prefix")
        (size,) = struct.unpack_from("<I", raw, pos)
        pos += 4
        if pos + size > len(raw):
            raise V2Error(f"{where}: raw BYTES element runs past the end of its contents")
        items.append(raw[pos:pos + size])
        pos += size
    return items


def _raw_array(name: str, datatype: str, shape: Any, raw: bytes) -> np.ndarray:
    where = f"input {name!r}"
    if datatype == "BYTES":
        return make_array(name, datatype, shape, _split_bytes(raw, where))
    dtype = DATATYPES[datatype].newbyteorder("<")
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise V2Error(f"{where}: raw contents have {len(raw)} bytes but shape {list(shape)} of {datatype} "
                      f"needs {math.prod(shape) * dtype.itemsize}")
    if datatype == "BOOL" and raw.translate(None, b"\x00\x01"):
        raise V2Error(f"{where}: raw BOOL contents hold a byte other than 0 or 1")
    return np.frombuffer(raw, dtype=dtype).astype(DATATYPES[datatype]).reshape(shape)


def _exact_array(name: str, datatype: str, shape: Tuple[int, ...], values: Any) -> np.ndarray:
    """The typed contents of a datatype whose field holds exactly its values (no range to check):
    one copy by np.fromiter, ~15x faster than make_array's checks for a small tensor (bench/serve_v2.py, (g))."""
    expected = math.prod(shape)
    if len(values) != expected:
        raise V2Error(f"input {name!r}: data has {len(values)} elements but shape {list(shape)} needs {expected}")
    return np.fromiter(values, DATATYPES[datatype], expected).reshape(shape)


def _input(tensor: Any, raw: Any) -> Tensor:
    name, datatype, shape = tensor.name, tensor.datatype, tuple(tensor.shape)
    where = f"input {name!r}"
    check_datatype(datatype, where)
    if any(d < 0 for d in shape):
        raise V2Error(f"{where}: shape must be a list of non-negative integers, got {list(shape)}")
    filled = [field.name for field, _ in tensor.contents.ListFields()]  # the contents fields that hold values
    if raw is not None and filled:
        raise V2Error(f"{where}: values both in raw_input_contents and in contents.{filled[0]}: send one")
    if raw is None and filled and filled != [_CONTENTS_FIELD.get(datatype)]:
        wanted = _CONTENTS_FIELD.get(datatype) or "raw_input_contents"
        raise V2Error(f"{where}: {datatype} values belong in {wanted}, got contents.{', contents.'.join(filled)}")
    if raw is not None:
        data = _raw_array(name, datatype, shape, raw)
    elif datatype == "FP16":
        raise V2Error(f"{where}: FP16 has no typed contents field: send it in raw_input_contents")
    elif datatype in _EXACT_CONTENTS:
        data = _exact_array(name, datatype, shape, getattr(tensor.contents, _CONTENTS_FIELD[datatype]))
    else:
        data = make_array(name, datatype, shape, list(getattr(tensor.contents, _CONTENTS_FIELD[datatype])))
    return Tensor(name, datatype, shape, data, parameters_to_dict(tensor.parameters))


def parse_request(message: Any) -> InferRequest:
    """A ModelInferRequest -> InferRequest; V2Error 400 when malformed."""
    raws = list(message.raw_input_contents)
    if raws and len(raws) != len(message.inputs):
        raise V2Error(f"raw_input_contents has {len(raws)} entries for {len(message.inputs)} inputs")
    inputs = [_input(t, raws[i] if raws else None) for i, t in enumerate(message.inputs)]
    return InferRequest(inputs=inputs, id=message.id or None, parameters=parameters_to_dict(message.parameters),
                        outputs=[o.name for o in message.outputs])


def _raw_bytes(tensor: Tensor) -> bytes:
    if tensor.datatype == "BYTES":
        parts = []
        for value in tensor.data.ravel().tolist():
            data = value if isinstance(value, bytes) else str(value).encode("utf-8")
            parts.append(struct.pack("<I", len(data)) + data)
        return b"".join(parts)
    return np.ascontiguousarray(tensor.data, dtype=tensor.data.dtype.newbyteorder("<")).tobytes()


def response_message(response: InferResponse, raw: bool) -> Any:
    """An InferResponse as ModelInferResponse: typed contents, or raw_output_contents when `raw` (and
    always for FP16, which has no typed field: then every output is raw, as the protocol requires)."""
    message = pb.ModelInferResponse(model_name=response.model_name, id=response.id)
    fill_parameters(message.parameters, response.parameters)
    raw = raw or any(t.datatype == "FP16" for t in response.outputs)
    for tensor in response.outputs:
        out = message.outputs.add(name=tensor.name, datatype=tensor.datatype, shape=tensor.shape)
        fill_parameters(out.parameters, tensor.parameters)
        if raw:
            message.raw_output_contents.append(_raw_bytes(tensor))
        elif tensor.datatype == "BYTES":
            out.contents.bytes_contents.extend(
                v if isinstance(v, bytes) else str(v).encode("utf-8") for v in tensor.data.ravel().tolist())
        else:
            getattr(out.contents, _CONTENTS_FIELD[tensor.datatype]).extend(tensor.data.ravel().tolist())
    return message

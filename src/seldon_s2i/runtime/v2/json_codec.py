"""V2 REST bodies (JSON) <-> `InferRequest` / output tensors.

Request: `{"id"?, "parameters"?, "inputs": [{"name", "shape", "datatype", "parameters"?, "data"}],
"outputs"?}`; `data` flat or nested in row-major order (as MLServer accepts it). Response:
`{"model_name", "id", "parameters", "outputs": [{"name", "shape", "datatype", "parameters"?,
"data"}]}` with `data` flat; BYTES elements as UTF-8 text (bytes that are not UTF-8: base64, with
the output's content_type set to base64). Errors: `{"error": "..."}` (MLServer's body).

Numeric tensors skip Python objects: a body of SIMDJSON_MIN_BYTES or more is parsed by simdjson
(pysimdjson), and the `data` of each numeric input is copied by its `as_buffer` straight from the JSON
text into a flat float64, int64 or uint64 numpy array, which `make_array` then checks and converts as it
does a list (an image-sized FP32 tensor: 1.8 ms instead of 6.8 ms by orjson and np.array). What that path
does not take (a string, null or true among numbers, a float in an integer tensor, a duplicate key,
invalid JSON) is parsed again by orjson and handled as before; BOOL and BYTES data are Python lists either
way. Both paths accept and refuse the same bodies with the same messages (test_v2_json_paths.py).
"""

from __future__ import annotations

import base64
import threading
from typing import Any, Dict, List, Literal, Tuple

import numpy as np
import orjson
import simdjson

from seldon_s2i.runtime.v2.dataplane import InferRequest, InferResponse
from seldon_s2i.runtime.v2.tensors import CONTENT_TYPE, Tensor, V2Error, check_shape, make_array


def _flatten(data: Any, where: str) -> Any:
    """`data` as a flat sequence in row-major order, however its lists nest (the count of values is
    checked against the shape, the nesting is not: simdjson's as_buffer flattens alike); a numpy array
    (the simdjson path's) as it is. A flat list is returned as it is without looking at every value:
    `_input` flattens again if make_array then finds a list among them."""
    if isinstance(data, np.ndarray):
        return data
    if not isinstance(data, list):
        raise V2Error(f"{where}: data must be a list, got {type(data).__name__}")
    if not data or not isinstance(data[0], list):
        return data
    return _flatten_all(data)


def _flatten_all(data: List[Any]) -> List[Any]:
    """Every non-list value of nested lists, depth first (no recursion: JSON nests up to 1024 deep)."""
    flat: List[Any] = []
    stack = [iter(data)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            flat.append(item)
        else:
            stack.pop()
    return flat


def _parameters(value: Any, where: str) -> Dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise V2Error(f"{where}: parameters must be an object")
    return value


def _input(item: Any, index: int) -> Tensor:
    if not isinstance(item, dict):
        raise V2Error(f"inputs[{index}] must be an object")
    name = item.get("name")
    if not isinstance(name, str):
        raise V2Error(f"inputs[{index}]: name must be a string")
    where = f"input {name!r}"
    for key in ("shape", "datatype", "data"):
        if key not in item:
            raise V2Error(f"{where}: {key} is missing")
    shape = check_shape(item["shape"], where)
    parameters = _parameters(item.get("parameters"), where)
    values = _flatten(item["data"], where)
    try:
        array = make_array(name, item["datatype"], shape, values)
    except V2Error:
        if not isinstance(values, list) or not any(isinstance(value, list) for value in values):
            raise
        array = make_array(name, item["datatype"], shape, _flatten_all(values))  # [1, [2]]
    return Tensor(name, item["datatype"], shape, array, parameters)


# V2 datatype -> simdjson's as_buffer type and the numpy dtype of what it returns (BOOL, BYTES: none).
_BUFFER_TYPES: Dict[str, Tuple[Literal["d", "i", "u"], np.dtype]] = {
    **{name: ("d", np.dtype(np.float64)) for name in ("FP16", "FP32", "FP64")},
    **{name: ("i", np.dtype(np.int64)) for name in ("INT8", "INT16", "INT32", "INT64")},
    **{name: ("u", np.dtype(np.uint64)) for name in ("UINT8", "UINT16", "UINT32", "UINT64")},
}
# Below this body size orjson is quicker: the simdjson path's Python per input field costs ~4 us, more
# than a few dozen Python floats (a [1,3] tensor: 0.5 us by orjson, 4.9 us by simdjson).
SIMDJSON_MIN_BYTES = 1024
# What simdjson raises for a body or an element it does not take (the orjson path then decides).
_SIMDJSON_ERRORS = (ValueError, TypeError, KeyError, IndexError, RuntimeError, UnicodeDecodeError)


def _native(value: Any) -> Any:
    """A simdjson element as the Python value orjson would give (dict, list, str, int, float, bool, None)."""
    if isinstance(value, simdjson.Object):
        return value.as_dict()
    if isinstance(value, simdjson.Array):
        return value.as_list()
    return value


def _fields(obj: Any, skip: str) -> Dict[str, Any]:
    """A simdjson Object's members but `skip` as Python values. KeyError for a duplicate key (orjson
    keeps the last one, simdjson's lookup finds the first: such a body goes the orjson way)."""
    keys = list(obj.keys())
    if len(set(keys)) != len(keys):
        raise KeyError("duplicate key")
    return {key: _native(obj[key]) for key in keys if key != skip}


def _numeric_input(item: Any) -> Any:
    """One element of `inputs`: an object's `data` as a flat numpy array when its datatype takes a buffer."""
    if not isinstance(item, simdjson.Object):
        return _native(item)
    doc = _fields(item, skip="data")
    if "data" in item:
        data, buffer = item["data"], _BUFFER_TYPES.get(doc.get("datatype"))  # type: ignore[arg-type]
        if buffer is not None and isinstance(data, simdjson.Array):
            array = np.frombuffer(data.as_buffer(of_type=buffer[0]), dtype=buffer[1])
            if buffer[0] == "d" and doc["datatype"] != "FP64" and array.size and np.abs(array).max() > _EXACT_DOUBLE:
                # an integer beyond 2**53 would be rounded twice (to a double, then to FP32/FP16) where
                # orjson's path rounds it once: such data goes that way (so do floats as large: same result)
                raise ValueError("beyond 2**53")
            doc["data"] = array
        else:
            doc["data"] = _native(data)
    return doc


# A parser keeps its buffers (about the size of the largest body it parsed) for the next body: reused, it
# parses an image-sized tensor in ~1.5 ms; a new one per body took ~4.7 ms, mostly page faults on fresh
# memory. Bodies larger than this get a parser of their own, so that no worker keeps a huge one.
REUSED_PARSER_MAX_BYTES = 16 * 1024 * 1024
_parsers = threading.local()


def _parse_document(body: bytes) -> Any:
    """simdjson's document of `body`, parsed by this thread's parser (by a new one for a body over
    REUSED_PARSER_MAX_BYTES). A parser parses again only once nothing of its last document is referenced:
    _parse_numeric keeps nothing past its return, and parse_request's except drops an error's traceback;
    should something still hold one, the thread gets a new parser rather than an error."""
    if len(body) > REUSED_PARSER_MAX_BYTES:
        return simdjson.Parser().parse(body)
    parser = getattr(_parsers, "parser", None)
    if parser is not None:
        try:
            return parser.parse(body)
        except RuntimeError:  # "Tried to re-use a parser while ... objects still exist"
            pass
    parser = _parsers.parser = simdjson.Parser()
    return parser.parse(body)


_EXACT_DOUBLE = 2.0 ** 53
_UTF8_BOM = b"\xef\xbb\xbf"


def _parse_numeric(body: bytes) -> Any:
    """The body as orjson.loads would give it, but each numeric input's `data` a flat numpy array
    (float64, int64 or uint64). Raises one of _SIMDJSON_ERRORS for anything it does not take: a value
    that is not a number of the buffer's type (a string, null, true, 1.5 as an integer), invalid JSON."""
    if body.startswith(_UTF8_BOM):
        raise ValueError("byte order mark")  # simdjson skips it; orjson refuses it (400)
    doc = _parse_document(body)
    if not isinstance(doc, simdjson.Object):
        return _native(doc)
    top = _fields(doc, skip="inputs")
    if "inputs" in doc:
        inputs = doc["inputs"]
        top["inputs"] = ([_numeric_input(item) for item in inputs] if isinstance(inputs, simdjson.Array)
                         else _native(inputs))
    return top


def parse_request(body: bytes) -> InferRequest:
    """A REST infer body -> InferRequest; V2Error 400 for invalid JSON or a malformed request."""
    try:
        doc = _parse_numeric(body) if len(body) >= SIMDJSON_MIN_BYTES else _loads(body)
    except _SIMDJSON_ERRORS:
        doc = _loads(body)
    return _request(doc)


def _loads(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise V2Error(f"request body is not valid JSON: {exc}") from None


def _request(doc: Any) -> InferRequest:
    if not isinstance(doc, dict):
        raise V2Error("request body must be a JSON object")
    inputs = doc.get("inputs")
    if not isinstance(inputs, list):
        raise V2Error("inputs is missing or not a list")
    request_id = doc.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise V2Error("id must be a string")
    outputs = doc.get("outputs") or []
    if not isinstance(outputs, list) or not all(isinstance(o, dict) and isinstance(o.get("name"), str)
                                                for o in outputs):
        raise V2Error("outputs must be a list of objects with a name")
    return InferRequest(id=request_id, parameters=_parameters(doc.get("parameters"), "request"),
                        inputs=[_input(item, i) for i, item in enumerate(inputs)],
                        outputs=[o["name"] for o in outputs])


def _bytes_data(tensor: Tensor) -> List[Any]:
    values = tensor.data.ravel().tolist()
    if not any(isinstance(v, bytes) for v in values):
        return values
    try:
        return [v.decode("utf-8") if isinstance(v, bytes) else v for v in values]
    except UnicodeDecodeError:
        tensor.parameters[CONTENT_TYPE] = "base64"
        return [base64.b64encode(v if isinstance(v, bytes) else v.encode()).decode("ascii") for v in values]


def _output(tensor: Tensor) -> Dict[str, Any]:
    if tensor.datatype == "BYTES":
        data: Any = _bytes_data(tensor)
    elif tensor.datatype == "FP16":  # orjson serialises no float16
        data = tensor.data.ravel().tolist()
    else:
        data = np.ascontiguousarray(tensor.data).ravel()
    out: Dict[str, Any] = {"name": tensor.name, "shape": list(tensor.shape), "datatype": tensor.datatype}
    if tensor.parameters:
        out["parameters"] = tensor.parameters
    out["data"] = data
    return out


def response_body(response: InferResponse) -> bytes:
    """An InferResponse as the REST body (bytes)."""
    doc: Dict[str, Any] = {"model_name": response.model_name, "id": response.id,
                           "parameters": response.parameters}  # {} too, as MLServer
    doc["outputs"] = [_output(t) for t in response.outputs]
    return orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY)


def error_body(message: str) -> bytes:
    """MLServer's error body: {"error": message}."""
    return orjson.dumps({"error": message})


def dumps(doc: Any) -> bytes:
    """Any JSON document (health, metadata) as bytes."""
    return orjson.dumps(doc)

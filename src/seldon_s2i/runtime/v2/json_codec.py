"""V2 REST bodies (JSON) <-> `InferRequest` / output tensors.

Request: `{"id"?, "parameters"?, "inputs": [{"name", "shape", "datatype", "parameters"?, "data"}],
"outputs"?}`; `data` flat or nested in row-major order (as MLServer accepts it). Response:
`{"model_name", "id", "parameters", "outputs": [{"name", "shape", "datatype", "parameters"?,
"data"}]}` with `data` flat; BYTES elements as UTF-8 text (bytes that are not UTF-8: base64, with
the output's content_type set to base64). Errors: `{"error": "..."}` (MLServer's body).
"""

from __future__ import annotations

import base64
from typing import Any, Dict, List

import numpy as np
import orjson

from seldon_s2i.runtime.v2.dataplane import InferRequest, InferResponse
from seldon_s2i.runtime.v2.tensors import CONTENT_TYPE, Tensor, V2Error, check_shape, make_array


def _flatten(data: Any, where: str) -> List[Any]:
    if not isinstance(data, list):
        raise V2Error(f"{where}: data must be a list, got {type(data).__name__}")
    if not data or not isinstance(data[0], list):
        return data  # flat (a list among the values fails make_array's numpy conversion: 400)
    flat: List[Any] = []
    for item in data:
        flat.extend(_flatten(item, where))
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
    return Tensor(name, item["datatype"], shape, make_array(name, item["datatype"], shape, values), parameters)


def parse_request(body: bytes) -> InferRequest:
    """A REST infer body -> InferRequest; V2Error 400 for invalid JSON or a malformed request."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise V2Error(f"request body is not valid JSON: {exc}") from None
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

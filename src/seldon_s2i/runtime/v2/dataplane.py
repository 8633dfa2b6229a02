"""The transport-neutral V2 data plane: health, metadata and infer over the shared `Component`.

REST (`rest`) and gRPC (`grpc_service`) only translate their wire forms to these calls. The user
object is the same seldon-core class the v1 protocol serves: infer calls its `predict` (service
type MODEL), `transform_input` (TRANSFORMER) or `transform_output` (OUTPUT_TRANSFORMER) with the
`X, names` of `tensors.user_arguments`, and encodes the result with `tensors.outputs_of`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from importlib import metadata as distribution
from typing import Any, Dict, List, Optional

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime.component import Component, unwrap_response
from seldon_s2i.runtime.settings import V2_SERVICE_TYPES
from seldon_s2i.runtime.v2.tensors import CONTENT_TYPE, Tensor, V2Error, is_dataframe, outputs_of, user_arguments

SERVER_NAME = "seldon-s2i"
# Service type -> the user method infer calls (absent method: the inputs pass through, as v1's transformers).
INFER_METHODS = dict(zip(V2_SERVICE_TYPES, ("predict", "transform_input", "transform_output")))


@dataclass
class InferRequest:
    """A decoded V2 infer request (either transport); `outputs` are the requested output names."""

    inputs: List[Tensor]
    id: Optional[str] = None
    parameters: Dict[str, Any] = field(default_factory=dict)
    outputs: List[str] = field(default_factory=list)


@dataclass
class InferResponse:
    model_name: str
    id: str
    outputs: List[Tensor]
    parameters: Dict[str, Any] = field(default_factory=dict)


def _server_version() -> str:
    try:
        return distribution.version(SERVER_NAME)
    except distribution.PackageNotFoundError:
        return "unknown"


def model_name_for(configured: Optional[str], user: Any) -> str:
    """The V2 model name: MLSERVER_MODEL_NAME or PREDICTIVE_UNIT_ID (`configured`), else the class name."""
    return configured or type(user).__name__


def _tensor_metadata(items: Any) -> List[Dict[str, Any]]:
    """Seldon metadata inputs/outputs that are V2 tensors (name, datatype, shape); others are left out."""
    out = []
    for item in items or ():
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("datatype"), str):
            out.append({"name": item["name"], "datatype": item["datatype"], "shape": list(item.get("shape") or [])})
    return out


class DataPlane:
    """V2 calls of one model: `component` wraps the user object; `metadata` is the Seldon model metadata
    (init_metadata() merged with MODEL_METADATA, runtime.metadata.build) or None when invalid."""

    def __init__(self, component: Component, model_name: str, metadata: Optional[Dict[str, Any]]) -> None:
        self.component = component
        self.model_name = model_name
        self.service_type = component.settings.service_type
        self.method = INFER_METHODS.get(self.service_type)
        versions = [str(v) for v in (metadata or {}).get("versions") or [] if v]
        self.versions = [v for v in versions if v != "NOT_IMPLEMENTED"]
        self._metadata = self._model_metadata(metadata)

    def _model_metadata(self, metadata: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        metadata = metadata or {}
        doc: Dict[str, Any] = {"name": self.model_name, "versions": self.versions,
                               "platform": str(metadata.get("platform") or ""),
                               "inputs": _tensor_metadata(metadata.get("inputs")),
                               "outputs": _tensor_metadata(metadata.get("outputs"))}
        custom = metadata.get("custom")
        doc["parameters"] = {str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {}
        return doc

    # ------------------------------------------------------------------ health and metadata

    def server_metadata(self) -> Dict[str, Any]:
        return {"name": SERVER_NAME, "version": _server_version(), "extensions": []}

    def check_model(self, name: str, version: Optional[str] = None) -> None:
        """V2Error 404 unless `name` (and `version`, when given) is the served model."""
        if name != self.model_name:
            raise V2Error(f"Model {name} not found", 404)
        if version and version not in self.versions:
            raise V2Error(f"Model {name} with version {version} not found", 404)

    def model_metadata(self, name: str, version: Optional[str] = None) -> Dict[str, Any]:
        self.check_model(name, version)
        return self._metadata

    # ------------------------------------------------------------------ infer

    def infer(self, name: str, version: Optional[str], request: InferRequest) -> InferResponse:
        """Call the user's method; V2Error 404 (unknown model), 400 (bad request or a service type with
        no V2 meaning), 500 (an output no V2 tensor can hold); the user's own exceptions propagate."""
        self.check_model(name, version)
        if self.method is None:
            raise V2Error(f"SERVICE_TYPE={self.service_type} has no Open Inference (V2) meaning (only MODEL, "
                          "TRANSFORMER and OUTPUT_TRANSFORMER do): serve it with PROTOCOL=v1")
        if not request.inputs:  # REST `"inputs": []`, a gRPC request without inputs
            raise V2Error("inputs is empty: an inference request needs at least one input")
        X, names = user_arguments(request.inputs, request.parameters)
        component = self.component
        if component.has(self.method):
            meta = {"tags": dict(request.parameters)} if request.parameters else {}
            result = component.call_user(self.method, c.Decoded(X, names, "v2", meta))
        else:
            result = X
        data, _, _ = unwrap_response(result)
        outputs = outputs_of(data, component.class_names)
        if request.outputs:
            wanted = set(request.outputs)
            outputs = [t for t in outputs if t.name in wanted]
        if is_dataframe(data):  # as MLServer's PandasCodec.encode_response
            content_type: Optional[str] = "pd"
        else:
            content_type = outputs[0].content_type if len(outputs) == 1 and not isinstance(data, dict) else None
        parameters = {CONTENT_TYPE: content_type} if content_type else {}
        return InferResponse(self.model_name, request.id or str(uuid.uuid4()), outputs, parameters)

"""gRPC cases (spec §5) sent to both implementations through the reference's proto. Ids: grpc-<model>-<rpc>-<what>."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from cases_rest import JPEG, b64


@dataclass(frozen=True)
class GrpcCase:
    id: str
    model: str
    service: str
    rpc: str
    request: Optional[Dict[str, Any]] = None


CASES: List[GrpcCase] = []


def add(what: str, model: str, service: str, rpc: str, request: Optional[Dict[str, Any]] = None) -> None:
    CASES.append(GrpcCase(f"grpc-{model}-{what}", model, service, rpc, request))


SMALL = {"data": {"ndarray": [[1.0, 2.0]]}}
for kind, payload in {
    "ndarray": SMALL,
    "ndarray-strings": {"data": {"ndarray": [["a", "b"]]}},
    "ndarray-mixed": {"data": {"ndarray": [[1, "a"]]}},
    "ndarray-empty": {"data": {"ndarray": []}},
    "tensor": {"data": {"tensor": {"shape": [2, 2], "values": [1, 2, 3, 4.5]}}},
    "tensor-1d": {"data": {"tensor": {"shape": [3], "values": [1, 2, 3]}}},
    "tensor-names": {"data": {"names": ["a", "b"], "tensor": {"shape": [1, 2], "values": [1, 2]}}},
    "bindata": {"binData": b64(b"\x00bytes\xff")},
    "strdata": {"strData": "héllo"},
    "jsondata": {"jsonData": {"a": [1, 2], "b": {"c": "d"}}},
    "no-payload": {},
    "meta-puid-tags": {"meta": {"puid": "g1", "tags": {"a": "b", "n": 1}}, "data": {"ndarray": [[1]]}},
    "meta-metrics-routing-path": {"meta": {"metrics": [{"key": "c", "type": "COUNTER", "value": 1},
                                                       {"key": "g", "type": "GAUGE", "value": 2.5, "tags": {"x": "y"}}],
                                           "routing": {"r": 2}, "requestPath": {"p": "i:1"}},
                                  "strData": "x"},
    "tensor-shape-mismatch": {"data": {"tensor": {"shape": [3, 3], "values": [1, 2]}}},
}.items():
    add(f"predict-{kind}", "echo", "Model", "Predict", payload)
add("seldon-predict", "echo", "Seldon", "Predict", SMALL)
add("generic-transform-input", "echo", "Generic", "TransformInput", SMALL)
add("generic-transform-output", "echo", "Generic", "TransformOutput", {"strData": "x"})
add("generic-route-not-defined", "echo", "Generic", "Route", SMALL)
add("combiner-aggregate-not-defined", "echo", "Combiner", "Aggregate", {"seldonMessages": [SMALL]})
add("send-feedback-not-defined", "echo", "Model", "SendFeedback", {"request": SMALL, "reward": 1})
add("metadata-default", "echo", "Model", "Metadata")
add("seldon-model-metadata", "echo", "Seldon", "ModelMetadata", {"name": "x"})
add("seldon-graph-metadata", "echo", "Seldon", "GraphMetadata")
add("predict-jpeg", "image", "Model", "Predict", {"binData": b64(JPEG)})
add("predict-with-meta", "meta_aware", "Model", "Predict", {"meta": {"tags": {"x": 1}}, "data": {"ndarray": [[1, 2]]}})
add("predict-no-meta", "meta_aware", "Model", "Predict", {"data": {"tensor": {"shape": [1, 2], "values": [1, 2]}}})
add("predict", "class_names", "Model", "Predict", SMALL)
add("predict", "tags_metrics", "Model", "Predict", {"meta": {"tags": {"req": "r"}}, "data": {"ndarray": [[1, 2]]}})
add("transform-input", "tags_metrics", "Transformer", "TransformInput", SMALL)
add("send-feedback", "tags_metrics", "Model", "SendFeedback", {"request": SMALL, "reward": 0.5})
add("predict", "seldon_response", "Model", "Predict", SMALL)
add("predict", "raw", "Model", "Predict", {"strData": "hi", "meta": {"puid": "r"}})
add("predict-fallback", "raw", "Model", "Predict", {"strData": "fallback"})
add("transform-input", "raw", "Generic", "TransformInput", {"strData": "x", "meta": {"tags": {"k": "v"}}})
add("transform-output", "raw", "OutputTransformer", "TransformOutput", {"strData": "x"})
add("route", "raw", "Router", "Route", SMALL)
add("aggregate", "raw", "Combiner", "Aggregate", {"seldonMessages": [SMALL, SMALL]})
for value, label in [(0, "int-0"), (1, "int-1"), (2, "np-int64"), (3, "raises")]:
    add(f"route-{label}", "router", "Router", "Route", {"data": {"ndarray": [[value, 9]]}})
add("generic-route", "router", "Generic", "Route", {"data": {"tensor": {"shape": [1, 1], "values": [1]}}})
add("transform-input", "transformer", "Transformer", "TransformInput", {"data": {"ndarray": [[1, 2]]}})
add("generic-transform-input-str", "transformer", "Generic", "TransformInput", {"strData": "shout"})
add("transform-output", "output_transformer", "OutputTransformer", "TransformOutput", {"data": {"ndarray": [[1, 2]]}})
add("aggregate", "combiner", "Combiner", "Aggregate", {"seldonMessages": [
    {"data": {"ndarray": [[1.0, 2.0]]}, "meta": {"puid": "c1", "tags": {"a": 1}}},
    {"data": {"ndarray": [[3.0, 4.0]]}, "meta": {"tags": {"b": 2}}}]})
add("generic-aggregate-tensor", "combiner", "Generic", "Aggregate", {"seldonMessages": [
    {"data": {"tensor": {"shape": [1, 2], "values": [1, 2]}}}, {"data": {"tensor": {"shape": [1, 2], "values": [3, 4]}}}]})
add("transform-input", "outlier", "Transformer", "TransformInput", {"data": {"ndarray": [[1, 2], [300, 4]]}})
add("send-feedback", "feedback", "Model", "SendFeedback",
    {"request": {"data": {"ndarray": [[1, 2]]}}, "response": {"meta": {"routing": {"my-unit": 1}}}, "reward": 1.5,
     "truth": {"data": {"ndarray": [[1]]}}})
add("router-send-feedback", "feedback", "Router", "SendFeedback", {"request": {"strData": "x"}, "reward": 0})
add("seldon-send-feedback", "feedback", "Seldon", "SendFeedback", {"reward": 2})
add("metadata", "metadata", "Model", "Metadata")
add("seldon-model-metadata", "metadata", "Seldon", "ModelMetadata", {})
add("metadata-invalid", "bad_metadata", "Model", "Metadata")
add("metadata-image", "health", "Model", "Metadata")
for behaviour in ["seldon-418", "seldon-default", "plain", "none", "tuple"]:
    add(f"predict-{behaviour}", "faulty", "Model", "Predict", {"strData": behaviour})
add("predict", "params", "Model", "Predict", {"strData": "x"})
for kind in ["strings", "mixed_list", "dict", "str", "bytes", "ints", "uint8", "empty", "floats32"]:
    add(f"predict-{kind}", "outputs", "Model", "Predict", {"strData": kind})

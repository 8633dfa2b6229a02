"""REST request cases sent to both implementations (spec §2-§4). Ids read as `<model>-<endpoint>-<what>`."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

UNSET = object()


@dataclass(frozen=True)
class RestCase:
    id: str
    model: str
    path: str
    method: str = "POST"
    json: Any = UNSET  # sent as application/json
    body: Optional[bytes] = None  # sent as is, with content_type (None = no Content-Type header)
    content_type: Optional[str] = None
    form: Optional[Dict[str, str]] = None  # application/x-www-form-urlencoded
    query: Optional[Dict[str, str]] = None
    files: Optional[Dict[str, Tuple[Optional[str], bytes]]] = None  # multipart: name -> (filename, content)
    headers: Dict[str, str] = field(default_factory=dict)

    def request_has_puid(self) -> bool:
        return "puid" in json.dumps(self.json if self.json is not UNSET else None) + str(self.form) + str(self.query) \
            + str(self.files)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def q(payload: Any) -> Dict[str, str]:
    return {"json": json.dumps(payload)}


CASES: List[RestCase] = []


def add(case_id: str, model: str, path: str = "/predict", **kwargs) -> None:
    CASES.append(RestCase(f"{model}-{case_id}", model, path, **kwargs))


# --- echo: every payload kind on /predict -------------------------------------------------------------------
ECHO_PAYLOADS = {
    "ndarray-ints": {"data": {"ndarray": [[1, 2], [3, 4]]}},
    "ndarray-floats": {"data": {"ndarray": [[1.0, 2.5]]}},
    "ndarray-1d": {"data": {"ndarray": [1, 2, 3]}},
    "ndarray-3d": {"data": {"ndarray": [[[1, 2], [3, 4]]]}},
    "ndarray-strings": {"data": {"ndarray": [["a", "b"], ["c", "d"]]}},
    "ndarray-mixed": {"data": {"ndarray": [[1, "a", 2.5]]}},
    "ndarray-bools": {"data": {"ndarray": [[True, False]]}},
    "ndarray-empty": {"data": {"ndarray": []}},
    "ndarray-empty-nested": {"data": {"ndarray": [[]]}},
    "ndarray-unicode": {"data": {"ndarray": [["é", "€", "\U0001F600"]]}},
    "ndarray-scalar": {"data": {"ndarray": 5}},
    "ndarray-small-big-floats": {"data": {"ndarray": [[1e-05, 1e20, 0.1, -0.0]]}},
    "ndarray-with-names": {"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}},
    "tensor-floats": {"data": {"tensor": {"shape": [2, 2], "values": [1.0, 2.0, 3.0, 4.5]}}},
    "tensor-ints": {"data": {"tensor": {"shape": [1, 3], "values": [1, 2, 3]}}},
    "tensor-1d": {"data": {"tensor": {"shape": [3], "values": [1.5, 2.5, 3.5]}}},
    "tensor-with-names": {"data": {"names": ["x", "y"], "tensor": {"shape": [1, 2], "values": [1, 2]}}},
    "data-no-payload": {"data": {}},
    "data-only-names": {"data": {"names": ["a"]}},
    "bindata": {"binData": b64(b"\x00\x01hello\xff")},
    "bindata-empty": {"binData": ""},
    "strdata": {"strData": "hello world"},
    "strdata-unicode": {"strData": "héllo €"},
    "strdata-empty": {"strData": ""},
    "jsondata-dict": {"jsonData": {"b": 1, "a": [1, 2.5, "x"], "c": {"d": None}}},
    "jsondata-list": {"jsonData": [1, 2, 3]},
    "jsondata-number": {"jsonData": 3.5},
    "jsondata-string": {"jsonData": "text"},
    "jsondata-null": {"jsonData": None},
    "data-and-strdata": {"data": {"ndarray": [[1]]}, "strData": "ignored"},
    "strdata-and-bindata": {"strData": "chosen", "binData": b64(b"not chosen")},
    "meta-puid": {"meta": {"puid": "my-puid-123"}, "data": {"ndarray": [[1]]}},
    "meta-tags": {"meta": {"tags": {"t1": "v", "n": 2, "l": [1, 2]}}, "data": {"ndarray": [[1]]}},
    "meta-metrics": {"meta": {"metrics": [{"key": "in_c", "type": "COUNTER", "value": 1},
                                          {"key": "in_g", "type": "GAUGE", "value": 2, "tags": {"a": "b"}}]},
                     "strData": "m"},
    "meta-routing": {"meta": {"routing": {"r": 1}}, "data": {"ndarray": [[1]]}},
    "meta-requestpath": {"meta": {"requestPath": {"other": "img:1"}}, "data": {"ndarray": [[1]]}},
    "meta-empty": {"meta": {}, "data": {"ndarray": [[1]]}},
    "status-field-ignored": {"status": {"code": 200}, "data": {"ndarray": [[1]]}},
}
for kind, payload in ECHO_PAYLOADS.items():
    add(f"predict-{kind}", "echo", json=payload)

# --- echo: every way of sending a request, every route ----------------------------------------------------
SMALL = {"data": {"ndarray": [[1.0, 2.0]]}}
add("v01-predictions", "echo", "/api/v0.1/predictions", json=SMALL)
add("v10-predictions", "echo", "/api/v1.0/predictions", json=SMALL)
add("v10-predictions-query-json", "echo", "/api/v1.0/predictions", query=q(SMALL))
add("predict-get-query-json", "echo", "/predict", method="GET", query=q(SMALL))
add("predict-get-no-json", "echo", "/predict", method="GET")
add("predict-form-json", "echo", form=q({"strData": "from a form"}))
add("predict-form-json-puid", "echo", form=q({"strData": "f", "meta": {"puid": "p1"}}))
add("predict-multipart-bindata", "echo",
    files={"binData": ("img.jpg", b"\xff\xd8\xff binary"), "meta": (None, b'{"puid": "mp", "tags": {"a": 1}}')})
add("predict-multipart-strdata", "echo", files={"strData": (None, b"raw text, not JSON")})
add("predict-multipart-jsondata", "echo", files={"jsonData": (None, b'{"x": [1, 2]}')})
add("predict-multipart-data", "echo", files={"data": (None, b'{"ndarray": [[1, 2]]}')})
add("predict-json-charset", "echo", body=json.dumps(SMALL).encode(), content_type="application/json; charset=utf-8")
add("predict-bom-less-unicode-body", "echo", body='{"strData": "ü"}'.encode(), content_type="application/json")
add("get-v01-predictions", "echo", "/api/v0.1/predictions", method="GET", query=q(SMALL))
add("transform-input", "echo", "/transform-input", json=SMALL)
add("transform-input-get", "echo", "/transform-input", method="GET", query=q({"strData": "x"}))
add("transform-output", "echo", "/transform-output", json={"jsonData": {"a": 1}})
add("route-not-defined", "echo", "/route", json=SMALL)
add("aggregate-not-defined", "echo", "/aggregate", json=[SMALL, SMALL])
add("send-feedback-not-defined", "echo", "/send-feedback",
    json={"request": SMALL, "response": SMALL, "reward": 1.0})
add("send-feedback-no-data", "echo", "/send-feedback", json={"request": {"strData": "x"}, "reward": 0})
add("health-ping", "echo", "/health/ping", method="GET")
add("health-status-default", "echo", "/health/status", method="GET")
add("v10-health-status", "echo", "/api/v1.0/health/status", method="GET")
add("metadata-default", "echo", "/metadata", method="GET")
add("v10-metadata-default", "echo", "/api/v1.0/metadata", method="GET")
add("seldon-json", "echo", "/seldon.json", method="GET")

add("predict-cors-preflight", "echo", "/predict", method="OPTIONS",
    headers={"Origin": "http://example.com", "Access-Control-Request-Method": "POST"})
add("predict-head", "echo", "/predict", method="HEAD")
add("ping-with-origin", "echo", "/health/ping", method="GET", headers={"Origin": "http://example.com"})

# --- errors -----------------------------------------------------------------------------------------------
add("malformed-json", "echo", body=b'{"data": ', content_type="application/json")
add("no-content-type", "echo", body=json.dumps(SMALL).encode(), content_type=None)
add("text-plain", "echo", body=json.dumps(SMALL).encode(), content_type="text/plain")
add("empty-body", "echo", body=b"", content_type="application/json")
add("empty-object", "echo", json={})
add("bare-list", "echo", json=[1, 2])
add("unknown-key", "echo", json={"foo": 1})
add("json-string", "echo", json="just a string")
add("json-null", "echo", json=None)
add("form-bad-json", "echo", form={"json": "{not json"})
add("query-bad-json", "echo", "/predict", method="GET", query={"json": "{"})
add("unknown-route", "echo", "/no/such/route", json=SMALL)
add("unknown-route-get", "echo", "/api/v2/models", method="GET")
add("wrong-method-delete", "echo", "/predict", method="DELETE")
add("wrong-method-put", "echo", "/api/v1.0/predictions", method="PUT", json=SMALL)
add("wrong-method-post-ping", "echo", "/health/ping", json=SMALL)
add("tensor-shape-mismatch", "echo", json={"data": {"tensor": {"shape": [3, 3], "values": [1, 2]}}})
add("ndarray-ragged", "echo", json={"data": {"ndarray": [[1, 2], [3]]}})
add("bindata-invalid-base64", "echo", json={"binData": "!!not*base64??"})
add("tftensor", "echo", json={"data": {"tftensor": {"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": "2"}]},
                                                   "floatVal": [1.0, 2.0]}}})
add("feedback-unknown-field", "echo", "/send-feedback", json={"request": SMALL, "bogus": 1})
add("feedback-malformed", "echo", "/api/v1.0/feedback", body=b"{", content_type="application/json")
add("aggregate-dict-without-messages", "echo", "/aggregate", json={"foo": []})

for behaviour in ["seldon-418", "seldon-default", "plain", "none", "tuple", "scalar", "key", "ok"]:
    add(f"predict-{behaviour}", "faulty", json={"strData": behaviour})
add("transform-input-raises", "faulty", "/transform-input", json=SMALL)
add("grpc-only-custom-data", "faulty", json={"customData": {"@type": "x"}})

# --- the walkthrough image model ---------------------------------------------------------------------------
def _tiny_jpeg() -> bytes:
    import io
    from PIL import Image
    image = Image.new("RGB", (8, 6))
    for x in range(8):
        for y in range(6):
            image.putpixel((x, y), (x * 30, y * 40, (x + y) * 10))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


JPEG = _tiny_jpeg()
add("v01-bindata-jpeg", "image", "/api/v0.1/predictions", json={"binData": b64(JPEG)})
add("predict-bindata-jpeg", "image", json={"binData": b64(JPEG)})
add("predict-multipart-jpeg", "image", files={"binData": ("x.jpg", JPEG)})
add("predict-not-an-image", "image", json={"binData": b64(b"not an image")})

# --- meta, names, tags, metrics -----------------------------------------------------------------------------
add("predict-no-meta", "meta_aware", json={"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}})
add("predict-with-meta", "meta_aware", json={"meta": {"tags": {"x": 1}, "puid": "abc"}, "data": {"tensor": {"shape": [1, 2], "values": [1, 2]}}})
add("predict-strdata", "meta_aware", json={"strData": "s", "meta": {"routing": {"a": 1}}})
add("predict-jsondata", "meta_aware", json={"jsonData": {"a": 1}})
add("transform-input-meta", "meta_aware", "/transform-input", json={"meta": {"tags": {"a": 1, "b": 2}}, "strData": "x"})
add("predict-ndarray", "class_names", json=SMALL)
add("predict-strdata", "class_names", json={"strData": "x"})
add("predict", "class_names_attr", json=SMALL)
for endpoint in ["/predict", "/transform-input", "/transform-output", "/health/status"]:
    name = endpoint.strip("/").replace("/", "-")
    if endpoint == "/health/status":
        add(name, "tags_metrics", endpoint, method="GET")
    else:
        add(name, "tags_metrics", endpoint, json={"meta": {"tags": {"req": "r", "model_tag": "from-request"},
                                                            "metrics": [{"key": "in", "type": "GAUGE", "value": 1}]},
                                                   "data": {"ndarray": [[1, 2]]}})
add("route", "tags_metrics", "/route", json=SMALL)
add("send-feedback-reward", "tags_metrics", "/send-feedback", json={"request": SMALL, "reward": 2.5})
add("requestpath-identity", "tags_metrics", json={"meta": {"requestPath": {"my-unit": "overridden:9"}}, "strData": "x"})
add("predict", "bad_metric", json=SMALL)
for endpoint in ["/predict", "/transform-input"]:
    add(endpoint.strip("/") + "-metrics-hidden", "tags_metrics_hidden", endpoint,
        json={"meta": {"metrics": [{"key": "in", "type": "GAUGE", "value": 1}]}, "data": {"ndarray": [[1]]}})
add("health-status-metrics-hidden", "tags_metrics_hidden", "/health/status", method="GET")
add("predict", "seldon_response", json={"meta": {"tags": {"req": 1}}, "data": {"ndarray": [[1, 2]]}})
add("transform-input", "seldon_response", "/transform-input", json={"strData": "x"})
add("route", "seldon_response", "/route", json=SMALL)

# --- raw hooks ----------------------------------------------------------------------------------------------
add("predict", "raw", json={"data": {"ndarray": [[1]]}, "meta": {"puid": "raw-puid"}})
add("predict-status", "raw", json={"strData": "status"})
add("predict-fallback", "raw", json={"strData": "fallback"})
add("predict-anything", "raw", json={"whatever": [1, 2]})
add("transform-input", "raw", "/transform-input", json={"strData": "x", "meta": {"tags": {"k": "v"}}})
add("transform-output", "raw", "/transform-output", json={"strData": "x"})
add("route", "raw", "/route", json=SMALL)
add("aggregate-list", "raw", "/aggregate", json=[SMALL, SMALL, SMALL])
add("aggregate-seldonmessages", "raw", "/aggregate", json={"seldonMessages": [SMALL]})

# --- router, transformers, combiner, outlier detector -------------------------------------------------------
for value, label in [(0, "int-0"), (1, "int-1"), (2, "np-int64"), (3, "raises"), (4, "negative")]:
    add(f"route-{label}", "router", "/route", json={"data": {"ndarray": [[value, 9]]}})
add("route-tensor", "router", "/route", json={"data": {"tensor": {"shape": [1, 2], "values": [1, 5]}}})
add("route-get-json", "router", "/route", method="GET", query=q({"data": {"ndarray": [[1]]}}))
add("predict-no-predict", "router", json=SMALL)
add("transform-input-ndarray", "transformer", "/transform-input", json={"data": {"ndarray": [[1, 2]]}})
add("transform-input-tensor", "transformer", "/transform-input",
    json={"data": {"tensor": {"shape": [1, 2], "values": [1.5, 2]}}, "meta": {"puid": "t"}})
add("transform-input-strdata", "transformer", "/transform-input", json={"strData": "shout"})
add("transform-output-identity", "transformer", "/transform-output", json={"data": {"ndarray": [[1]]}})
add("predict-requestpath", "transformer", json={"data": {"ndarray": [[1]]}})
add("transform-output", "output_transformer", "/transform-output",
    json={"meta": {"tags": {"a": 1}}, "data": {"ndarray": [[1, 2]]}})
add("transform-output-tensor", "output_transformer", "/transform-output",
    json={"data": {"tensor": {"shape": [2], "values": [1, 2]}}})
MSG_A = {"data": {"ndarray": [[1.0, 2.0]]}, "meta": {"puid": "first", "tags": {"a": 1}}}
MSG_B = {"data": {"ndarray": [[3.0, 4.0]]}, "meta": {"tags": {"a": 2, "b": 3}, "metrics": [{"key": "k", "type": "COUNTER", "value": 1}]}}
MSG_T = {"data": {"tensor": {"shape": [1, 2], "values": [5, 6]}}}
add("aggregate-bare-list", "combiner", "/aggregate", json=[MSG_A, MSG_B])
add("aggregate-seldonmessages", "combiner", "/aggregate", json={"seldonMessages": [MSG_A, MSG_B]})
add("aggregate-tensor-first", "combiner", "/aggregate", json=[MSG_T, MSG_A])
add("aggregate-form-json", "combiner", "/aggregate", form=q([MSG_A, MSG_B]))
add("aggregate-invalid", "combiner", "/aggregate", json={"data": 1})
add("aggregate-empty-list", "combiner", "/aggregate", json=[])
add("transform-input-normal", "outlier", "/transform-input", json={"data": {"ndarray": [[1, 2], [300, 4]]}})
add("transform-input-tags-merge", "outlier", "/transform-input",
    json={"meta": {"tags": {"upstream": True}}, "data": {"ndarray": [[1, 2]]}})

# --- feedback -----------------------------------------------------------------------------------------------
add("send-feedback-full", "feedback", "/send-feedback",
    json={"request": {"data": {"ndarray": [[1, 2]]}}, "response": {"meta": {"routing": {"my-unit": 1}},
          "data": {"ndarray": [[3]]}}, "reward": 1.5, "truth": {"data": {"ndarray": [[1]]}}})
add("v01-feedback", "feedback", "/api/v0.1/feedback", json={"request": {"data": {"ndarray": [[1]]}}, "reward": 0})
add("v10-feedback", "feedback", "/api/v1.0/feedback", json={"request": {"strData": "x"}, "reward": 2})
add("send-feedback-get", "feedback", "/send-feedback", method="GET", query=q({"reward": 1}))
add("send-feedback-form", "feedback", "/send-feedback", form=q({"request": {"data": {"ndarray": [[1]]}}, "reward": 3}))
add("send-feedback-empty", "feedback", "/send-feedback", json={})

# --- health, metadata, parameters, outputs ------------------------------------------------------------------
add("health-status", "health", "/health/status", method="GET")
add("metadata-image", "health", "/metadata", method="GET")
add("health-status", "health_raw", "/health/status", method="GET")
add("health-status", "health_unimpl", "/health/status", method="GET")
add("metadata", "metadata", "/metadata", method="GET")
add("v10-metadata", "metadata", "/api/v1.0/metadata", method="GET")
add("metadata", "bad_metadata", "/metadata", method="GET")
add("predict", "params", json={"strData": "x"})
for kind in ["strings", "strings_list", "mixed", "mixed_list", "bools", "dict", "str", "bytes", "bytearray", "ints",
             "floats32", "uint8", "1d", "3d", "empty", "empty_list", "list_floats", "big_small_floats", "unicode_list"]:
    add(f"predict-{kind}", "outputs", json={"strData": kind})
for kind in ["ints", "strings", "empty"]:
    add(f"predict-jsondata-{kind}", "outputs", json={"jsonData": {"kind": kind}})

"""THE list of cases where our runtime deliberately answers differently from seldon-core 1.17.1.

Each entry points at the paragraph of docs/compatibility.md that documents the difference. For these cases the
tests assert that the two answers DO differ (a stale entry fails) and that ours is what the doc promises.
Anything that differs and is not listed here is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

DOC = "docs/compatibility.md"


@dataclass(frozen=True)
class Difference:
    doc: str  # where in docs/compatibility.md
    reason: str
    ours_status: Optional[int] = None  # REST: the status code ours must answer (its body is a Seldon status)
    ours_grpc_code: Optional[str] = None  # gRPC: the status code ours must answer
    ours_start: Optional[str] = None  # start-up: what ours must do ("serves" or "exit N")


BAD_INPUT = f"{DOC} § Request handling: 'Bad input is 400, not 500'"
ROUTE_TEXT = f"{DOC} § The spec's quirks (§9): kept or dropped (quirk 1)"

ALLOWED = {
    # REST
    "echo-tensor-shape-mismatch": Difference(BAD_INPUT, "reference leaks numpy's reshape error as 500", 400),
    "echo-ndarray-ragged": Difference(BAD_INPUT, "reference leaks numpy's inhomogeneous-shape error as 500", 400),
    "echo-bindata-invalid-base64": Difference(f"{DOC} § Request handling: 'binData base64 is validated'",
                                              "reference silently drops invalid base64 characters", 400),
    "echo-tftensor": Difference(f"{DOC} § Request handling: 'tftensor without TensorFlow'",
                                "reference needs TensorFlow (500 'name TensorProto is not defined')", 200),
    "echo-form-bad-json": Difference(BAD_INPUT, "reference: 500 with the JSON parser's message", 400),
    "echo-query-bad-json": Difference(BAD_INPUT, "reference: 500 with the JSON parser's message", 400),
    "combiner-aggregate-empty-list": Difference(BAD_INPUT, "reference: 500 'list index out of range'", 400),
    "echo-get-v01-predictions": Difference(ROUTE_TEXT, "reference's info says 404 for a wrong method", 500),
    "echo-unknown-route": Difference(ROUTE_TEXT, "reference's info says 405 for an unknown path", 500),
    "echo-seldon-json": Difference(f"{DOC} § Responses: '/seldon.json'",
                                   "ours serves a small OpenAPI document, not the bundled one", 200),
    # gRPC
    "grpc-faulty-predict-seldon-418": Difference(f"{DOC} § gRPC: 'Status codes'",
                                                 "ours puts the exception's message in the details (reference: empty)",
                                                 ours_grpc_code="UNKNOWN"),
    "grpc-faulty-predict-seldon-default": Difference(f"{DOC} § gRPC: 'Status codes'",
                                                     "ours puts the exception's message in the details",
                                                     ours_grpc_code="UNKNOWN"),
    "grpc-echo-predict-tensor-shape-mismatch": Difference(f"{DOC} § gRPC: 'Status codes' (bad input is INVALID_ARGUMENT)",
                                                  "reference: UNKNOWN with numpy's message",
                                                  ours_grpc_code="INVALID_ARGUMENT"),
    "grpc-echo-seldon-graph-metadata": Difference(f"{DOC} § gRPC: 'Status codes' (GraphMetadata UNIMPLEMENTED)",
                                                  "reference: UNKNOWN with an empty message",
                                                  ours_grpc_code="UNIMPLEMENTED"),
}

# Over gRPC, input the runtime rejects (400 over REST) is INVALID_ARGUMENT for ours, UNKNOWN for the reference.
GRPC_BAD_INPUT = f"{DOC} § gRPC: 'Status codes' (runtime-detected bad input answers INVALID_ARGUMENT)"
for _case_id, _reason in {
    "grpc-echo-predict-no-payload": "an empty SeldonMessage: 'Invalid request data type'",
    "grpc-echo-generic-route-not-defined": "'Route not defined'",
    "grpc-echo-combiner-aggregate-not-defined": "'Aggregate not defined'",
    "grpc-router-route-np-int64": "'Routing response must be int'",
    "grpc-faulty-predict-none": "'Unknown data type returned as payload' (None)",
    "grpc-faulty-predict-tuple": "'Unknown data type returned as payload' (tuple)",
}.items():
    ALLOWED[_case_id] = Difference(GRPC_BAD_INPUT, "reference: UNKNOWN; " + _reason, ours_grpc_code="INVALID_ARGUMENT")

# Answer encoding (test_encoding.py): one rule set for both transports (runtime/encoding.py).
ENCODING = f"{DOC} § Encoding of user results"
for _kind, _reason in {
    "numpy_in_rows-nd": "numpy arrays inside a returned list",
    "numpy_scalars_in_rows-nd": "numpy scalars inside a returned list",
    "time-str": "datetime.time (ISO 8601 for us)",
    "onnx-str": "numpy arrays inside a returned dict",
    "numpy_scalars-str": "numpy scalars inside a returned dict",
    "bytes_in_dict-str": "bytes inside a returned dict (base64 for us)",
    "nested-str": "numpy arrays, Decimal and dates nested in dicts, lists and tuples",
}.items():
    ALLOWED[f"encoding-rest-{_kind}"] = Difference(f"{ENCODING}: 'Where the reference fails'",
                                                   "reference: 500 'not JSON serializable' for " + _reason, 200)
for _kind, _reason in {
    "mixed_rows-nd": "reference: numpy turns [1, 0.7, True] into doubles (True -> 1.0)",
    "mixed_strings_rows-nd": "reference: numpy turns [1, 'x'] into strings ('1')",
    "object_array-nd": "reference: UNKNOWN 'Unexpected type' for dates in an object array",
    **{f"{k}-str": f"reference: UNKNOWN, ParseDict refuses {k.replace('_', ' ')}" for k in (
        "flask_types", "date", "aware_datetime", "time", "dataclass", "html", "onnx", "numpy_scalars",
        "bytes_in_dict", "tuple_in_dict", "int_keys", "nested")},
}.items():
    ALLOWED[f"encoding-grpc-{_kind}"] = Difference(f"{ENCODING}: 'gRPC carries the REST JSON'", _reason,
                                                   ours_grpc_code="OK")
for _kind in ("set_in_dict-str", "complex_in_dict-str"):
    ALLOWED[f"encoding-grpc-{_kind}"] = Difference(f"{ENCODING}: 'gRPC carries the REST JSON'",
                                                   "both UNKNOWN; ours has REST's message 'Object of type ... is not "
                                                   "JSON serializable'", ours_grpc_code="UNKNOWN")
ALLOWED["encoding-grpc-dataclass_top-str"] = Difference(GRPC_BAD_INPUT, "reference: UNKNOWN; 'Unknown data type "
                                                        "returned as payload' (a dataclass)",
                                                        ours_grpc_code="INVALID_ARGUMENT")
for _model in ("describe", "describe_raw"):
    ALLOWED[f"{_model}-multipart-str-file-not-utf8"] = Difference(
        f"{DOC} § Request handling: 'Multipart parts'", "reference: 500 with the UTF-8 codec's message", 400)
    ALLOWED[f"{_model}-multipart-bin-field-not-json"] = Difference(
        BAD_INPUT, "reference: 500 with the JSON parser's message", 400)

# Start-up (test_startup.py)
ALLOWED["startup-output-transformer"] = Difference(
    f"{DOC} § The spec's quirks (§9): kept or dropped (quirk 7)",
    "the reference's argparse rejects OUTPUT_TRANSFORMER (exit 2); ours accepts it", ours_start="serves")
ALLOWED["startup-legacy-api-type"] = Difference(
    f"{DOC} § Process model, metrics, start-up: 'Legacy positional API type'",
    "the reference exits 255 on `MyModel REST`; ours reads it as API_TYPE", ours_start="serves")

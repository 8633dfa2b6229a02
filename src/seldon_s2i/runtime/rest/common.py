"""What both halves of the REST transport share: the SeldonMessage routes and what each calls, JSON
parsing with the reference's error, answer and error bodies, CORS headers.

Imports neither Flask nor the WSGI fast path: both import from here, never from each other.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, Callable, List, NamedTuple, Optional, Tuple

import orjson
from google.protobuf import json_format

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime import jsonout
from seldon_s2i.runtime.component import (
    AGGREGATE,
    FEEDBACK,
    PREDICT,
    ROUTE,
    TRANSFORM_INPUT,
    TRANSFORM_OUTPUT,
    Component,
)
from seldon_s2i.runtime.errors import BAD_DATA, SeldonError, describe, status_body
from seldon_s2i.runtime.proto import prediction_pb2 as pb

logger = logging.getLogger(__name__)

NO_JSON = "Can't find JSON in data"
TOO_LARGE = "Request body larger than the limit (SELDON_S2I_MAX_REQUEST_BYTES)"
CORS_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
START_KEY = "seldon_s2i.start"  # environ key: when the request reached the app (for the latency metric)
PING_HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "4")]  # Flask's, for "pong"


def cors_headers(origin: Optional[str]) -> List[Tuple[str, str]]:
    """flask-cors' defaults, as the reference: `*`, or the request's Origin echoed with Vary: Origin."""
    if origin:
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    return [("Access-Control-Allow-Origin", "*")]


def parse_json(text: Any) -> Any:
    """orjson first; the standard library (NaN, huge ints) before giving up with the reference's 400.

    JSON nested deeper than orjson's 1024 levels and Python's recursion limit is a 400 too (the
    reference: 500 "maximum recursion depth exceeded").
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError):
        raise SeldonError(NO_JSON) from None


def parse_json_body(body: bytes) -> Any:
    """A JSON request body; `null` is no JSON at all (Flask's get_json() gives None, and the reference
    answers "Can't find JSON in data")."""
    message = parse_json(body)
    if message is None:
        raise SeldonError(NO_JSON)
    return message


def message_body(result: Any) -> Tuple[int, bytes]:
    """(HTTP status, body) of a SeldonMessage answer; a raw result may pick its status via status.code."""
    status = 200
    if isinstance(result, dict):
        code = result["status"].get("code") if isinstance(result.get("status"), dict) else None
        if isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599:
            status = code
    elif hasattr(result, "DESCRIPTOR"):  # a proto from send_feedback or a *_grpc style hook
        result = json_format.MessageToDict(result)
    return status, jsonout.dumps(result)


def _http_exception_code(exc: BaseException) -> Optional[int]:
    """werkzeug's HTTPException code, without importing werkzeug: if it is not loaded yet, the
    exception cannot be one. (The background thread may be half-way through importing it, so the
    class is looked up with getattr.)"""
    http_exception = getattr(sys.modules.get("werkzeug.exceptions"), "HTTPException", None)
    if http_exception is not None and isinstance(exc, http_exception):
        return exc.code
    return None


def error_body(exc: BaseException) -> Tuple[int, bytes]:
    """(HTTP status, Seldon status JSON) for any exception; logged at ERROR as the reference does."""
    http_code = _http_exception_code(exc)
    if http_code == 413:
        status, reason, info = 413, BAD_DATA, TOO_LARGE
    else:
        status, reason, info = describe(exc)
    if status >= 500 and http_code is None and not isinstance(exc, SeldonError):
        logger.exception("%s", info)
    else:
        logger.error("%s", info)
    return status, jsonout.dumps(status_body(info, reason))


class Route(NamedTuple):
    rules: Tuple[str, ...]
    methods: Tuple[str, ...]
    label: str  # metrics `method` label
    handler: Callable[[Any], Any]  # decoded JSON body -> result (dict or proto)


def message_routes(component: Component) -> List[Route]:
    """The SeldonMessage endpoints of spec §2.1 and what each calls."""
    rest = c.RestCodec

    def send_feedback(body: Any) -> Any:
        try:
            feedback = json_format.ParseDict(body, pb.Feedback())
        except (json_format.ParseError, TypeError, AttributeError) as exc:
            raise SeldonError(f"Invalid JSON: {exc}") from None
        return component.send_feedback(feedback)

    both, post = ("GET", "POST"), ("POST",)
    return [
        Route(("/predict",), both, PREDICT, lambda m: component.predict(m, rest)),
        Route(("/api/v1.0/predictions", "/api/v0.1/predictions"), post, PREDICT, lambda m: component.predict(m, rest)),
        Route(("/send-feedback",), both, FEEDBACK, send_feedback),
        Route(("/api/v1.0/feedback", "/api/v0.1/feedback"), post, FEEDBACK, send_feedback),
        Route(("/transform-input",), both, TRANSFORM_INPUT, lambda m: component.transform_input(m, rest)),
        Route(("/transform-output",), both, TRANSFORM_OUTPUT, lambda m: component.transform_output(m, rest)),
        Route(("/route",), both, ROUTE, lambda m: component.route(m, rest)),
        Route(("/aggregate",), both, AGGREGATE, lambda m: component.aggregate(m, rest)),
    ]


def is_json_content_type(content_type: str) -> bool:
    mimetype = content_type.split(";", 1)[0].strip().lower()
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))

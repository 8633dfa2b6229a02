"""The REST transport: seldon-core 1.17.1's routes (spec §2) as a WSGI app for gunicorn.

`FastPath` is the WSGI entry. It answers what clients and the Seldon executor send all day,
a POST/GET with a JSON body to one of the SeldonMessage routes and `GET /health/ping`, straight
from WSGI, skipping Flask's request context and response objects (~150 us of a ~200 us request).
Everything else (forms, multipart, `?json=`, health status, metadata, unknown routes, CORS
preflight) goes to the Flask app of flask_app.py. Both paths call the same handlers and produce
the same bytes and headers.

Flask is imported in a background thread after the worker is ready (it costs ~0.5 s of start-up),
so `/health/ping` and predictions are answered while it loads; a request that needs Flask before
then waits for it.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from http import HTTPStatus
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import orjson
from google.protobuf import json_format

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime import jsonout
from seldon_s2i.runtime.component import (AGGREGATE, FEEDBACK, PREDICT, ROUTE, TRANSFORM_INPUT, TRANSFORM_OUTPUT,
                                          Component)
from seldon_s2i.runtime.errors import BAD_DATA, SeldonError, describe, status_body
from seldon_s2i.runtime.metrics import MetricsRecorder
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
    """orjson first; the standard library (NaN, huge ints) before giving up with the reference's 400."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text)
    except (ValueError, TypeError):
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


def _is_json_content_type(content_type: str) -> bool:
    mimetype = content_type.split(";", 1)[0].strip().lower()
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


_STATUS_LINES = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


class BackgroundApp:
    """A WSGI app built in a daemon thread; calls wait until it exists."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._wsgi: Optional[Callable] = None
        self._error: Optional[BaseException] = None
        self._ready = threading.Event()
        threading.Thread(target=self._build, args=(build,), name="flask-app", daemon=True).start()

    def _build(self, build: Callable[[], Any]) -> None:
        try:
            self._wsgi = build().wsgi_app
        except BaseException as exc:  # noqa: BLE001 - reported on every request that needs the app
            logger.exception("building the Flask app failed")
            self._error = exc
        finally:
            self._ready.set()

    def __call__(self, environ: Dict[str, Any], start_response: Callable) -> Any:
        self._ready.wait()
        if self._wsgi is None:
            raise RuntimeError(f"the Flask app could not be built: {self._error!r}")
        return self._wsgi(environ, start_response)


class FastPath:
    """WSGI entry: JSON SeldonMessage requests and /health/ping directly, everything else through Flask."""

    def __init__(self, flask_wsgi: Callable, routes: List[Route], recorder: Optional[MetricsRecorder],
                 max_request_bytes: Optional[int]) -> None:
        self.flask_wsgi = flask_wsgi
        self.table = {(rule, method): route for route in routes for rule in route.rules for method in route.methods}
        self.recorder = recorder
        self.max_request_bytes = max_request_bytes

    def __call__(self, environ: Dict[str, Any], start_response: Callable) -> Any:
        started = time.perf_counter()
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        route = self.table.get((path, method))
        length = environ.get("CONTENT_LENGTH")
        if (route is None or not length or "json=" in environ.get("QUERY_STRING", "")
                or not _is_json_content_type(environ.get("CONTENT_TYPE", ""))):
            if path == "/health/ping" and method == "GET":
                start_response("200 OK", PING_HEADERS + cors_headers(environ.get("HTTP_ORIGIN")))
                return [b"pong"]
            environ[START_KEY] = started
            return self.flask_wsgi(environ, start_response)
        try:
            size = int(length)
            if self.max_request_bytes is not None and size > self.max_request_bytes:
                raise SeldonError(TOO_LARGE, 413)
            status, body = message_body(route.handler(parse_json_body(environ["wsgi.input"].read(size))))
        except Exception as exc:  # noqa: BLE001 - every error becomes a Seldon status answer
            status, body = error_body(exc)
        start_response(_STATUS_LINES.get(status) or f"{status} UNKNOWN",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
                       + cors_headers(environ.get("HTTP_ORIGIN")))
        if self.recorder is not None:
            self.recorder.request(route.label, "rest", str(status), time.perf_counter() - started)
        return [body]


def create_app(component: Component, metadata: Optional[Dict[str, Any]],
               recorder: Optional[MetricsRecorder] = None, max_request_bytes: Optional[int] = None,
               payload_passthrough: bool = False) -> Callable:
    """The REST WSGI app for one worker process."""
    routes = message_routes(component)

    def build() -> Any:
        from seldon_s2i.runtime.flask_app import build_flask_app

        return build_flask_app(component, routes, metadata, recorder, max_request_bytes, payload_passthrough)

    # The fast path is off when the model's own Flask error handlers or passthrough must see requests.
    if getattr(component.user, "model_error_handler", None) is None and not payload_passthrough:
        return FastPath(BackgroundApp(build), routes, recorder, max_request_bytes)
    flask_wsgi = build().wsgi_app

    def timed_wsgi(environ: Dict[str, Any], start_response: Callable) -> Any:
        environ[START_KEY] = time.perf_counter()
        return flask_wsgi(environ, start_response)

    return timed_wsgi

"""The REST transport: a Flask app with seldon-core 1.17.1's routes (spec §2).

Thin on purpose: it extracts the SeldonMessage from the HTTP request (JSON body, `json=` form or
query field, multipart), hands it to `Component` with the REST codec, and writes the answer with
`jsonout` (byte-compatible with Flask 2.2 jsonify, but fast).

`FastPath` wraps the Flask app: a POST/GET with a JSON body to one of the SeldonMessage routes
(what clients and the Seldon executor send) is answered straight from WSGI, skipping Flask's
request context and response objects (~150 us of a ~200 us request). Everything else (forms,
multipart, `?json=`, health, metadata, unknown routes, CORS preflight) goes to Flask. Both paths
call the same handlers and produce the same bytes and headers.
"""

from __future__ import annotations

import json
import logging
import os
import time
from http import HTTPStatus
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import orjson
from flask import Flask, Response, request
from google.protobuf import json_format
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime import jsonout
from seldon_s2i.runtime.component import (AGGREGATE, FEEDBACK, HEALTH, PREDICT, ROUTE, TRANSFORM_INPUT,
                                          TRANSFORM_OUTPUT, Component)
from seldon_s2i.runtime.errors import BAD_DATA, BAD_METADATA, SeldonError, describe, status_body
from seldon_s2i.runtime.metrics import MetricsRecorder
from seldon_s2i.runtime.openapi import openapi_document
from seldon_s2i.runtime.proto import prediction_pb2 as pb

logger = logging.getLogger(__name__)

NO_JSON = "Can't find JSON in data"
FLASK_BOOL_SETTINGS = ("DEBUG", "EXPLAIN_TEMPLATE_LOADING", "JSONIFY_PRETTYPRINT_REGULAR", "JSON_AS_ASCII",
                       "JSON_SORT_KEYS", "PROPAGATE_EXCEPTIONS", "PRESERVE_CONTEXT_ON_EXCEPTION",
                       "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SECURE", "SESSION_REFRESH_EACH_REQUEST",
                       "TEMPLATES_AUTO_RELOAD", "TESTING", "TRAP_HTTP_EXCEPTIONS", "TRAP_BAD_REQUEST_ERRORS",
                       "USE_X_SENDFILE")
CORS_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
_START = "seldon_s2i.start"


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


def read_message() -> Any:
    """The request's SeldonMessage (spec §2.2): multipart, `json=` form/query field, or JSON body."""
    content_type = request.content_type or ""
    if "multipart/form-data" in content_type:
        message: Dict[str, Any] = {}
        for key, value in request.form.items():
            message[key] = value if key == "strData" else parse_json(value)
        for key, upload in request.files.items():
            content = upload.read()
            message[key] = content if key == "binData" else content.decode("utf-8")
        return message
    form_json = request.form.get("json") if request.mimetype == "application/x-www-form-urlencoded" else None
    if form_json is not None:
        return parse_json(form_json)
    query_json = request.args.get("json")
    if query_json is not None:
        return parse_json(query_json)
    if request.is_json:
        body = request.get_data(cache=False)
        if body:
            return parse_json(body)
    raise SeldonError(NO_JSON)


def read_passthrough() -> Any:
    """PAYLOAD_PASSTHROUGH: the raw body bytes, or the `json=` field as a string (spec §3.8)."""
    form_json = request.form.get("json") if request.mimetype == "application/x-www-form-urlencoded" else None
    if form_json is not None:
        return form_json
    query_json = request.args.get("json")
    if query_json is not None:
        return query_json
    return request.get_data(cache=False)


def message_body(result: Any) -> Tuple[int, bytes]:
    """(HTTP status, body) of a SeldonMessage answer; a raw result may pick its status via status.code."""
    status = 200
    if isinstance(result, dict):
        code = result.get("status", {}).get("code") if isinstance(result.get("status"), dict) else None
        if isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599:
            status = code
    elif hasattr(result, "DESCRIPTOR"):  # a proto from send_feedback or a *_grpc style hook
        result = json_format.MessageToDict(result)
    return status, jsonout.dumps(result)


def error_body(exc: BaseException) -> Tuple[int, bytes]:
    """(HTTP status, Seldon status JSON) for any exception; logged at ERROR as the reference does."""
    if isinstance(exc, RequestEntityTooLarge):
        status, reason, info = 413, BAD_DATA, "Request body larger than the limit (SELDON_S2I_MAX_REQUEST_BYTES)"
    else:
        status, reason, info = describe(exc)
    if status >= 500 and not isinstance(exc, (HTTPException, SeldonError)):
        logger.exception("%s", info)
    else:
        logger.error("%s", info)
    return status, jsonout.dumps(status_body(info, reason))


def _json_response(status_and_body: Tuple[int, bytes]) -> Response:
    status, body = status_and_body
    return Response(body, status=status, mimetype="application/json")


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


class FastPath:
    """WSGI entry: JSON SeldonMessage requests directly, everything else through Flask."""

    def __init__(self, flask_app: Flask, routes: List[Route], recorder: Optional[MetricsRecorder],
                 max_request_bytes: Optional[int]) -> None:
        self.flask_wsgi = flask_app.wsgi_app
        self.table = {(rule, method): route for route in routes for rule in route.rules for method in route.methods}
        self.recorder = recorder
        self.max_request_bytes = max_request_bytes

    def __call__(self, environ: Dict[str, Any], start_response: Callable) -> Any:
        started = time.perf_counter()
        route = self.table.get((environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")))
        length = environ.get("CONTENT_LENGTH")
        if (route is None or not length or "json=" in environ.get("QUERY_STRING", "")
                or not _is_json_content_type(environ.get("CONTENT_TYPE", ""))):
            environ[_START] = started
            return self.flask_wsgi(environ, start_response)
        try:
            size = int(length)
            if self.max_request_bytes is not None and size > self.max_request_bytes:
                raise RequestEntityTooLarge()
            status, body = message_body(route.handler(parse_json(environ["wsgi.input"].read(size))))
        except Exception as exc:  # noqa: BLE001 - every error becomes a Seldon status answer
            status, body = error_body(exc)
        start_response(_STATUS_LINES.get(status) or f"{status} UNKNOWN", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
            ("Access-Control-Allow-Origin", "*")])
        if self.recorder is not None:
            self.recorder.request(route.label, "rest", str(status), time.perf_counter() - started)
        return [body]


def create_app(component: Component, metadata: Optional[Dict[str, Any]],
               recorder: Optional[MetricsRecorder] = None, max_request_bytes: Optional[int] = None,
               payload_passthrough: bool = False) -> Flask:
    """The REST app for one worker process (a Flask app whose wsgi_app is the FastPath)."""
    app = Flask("seldon_s2i.runtime")
    for name in FLASK_BOOL_SETTINGS:
        value = os.environ.get(f"FLASK_{name}")
        if value is not None:
            app.config[name] = value.strip().lower() in ("1", "true", "t")
    app.config["MAX_CONTENT_LENGTH"] = max_request_bytes
    routes = message_routes(component)
    endpoint_labels: Dict[str, str] = {}

    def view_for(route: Route) -> Callable[[], Response]:
        def view() -> Response:
            if payload_passthrough and route.label == PREDICT:
                return passthrough()
            return _json_response(message_body(route.handler(read_message())))
        return view

    def passthrough() -> Response:
        if not component.has("predict_raw"):
            raise SeldonError("Invalid request data type")
        result = component.user.predict_raw(read_passthrough())
        body = result.encode("utf-8") if isinstance(result, str) else bytes(result)
        return Response(body, status=200, mimetype="application/json")

    for route in routes:
        for rule in route.rules:
            endpoint = route.label + rule
            app.add_url_rule(rule, endpoint=endpoint, view_func=view_for(route), methods=list(route.methods))
            endpoint_labels[endpoint] = route.label

    def health_ping() -> str:
        return "pong"

    def health_status() -> Response:
        return _json_response(message_body(component.health_status(c.RestCodec)))

    def model_metadata() -> Response:
        if metadata is None:
            raise SeldonError("Model metadata unavailable", 500, BAD_METADATA)
        return _json_response((200, jsonout.dumps(metadata)))

    def seldon_json() -> Response:
        return Response(json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n", mimetype="application/json")

    app.add_url_rule("/health/ping", "ping", health_ping, methods=["GET"])
    for rule in ("/health/status", "/api/v1.0/health/status"):
        app.add_url_rule(rule, HEALTH + rule, health_status, methods=["GET"])
        endpoint_labels[HEALTH + rule] = HEALTH
    for rule in ("/metadata", "/api/v1.0/metadata"):
        app.add_url_rule(rule, "metadata" + rule, model_metadata, methods=["GET"])
    app.add_url_rule("/seldon.json", "openapi", seldon_json, methods=["GET"])

    # Unknown routes and wrong methods answer 500 like the reference (spec §9 quirk 1): werkzeug's
    # HTTPExceptions go through the same handler as everything else.
    app.register_error_handler(Exception, lambda exc: _json_response(error_body(exc)))

    error_blueprint = getattr(component.user, "model_error_handler", None)
    if error_blueprint is not None and hasattr(error_blueprint, "register"):
        app.register_blueprint(error_blueprint)

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
            response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
            if "Access-Control-Request-Headers" in request.headers:
                response.headers["Access-Control-Allow-Headers"] = request.headers["Access-Control-Request-Headers"]
        if recorder is not None:
            label = endpoint_labels.get(request.endpoint or "")
            if label is not None:
                started = request.environ.get(_START)
                elapsed = time.perf_counter() - started if started is not None else float("nan")
                recorder.request(label, "rest", str(response.status_code), elapsed)
        return response

    # The fast path is off when the model's own Flask error handlers or passthrough must see requests.
    if error_blueprint is None and not payload_passthrough:
        app.wsgi_app = FastPath(app, routes, recorder, max_request_bytes)  # type: ignore[method-assign]
    else:
        flask_wsgi = app.wsgi_app

        def timed_wsgi(environ: Dict[str, Any], start_response: Callable) -> Any:
            environ[_START] = time.perf_counter()
            return flask_wsgi(environ, start_response)

        app.wsgi_app = timed_wsgi  # type: ignore[method-assign]
    return app

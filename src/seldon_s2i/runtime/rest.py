"""The REST transport: a Flask app with seldon-core 1.17.1's routes (spec §2).

Thin on purpose: it extracts the SeldonMessage from the HTTP request (JSON body, `json=` form or
query field, multipart), hands it to `Component` with the REST codec, and writes the answer with
`jsonout` (byte-compatible with Flask 2.2 jsonify, but fast).
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Callable, Dict, Optional, Tuple

import orjson
from flask import Flask, Response, request
from google.protobuf import json_format
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime import jsonout
from seldon_s2i.runtime.component import (AGGREGATE, FEEDBACK, HEALTH, PREDICT, ROUTE, TRANSFORM_INPUT,
                                          TRANSFORM_OUTPUT, Component)
from seldon_s2i.runtime.errors import BAD_METADATA, SeldonError, describe, status_body
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


def json_response(body: Any, status: int = 200) -> Response:
    return Response(jsonout.dumps(body), status=status, mimetype="application/json")


def message_response(result: Any) -> Response:
    """A SeldonMessage answer; a raw result may choose its HTTP status through status.code."""
    status = 200
    if isinstance(result, dict):
        code = result.get("status", {}).get("code") if isinstance(result.get("status"), dict) else None
        if isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599:
            status = code
    elif hasattr(result, "DESCRIPTOR"):  # a proto from a *_raw/*_grpc style hook
        result = json_format.MessageToDict(result)
    return json_response(result, status)


def error_response(exc: BaseException) -> Response:
    if isinstance(exc, RequestEntityTooLarge):
        status, reason, info = 413, "MICROSERVICE_BAD_DATA", "Request body larger than the limit (SELDON_S2I_MAX_REQUEST_BYTES)"
    else:
        status, reason, info = describe(exc)
    if status >= 500 and not isinstance(exc, (HTTPException, SeldonError)):
        logger.exception("%s", info)
    else:
        logger.error("%s", info)
    return json_response(status_body(info, reason), status)


def create_app(component: Component, metadata: Optional[Dict[str, Any]],
               recorder: Optional[MetricsRecorder] = None, max_request_bytes: Optional[int] = None,
               payload_passthrough: bool = False) -> Flask:
    """The REST app for one worker process."""
    app = Flask("seldon_s2i.runtime")
    for name in FLASK_BOOL_SETTINGS:
        value = os.environ.get(f"FLASK_{name}")
        if value is not None:
            app.config[name] = value.strip().lower() in ("1", "true", "t")
    app.config["MAX_CONTENT_LENGTH"] = max_request_bytes
    rest = c.RestCodec
    endpoint_methods: Dict[str, str] = {}

    def route(rule: str, endpoint: str, methods: Tuple[str, ...], method_label: Optional[str]) -> Callable:
        def register(view: Callable) -> Callable:
            app.add_url_rule(rule, endpoint=endpoint + rule, view_func=view, methods=list(methods))
            if method_label:
                endpoint_methods[endpoint + rule] = method_label
            return view
        return register

    def predict() -> Response:
        if payload_passthrough:
            if not component.has("predict_raw"):
                raise SeldonError("Invalid request data type")
            result = component.user.predict_raw(read_passthrough())
            body = result.encode("utf-8") if isinstance(result, str) else bytes(result)
            return Response(body, status=200, mimetype="application/json")
        return message_response(component.predict(read_message(), rest))

    def transform_input() -> Response:
        return message_response(component.transform_input(read_message(), rest))

    def transform_output() -> Response:
        return message_response(component.transform_output(read_message(), rest))

    def route_() -> Response:
        return message_response(component.route(read_message(), rest))

    def aggregate() -> Response:
        return message_response(component.aggregate(read_message(), rest))

    def send_feedback() -> Response:
        body = read_message()
        try:
            feedback = json_format.ParseDict(body, pb.Feedback())
        except (json_format.ParseError, TypeError, AttributeError) as exc:
            raise SeldonError(f"Invalid JSON: {exc}") from None
        return message_response(json_format.MessageToDict(component.send_feedback(feedback)))

    def health_ping() -> str:
        return "pong"

    def health_status() -> Response:
        return message_response(component.health_status(rest))

    def model_metadata() -> Response:
        if metadata is None:
            raise SeldonError("Model metadata unavailable", 500, BAD_METADATA)
        return json_response(metadata)

    def seldon_json() -> Response:
        body = json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"
        return Response(body, mimetype="application/json")

    both = ("GET", "POST")
    for rule in ("/predict",):
        route(rule, "predict", both, PREDICT)(predict)
    for rule in ("/api/v1.0/predictions", "/api/v0.1/predictions"):
        route(rule, "predict", ("POST",), PREDICT)(predict)
    route("/send-feedback", "feedback", both, FEEDBACK)(send_feedback)
    for rule in ("/api/v1.0/feedback", "/api/v0.1/feedback"):
        route(rule, "feedback", ("POST",), FEEDBACK)(send_feedback)
    route("/transform-input", "transform_input", both, TRANSFORM_INPUT)(transform_input)
    route("/transform-output", "transform_output", both, TRANSFORM_OUTPUT)(transform_output)
    route("/route", "route", both, ROUTE)(route_)
    route("/aggregate", "aggregate", both, AGGREGATE)(aggregate)
    route("/health/ping", "ping", ("GET",), None)(health_ping)
    for rule in ("/health/status", "/api/v1.0/health/status"):
        route(rule, "health_status", ("GET",), HEALTH)(health_status)
    for rule in ("/metadata", "/api/v1.0/metadata"):
        route(rule, "metadata", ("GET",), None)(model_metadata)
    route("/seldon.json", "openapi", ("GET",), None)(seldon_json)

    # Unknown routes and wrong methods answer 500 like the reference (spec §9 quirk 1): werkzeug's
    # HTTPExceptions go through the same handler as everything else.
    app.register_error_handler(Exception, error_response)

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
            label = endpoint_methods.get(request.endpoint or "")
            if label is not None:
                started = request.environ.get(_START)
                elapsed = time.perf_counter() - started if started is not None else float("nan")
                recorder.request(label, "rest", str(response.status_code), elapsed)
        return response

    flask_wsgi = app.wsgi_app

    def timed_wsgi(environ: Dict[str, Any], start_response: Callable) -> Any:
        environ[_START] = time.perf_counter()
        return flask_wsgi(environ, start_response)

    app.wsgi_app = timed_wsgi  # type: ignore[method-assign]
    return app

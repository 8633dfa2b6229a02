"""The Flask half of the REST transport: every route of spec §2 that the WSGI fast path in wsgi.py
does not answer itself (forms, multipart, `?json=`, health status, metadata, unknown routes, CORS
preflight, PAYLOAD_PASSTHROUGH, models with their own Flask error handlers).

A module of its own because importing Flask (werkzeug, jinja2, click) costs ~0.5 s: wsgi.py builds
this app in a background thread once the worker is serving, so start-up does not wait for it.
"""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any, Callable, Dict, List, Optional

from flask import Flask, Response, request

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime import jsonout
from seldon_s2i.runtime.component import HEALTH, PREDICT, Component
from seldon_s2i.runtime.errors import BAD_METADATA, SeldonError
from seldon_s2i.runtime.metrics import MetricsRecorder
from seldon_s2i.runtime.openapi import openapi_document
from seldon_s2i.runtime.rest.common import (
    CORS_METHODS,
    NO_JSON,
    START_KEY,
    Route,
    cors_headers,
    error_body,
    message_body,
    parse_json,
    parse_json_body,
)
from seldon_s2i.runtime.settings import env_bool

FLASK_BOOL_SETTINGS = ("DEBUG", "EXPLAIN_TEMPLATE_LOADING", "JSONIFY_PRETTYPRINT_REGULAR", "JSON_AS_ASCII",
                       "JSON_SORT_KEYS", "PROPAGATE_EXCEPTIONS", "PRESERVE_CONTEXT_ON_EXCEPTION",
                       "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SECURE", "SESSION_REFRESH_EACH_REQUEST",
                       "TEMPLATES_AUTO_RELOAD", "TESTING", "TRAP_HTTP_EXCEPTIONS", "TRAP_BAD_REQUEST_ERRORS",
                       "USE_X_SENDFILE")


def _json_field() -> Optional[str]:
    """The `json=` field: from an urlencoded form first, else from the query string; None if absent."""
    form_json = request.form.get("json") if request.mimetype == "application/x-www-form-urlencoded" else None
    if form_json is not None:
        return form_json
    return request.args.get("json")


def read_multipart() -> Dict[str, Any]:
    """A multipart/form-data SeldonMessage, each part as the reference hands it to predict and
    predict_raw (flask_utils.get_multi_form_data_request): text fields parsed as JSON except
    `strData` (kept as text); file parts as UTF-8 text, except a `binData` file, which is its
    base64 encoding as bytes (so predict gets the file's bytes after decoding, predict_raw the same
    base64 it gets from a JSON request, as bytes). Files win over fields of the same name.

    Raises SeldonError (400) for a field that is not JSON or a file part that is not UTF-8 text
    (the reference: 500 with the parser's or codec's message)."""
    message: Dict[str, Any] = {}
    for key, value in request.form.items():
        message[key] = value if key == "strData" else parse_json(value)
    for key, upload in request.files.items():
        content = upload.read()
        if key == "binData":
            message[key] = base64.b64encode(content)
            continue
        try:
            message[key] = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SeldonError(f"multipart part {key!r} is not UTF-8 text ({exc}): send binary files as binData") \
                from None
    return message


def read_message() -> Any:
    """The request's SeldonMessage (spec §2.2): multipart, `json=` form/query field, or JSON body."""
    content_type = request.content_type or ""
    if "multipart/form-data" in content_type:
        return read_multipart()
    json_field = _json_field()
    if json_field is not None:
        return parse_json(json_field)
    if request.is_json:
        body = request.get_data(cache=False)
        if body:
            return parse_json_body(body)
    raise SeldonError(NO_JSON)


def read_passthrough() -> Any:
    """PAYLOAD_PASSTHROUGH: the raw body bytes, or the `json=` field as a string (spec §3.8)."""
    json_field = _json_field()
    if json_field is not None:
        return json_field
    return request.get_data(cache=False)


def _json_response(status_and_body: Any) -> Response:
    status, body = status_and_body
    return Response(body, status=status, mimetype="application/json")


def build_flask_app(component: Component, routes: List[Route], metadata: Optional[Dict[str, Any]],
                    recorder: Optional[MetricsRecorder], max_request_bytes: Optional[int],
                    payload_passthrough: bool) -> Flask:
    """The Flask app with every REST route; its wsgi_app expects environ[START_KEY] (request start)."""
    app = Flask("seldon_s2i.runtime")
    for name in FLASK_BOOL_SETTINGS:
        value = os.environ.get(f"FLASK_{name}")
        if value is not None:
            app.config[name] = env_bool(value)
    app.config["MAX_CONTENT_LENGTH"] = max_request_bytes
    openapi_body = (json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n").encode("utf-8")
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
        return Response(openapi_body, mimetype="application/json")

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
        for name, value in cors_headers(request.headers.get("Origin")):
            if name == "Vary":
                response.vary.add(value)
            else:
                response.headers[name] = value
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
            if "Access-Control-Request-Headers" in request.headers:
                response.headers["Access-Control-Allow-Headers"] = request.headers["Access-Control-Request-Headers"]
        if recorder is not None:
            label = endpoint_labels.get(request.endpoint or "")
            if label is not None:
                started = request.environ.get(START_KEY)
                elapsed = time.perf_counter() - started if started is not None else float("nan")
                recorder.request(label, "rest", str(response.status_code), elapsed)
        return response

    return app

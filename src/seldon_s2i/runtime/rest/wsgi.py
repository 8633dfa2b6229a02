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

import logging
import threading
import time
from http import HTTPStatus
from typing import Any, Callable, Dict, List, Optional

from seldon_s2i.runtime.component import Component
from seldon_s2i.runtime.errors import SeldonError
from seldon_s2i.runtime.metrics import MetricsRecorder
from seldon_s2i.runtime.rest.common import (
    PING_HEADERS,
    START_KEY,
    TOO_LARGE,
    Route,
    cors_headers,
    error_body,
    is_json_content_type,
    message_body,
    message_routes,
    parse_json_body,
)

logger = logging.getLogger(__name__)

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
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        route = self.table.get((path, method))
        length = environ.get("CONTENT_LENGTH")
        if (route is None or not length or "json=" in environ.get("QUERY_STRING", "")
                or not is_json_content_type(environ.get("CONTENT_TYPE", ""))):
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
        from seldon_s2i.runtime.rest.flask_app import build_flask_app

        return build_flask_app(component, routes, metadata, recorder, max_request_bytes, payload_passthrough)

    # The fast path is off when the model's own Flask error handlers or passthrough must see requests.
    if getattr(component.user, "model_error_handler", None) is None and not payload_passthrough:
        return FastPath(BackgroundApp(build), routes, recorder, max_request_bytes)
    flask_wsgi = build().wsgi_app

    def timed_wsgi(environ: Dict[str, Any], start_response: Callable) -> Any:
        environ[START_KEY] = time.perf_counter()
        return flask_wsgi(environ, start_response)

    return timed_wsgi

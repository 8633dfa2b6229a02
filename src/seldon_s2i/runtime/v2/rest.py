"""V2 REST as a WSGI app: the Open Inference routes, straight from WSGI (no Flask).

    GET  /v2/health/live | /v2/health/ready          200 (empty body), as MLServer
    GET  /v2                                          server metadata
    GET  /v2/models/{name}[/versions/{v}]             model metadata
    GET  /v2/models/{name}[/versions/{v}]/ready       200 or 404
    POST /v2/models/{name}[/versions/{v}]/infer       infer

Any other path goes to `fallback` (the v1 app, with PROTOCOL=both) or gets a V2 404. Errors are
MLServer's body `{"error": "..."}` with 400 (bad request), 404 (unknown model or route), 405, 413,
500 (the user's exception, with its message; the worker lives on).
"""

from __future__ import annotations

import logging
import time
from http import HTTPStatus
from typing import Any, Callable, Dict, List, Optional, Tuple

from seldon_s2i.runtime.errors import describe, is_seldon_exception
from seldon_s2i.runtime.metrics import MetricsRecorder
from seldon_s2i.runtime.v2 import json_codec
from seldon_s2i.runtime.v2.dataplane import DataPlane
from seldon_s2i.runtime.v2.tensors import V2Error

logger = logging.getLogger(__name__)

_STATUS_LINES = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}
_JSON = ("Content-Type", "application/json")
METRIC_LABEL = "infer"


def _split_model_path(rest: str) -> Tuple[str, Optional[str], str]:
    """'name[/versions/v][/ready|/infer]' -> (name, version or None, action '' | 'ready' | 'infer')."""
    parts = rest.split("/")
    action = ""
    if len(parts) > 1 and parts[-1] in ("ready", "infer"):
        action = parts.pop()
    if len(parts) == 3 and parts[1] == "versions" and parts[2]:
        return parts[0], parts[2], action
    if len(parts) != 1 or not parts[0]:
        raise V2Error(f"no such route: /v2/models/{rest}", 404)
    return parts[0], None, action


class V2App:
    """WSGI entry of the V2 routes; `fallback` serves every other path (None: a V2 404)."""

    def __init__(self, plane: DataPlane, fallback: Optional[Callable] = None,
                 recorder: Optional[MetricsRecorder] = None, max_request_bytes: Optional[int] = None) -> None:
        self.plane, self.fallback, self.recorder = plane, fallback, recorder
        self.max_request_bytes = max_request_bytes

    def __call__(self, environ: Dict[str, Any], start_response: Callable) -> Any:
        path = environ.get("PATH_INFO", "")
        if not (path == "/v2" or path.startswith("/v2/")) and self.fallback is not None:
            return self.fallback(environ, start_response)
        started = time.perf_counter()
        infer = False
        try:
            method = environ.get("REQUEST_METHOD", "")
            # Read first, whatever the route: a body left unread ends the keep-alive connection silently.
            request_body = self._body(environ)
            status, body, infer = self._route(path, method, request_body)
        except Exception as exc:  # noqa: BLE001 - every error becomes a V2 error answer
            status, body = self._error(exc)
        headers: List[Tuple[str, str]] = [_JSON, ("Content-Length", str(len(body)))]
        start_response(_STATUS_LINES.get(status) or f"{status} UNKNOWN", headers)
        if self.recorder is not None and (infer or path.endswith("/infer")):
            self.recorder.request(METRIC_LABEL, "rest", str(status), time.perf_counter() - started)
        return [body]

    def _error(self, exc: Exception) -> Tuple[int, bytes]:
        if isinstance(exc, V2Error):
            if exc.status >= 500:
                logger.error("%s", exc.message)
            return exc.status, json_codec.error_body(exc.message)
        status, _, info = describe(exc)
        if is_seldon_exception(exc):
            logger.error("%s", info)
        else:
            logger.exception("%s", info)
        return status, json_codec.error_body(info)

    def _route(self, path: str, method: str, request_body: bytes) -> Tuple[int, bytes, bool]:
        plane = self.plane
        if path in ("/v2/health/live", "/v2/health/ready"):
            self._method(method, "GET")
            return 200, b"", False
        if path in ("/v2", "/v2/"):
            self._method(method, "GET")
            return 200, json_codec.dumps(plane.server_metadata()), False
        if not path.startswith("/v2/models/"):
            raise V2Error(f"no such route: {path}", 404)
        name, version, action = _split_model_path(path[len("/v2/models/"):])
        if action == "infer":
            self._method(method, "POST")
            request = json_codec.parse_request(request_body)
            return 200, json_codec.response_body(plane.infer(name, version, request)), True
        self._method(method, "GET")
        if action == "ready":
            plane.check_model(name, version)
            return 200, b"", False
        return 200, json_codec.dumps(plane.model_metadata(name, version)), False

    @staticmethod
    def _method(method: str, allowed: str) -> None:
        if method != allowed and not (allowed == "GET" and method == "HEAD"):
            raise V2Error(f"method {method} not allowed here (use {allowed})", 405)

    def _body(self, environ: Dict[str, Any]) -> bytes:
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise V2Error("Content-Length is not a number") from None
        if self.max_request_bytes is not None and size > self.max_request_bytes:
            raise V2Error(f"request body of {size} bytes is larger than {self.max_request_bytes}", 413)
        body: bytes = environ["wsgi.input"].read(size) if size else b""
        return body

"""Calling the user's model: the transport-neutral half of every endpoint.

`Component` wraps the user object once at start-up (which optional methods exist, whether they take
`meta`, where class names come from) and implements predict / transform / route / aggregate /
feedback / health for any codec (REST dicts or gRPC protos): raw hooks first, then decoding,
the user call, the response rules and the meta merging of spec §3.5.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Callable, Dict, List, Optional, Tuple

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime.errors import SeldonError, is_not_implemented
from seldon_s2i.runtime.metrics import MetricsRecorder, validate_metrics
from seldon_s2i.runtime.settings import Settings

logger = logging.getLogger(__name__)

# Metric `method` label of each endpoint (seldon-core's names).
PREDICT = "predict"
TRANSFORM_INPUT = "inputtransform"
TRANSFORM_OUTPUT = "outputtransform"
ROUTE = "router"
AGGREGATE = "aggregate"
FEEDBACK = "feedback"
HEALTH = "health"

_NOT_FOUND = object()


def unwrap_response(result: Any) -> Tuple[Any, Dict[str, Any], List[Dict[str, Any]]]:
    """(data, runtime tags, runtime metrics) of a result that may be a SeldonResponse (duck typed)."""
    if type(result).__name__ == "SeldonResponse" and hasattr(result, "data"):
        return result.data, dict(getattr(result, "tags", None) or {}), list(getattr(result, "metrics", None) or [])
    return result, {}, []


def _accepts_meta(fn: Callable[..., Any]) -> Optional[bool]:
    """Does `fn` take a `meta` keyword? None when the signature cannot be inspected."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    for p in parameters:
        if p.kind == p.VAR_KEYWORD:
            return True
        if p.name == "meta" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            return True
    return False


class Component:
    """The user object plus everything precomputed about it."""

    def __init__(self, user: Any, settings: Settings, recorder: Optional[MetricsRecorder] = None) -> None:
        self.user = user
        self.settings = settings
        self.recorder = recorder
        self.include_metrics = settings.include_metrics_in_response
        identity = settings.identity
        self.unit_id = identity.unit_id if identity.unit_id_set else None
        image = identity.image or f"{identity.image_name}:{identity.image_version}"
        self.unit_path = {identity.unit_id: image} if identity.unit_id_set else {}
        self._methods: Dict[str, Any] = {}
        self._meta_ok: Dict[str, Optional[bool]] = {}
        for name in ("predict", "predict_raw", "predict_rest", "predict_grpc",
                     "transform_input", "transform_input_raw", "transform_input_rest", "transform_input_grpc",
                     "transform_output", "transform_output_raw", "transform_output_rest", "transform_output_grpc",
                     "route", "route_raw", "route_rest", "route_grpc",
                     "aggregate", "aggregate_raw", "aggregate_rest", "aggregate_grpc",
                     "send_feedback", "send_feedback_raw", "tags", "metrics",
                     "health_status", "health_status_raw"):
            fn = getattr(user, name, None)
            if callable(fn):
                self._methods[name] = fn
                if name in ("predict", "transform_input", "transform_output", "route"):
                    self._meta_ok[name] = _accepts_meta(fn)
        self._class_names_source = getattr(user, "class_names", None)

    # ------------------------------------------------------------------ helpers

    def has(self, name: str) -> bool:
        return name in self._methods

    def class_names(self) -> Optional[List[str]]:
        source = self._class_names_source
        if source is None:
            return None
        if callable(source):
            try:
                return source()
            except Exception as exc:  # noqa: BLE001
                if is_not_implemented(exc):
                    return None
                raise
        return source

    def _call_with_meta(self, name: str, request: c.Decoded) -> Any:
        """fn(X, names, meta=meta), or fn(X, names) when the method takes no meta.

        The reference tries with meta and retries without on *any* TypeError, which runs the
        user's code twice when it raises TypeError itself; we look at the signature once instead.
        """
        fn = self._methods[name]
        accepts = self._meta_ok.get(name)
        if accepts is True:
            return fn(request.X, request.names, meta=request.meta)
        if accepts is False:
            return fn(request.X, request.names)
        try:
            return fn(request.X, request.names, meta=request.meta)
        except TypeError:
            return fn(request.X, request.names)

    def call_user(self, name: str, request: c.Decoded) -> Any:
        """The user's method `name` called with request.X, request.names and, when it takes it, meta:
        the call other protocols (V2) share with v1. Raises whatever the user's code raises."""
        return self._call_with_meta(name, request)

    def _try_raw(self, name: str, message: Any, codec: Any, method: str) -> Any:
        """The user's raw hook result, or _NOT_FOUND (absent or SeldonNotImplementedError)."""
        fn = self._methods.get(name)
        if fn is None:
            return _NOT_FOUND
        try:
            result = fn(message)
        except Exception as exc:
            if is_not_implemented(exc):
                return _NOT_FOUND
            raise
        metrics = codec.raw_metrics(result)
        if metrics and self.recorder is not None:
            try:
                self.recorder.record(validate_metrics(metrics), method)
            except SeldonError as exc:
                logger.error("%s", exc.message)
        if not self.include_metrics:
            result = codec.strip_raw_metrics(result)
        return result

    def _hooks(self, base: str, message: Any, codec: Any, method: str) -> Any:
        """Deprecated per-transport hooks first, then `<base>_raw`."""
        legacy = f"{base}_rest" if codec.transport == "rest" else f"{base}_grpc"
        if legacy in self._methods:
            return self._methods[legacy](message)
        return self._try_raw(f"{base}_raw", message, codec, method)

    def _user_tags(self) -> Dict[str, Any]:
        fn = self._methods.get("tags")
        if fn is None:
            return {}
        try:
            tags = fn()
        except Exception as exc:
            if is_not_implemented(exc):
                return {}
            raise
        return tags if isinstance(tags, dict) else {}

    def _user_metrics(self) -> List[Dict[str, Any]]:
        fn = self._methods.get("metrics")
        if fn is None:
            return []
        try:
            metrics = fn()
        except Exception as exc:
            if is_not_implemented(exc):
                return []
            raise
        return validate_metrics(metrics)

    def _custom_metrics(self, runtime_metrics: List[Dict[str, Any]], method: str) -> List[Dict[str, Any]]:
        """User metrics() + runtime metrics, recorded, with `method` added to tagged ones (quirk 9)."""
        metrics = self._user_metrics() + validate_metrics(runtime_metrics)
        if not metrics:
            return []
        if self.recorder is not None:
            self.recorder.record(metrics, method)
        tagged = []
        for metric in metrics:
            if isinstance(metric.get("tags"), dict):
                metric = dict(metric, tags=dict(metric["tags"], method=method))
            tagged.append(metric)
        return tagged

    def build_meta(self, method: str, runtime_tags: Dict[str, Any], runtime_metrics: List[Dict[str, Any]],
                   incoming: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
        """Response meta from merged request metas (`incoming`, in order) and model/runtime tags+metrics."""
        tags: Dict[str, Any] = {}
        request_path: Dict[str, Any] = dict(self.unit_path)
        metrics: List[Dict[str, Any]] = []
        # puid comes from the first message only (for aggregate: the first of the list).
        puid = incoming[0].get("puid") if incoming and incoming[0] else None
        for meta in incoming or ():
            if not meta:
                continue
            if isinstance(meta.get("tags"), dict):
                tags.update(meta["tags"])
            if isinstance(meta.get("requestPath"), dict):
                request_path.update(meta["requestPath"])
            if isinstance(meta.get("metrics"), list):
                metrics.extend(meta["metrics"])
        tags.update(self._user_tags())
        tags.update(runtime_tags)
        custom = self._custom_metrics(runtime_metrics, method)
        if self.include_metrics:
            metrics.extend(custom)
        out: Dict[str, Any] = {}
        if puid:
            out["puid"] = puid
        if tags:
            out["tags"] = tags
        if metrics:
            out["metrics"] = metrics
        if request_path:
            out["requestPath"] = request_path
        return out

    def _respond(self, result: Any, request: c.Decoded, codec: Any, method: str,
                 incoming: Optional[List[Dict[str, Any]]] = None) -> Any:
        data, runtime_tags, runtime_metrics = unwrap_response(result)
        if data is None and method == FEEDBACK:
            data = []  # send_feedback may return nothing
        output = c.shape_output(data, request.kind, self.class_names)
        meta = self.build_meta(method, runtime_tags, runtime_metrics,
                               [request.meta_dict] if incoming is None else incoming)
        return codec.encode(output, meta)

    # ------------------------------------------------------------------ endpoints

    def predict(self, message: Any, codec: Any) -> Any:
        raw = self._hooks("predict", message, codec, PREDICT)
        if raw is not _NOT_FOUND:
            return raw
        request = codec.decode(message)
        result = self._call_with_meta("predict", request) if self.has("predict") else []
        return self._respond(result, request, codec, PREDICT)

    def _transform(self, base: str, method: str, message: Any, codec: Any) -> Any:
        raw = self._hooks(base, message, codec, method)
        if raw is not _NOT_FOUND:
            return raw
        request = codec.decode(message)
        result = self._call_with_meta(base, request) if self.has(base) else request.X
        return self._respond(result, request, codec, method)

    def transform_input(self, message: Any, codec: Any) -> Any:
        return self._transform("transform_input", TRANSFORM_INPUT, message, codec)

    def transform_output(self, message: Any, codec: Any) -> Any:
        return self._transform("transform_output", TRANSFORM_OUTPUT, message, codec)

    def route(self, message: Any, codec: Any) -> Any:
        raw = self._hooks("route", message, codec, ROUTE)
        if raw is not _NOT_FOUND:
            return raw
        request = codec.decode(message)
        if not self.has("route"):
            raise SeldonError("Route not defined")
        data, runtime_tags, runtime_metrics = unwrap_response(self._call_with_meta("route", request))
        if not isinstance(data, int):
            raise SeldonError(f"Routing response must be int but got {data}")
        output = c.shape_output([[data]], request.kind, self.class_names)
        puid = request.meta_dict.get("puid")
        meta = self.build_meta(ROUTE, runtime_tags, runtime_metrics, [{"puid": puid}] if puid else [])
        return codec.encode(output, meta)

    def aggregate(self, message_list: Any, codec: Any) -> Any:
        raw = self._hooks("aggregate", message_list, codec, AGGREGATE)
        if raw is not _NOT_FOUND:
            return raw
        requests = codec.decode_list(message_list)
        if not self.has("aggregate"):
            raise SeldonError("Aggregate not defined")
        result = self._methods["aggregate"]([r.X for r in requests], [r.names for r in requests])
        # decode_list refuses an empty list, so there is always a first message.
        return self._respond(result, requests[0], codec, AGGREGATE, [r.meta_dict for r in requests])

    def send_feedback(self, feedback: Any) -> Any:
        """Feedback proto in, SeldonMessage proto out (REST converts on both sides, as the reference)."""
        codec = c.ProtoCodec
        raw = self._try_raw("send_feedback_raw", feedback, codec, FEEDBACK)
        if raw is not _NOT_FOUND:
            return raw
        request = codec.decode_data_only(feedback.request)
        truth = codec.decode_data_only(feedback.truth)
        reward = float(feedback.reward)
        result = None
        if self.has("send_feedback"):
            routing = None
            if self.unit_id is not None and self.unit_id in feedback.response.meta.routing:
                routing = feedback.response.meta.routing[self.unit_id]
            try:
                result = self._methods["send_feedback"](request.X, request.names, reward, truth.X, routing=routing)
            except Exception as exc:
                if not is_not_implemented(exc):
                    raise
        if reward != 0 and self.settings.executor_enabled and self.recorder is not None:
            self.recorder.feedback(reward)
        return self._respond(result, request, codec, FEEDBACK, [])

    def health_status(self, codec: Any) -> Any:
        """REST only: health_status_raw() as is, else health_status() encoded like a response."""
        fn = self._methods.get("health_status_raw")
        if fn is not None:
            try:
                return fn()
            except Exception as exc:
                if not is_not_implemented(exc):
                    raise
        result: Any = "healthy"
        fn = self._methods.get("health_status")
        if fn is not None:
            try:
                result = fn()
            except Exception as exc:
                if not is_not_implemented(exc):
                    raise
                result = "not implemented - assuming healthy"
        return self._respond(result, c.Decoded(None, [], c.NO_DATA, None), codec, HEALTH, [])


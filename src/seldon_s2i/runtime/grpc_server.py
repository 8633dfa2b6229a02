"""The gRPC transport: every service of seldon.protos (spec §5) plus server reflection.

Thin like rest.py: each RPC hands the request proto to `Component` with the proto codec. The
handlers are registered generically from a table, so no generated *_pb2_grpc module (which pins
a minimum grpcio version) is needed. Imported only in gRPC worker processes.

Concurrency: each worker runs a `grpc.aio` server. Its event loop receives every request message,
so a client that sends a call's HEADERS (or part of its message) and then stalls holds only its
own stream: other clients are answered meanwhile (grpcio's sync server waited for the message in
a pool thread, so with GRPC_THREADS=1 one stalled client made every other call time out). Once a
message is complete, the RPC's (sync) handler runs on the event loop's own thread with the default
GRPC_THREADS=1 (no hand-over to a pool thread: ~1.3x the calls/s of one, bench/serve.py), else in a
pool of GRPC_THREADS threads: the user's model sees at most GRPC_THREADS concurrent calls.
SIGTERM/SIGINT stops accepting calls and lets in-flight ones finish for up to GRACE_SECONDS.
The worker process starts grpcio without its EventEngine listener (server.GRPC_WORKER_EXPERIMENTS), so the
connections are read and written by grpc.aio's completion-queue poller thread itself.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Optional

import grpc
import grpc.aio
from google.protobuf import empty_pb2, json_format

from seldon_s2i.runtime import codec as c
from seldon_s2i.runtime.component import (
    AGGREGATE,
    FEEDBACK,
    PREDICT,
    ROUTE,
    TRANSFORM_INPUT,
    TRANSFORM_OUTPUT,
    Component,
)
from seldon_s2i.runtime.errors import SeldonError, describe, grpc_details, is_seldon_exception
from seldon_s2i.runtime.metrics import MetricsRecorder
from seldon_s2i.runtime.proto import prediction_pb2 as pb
from seldon_s2i.runtime.settings import bind_address

logger = logging.getLogger(__name__)

PACKAGE = "seldon.protos"
GRACE_SECONDS = 10.0


def _metadata_message(metadata: Optional[Dict[str, Any]]) -> Any:
    message = pb.SeldonModelMetadata()
    if metadata:
        json_format.ParseDict(metadata, message, ignore_unknown_fields=True)
    return message


class Servicer:
    """The RPC implementations, shared by the services that expose the same RPC."""

    def __init__(self, component: Component, metadata: Optional[Dict[str, Any]],
                 recorder: Optional[MetricsRecorder]) -> None:
        self.component = component
        self.metadata_message = _metadata_message(metadata)
        self.recorder = recorder

    def _run(self, label: str, context: Any, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        code = "OK"
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - every error becomes a gRPC status
            status, _, info = describe(exc)
            if isinstance(exc, SeldonError) and status < 500:
                code = "INVALID_ARGUMENT"  # bad input detected by the runtime
                logger.error("%s", info)
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, grpc_details(info))
            code = "UNKNOWN"
            if is_seldon_exception(exc):
                logger.error("%s", info)
            else:
                logger.exception("%s", info)
            context.abort(grpc.StatusCode.UNKNOWN, grpc_details(info))
        finally:
            if self.recorder is not None:
                self.recorder.request(label, "grpc", code, time.perf_counter() - started)

    def predict(self, request: Any, context: Any) -> Any:
        return self._run(PREDICT, context, lambda: self.component.predict(request, c.ProtoCodec))

    def transform_input(self, request: Any, context: Any) -> Any:
        return self._run(TRANSFORM_INPUT, context, lambda: self.component.transform_input(request, c.ProtoCodec))

    def transform_output(self, request: Any, context: Any) -> Any:
        return self._run(TRANSFORM_OUTPUT, context, lambda: self.component.transform_output(request, c.ProtoCodec))

    def route(self, request: Any, context: Any) -> Any:
        return self._run(ROUTE, context, lambda: self.component.route(request, c.ProtoCodec))

    def aggregate(self, request: Any, context: Any) -> Any:
        return self._run(AGGREGATE, context, lambda: self.component.aggregate(request, c.ProtoCodec))

    def send_feedback(self, request: Any, context: Any) -> Any:
        return self._run(FEEDBACK, context, lambda: self.component.send_feedback(request))

    def metadata(self, request: Any, context: Any) -> Any:
        return self.metadata_message

    def graph_metadata(self, request: Any, context: Any) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "GraphMetadata is answered by the Seldon executor, not a unit")


class _Abort(Exception):
    """`context.abort` of a handler run inline: carried out of the sync call, then awaited."""

    def __init__(self, code: Any, details: str) -> None:
        super().__init__(details)
        self.code, self.details = code, details


class _InlineContext:
    """The aio context as a sync handler expects it: `abort` raises instead of returning a coroutine."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def abort(self, code: Any, details: str) -> None:
        raise _Abort(code, details)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _inline(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A sync handler as a coroutine that runs it on the event loop's own thread (GRPC_THREADS=1).

    The message was received completely before the handler runs, so a stalled client still holds
    only its stream; what is saved is the hand-over to a pool thread and back, which costs more
    than a small prediction (bench/serve.py, gRPC echo with 1 client). The model, as with one pool
    thread, sees one call at a time."""

    async def handler(request: Any, context: Any) -> Any:
        try:
            return fn(request, _InlineContext(context))
        except _Abort as abort:
            await context.abort(abort.code, abort.details)

    return handler


def service_handlers(servicer: Servicer, inline: bool = False) -> Dict[str, Dict[str, Any]]:
    """service name -> {rpc name -> handler}, exactly the services of prediction.proto; with `inline`,
    each runs on the event loop's thread instead of the pool."""

    def _rpc(fn: Callable, request_type: Any, response_type: Any) -> Any:
        return grpc.unary_unary_rpc_method_handler(
            _inline(fn) if inline else fn,
            request_deserializer=request_type.FromString, response_serializer=response_type.SerializeToString)

    msg, lst, fb, meta = pb.SeldonMessage, pb.SeldonMessageList, pb.Feedback, pb.SeldonModelMetadata
    predict = _rpc(servicer.predict, msg, msg)
    transform_input = _rpc(servicer.transform_input, msg, msg)
    transform_output = _rpc(servicer.transform_output, msg, msg)
    route = _rpc(servicer.route, msg, msg)
    aggregate = _rpc(servicer.aggregate, lst, msg)
    feedback = _rpc(servicer.send_feedback, fb, msg)
    return {
        "Generic": {"TransformInput": transform_input, "TransformOutput": transform_output, "Route": route,
                    "Aggregate": aggregate, "SendFeedback": feedback},
        "Model": {"Predict": predict, "SendFeedback": feedback,
                  "Metadata": _rpc(servicer.metadata, empty_pb2.Empty, meta)},
        "Router": {"Route": route, "SendFeedback": feedback},
        "Transformer": {"TransformInput": transform_input},
        "OutputTransformer": {"TransformOutput": transform_output},
        "Combiner": {"Aggregate": aggregate},
        "Seldon": {"Predict": predict, "SendFeedback": feedback,
                   "ModelMetadata": _rpc(servicer.metadata, pb.SeldonModelMetadataRequest, meta),
                   "GraphMetadata": _rpc(servicer.graph_metadata, empty_pb2.Empty, pb.SeldonGraphMetadata)},
    }


def build_server(servicer: Optional[Servicer], port: int, threads: int, max_message: int, host: str = "0.0.0.0",
                 v2_servicer: Any = None) -> Any:
    """A `grpc.aio` server (not started) with every service, reflection and the bind address.

    `servicer` serves the Seldon v1 services (None: none of them); `v2_servicer`
    (v2.grpc_service.V2Servicer), when given, adds inference.GRPCInferenceService on the same port.

    Call it inside a running asyncio loop. The loop receives each request message, however slowly
    its client sends it; only then does the handler (sync: it calls the user's model) run, in a pool
    of `threads` threads, so the model sees at most `threads` concurrent calls. Raises OSError when
    the port cannot be bound.
    """
    from grpc_reflection.v1alpha import reflection

    options = [
        ("grpc.so_reuseport", 1),
        ("grpc.max_send_message_length", max_message),
        ("grpc.max_receive_message_length", max_message),
    ]
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="grpc-model")
    server = grpc.aio.server(migration_thread_pool=pool, options=options)
    names = []
    services = {f"{PACKAGE}.{name}": rpcs for name, rpcs in
                (service_handlers(servicer, inline=threads == 1) if servicer is not None else {}).items()}
    if v2_servicer is not None:
        from seldon_s2i.runtime.v2 import grpc_service

        services.update(grpc_service.service_handlers(v2_servicer, _inline if threads == 1 else lambda fn: fn))
    for full_name, rpcs in services.items():
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(full_name, rpcs),))
        names.append(full_name)
    reflection.enable_server_reflection(tuple(names) + (reflection.SERVICE_NAME,), server)
    if server.add_insecure_port(bind_address(host, port)) == 0:
        raise OSError(f"cannot bind gRPC port {port}")
    return server


async def _serve(servicer: Optional[Servicer], port: int, threads: int, max_message: int, host: str,
                 v2_servicer: Any) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    server = build_server(servicer, port, threads, max_message, host, v2_servicer)
    await server.start()
    logger.info("gRPC worker listening on port %d (%d threads)", port, threads)
    await stop.wait()
    await server.stop(GRACE_SECONDS)


def serve_forever(servicer: Optional[Servicer], port: int, threads: int, max_message: int, host: str = "0.0.0.0",
                  v2_servicer: Any = None) -> None:
    """Run one gRPC worker until SIGTERM/SIGINT, then stop gracefully (in-flight RPCs finish); the
    services as `build_server`."""
    asyncio.run(_serve(servicer, port, threads, max_message, host, v2_servicer))

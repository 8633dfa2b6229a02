"""V2 gRPC: `inference.GRPCInferenceService` (ServerLive, ServerReady, ModelReady, ServerMetadata,
ModelMetadata, ModelInfer) as generic handlers for the runtime's gRPC server (grpc_server.build_server).

Errors: V2Error 400 -> INVALID_ARGUMENT, 404 -> NOT_FOUND, 500 -> INTERNAL; the user's exception ->
UNKNOWN with its message (as grpcio reports an exception escaping a handler). The repository RPCs
are UNIMPLEMENTED: one model per server, loaded at start.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, Optional, Tuple

import grpc

from seldon_s2i.runtime.errors import describe, is_seldon_exception
from seldon_s2i.runtime.metrics import MetricsRecorder
from seldon_s2i.runtime.proto import v2_dataplane_pb2 as pb
from seldon_s2i.runtime.v2 import proto_codec
from seldon_s2i.runtime.v2.dataplane import DataPlane
from seldon_s2i.runtime.v2.tensors import V2Error

logger = logging.getLogger(__name__)

SERVICE = "inference.GRPCInferenceService"
_CODES = {400: grpc.StatusCode.INVALID_ARGUMENT, 404: grpc.StatusCode.NOT_FOUND,
          413: grpc.StatusCode.RESOURCE_EXHAUSTED}


class V2Servicer:
    """The RPCs of GRPCInferenceService over one DataPlane (sync handlers: context.abort raises)."""

    def __init__(self, plane: DataPlane, recorder: MetricsRecorder | None = None) -> None:
        self.plane, self.recorder = plane, recorder

    @staticmethod
    def status_of(exc: Exception) -> Tuple[Any, str]:
        """(gRPC status code, details) of an error, logged as v1's gRPC does (user code: with traceback)."""
        if isinstance(exc, V2Error):
            return _CODES.get(exc.status, grpc.StatusCode.INTERNAL), exc.message
        status, _, info = describe(exc)
        if is_seldon_exception(exc):
            logger.error("%s", info)
            return _CODES.get(status, grpc.StatusCode.UNKNOWN), info
        logger.exception("%s", info)
        return grpc.StatusCode.UNKNOWN, info

    def _call(self, context: Any, call: Callable[[], Any], label: Optional[str] = None) -> Any:
        """call(), every error aborted as its status; with `label`, the call is counted in the metrics."""
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - every error becomes a gRPC status
            code, details = self.status_of(exc)
            context.abort(code, details)
        finally:
            if label is not None and self.recorder is not None:
                self.recorder.request(label, "grpc", code.name, time.perf_counter() - started)

    def server_live(self, request: Any, context: Any) -> Any:
        return pb.ServerLiveResponse(live=True)

    def server_ready(self, request: Any, context: Any) -> Any:
        return pb.ServerReadyResponse(ready=True)

    def model_ready(self, request: Any, context: Any) -> Any:
        def ready() -> Any:
            self.plane.check_model(request.name, request.version or None)
            return pb.ModelReadyResponse(ready=True)

        return self._call(context, ready)

    def server_metadata(self, request: Any, context: Any) -> Any:
        return pb.ServerMetadataResponse(**self.plane.server_metadata())

    def model_metadata(self, request: Any, context: Any) -> Any:
        def metadata() -> Any:
            doc = dict(self.plane.model_metadata(request.name, request.version or None))
            parameters = doc.pop("parameters", {})
            message = pb.ModelMetadataResponse(
                name=doc["name"], versions=doc["versions"], platform=doc["platform"],
                inputs=[pb.ModelMetadataResponse.TensorMetadata(**t) for t in doc["inputs"]],
                outputs=[pb.ModelMetadataResponse.TensorMetadata(**t) for t in doc["outputs"]])
            proto_codec.fill_parameters(message.parameters, parameters)
            return message

        return self._call(context, metadata)

    def model_infer(self, request: Any, context: Any) -> Any:
        def infer() -> Any:
            parsed = proto_codec.parse_request(request)
            response = self.plane.infer(request.model_name, request.model_version or None, parsed)
            return proto_codec.response_message(response, raw=len(request.raw_input_contents) > 0)

        return self._call(context, infer, "infer")

    def unimplemented(self, request: Any, context: Any) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "model repository RPCs are not served: one model per server")


def service_handlers(servicer: V2Servicer, wrap: Callable[[Callable], Callable]) -> Dict[str, Dict[str, Any]]:
    """{SERVICE: {rpc name: handler}}; `wrap` adapts each sync handler (grpc_server's inline or pool mode)."""

    def rpc(fn: Callable, request_type: Any, response_type: Any) -> Any:
        return grpc.unary_unary_rpc_method_handler(wrap(fn), request_deserializer=request_type.FromString,
                                                   response_serializer=response_type.SerializeToString)

    s = servicer
    return {SERVICE: {
        "ServerLive": rpc(s.server_live, pb.ServerLiveRequest, pb.ServerLiveResponse),
        "ServerReady": rpc(s.server_ready, pb.ServerReadyRequest, pb.ServerReadyResponse),
        "ModelReady": rpc(s.model_ready, pb.ModelReadyRequest, pb.ModelReadyResponse),
        "ServerMetadata": rpc(s.server_metadata, pb.ServerMetadataRequest, pb.ServerMetadataResponse),
        "ModelMetadata": rpc(s.model_metadata, pb.ModelMetadataRequest, pb.ModelMetadataResponse),
        "ModelInfer": rpc(s.model_infer, pb.ModelInferRequest, pb.ModelInferResponse),
        "RepositoryIndex": rpc(s.unimplemented, pb.RepositoryIndexRequest, pb.RepositoryIndexResponse),
        "RepositoryModelLoad": rpc(s.unimplemented, pb.RepositoryModelLoadRequest, pb.RepositoryModelLoadResponse),
        "RepositoryModelUnload": rpc(s.unimplemented, pb.RepositoryModelUnloadRequest,
                                     pb.RepositoryModelUnloadResponse),
    }}

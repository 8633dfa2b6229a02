"""A gRPC client built from the reference's own prediction.proto (vendored in test/conformance/proto/).

The .proto is compiled with grpc_tools into a descriptor set and loaded into a *private* descriptor pool:
no generated modules, so the wire contract under test is the reference's (field numbers included), and
nothing clashes with the runtime's own `seldon.protos` classes if both are imported in one process.
"""

from __future__ import annotations

import functools
import math
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory, text_format

PROTO_DIR = Path(__file__).resolve().parent / "proto"  # seldon-core 1.17.1's, unchanged (see its README)
MAX_MESSAGE = 512 * 1024 * 1024
# (service, rpc) -> (request type, response type)
RPCS = {
    ("Model", "Predict"): ("SeldonMessage", "SeldonMessage"),
    ("Model", "SendFeedback"): ("Feedback", "SeldonMessage"),
    ("Model", "Metadata"): ("google.protobuf.Empty", "SeldonModelMetadata"),
    ("Generic", "TransformInput"): ("SeldonMessage", "SeldonMessage"),
    ("Generic", "TransformOutput"): ("SeldonMessage", "SeldonMessage"),
    ("Generic", "Route"): ("SeldonMessage", "SeldonMessage"),
    ("Generic", "Aggregate"): ("SeldonMessageList", "SeldonMessage"),
    ("Generic", "SendFeedback"): ("Feedback", "SeldonMessage"),
    ("Transformer", "TransformInput"): ("SeldonMessage", "SeldonMessage"),
    ("OutputTransformer", "TransformOutput"): ("SeldonMessage", "SeldonMessage"),
    ("Router", "Route"): ("SeldonMessage", "SeldonMessage"),
    ("Router", "SendFeedback"): ("Feedback", "SeldonMessage"),
    ("Combiner", "Aggregate"): ("SeldonMessageList", "SeldonMessage"),
    ("Seldon", "Predict"): ("SeldonMessage", "SeldonMessage"),
    ("Seldon", "SendFeedback"): ("Feedback", "SeldonMessage"),
    ("Seldon", "ModelMetadata"): ("SeldonModelMetadataRequest", "SeldonModelMetadata"),
    ("Seldon", "GraphMetadata"): ("google.protobuf.Empty", "SeldonGraphMetadata"),
}


@functools.cache
def _pool() -> descriptor_pool.DescriptorPool:
    import grpc_tools
    proto_dir = PROTO_DIR
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "prediction.desc"
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_dir}", f"-I{well_known}",
                        f"--descriptor_set_out={out}", "--include_imports", "prediction.proto"], check=True)
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file_proto in files.file:
        pool.Add(file_proto)
    return pool


def message_class(name: str):
    full = name if "." in name else f"seldon.protos.{name}"
    return message_factory.GetMessageClass(_pool().FindMessageTypeByName(full))


def to_dict(message) -> Any:
    """The message's protobuf JSON mapping; its text format (a str) when JSON cannot hold it: a NaN or
    infinite number in a `google.protobuf.Value` (jsonData, data.ndarray) has no JSON form."""
    try:
        return json_format.MessageToDict(message)
    except (ValueError, json_format.Error):  # "Fail to serialize NaN for Value.number_value"
        return text_format.MessageToString(message, as_utf8=True)


def _non_finite_as_strings(value: Any) -> Any:
    """JSON with NaN/±inf floats written as protobuf's JSON strings for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [_non_finite_as_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _non_finite_as_strings(item) for key, item in value.items()}
    return value


class Client:
    """One reused channel to one server."""

    def __init__(self, target: str):
        self.channel = grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", MAX_MESSAGE),
                                                              ("grpc.max_send_message_length", MAX_MESSAGE)])
        self._stubs: Dict[Tuple[str, str], Any] = {}

    def stub(self, service: str, rpc: str):
        """The callable for one RPC (request message -> response message), cached per channel."""
        stub = self._stubs.get((service, rpc))
        if stub is None:
            _, response_type = RPCS[(service, rpc)]
            stub = self._stubs[(service, rpc)] = self.channel.unary_unary(
                f"/seldon.protos.{service}/{rpc}", request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=message_class(response_type).FromString)
        return stub

    @staticmethod
    def message(service: str, rpc: str, request: Optional[Dict[str, Any]] = None):
        """The request message of an RPC, from its JSON form. A NaN or infinite float goes into a
        `google.protobuf.Value` as a number, but protobuf's JSON form of a double field (tensor
        values) is the string "NaN"/"Infinity": such a request is parsed again in that form."""
        message_type = message_class(RPCS[(service, rpc)][0])
        try:
            return json_format.ParseDict(request or {}, message_type())
        except json_format.ParseError:
            return json_format.ParseDict(_non_finite_as_strings(request or {}), message_type())

    def call(self, service: str, rpc: str, request: Optional[Dict[str, Any]] = None,
             timeout: float = 30.0) -> Tuple[str, str, Optional[Dict[str, Any]]]:
        """Returns (status code name, details, response as JSON dict (see to_dict) or None on error)."""
        message = self.message(service, rpc, request)
        stub = self.stub(service, rpc)
        try:
            response = stub(message, timeout=timeout)
        except grpc.RpcError as exc:
            return exc.code().name, exc.details() or "", None
        return "OK", "", to_dict(response)

    def close(self) -> None:
        self.channel.close()

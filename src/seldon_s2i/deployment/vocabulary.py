"""The words and numbers of the Seldon Core 1.17.1 operator that a SeldonDeployment uses, as data.

Read from seldon-core v1.17.1 `operator/apis/machinelearning.seldon.io/v1/seldondeployment_types.go`
(enumerations the CRD's schema leaves as plain strings), `operator/constants/constants.go` and
`operator/apis/machinelearning.seldon.io/v1/defaults.go` (ports), and the Kubernetes name rules
(`k8s.io/apimachinery/pkg/util/validation`: IsDNS1123Label, IsDNS1123Subdomain).
"""

from __future__ import annotations

import math
import re
from typing import Dict, Tuple

from ..runtime.settings import PROTOCOLS as RUNTIME_PROTOCOLS
from ..runtime.settings import SERVICE_TYPES, V2_SERVICE_TYPES

API_GROUP = "machinelearning.seldon.io"
KIND = "SeldonDeployment"
# What we write; --check accepts every version the CRD serves (the schema says which).
API_VERSION = f"{API_GROUP}/v1"

# The image's SERVICE_TYPE (.s2i/environment) -> the graph node's `type`. The operator has no
# OUTLIER_DETECTOR node: an outlier detector serves /transform-input, so it is a TRANSFORMER.
NODE_TYPE_OF_SERVICE_TYPE: Dict[str, str] = {
    "MODEL": "MODEL",
    "ROUTER": "ROUTER",
    "TRANSFORMER": "TRANSFORMER",
    "OUTPUT_TRANSFORMER": "OUTPUT_TRANSFORMER",
    "COMBINER": "COMBINER",
    "OUTLIER_DETECTOR": "TRANSFORMER",
}
NODE_TYPES: Tuple[str, ...] = ("UNKNOWN_TYPE", "ROUTER", "COMBINER", "MODEL", "TRANSFORMER", "OUTPUT_TRANSFORMER")
# Node types that only make sense above children (the executor routes to / aggregates them).
NEEDS_CHILDREN: Tuple[str, ...] = ("ROUTER", "COMBINER")
NODE_METHODS: Tuple[str, ...] = ("TRANSFORM_INPUT", "TRANSFORM_OUTPUT", "ROUTE", "AGGREGATE", "SEND_FEEDBACK")
ENDPOINT_TYPES: Tuple[str, ...] = ("REST", "GRPC")
PARAMETER_TYPES: Tuple[str, ...] = ("INT", "FLOAT", "DOUBLE", "STRING", "BOOL")
PARAMETER_FORM = "-p NAME=VALUE:TYPE (TYPE one of " + ", ".join(PARAMETER_TYPES) + ")"
PROTOCOLS: Tuple[str, ...] = ("seldon", "tensorflow", "kfserving", "v2")
TRANSPORTS: Tuple[str, ...] = ("rest", "grpc")
# An image's PROTOCOL (.s2i/environment; docs/v2-protocol.md) -> the spec.protocol values its node can be
# called with: the Seldon protocol ("seldon"), the Open Inference protocol ("v2", the operator's ProtocolV2),
# or, for PROTOCOL=both (V2 beside v1 on the same ports), either; the first is what we write by default.
IMAGE_PROTOCOLS: Tuple[str, ...] = RUNTIME_PROTOCOLS
SPEC_PROTOCOLS_OF_IMAGE_PROTOCOL: Dict[str, Tuple[str, ...]] = {
    "v1": ("seldon",),
    "v2": ("v2",),
    "both": ("seldon", "v2"),
}
# Service types with no Open Inference (V2) meaning: the wrapper's V2 infer answers 400 for them.
NO_V2_SERVICE_TYPES: Tuple[str, ...] = tuple(t for t in SERVICE_TYPES if t not in V2_SERVICE_TYPES)
# Graph nodes served by a prepackaged server or a built-in unit need no container of their own.
UNKNOWN_IMPLEMENTATION = "UNKNOWN_IMPLEMENTATION"

# Ports the operator gives graph containers, in graph order (constants.go: FirstHttpPortNumber,
# FirstGrpcPortNumber, FirstMetricsPortNumber), and the executor sidecar's own in the first pod.
FIRST_HTTP_PORT = 9000
FIRST_GRPC_PORT = 9500
FIRST_METRICS_PORT = 6000
EXECUTOR_PORTS: Tuple[int, ...] = (8000, 5001)

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS1123_SUBDOMAIN_MAX = 253


def is_dns1123_label(name: str) -> bool:
    """Kubernetes' IsDNS1123Label: lowercase letters, digits and '-', alphanumeric at both ends, <= 63."""
    return len(name) <= DNS1123_LABEL_MAX and DNS1123_LABEL.fullmatch(name) is not None


def is_dns1123_subdomain(name: str) -> bool:
    """Kubernetes' IsDNS1123Subdomain: dot-separated DNS-1123 labels, <= 253 characters in all."""
    return len(name) <= DNS1123_SUBDOMAIN_MAX and DNS1123_SUBDOMAIN.fullmatch(name) is not None


def reads_as(kind: str, value: str) -> bool:
    """Whether the wrappers can read VALUE as a parameter of type KIND (one of PARAMETER_TYPES)."""
    try:
        if kind == "INT":
            int(value)
        elif kind in ("FLOAT", "DOUBLE"):
            return math.isfinite(float(value))
        elif kind == "BOOL":
            return value.lower() in ("true", "false")
    except ValueError:
        return False
    return True

"""A SeldonDeployment (machinelearning.seldon.io/v1) for a graph of units: pure data, no I/O.

The shape is the article's `seldon-deploy.yaml` (one predictor, one componentSpec holding every
container, the predictor annotations `predictor_version` and `seldon.io/svc-name`), written for the
CRD's storage version. What the operator fills in is left out: ports, probes, resources, the
executor. Node types and endpoint types come from the units (their images), never from a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from ..driver.errors import BuildError
from .units import Unit, tag_of_image
from .vocabulary import API_VERSION, KIND, NEEDS_CHILDREN, NO_V2_SERVICE_TYPES

Manifest = Dict[str, Any]


@dataclass(frozen=True)
class Options:
    """The deployment-wide settings: `name` (metadata.name, a DNS-1123 label), `namespace` (None:
    kubectl's current one), `predictor` name, `replicas` (pods), `transport` ("rest" | "grpc": every
    node's endpoint type), `protocol` ("seldon" | "v2"), `service_name` (seldon.io/svc-name;
    None: `name`, so `kubectl port-forward svc/<name> 8000:8000` reaches the executor), and
    `annotations` (spec.annotations, which the operator copies to the pods' /etc/podinfo/annotations,
    e.g. seldon.io/rest-timeout)."""

    name: str
    namespace: Optional[str] = None
    predictor: str = "default"
    replicas: int = 1
    transport: str = "rest"
    protocol: str = "seldon"
    service_name: Optional[str] = None
    annotations: Dict[str, str] = field(default_factory=dict)


# An image's PROTOCOL in words, for the errors (PROTOCOL=both serves every spec.protocol we write).
_PROTOCOL_NAMES = {"v1": "Seldon (v1)", "v2": "Open Inference (V2)"}


def check_graph(root: Unit, transport: str, protocol: str = "seldon") -> None:
    """BuildError unless every unit serves `transport` and `protocol` (spec.protocol: its image's
    PROTOCOL allows it, and under v2 its SERVICE_TYPE has a V2 meaning) and routers/combiners have children."""
    endpoint = transport.upper()
    for unit in root.walk():
        if protocol not in unit.facts.spec_protocols:
            raise BuildError(f"{unit.image} serves only the {_PROTOCOL_NAMES[unit.facts.protocol]} protocol "
                             f"(its PROTOCOL={unit.facts.protocol}), not --protocol {protocol}: leave out --protocol "
                             "or rebuild it with PROTOCOL=both")
        if protocol == "v2" and unit.facts.service_type in NO_V2_SERVICE_TYPES:
            raise BuildError(f"{unit.image} is a {unit.facts.service_type}, which has no Open Inference (V2) "
                             "meaning: deploy it with --protocol seldon (an image with PROTOCOL=v1 or both)")
        if endpoint not in unit.facts.api_types:
            raise BuildError(f"{unit.image} serves only {','.join(unit.facts.api_types)} (its API_TYPE), "
                             f"not {endpoint}: choose --transport {unit.facts.api_types[0].lower()} "
                             "or rebuild it with API_TYPE=REST,GRPC")
        if unit.node_type in NEEDS_CHILDREN and not unit.children:
            raise BuildError(f"{unit.image} is a {unit.facts.service_type}: give the units it "
                             f"{'routes to' if unit.node_type == 'ROUTER' else 'combines'} with --child IMAGE")


def default_protocol(root: Unit) -> str:
    """spec.protocol from what the images serve: "seldon" when every unit serves the Seldon protocol
    (PROTOCOL v1, unset, or both), else "v2" when every unit serves V2 (PROTOCOL v2 or both); BuildError
    when the images share none (one v1-only, another v2-only). Under "v2" the operator's executor calls
    each node's /v2/models/<node name>/infer, and the image takes its V2 model name from the
    MLSERVER_MODEL_NAME the operator injects (= the node name; docs/v2-protocol.md)."""
    for protocol in ("seldon", "v2"):
        if all(protocol in unit.facts.spec_protocols for unit in root.walk()):
            return protocol
    v1, v2 = (next(u.image for u in root.walk() if u.facts.protocol == p) for p in ("v1", "v2"))
    raise BuildError(f"the images share no protocol: {v1} serves only Seldon (v1), {v2} only Open Inference "
                     "(V2): rebuild one of them with PROTOCOL=both")


def default_transport(root: Unit) -> str:
    """rest when every unit serves REST, else grpc when every unit serves gRPC; BuildError otherwise."""
    for api in ("REST", "GRPC"):
        if all(api in unit.facts.api_types for unit in root.walk()):
            return api.lower()
    raise BuildError("the images share no API type (one serves only REST, another only GRPC): "
                     "rebuild one of them with API_TYPE=REST,GRPC")


def graph_node(unit: Unit, endpoint: str) -> Dict[str, Any]:
    """The predictor's `graph` entry of a unit and (recursively) its children."""
    node: Dict[str, Any] = {"name": unit.name, "type": unit.node_type, "endpoint": {"type": endpoint}}
    if unit.parameters:
        node["parameters"] = [dict(parameter) for parameter in unit.parameters]
    node["children"] = [graph_node(child, endpoint) for child in unit.children]
    return node


def build_manifest(root: Unit, options: Options) -> Manifest:
    """The SeldonDeployment of the graph under `root`; BuildError when the graph cannot work
    (check_graph). Containers carry only name and image: resources are the user's to add."""
    check_graph(root, options.transport, options.protocol)
    metadata: Dict[str, Any] = {"name": options.name}
    if options.namespace:
        metadata["namespace"] = options.namespace
    predictor: Dict[str, Any] = {
        "name": options.predictor,
        "replicas": options.replicas,
        "annotations": {"predictor_version": tag_of_image(root.image),
                        "seldon.io/svc-name": options.service_name or options.name},
        "componentSpecs": [{"spec": {"containers": [{"name": unit.name, "image": unit.image}
                                                    for unit in root.walk()]}}],
        "graph": graph_node(root, options.transport.upper()),
    }
    spec: Dict[str, Any] = {"name": options.name, "protocol": options.protocol, "transport": options.transport}
    if options.annotations:
        spec["annotations"] = dict(options.annotations)
    spec["predictors"] = [predictor]
    return {"apiVersion": API_VERSION, "kind": KIND, "metadata": metadata, "spec": spec}

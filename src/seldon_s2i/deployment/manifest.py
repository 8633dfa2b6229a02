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
from .vocabulary import API_VERSION, KIND, NEEDS_CHILDREN

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


def check_graph(root: Unit, transport: str) -> None:
    """BuildError unless every unit serves `transport` and routers/combiners have children."""
    endpoint = transport.upper()
    for unit in root.walk():
        if endpoint not in unit.facts.api_types:
            raise BuildError(f"{unit.image} serves only {','.join(unit.facts.api_types)} (its API_TYPE), "
                             f"not {endpoint}: choose --transport {unit.facts.api_types[0].lower()} "
                             "or rebuild it with API_TYPE=REST,GRPC")
        if unit.node_type in NEEDS_CHILDREN and not unit.children:
            raise BuildError(f"{unit.image} is a {unit.facts.service_type}: give the units it "
                             f"{'routes to' if unit.node_type == 'ROUTER' else 'combines'} with --child IMAGE")


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
    check_graph(root, options.transport)
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
